"""Messages of blame and as-of: `kehu blame`, `kehu show --as-of`, the 历史 tab's card as of an entry."""

MESSAGES = {
    "blame.help": ("每个字段最后由谁、何时、经何种操作设置", "who last set each field, when, and through what"),
    "blame.help_as_of": ("显示某一时刻的档案 (日期或 2026-11-24 10:30)", "show the card as it was then (a date, or 2026-11-24 10:30)"),
    "blame.none": ("{code} 没有操作记录", "{code} has no history"),
    "blame.not_then": ("{when} 时还没有客户 {code}", "There was no customer {code} at {when}"),
    "blame.as_of": ("(截至 {when})", "(as of {when})"),
    "blame.field": ("字段", "Field"),
    "blame.value": ("设为", "Set to"),
    "blame.how": ("途径", "Through"),
    "blame.source.save": ("保存", "save"),
    "blame.source.import": ("导入", "import"),
    "blame.source.batch": ("批改", "batch modify"),
    "blame.source.merge": ("并户", "merge"),
    "blame.source.evaluate": ("评估", "evaluation"),
    "blame.source.request": ("审核", "request"),
    "blame.asked": ("({who} {at} 申请)", "(asked by {who} {at})"),
}
