"""Words every screen shares: commands, screens, confirmations, help."""

MESSAGES = {
    "lang.code": ("zh", "en"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "cmd.help": ("帮助", "Help"),
    "cmd.quit": ("退出", "Quit"),
    "cmd.palette": ("命令面板", "palette"),
    "cmd.archive": ("客户档案", "Archive"),
    "cmd.classification": ("客户分类", "Classification"),
    "cmd.scheme": ("编码方案", "Coding scheme"),
    "cmd.add": ("增加", "Add"),
    "cmd.edit": ("修改", "Modify"),
    "cmd.delete": ("删除", "Delete"),
    "cmd.save": ("保存", "Save"),
    "cmd.cancel": ("放弃", "Cancel"),
    "cmd.refresh": ("刷新", "Refresh"),
    "cmd.close": ("关闭", "Close"),
    "screen.app": ("kehu", "kehu"),
    "screen.archive": ("客户档案", "Customer archive"),
    "screen.classification": ("客户分类", "Customer classes"),
    "screen.scheme": ("编码方案", "Coding scheme"),
    "confirm.yes": ("是", "Yes"),
    "confirm.no": ("否", "No"),
    "confirm.keys": ("{yes} 是    {no} 否", "{yes} yes    {no} no"),
    "help.title": ("帮助: {screen}", "Help: {screen}"),
    "help.close": ("Esc 关闭", "Esc closes"),
    "config.keymap_broken": ("按键配置有误, 已忽略: {problem}", "The keymap file is broken and was ignored: {problem}"),
}
MESSAGES["app.too_small"] = (
    "终端太小: 现在 {width}x{height}, 至少需要 {min_width}x{min_height}.\n请放大窗口, kehu 会自动继续.",
    "The terminal is too small: {width}x{height}, at least {min_width}x{min_height} is needed.\n"
    "Make it larger and kehu carries on.",
)
