"""Words of head offices and branches (总公司, db.archive.branches): the card's field and
branch list, the refusals, the 业绩 tab's group roll-up and `kehu show`."""

MESSAGES = {
    "customer.field.head_office": ("总公司编码", "Head office"),
    "head.self": ("{label}: 客户 {code} 不能是自己的总公司", "{label}: customer {code} cannot be its own head office"),
    "head.unknown": ("{label}: 客户 {code} 不存在", "{label}: there is no customer {code}"),
    "head.stopped": ("{label}: 客户 {code} 已于 {date} 停用, 不能作总公司",
                     "{label}: customer {code} was stopped on {date} and cannot be a head office"),
    "head.loop": ("{label}: 总公司成环 {loop}, 客户不能是自己分支机构的分支",
                  "{label}: head offices in a loop {loop}; a customer cannot be a branch of its own branch"),
    "customer.has_branches": ("客户 {code} 是 {count} 个分支机构的总公司, 不能删除; 请先改它们的总公司",
                              "Customer {code} is the head office of {count} [branch|branches] and cannot be deleted; change their head office first"),
    "head.group": ("总公司与分支机构", "Head office and branches"),
    "head.branch_count": ("分支机构 {count} 个", "{count} [branch|branches]"),
    "head.more": ("… 另有 {count} 个", "… and {count} more"),
    "head.none": ("无", "none"),
    "head.stopped_mark": ("(停用)", "(stopped)"),
    "head.pick_title": ("参照 总公司", "Pick the head office"),
    "head.pick_keys": ("{go} 选定  {close} 放弃", "{go} pick  {close} cancel"),
    "card.sales_group": ("集团合计: 总公司及其分支机构共 {count} 户 ({toggle} 只看本户)",
                         "Group: head office and branches, {count} customers ({toggle}: this one only)"),
    "card.sales_own": ("本户 ({toggle} 集团合计)", "This customer only ({toggle}: its group)"),
    "card.group_toggle": ("业绩 本户/集团", "Sales: customer / group"),
    "lookup.head_office": ("总公司", "Head office"),
    "stats.groups_toggle": ("销售额 按客户/归总公司", "Sales: per customer / at the head office"),
    "stats.groups_on": ("分支机构销售额归总公司", "branches' sales at their head office"),
    "batch.reason.head_loop": ("是该总公司本身或其上级, 会成环", "The head office itself or one of its heads: a loop"),
}
