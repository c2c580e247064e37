"""Words of the locate box."""

MESSAGES = {
    "locate.title": ("定位", "Locate"),
    "locate.cmd.go": ("跳到该客户", "Go to the customer"),
    "locate.cmd.down": ("下一个", "Next match"),
    "locate.cmd.up": ("上一个", "Previous match"),
    "locate.keys": ("{go} 跳到该客户  {move} 选择  {close} 关闭", "{go} jumps to it  {move} choose  {close} closes"),
    "locate.placeholder": ("编码, 名称中的字, 或助记码 (如 bjhl)", "code, any part of the name, or the mnemonic (e.g. bjhl)"),
    "locate.hint": ("输入编码开头, 名称或简称中的任意字, 或助记码", "Type the start of a code, any part of a name, or a mnemonic"),
    "locate.none": ("没有找到 {query}", "Nothing matches {query}"),
    "locate.count": ("找到 {count} 个", "{count} found"),
    "locate.count_more": ("找到 {count} 个以上, 只显示前 {count} 个: 请输入更多字", "More than {count} found, the first {count} shown: type more to narrow"),
    "locate.only_stopped": ("{query} 只找到停用客户: {show} 显示停用客户", "{query} matches stopped customers only: {show} shows them"),
}
