"""Values and their rules: fields, columns, coding schemes, dates, money, mnemonics, sort keys."""
