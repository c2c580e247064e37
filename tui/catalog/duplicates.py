"""Words of the duplicate check (查重): its reasons, the card's panel, `kehu find --similar`
and `kehu duplicates`."""

MESSAGES = {
    "customer.tax_id_taken": ("{label} {text} 已是 {code} {name} 的税号; 同一税号只能用于一个在用客户 (kehu duplicates --same-tax-id allow 可允许)",
                              "{label} {text} is already the tax id of {code} {name}; one tax id belongs to one active customer (kehu duplicates --same-tax-id allow allows it)"),
    "dup.reason.tax_id": ("税号相同", "same tax id"),
    "dup.reason.mobile": ("手机相同", "same mobile"),
    "dup.reason.phone": ("电话相同", "same phone"),
    "dup.reason.name": ("名称相似", "similar name"),
    "dup.reason.sound": ("名称同音", "name sounds alike"),
    "dup.help_similar": ("列出与该名称 (及 --phone --mobile --tax-id) 可能重复的客户, 附相似度和原因", "list the customers that name (and --phone --mobile --tax-id) may duplicate, with scores and reasons"),
    "dup.help_phone": ("查重时一并比对的电话", "a phone to check as well"),
    "dup.help_mobile": ("查重时一并比对的手机", "a mobile to check as well"),
    "dup.help_tax_id": ("查重时一并比对的税号", "a tax id to check as well"),
    "dup.none": ("没有与 {query} 可能重复的客户", "No customer looks like a duplicate of {query}"),
    "dup.score": ("相似度", "Score"),
    "dup.reasons": ("原因", "Reasons"),
    "dup.panel_title": ("可能重复 {count} 个: Enter 打开, F6 再次保存则仍然保存", "{count} likely duplicates: Enter opens one, F6 again saves anyway"),
    "history.action.duplicate": ("查重后仍保存", "Saved past duplicates"),
    "dup.stopped": ("停用", "stopped"),
}
