"""The SQL of an export: the cells' values as the file shows them, the customer rows' SELECT,
and the keyset pages that read them; on SQLite, a CSV page's lines made by the database
itself (csv_line) and quoted as csv.writer would (csv_bytes). db.transfer.exporter writes
them through db.transfer.export_files."""
from __future__ import annotations

import datetime as dt
import json
from typing import Callable, Iterable, Iterator

from db.values import fields as fields_meta
from db.values.columns import CLASS_NAME, Column
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Membership, database
from db.values.money import format_percent

PAGE = 5000

# ---------------------------------------------------------------- values


def _yuan(fen):
    """Money for a cell: a number in yuan (a workbook sums it), exact to the fen."""
    return None if fen is None else fen / 100


def _money_text(fen):
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan}.{cents:02d}"


def _date_value(value):
    """SQLite returns dates as text, PostgreSQL as dates: a date (or datetime) either way."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text[:19])


def _yes_no(lang: str) -> tuple[str, str]:
    return ("是", "否") if lang == "zh" else ("yes", "no")


def converters(kinds: list[str], fmt: str, lang: str) -> list[tuple[int, Callable]]:
    """(column index, converter) for the columns whose stored value is not what the file
    shows; text columns pass through untouched (the common case, and the fast one)."""
    yes, no = _yes_no(lang)
    by_kind = {
        "money": _yuan if fmt == "xlsx" else _money_text,
        "percent": (lambda v: format_percent(v or 0)) if fmt == "csv" else (lambda v: (v or 0) / 100),
        "flag": lambda v: yes if v else no,
        # The csv module writes None as "" and a date as YYYY-MM-DD (SQLite returns text
        # already): only a workbook needs them converted, into date cells.
        "date": _date_value if fmt == "xlsx" else None,
        "datetime": _date_value if fmt == "xlsx" else None,
        "text": None,
        "int": None,
    }
    return [(i, by_kind[k]) for i, k in enumerate(kinds) if by_kind.get(k)]


def convert_rows(rows: Iterable[tuple], converters) -> Iterator[list]:
    if not converters:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for i, conv in converters:
            row[i] = conv(row[i])
        yield row


def kind_of(column: Column) -> str:
    meta = fields_meta.BY_KEY.get(column.field)
    if meta is None:
        return column.kind
    if meta.kind == "auto":
        return "datetime" if column.field.endswith("_at") else "text"
    return meta.kind


# ---------------------------------------------------------------- CSV lines made by SQLite

# Fetching a row as 36 Python values costs more than the rest of the export (most of it
# building the objects), and csv.writer as much again. So on SQLite
# a CSV row is made into one line by the database (printf over its cells, the same texts
# converters gives) and handed over as bytes, never decoded. Cells are joined by _SEP and a
# page's lines by _END, bytes no UTF-8 text holds: the few cells that need quoting are found
# by a byte search over the page, and the separators become commas and line ends after.
_SEP = b"\xff"
_END = b"\xfe"
# What csv.writer (QUOTE_MINIMAL, lines ending "\r\n") quotes a field for.
_QUOTED_FOR = b',"\r\n'
# SQLite refuses a function call with more than 127 arguments (a printf over a customer row
# plus many dimensions); the cells are formatted in groups of this many.
PRINTF_CELLS = 100


def _sqlite_text(expr: str, kind: str, lang: str) -> tuple[str, list]:
    """SQLite's text for a cell of `kind` as converters writes it to a CSV, with its
    parameters. printf writes NULL as "" and a number as its digits, as csv.writer does."""
    if kind == "money":
        return (f"CASE WHEN {expr} IS NULL THEN '' ELSE printf('%s%d.%02d', "
                f"CASE WHEN {expr} < 0 THEN '-' ELSE '' END, abs({expr}) / 100, abs({expr}) % 100) END"), []
    if kind == "percent":
        # format_percent's divmod floors, so the hundredths are never negative; no printf
        # (it would double the export's cost of this column): 1250 -> "12.5", 1205 -> "12.05".
        value = f"ifnull({expr}, 0)"
        part = f"(({value} % 100 + 100) % 100)"
        whole = f"(({value} - {part}) / 100)"
        return (f"CASE WHEN {part} = 0 THEN {whole} WHEN {part} % 10 = 0 THEN {whole} || '.' || ({part} / 10) "
                f"ELSE {whole} || '.' || substr({part} + 100, 2) END"), []
    if kind == "flag":
        return f"CASE WHEN {expr} THEN ? ELSE ? END", list(_yes_no(lang))
    return expr, []


def sql_line(cells: list[tuple[str, str]], lang: str, fmt: str) -> tuple[str, list]:
    """The SELECT expression of a row made by SQLite for a file of `fmt`: its CSV line, or
    its cells' XML for a workbook (xml_line)."""
    return xml_line(cells, lang) if fmt == "xlsx" else csv_line(cells, lang)


