"""Messages of the shell commands."""

MESSAGES = {
    "cli.offer_create": ("数据库 {path} 不存在, 要创建吗? [y/N]", "Database {path} does not exist. Create it? [y/N]"),
}
