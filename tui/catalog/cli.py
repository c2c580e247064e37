"""Messages of the shell commands."""

MESSAGES = {
    "cli.description": ("客户档案与客户分类", "customer archive and classification"),
    "cli.help_db": ("SQLite 文件路径或数据库 URL (默认: $KEHU_DB, 否则用户数据目录)",
                    "SQLite path or database URL (default: $KEHU_DB, else the user data directory)"),
    "cli.help_demo": ("在临时目录中打开一个新的演示档案 (关闭后删除)",
                      "open a fresh demo archive in a temporary directory (removed on close)"),
    "cli.help_lang": ("界面语言 zh 或 en (默认按 locale)", "zh or en (default: from the locale)"),
    "cli.help_read_only": ("只读打开, 仅供查询", "open for look-up only"),
    "cli.commands": ("命令", "COMMAND"),
    "cli.usage": ("用法: ", "usage: "),
    "cli.positionals": ("位置参数", "positional arguments"),
    "cli.options": ("选项", "options"),
    "cli.help_help": ("显示本帮助并退出", "show this help message and exit"),
    "cli.not_utf8": ("参数中有不是 UTF-8 的字节, 不能用来查找或命名", "An argument holds bytes that are not UTF-8; it cannot name or find anything"),
    "cli.too_big": ("{text} 太大: 最多 {max}", "{text} is too large: at most {max}"),
    "cli.offer_create": ("数据库 {path} 不存在, 要创建吗? [y/N]", "Database {path} does not exist. Create it? [y/N]"),
}