# A workbook's rows made by SQLite as a CSV's lines are (fetching a row into Python values
# costs more than the whole CSV export): printf puts each value in its cell's XML, written
# with the bytes 0xF5 and 0xF6 for the markup's "<" and ">" (bytes no UTF-8 text holds), so
# xlsx_stream.Sheet.lines escapes the values' text over the whole page and then makes the
# markup (Making the XML with SQLite's || and replace is five times slower: they copy each
# growing row.) Dates are Excel serial days, julianday less Excel's day 0.
_EXCEL_DAY0 = 2415018.5  # julianday('1899-12-30')


def _marked(xml: str) -> bytes:
    return xml.encode().replace(b"<", b"\xf5").replace(b">", b"\xf6")


_XML_CELLS = {"text": _marked('<c t="inlineStr"><is><t>%s</t></is></c>'),
              "number": _marked("<c><v>%s</v></c>"), "date": _marked('<c s="1"><v>%s</v></c>'),
              "datetime": _marked('<c s="2"><v>%s</v></c>')}
_XML_KIND = {"money": "number", "percent": "number", "int": "number", "date": "date",
             "datetime": "datetime"}


def _xml_value(expr: str, kind: str, lang: str) -> tuple[str, list]:
    if kind == "date":
        return f"CAST(julianday({expr}) - {_EXCEL_DAY0} AS INTEGER)", []
    if kind == "datetime":
        return f"round(julianday({expr}) - {_EXCEL_DAY0}, 8)", []
    return _sqlite_text(expr, kind, lang)


def xml_line(cells: list[tuple[str, str]], lang: str) -> tuple[str, list]:
    """One SELECT expression for a row's cells, their markup marked (see _marked), as a
    blob, with its parameters."""
    return _printf_line(cells, lang, _xml_value, lambda kinds: b"".join(
        _XML_CELLS[_XML_KIND.get(kind, "text")] for kind in kinds), " || ", _marked("<row>"), _marked("</row>"))


def csv_line(cells: list[tuple[str, str]], lang: str) -> tuple[str, list]:
    """One SELECT expression for the CSV line of `cells` ((SQL, kind) each), with its
    parameters: the cells' texts joined by _SEP, as a blob (bytes, nothing decoded)."""
    return _printf_line(cells, lang, _sqlite_text, lambda kinds: _SEP.join([b"%s"] * len(kinds)),
                        " || x'ff' || ")


def _printf_line(cells: list[tuple[str, str]], lang: str, value, fmt, between: str,
                 start: bytes = b"", end: bytes = b"") -> tuple[str, list]:
    """A row's cells formatted by printf, the cells' `value` (SQL, parameters) each placed by
    the format `fmt` makes of their kinds, in groups of PRINTF_CELLS joined by `between`;
    `start` and `end` begin the first group's format and end the last's."""
    groups, params = [], []
    for start_at in range(0, len(cells), PRINTF_CELLS):
        group = cells[start_at:start_at + PRINTF_CELLS]
        # The format is a parameter, a blob: SQLite copies its marker bytes as they are.
        params.append((start if not start_at else b"") + fmt([kind for _, kind in group])
                      + (end if start_at + PRINTF_CELLS >= len(cells) else b""))
        texts = []
        for expr, kind in group:
            text, values = value(expr, kind, lang)
            texts.append(text)
            params += values
        groups.append(f"printf(?, {', '.join(texts)})")
    return f"CAST({between.join(groups)} AS BLOB)", params


def _offsets(data: bytes, byte: int) -> Iterator[int]:
    at = data.find(byte)
    while at >= 0:
        yield at
        at = data.find(byte, at + 1)


def csv_bytes(page: bytes, width: int) -> bytes:
    """A page of lines made by csv_line (`width` cells each, joined by _END, as
    keyset_pages and list_pages read them) as the bytes csv.writer writes for them.

    The page is searched as one: the characters that make a cell quoted are found by byte (a
    comma in a quarter of the rows, in remarks), and only their cells are touched."""
    between = b","
    if width == 1:
        # csv.writer quotes a row's only field when it is empty (else the row would be a
        # blank line, which a reader skips); a one-cell line has no separator to mark it.
        page = _END.join([line or _SEP for line in page.split(_END)])
        between = b'""'
    page += _END
    out, done = [], 0
    for at in sorted(at for byte in _QUOTED_FOR for at in _offsets(page, byte)):
        if at < done:  # another such character in a cell already quoted
            continue
        start = max(page.rfind(_SEP, 0, at), page.rfind(_END, 0, at)) + 1
        line_end = page.find(_END, at)
        end = page.find(_SEP, at, line_end)
        end = line_end if end < 0 else end
        out += (page[done:start], b'"', page[start:end].replace(b'"', b'""'), b'"')
        done = end
    out.append(page[done:])
    return b"".join(out).replace(_SEP, between).replace(_END, b"\r\n")


