"""Words of reading a file's kind from its titles and of restoring a whole-archive export."""

MESSAGES = {
    "import.no_kind": ("{path} 的标题 ({headers}) 不符合任何一种导入; 应有 {expected_zh}",
                       "{path}: its titles ({headers}) fit no kind of import; expected {expected_en}"),
    "transfer.help_kind": ("文件内容: customers, classes 或 sales (默认: 按标题判断)",
                           "what the file holds: customers, classes or sales (default: told by its titles)"),
    "transfer.help_u8": ("U8 客户档案列表的栏目与标题 (客户编码, 客户名称, ... 备注)",
                         "the columns of U8's customer list, under U8's titles (客户编码, 客户名称, ... 备注)"),
    "transfer_ui.kind.auto": ("按标题判断", "Told by its titles"),
}
