"""Words of the locate box."""

MESSAGES = {
    "locate.title": ("定位", "Locate"),
    "locate.keys": ("Enter 跳到该客户  ↑↓ 选择  Esc 关闭", "Enter jumps to it  ↑↓ choose  Esc closes"),
    "locate.placeholder": ("编码, 名称中的字, 或助记码 (如 bjhl)", "code, any part of the name, or the mnemonic (e.g. bjhl)"),
    "locate.hint": ("输入编码开头, 名称或简称中的任意字, 或助记码", "Type the start of a code, any part of a name, or a mnemonic"),
    "locate.none": ("没有找到 {query}", "Nothing matches {query}"),
    "locate.count": ("找到 {count} 个", "{count} found"),
    "locate.count_more": ("找到 {count} 个以上, 只显示前 {count} 个: 请输入更多字", "More than {count} found, the first {count} shown: type more to narrow"),
    "locate.only_stopped": ("{query} 只找到停用客户: {show} 显示停用客户", "{query} matches stopped customers only: {show} shows them"),
}
