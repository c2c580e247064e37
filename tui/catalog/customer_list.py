"""Words of the customer list (db.lists.paging refusals and the list's own column titles; the other
column titles are the card's field labels, customer.field.*)."""

MESSAGES = {
    "list.sort_unknown": ("不能按 {sort} 排序", "Cannot sort by {sort}"),
    "list.column_unknown": ("没有栏目 {column}", "No column {column}"),
    "list.filter_unknown": ("过滤条件中没有 {name} 一项", "A filter has no condition {name}"),
    "list.filter_value": ("过滤条件的值 {value} 不对", "Filter value {value} is not valid"),
    "list.filter_date": ("过滤条件的日期 {value} 不对, 请用 YYYY-MM-DD", "Filter date {value} is not valid; use YYYY-MM-DD"),
    "list.filter_dates": ("发展日期从 {start} 到 {end}: 起始日期晚于截止日期", "Development date from {start} to {end}: the start is after the end"),
    "list.filter_stopped": ("停用条件 {value} 不对", "Stopped condition {value} is not valid"),
    "list.col.class_name": ("分类名称", "Class name"),
    "list.col.region_code": ("地区码", "Region #"),
    # Titles of list columns narrower than the field's full name (the card and F4 use that).
    "list.col.mgmt_type": ("管理类型", "Mgmt type"),
    "list.col.dev_date": ("发展日期", "Developed"),
    "list.col.salesperson": ("专管业务员", "Sales rep"),
    "list.col.contact": ("联系人", "Contact"),
    "list.col.credit_grade": ("信用等级", "Grade"),
    "list.col.credit_days": ("信用期限", "Cr. days"),
    "list.loading": ("…", "…"),
    "list.stopped_mark": ("停", "⊘"),
    "list.empty.filtered": ("没有符合过滤条件的客户 · {filter} 修改过滤", "No customer matches the filter · {filter} change the filter"),
    "list.empty.not_evaluated": ("尚未评估 · {evaluate} 评估", "Not evaluated yet · {evaluate} evaluate"),
    "list.empty.not_evaluated_short": ("尚未评估", "not evaluated yet"),
    "list.empty.all_stopped": ("这里的客户都已停用 · {stopped} 显示停用", "Every customer here is stopped · {stopped} show stopped"),
    "list.empty.class": ("此分类下没有客户 · {add} 增加", "No customer in this class · {add} add one"),
    "list.empty.none": ("还没有客户 · {add} 增加 · {import_} 导入", "No customers yet · {add} add · {import_} import"),
}
