"""The evaluation's rule parameters (管理类型 and the derived dimensions' thresholds): their
kinds, defaults and bounds, stored in the Rule table and edited on the rules screen or with
`kehu rules --set`; and the names of the management types."""
from __future__ import annotations

from dataclasses import dataclass

from db.archive import history
from db.archive.dimensions import HISTORY, PROFIT, SCALE
from db.core.errors import RuleError
from db.core.models import Rule
from db.core.session import writing
from db.values.money import format_money, format_percent, parse_money, parse_percent

MGMT = "mgmt_type"
VIP, IMPORTANT, ORDINARY, POTENTIAL = "VIP客户", "重要客户", "一般客户", "潜在客户"
MGMT_TYPES = (VIP, IMPORTANT, ORDINARY, POTENTIAL)
TARGETS = (HISTORY, SCALE, PROFIT, MGMT)  # the order changes are listed in

# key -> (kind, default, minimum, maximum). Kinds: months, money (fen), percent (hundredths
# of a percent), count.
SPEC: dict[str, tuple[str, int, int, int]] = {
    "history.new_months": ("months", 6, 1, 120),
    "history.active_months": ("months", 12, 1, 120),
    "scale.large": ("money", 1_000_000_00, 0, 10**15 - 1),
    "scale.medium": ("money", 100_000_00, 0, 10**15 - 1),
    "profit.high": ("percent", 3000, 0, 10000),
    "profit.fair": ("percent", 1500, 0, 10000),
    "profit.micro": ("percent", 0, 0, 10000),
    "mgmt.vip_top": ("count", 50, 0, 1_000_000),
    "mgmt.vip_amount": ("money", 2_000_000_00, 0, 10**15 - 1),
    "mgmt.vip_orders": ("count", 6, 0, 1_000_000),
    "mgmt.important_amount": ("money", 500_000_00, 0, 10**15 - 1),
}
# (lower, upper): the lower rule may not exceed the upper one.
ORDER = [
    ("history.new_months", "history.active_months"),
    ("scale.medium", "scale.large"),
    ("profit.micro", "profit.fair"),
    ("profit.fair", "profit.high"),
    ("mgmt.important_amount", "mgmt.vip_amount"),
]


@dataclass(frozen=True)
class Rules:
    new_months: int
    active_months: int
    scale_large: int
    scale_medium: int
    profit_high: int
    profit_fair: int
    profit_micro: int
    vip_top: int
    vip_amount: int
    vip_orders: int
    important_amount: int

    @classmethod
    def from_values(cls, values: dict[str, int]) -> "Rules":
        """From {rule key: value}: "history.new_months" -> new_months, "mgmt.vip_top" ->
        vip_top, "scale.large" -> scale_large."""
        return cls(**{key.split(".", 1)[1] if key.startswith(("history.", "mgmt."))
                      else key.replace(".", "_"): value for key, value in values.items()})


def _stored() -> dict[str, int]:
    values = {key: spec[1] for key, spec in SPEC.items()}
    for row in Rule.select().where(Rule.key.in_(list(SPEC))):
        try:
            values[row.key] = int(row.value)
        except ValueError:  # edited outside kehu: the default stands until set_rule fixes it
            pass
    return values


def rule_values() -> dict[str, int]:
    """{rule key: value in storage units}, defaults where nothing is stored."""
    return _stored()


def get_rules() -> Rules:
    return Rules.from_values(_stored())


def parse_rule(key: str, text) -> int:
    """A rule value as typed (money in yuan "1,000,000", percent "30" or "30%", months,
    counts) to storage units; an int passes through as already in storage units."""
    if key not in SPEC:
        raise RuleError("rules.unknown", field=key, rule=key)
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    kind = SPEC[key][0]
    if kind == "money":
        return parse_money(text, field=key)
    if kind == "percent":
        return parse_percent(text, field=key)
    clean = str(text or "").strip()
    if not clean.isdigit():
        raise RuleError("rules.not_number", field=key, rule=key, text=str(text))
    return int(clean)


def format_rule(key: str, value: int) -> str:
    kind = SPEC[key][0]
    if kind == "money":
        return format_money(value)
    if kind == "percent":
        return format_percent(value) + "%"
    return str(value)


def set_rule(key: str, value) -> Rules:
    """Change one rule (typed text or storage units). Refused with a RuleError naming the key
    when the value is out of range or would cross its neighbour (medium above large...)."""
    new = parse_rule(key, value)
    kind, _default, low, high = SPEC[key]
    if not low <= new <= high:
        raise RuleError("rules.range", field=key, rule=key, value=format_rule(key, new),
                        min=format_rule(key, low), max=format_rule(key, high))
    with writing("archive"):
        values = _stored()
        old = values[key]
        values[key] = new
        for lower, upper in ORDER:
            if values[lower] > values[upper]:
                raise RuleError("rules.order", field=key, rule=key, lower=lower, upper=upper,
                                lower_value=format_rule(lower, values[lower]),
                                upper_value=format_rule(upper, values[upper]))
        if old != new:
            (Rule.insert(key=key, value=str(new))
             .on_conflict(conflict_target=[Rule.key], update={Rule.value: str(new)}).execute())
            history.record("change", "rule", key, {"value": [old, new]})
    return Rules.from_values(values)


# ---------------------------------------------------------------------------------------------
# Evaluation
