"""完整度 (全面体检): how complete a customer's card is, as an integer percent kept on the
customer row (`customer.completeness`), from weighted fields.

The score is one SQL expression over the customer row alone (the row keeps copies of its
default contact, address and bank account, db.values.subfields.MIRROR), so every write path
brings it in step with one set-based UPDATE (`refresh`) after its own write, and a change of
the weights or the upgrade recomputes a million rows in one statement. The score is derived:
refreshing it neither raises the row's version nor writes history (the write that changed
the fields did).

The weights are integers 0..100 stored with the evaluation rules (Rule, keys
`completeness.<item>`), equal by default: no field of the seven is worth more than another
until the admin says so. Only the admin changes them (writing "archive"), and the change is
recorded in the history like any rule's.
"""
from __future__ import annotations

from db.archive import history
from db.core import models
from db.core.errors import RuleError
from db.core.models import Rule
from db.core.session import writing

# item -> the condition (over the customer columns) under which it counts as filled.
ITEMS: dict[str, str] = {
    "tax_id": "{c}tax_id <> ''",
    "phone": "({c}mobile <> '' OR {c}phone <> '')",  # a mobile or a phone
    "contact": "{c}contact <> ''",
    "address": "{c}address <> ''",
    "bank_account": "{c}bank_account <> ''",
    "salesperson": "{c}salesperson <> ''",
    "dev_date": "{c}dev_date IS NOT NULL",
}
DEFAULT_WEIGHT = 10
MAX_WEIGHT = 100
PREFIX = "completeness."
# The customer columns the score reads: a write that touches none of them leaves it as it is.
COLUMNS = frozenset({"tax_id", "mobile", "phone", "contact", "address", "bank_account",
                     "salesperson", "dev_date"})
# The threshold `kehu check --completeness` and the health check count below, by default.
DEFAULT_BELOW = 60


def key_of(item: str) -> str:
    return PREFIX + item


def weights() -> dict[str, int]:
    """{item: weight}, the default where nothing (or nothing readable) is stored."""
    found = {item: DEFAULT_WEIGHT for item in ITEMS}
    for row in Rule.select().where(Rule.key.startswith(PREFIX)):
        item = row.key[len(PREFIX):]
        if item in found:
            try:
                found[item] = int(row.value)
            except ValueError:  # edited outside kehu: the default stands
                pass
    return found


def expression(weights_now: dict[str, int], alias: str = "") -> str:
    """The score as SQL over the customer (columns prefixed `alias.`): the filled items'
    weights over all weights, in percent, rounded to the nearest integer (integer arithmetic,
    the same on both databases). Weights are integers checked by `parse_weights`, so they
    are written into the text."""
    c = f"{alias}." if alias else ""
    total = sum(weights_now.values())
    if total <= 0:
        return "0"
    parts = [f"CASE WHEN {ITEMS[item].format(c=c)} THEN {int(w)} ELSE 0 END"
             for item, w in weights_now.items() if w]
    return f"(({' + '.join(parts)}) * 100 + {total // 2}) / {total}"


def refresh(where: str = "", params=(), weights_now: dict[str, int] | None = None) -> int:
    """Bring the score of the customers `where` selects (SQL over `customer`, "" for all)
    in step with their fields, in the caller's transaction; rows already right are not
    written (no dead rows, no WAL for them). Returns how many changed."""
    expr = expression(weights() if weights_now is None else weights_now)
    condition = f"completeness <> {expr}" + (f" AND ({where})" if where else "")
    cursor = models.database.execute_sql(
        f"UPDATE customer SET completeness = {expr} WHERE {condition}", list(params))
    return cursor.rowcount


def refresh_ids(ids) -> None:
    """The score of the customers with these ids (a write of a few rows)."""
    ids = [int(i) for i in ids]
    p = models.database.param
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        refresh(f"id IN ({', '.join([p] * len(chunk))})", chunk)


def parse_weights(typed: dict) -> dict[str, int]:
    """Weights as typed ({item: text or int}) checked: integers 0..100, not all zero.
    A refusal names the item (field `completeness.<item>`)."""
    clean = weights()
    for item, text in typed.items():
        if item not in ITEMS:
            raise RuleError("rules.unknown", field=key_of(item), rule=key_of(item))
        value = text if isinstance(text, int) and not isinstance(text, bool) else str(text or "").strip()
        if isinstance(value, str):
            if not value.isdigit():
                raise RuleError("rules.not_number", field=key_of(item), rule=key_of(item), text=str(text))
            value = int(value)
        if not 0 <= value <= MAX_WEIGHT:
            raise RuleError("rules.range", field=key_of(item), rule=key_of(item), value=str(value),
                            min="0", max=str(MAX_WEIGHT))
        clean[item] = value
    if not any(clean.values()):
        raise RuleError("completeness.all_zero", field=key_of(next(iter(typed), "tax_id")))
    return clean


def set_weights(typed: dict) -> tuple[dict[str, int], int]:
    """Change the weights (admin only) and recompute every customer's score, in one
    transaction: the history records each weight changed. Returns the weights in force and
    how many scores changed. Slow at a million customers (one UPDATE of the table): call it
    off the UI thread."""
    with writing("archive"):
        old = weights()
        new = parse_weights(typed)
        changed = {item: [old[item], new[item]] for item in ITEMS if old[item] != new[item]}
        if not changed:
            return new, 0
        for item, (_was, now) in changed.items():
            (Rule.insert(key=key_of(item), value=str(now))
             .on_conflict(conflict_target=[Rule.key], update={Rule.value: str(now)}).execute())
            history.record("change", "rule", key_of(item), {"value": changed[item]})
        return new, refresh(weights_now=new)

