"""Words of reading a file's kind from its titles and of restoring a whole-archive export."""

MESSAGES = {
    "import.no_kind": ("{path} 的标题 ({headers}) 不符合任何一种导入; 应有 {expected_zh}",
                       "{path}: its titles ({headers}) fit no kind of import; expected {expected_en}"),
    "transfer.help_kind": ("文件内容: customers, classes 或 sales (默认: 按标题判断)",
                           "what the file holds: customers, classes or sales (default: told by its titles)"),
    "restore.twice": ("{path} 中有两个同类的表: {first} 和 {second}", "{path} holds two tables of one kind: {first} and {second}"),
    "transfer.help_u8": ("U8 客户档案列表的栏目与标题 (客户编码, 客户名称, ... 备注)",
                         "the columns of U8's customer list, under U8's titles (客户编码, 客户名称, ... 备注)"),
    "restore_ui.title": ("导入整个档案: {name}", "Import the whole archive: {name}"),
    "restore_ui.part": ("{kind} · {sheet} · {rows} 行: ", "{kind} · {sheet} · {rows} [row|rows]: "),
    "transfer_ui.kind.auto": ("按标题判断", "Told by its titles"),
}