# ---------------------------------------------------------------- CSV made by PostgreSQL (COPY)

# On PostgreSQL the rows of a whole table come out of one COPY .. TO STDOUT (FORMAT csv):
# the server writes the CSV, quoting as csv.writer does, at about ten times the rate of
# fetching the rows into Python and writing them with the csv module (1,000,000 customers:
# 26 s by rows). Each cell is made the text converters would give; an empty text becomes
# NULL, which COPY writes empty and unquoted as csv.writer writes "" (COPY quotes an empty
# string). Export_files.Writer.copy ends each line with "\r\n" as csv.writer does.


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def pg_text(expr: str, kind: str, lang: str) -> str:
    if kind == "money":
        return (f"CASE WHEN {expr} < 0 THEN '-' ELSE '' END || (abs({expr}) / 100) || '.' "
                f"|| lpad(mod(abs({expr}), 100)::text, 2, '0')")
    if kind == "percent":  # as _sqlite_text: format_percent's 1250 -> "12.5", 1205 -> "12.05"
        value = f"COALESCE({expr}, 0)"
        part = f"mod(mod({value}, 100) + 100, 100)"  # mod, not %: the SQL is bound by psycopg2
        whole = f"(({value} - {part}) / 100)"
        return (f"CASE WHEN {part} = 0 THEN {whole}::text WHEN mod({part}, 10) = 0 THEN {whole} || '.' || "
                f"({part} / 10) ELSE {whole} || '.' || substr(({part} + 100)::text, 2) END")
    if kind == "flag":
        yes, no = _yes_no(lang)
        return f"CASE WHEN {expr} THEN {_pg_literal(yes)} ELSE {_pg_literal(no)} END"
    if kind == "date":  # not by the server's DateStyle, which may be another
        return f"to_char({expr}, 'YYYY-MM-DD')"
    if kind == "datetime":  # str(datetime): the microseconds only when there are some
        return (f"CASE WHEN {expr} = date_trunc('second', {expr}) THEN to_char({expr}, 'YYYY-MM-DD HH24:MI:SS') "
                f"ELSE to_char({expr}, 'YYYY-MM-DD HH24:MI:SS.US') END")
    if kind == "int":
        return expr
    return f"NULLIF({expr}, '')"


def copy_sql(select: str, params: list) -> str:
    """The COPY of `select` as CSV, its parameters bound into its text (COPY takes none)."""
    bound = database.connection().cursor().mogrify(select, params).decode()
    return f"COPY ({bound}) TO STDOUT WITH (FORMAT csv)"


def archive_customer_copy(columns: list[Column], dims: list[Dimension], lang: str,
                          class_dim: Dimension | None = None) -> str:
    """Every customer in code order, as one COPY (PostgreSQL)."""
    select, params = _customer_select("code", columns, dims, None, class_dim, copy_lang=lang)
    return copy_sql(f"{select} ORDER BY c.code", params)


# ---------------------------------------------------------------- customer rows


def typed_dimensions() -> list[Dimension]:
    return list(Dimension.select().where(Dimension.code != MAIN_DIMENSION, Dimension.derived == False)  # noqa: E712
                .order_by(Dimension.position, Dimension.id))


def _customer_select(key: str, columns: list[Column], dims: list[Dimension],
                     line_lang: str | None, class_dim: Dimension | None = None,
                     by_page: bool = False, copy_lang: str | None = None,
                     fmt: str = "csv") -> tuple[str, list]:
    """SELECT of the customer's `key` column (as k), then its columns plus one class column
    per dimension (a LEFT JOIN on the (customer, dimension) unique index each): as values, or
    with `line_lang` as one line of a `fmt` file in that language (sql_line), as line.

    `class_dim` is the dimension whose class the class_code and class_name columns hold, as
    the list shows it (a list's export passes it; the whole archive's has no class_name).
    `by_page` limits the rows to the ids of a table page_ids (key, value), which the caller
    defines, each with its place as j.key (a list's page, list_pages). With `copy_lang` the
    cells are the texts a CSV in that language shows, for a COPY (PostgreSQL, pg_text)."""
    table = Customer._meta.table_name
    p = database.param
    joins, params = [], []
    class_col = "c.class_code"
    fields = {col.field for col in columns}
    if class_dim is not None and class_dim.code != MAIN_DIMENSION and fields & {"class_code", "class_name"}:
        class_col = "mc.class_code"
        joins.append(f"LEFT JOIN {Membership._meta.table_name} mc ON mc.customer_id = c.id "
                     f"AND mc.dimension_id = {p}")
        params.append(class_dim.id)
    if CLASS_NAME.field in fields:
        joins.append(f"LEFT JOIN {CustomerClass._meta.table_name} k ON k.dimension_id = {p} "
                     f"AND k.code = {class_col}")
        params.append(class_dim.id)
    special = {"class_code": class_col, CLASS_NAME.field: "k.name"}
    cells = [(special.get(col.field) or f"c.{getattr(Customer, col.field).column_name}", kind_of(col))
             for col in columns]
    for n, dim in enumerate(dims):
        cells.append((f"m{n}.class_code", "text"))
        joins.append(f"LEFT JOIN {Membership._meta.table_name} m{n} ON m{n}.customer_id = c.id "
                     f"AND m{n}.dimension_id = {p}")
        params.append(dim.id)
    source = f"page_ids j JOIN {table} c ON c.id = j.value" if by_page else f"{table} c"
    if line_lang:
        line, line_params = sql_line(cells, line_lang, fmt)
        parts, params = [f"{line} AS line"], line_params + params
        return f"SELECT c.{key} AS k, {', '.join(parts)} FROM {source} {' '.join(joins)}", params
    if copy_lang:  # no key column: the COPY writes every column it selects
        parts = [pg_text(expr, kind, copy_lang) for expr, kind in cells]
        return f"SELECT {', '.join(parts)} FROM {source} {' '.join(joins)}", params
    parts = [expr for expr, _ in cells]
    return f"SELECT c.{key} AS k, {', '.join(parts)} FROM {source} {' '.join(joins)}", params


