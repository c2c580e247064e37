"""Words of the shell look-ups: `kehu find`, `kehu show`, `kehu tree`."""

MESSAGES = {
    "lookup.help_find": ("查找客户: 编码开头, 名称或简称中的字, 或助记码", "find customers: code prefix, a piece of the name or short name, or the mnemonic"),
    "lookup.help_query": ("要查找的内容", "what to look for"),
    "lookup.help_limit": ("最多显示多少个 (默认 50)", "show at most this many (default 50)"),
    "lookup.help_json": ("以 JSON 输出", "print JSON"),
    "lookup.help_show": ("显示一个客户的完整档案", "show one customer's whole card"),
    "lookup.help_tree": ("显示分类树及各分类的客户数", "show the classification tree with customer counts"),
    "lookup.help_dimension": ("分类维度: 编码、中文名或英文名 (默认 main, 即客户分类)", "dimension: its key, Chinese or English name (default main: the customer classes)"),
    "lookup.bad_query": ("请给出要查找的内容, --limit 至少为 1", "Give something to look for; --limit is at least 1"),
    "lookup.none": ("没有找到 {query}", "Nothing matches {query}"),
    "lookup.no_customer": ("没有客户 {code}", "No customer {code}"),
    "lookup.empty_tree": ("{dimension} 还没有分类", "{dimension} has no classes yet"),
    "lookup.dimensions": ("分类维度", "Dimensions"),
}