def keyset_pages(select: str, params: list, key: str, lines: bool) -> Iterator[tuple[int, object]]:
    """The rows of `select` (its first column, k, is `key`) in `key` order, a keyset page at a
    time (WHERE key > the last one), as (rows, payload): the rows' other columns, or with
    `lines` the page's lines (csv_line) joined by _END, made by SQLite in one step.

    Handing over a page as one value saves building 5,000 bytes objects, and above all it
    lets read_ahead work: SQLite releases the GIL for the whole page rather than between
    two rows. The aggregate reads its subquery in ORDER BY order: SQLite never flattens a
    subquery with a LIMIT into an aggregate query."""
    p = database.param
    last = None
    while True:
        where = f" WHERE {key} > {p}" if last is not None else ""
        sql = f"{select}{where} ORDER BY {key} LIMIT {PAGE}"
        args = params + ([last] if last is not None else [])
        if lines:
            page, last, count = database.execute_sql(
                f"SELECT CAST(group_concat(line, x'fe') AS BLOB), max(k), count(*) FROM ({sql})",
                args).fetchone()
            if not count:
                return
            yield count, page
        else:
            rows = database.execute_sql(sql, args).fetchall()
            if not rows:
                return
            last, count = rows[-1][0], len(rows)
            yield count, [row[1:] for row in rows]
        if count < PAGE:
            return


def archive_customer_pages(columns: list[Column], dims: list[Dimension], line_lang: str | None,
                            class_dim: Dimension | None = None,
                            fmt: str = "csv") -> Iterator[tuple[int, object]]:
    """Every customer in code order (keyset_pages)."""
    select, params = _customer_select("code", columns, dims, line_lang, class_dim, fmt=fmt)
    return keyset_pages(select, params, "c.code", line_lang is not None)


def list_pages(query, columns: list[Column], dims: list[Dimension], line_lang: str | None,
                class_dim: Dimension | None, fmt: str = "csv") -> Iterator[tuple[int, object]]:
    """The customers of a list (db.lists.paging.ListQuery), in its order, through its keyset pages,
    as keyset_pages gives them: each page's columns are read by id in one query (on SQLite
    the lines in the page's order through json_each, else the rows put in order here)."""
    from db.lists import paging

    p = database.param
    select, params = _customer_select("id", columns, dims, line_lang, class_dim, by_page=bool(line_lang),
                                      fmt=fmt)
    if line_lang:  # the page's ids bound first, as a JSON array: json_each numbers them (key)
        lines_sql = (f"WITH page_ids AS (SELECT key, value FROM json_each({p})) SELECT "
                     f"CAST(group_concat(line, x'fe') AS BLOB), count(*) FROM ({select} ORDER BY j.key)")
    key = None
    while True:
        page = paging.ids_after(query, key, PAGE)
        if not page:
            return
        ids = [row[-1] for row in page]
        if line_lang:
            lines, count = database.execute_sql(lines_sql, [json.dumps(ids), *params]).fetchone()
            if count:
                yield count, lines
        else:
            marks = ", ".join([p] * len(ids))
            found = {r[0]: r[1:] for r in database.execute_sql(
                f"{select} WHERE c.id IN ({marks})", params + ids).fetchall()}
            rows = [found[i] for i in ids if i in found]
            yield len(rows), rows
        key = page[-1][:-1]
        if len(page) < PAGE:
            return
