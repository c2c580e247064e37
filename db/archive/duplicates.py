"""查重 on entry: the customers a card being saved may duplicate, found through indexes.

The rules are db.values.likeness; this module finds the candidates to score without reading
the whole table: the tax id and the mobile by their own indexes, a landline by an index on
its last seven digits (an expression index, so it follows every write path by itself: the
card, the import, 批改, a copy), names through the locate index (the core as a fragment, its
first and last three characters for a typo) and the mnemonic index (homophones share their
initials). Stopped customers are candidates too: one could be enabled instead of typed again.

The same tax id on two customers not stopped is refused (`tax_id_refusal`) unless the
archive's rule SAME_TAX_ID_RULE allows it (a group whose branches share one USCC).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import SQL

from db.archive import history, scope, search
from db.core import clock, models
from db.core.errors import RuleError
from db.core.models import Customer, Rule
from db.core.session import current, writing
from db.values import likeness
from db.values.fields import BY_KEY
from db.values.mnemonic import initials

SAME_TAX_ID_RULE = "duplicates.same_tax_id"  # "1": two active customers may share a tax id
WATCHED = ("name", "tax_id", "phone", "mobile")  # a change of these calls for a check
PER_KEY = 20  # rows each indexed look-up reads: the best of a crowd are the first ones anyway
LIMIT = 10  # candidates shown
TAIL = 7  # digits of a landline the phone index holds: 7- and 8-digit numbers share them

_COLUMNS = (Customer.id, Customer.code, Customer.name, Customer.short_name, Customer.tax_id,
            Customer.phone, Customer.mobile, Customer.stop_date)


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    short_name: str
    stopped: bool
    score: int
    reasons: tuple[str, ...]


def phone_tail_sql(dialect: str, column: str = "phone") -> str:
    """The SQL of the phone index's expression: the last TAIL digits of the field once the
    usual separators are taken out. Written the same in the index and in every query, so the
    planner matches them."""
    digits = column
    for mark in (" ", "-", "(", ")", "+", "."):
        digits = f"replace({digits}, '{mark}', '')"
    return f"substr({digits}, -{TAIL})" if dialect == "sqlite" else f"right({digits}, {TAIL})"


def install_indexes(store) -> None:
    """The indexes the check reads (created once; inside the schema transaction)."""
    db = models.database
    db.execute_sql("CREATE INDEX IF NOT EXISTS customer_tax_id ON customer (tax_id)")
    db.execute_sql("CREATE INDEX IF NOT EXISTS customer_mobile ON customer (mobile)")
    db.execute_sql("CREATE INDEX IF NOT EXISTS customer_phone_tail ON customer "
                   f"(({phone_tail_sql(store.dialect)}))")


def needs_check(values: dict, before: dict | None) -> bool:
    """Whether a save calls for a check: a new card (`before` None) with a name, or a change
    of a WATCHED field."""
    if before is None:
        return bool((values.get("name") or "").strip())
    return any((values.get(k) or "").strip() != (before.get(k) or "").strip()
               for k in WATCHED if k in values)


def candidates(values: dict, own_code: str = "", limit: int = LIMIT,
               min_score: int = likeness.DEFAULT_MIN_SCORE) -> list[Candidate]:
    """The customers the typed card `values` (field -> text) may duplicate, best first, the
    card's own row (`own_code`) left out."""
    card = likeness.Card.of(values.get("name", ""), _tax(values.get("tax_id", "")),
                            values.get("phone", ""), values.get("mobile", ""))
    rows = _rows(card, values.get("short_name") or values.get("name") or "")
    today = clock.today()
    found: list[Candidate] = []
    for row in rows.values():
        if row[1] == own_code:
            continue
        other = likeness.Card.of(row[2], row[4], row[5], row[6])
        score, reasons = likeness.compare(card, other)
        if score >= min_score:
            stop = row[7]
            found.append(Candidate(row[1], row[2], row[3], _stopped(stop, today), score,
                                   tuple(reasons)))
    found.sort(key=lambda c: (-c.score, c.code))
    return found[:limit]


def _tax(text: str) -> str:
    """The tax id as the card would store it; as typed when it is not one (the save refuses it)."""
    try:
        return BY_KEY["tax_id"].clean(text) or ""
    except RuleError:
        return (text or "").strip().upper()


def _stopped(stop, today: dt.date) -> bool:
    if isinstance(stop, str):
        stop = dt.date.fromisoformat(stop[:10])
    return stop is not None and stop <= today


def _rows(card: likeness.Card, short_name: str) -> dict[int, tuple]:
    """Every row an index look-up finds for `card`, by id."""
    rows: dict[int, tuple] = {}

    def take(query, limit: int | None = PER_KEY) -> None:
        for row in query.limit(limit).tuples():
            rows.setdefault(row[0], row)

    # the operator's scope, as on PostgreSQL the server's row-level security keeps it
    select = scope.narrowed(Customer.select(*_COLUMNS))
    if card.tax_id:
        take(select.where(Customer.tax_id == card.tax_id))
    expression = f"{phone_tail_sql(current().dialect)} = {models.database.param}"
    for number in card.numbers:
        digits = likeness.subscriber(number)
        if len(digits) == 11:
            take(select.where(Customer.mobile == digits))
        if len(digits) >= TAIL:
            take(select.where(SQL(expression, [digits[-TAIL:]])))
    core = card.name.core
    ids = set()
    place = card.name.place
    # With the place first: at a million customers the same core is in many cities, and the
    # first PER_KEY of a bare core may all be elsewhere.
    fragments = {core, core[:3], core[-3:], place + core, place + core[:3]} if len(core) >= 2 else set()
    for fragment in fragments:
        ids |= {hit.id for hit in search.locate(fragment, PER_KEY, include_stopped=True)}
    # Short names are mostly a place and two characters (北京华联, bjhl): the typed short
    # name's initials, and those of the name's place and first two characters of its core.
    sounds = {initials(short_name), initials(card.name.place + core[:2] if card.name.place else core[:4])}
    for sound in sorted(sounds - {""}):
        take(select.where(Customer.mnemonic == sound))
    missing = ids - rows.keys()
    if missing:
        take(select.where(Customer.id.in_(sorted(missing))), None)  # as many as locate found
    return rows


def same_tax_id_allowed() -> bool:
    row = Rule.get_or_none(Rule.key == SAME_TAX_ID_RULE)
    return row is not None and row.value.strip() == "1"


def allow_same_tax_id(allowed: bool) -> None:
    """The administrator's choice for the archive, kept in the Rule table with its history."""
    with writing():
        old, new = same_tax_id_allowed(), bool(allowed)
        if old != new:
            (Rule.insert(key=SAME_TAX_ID_RULE, value="1" if new else "0")
             .on_conflict(conflict_target=[Rule.key], update={Rule.value: "1" if new else "0"}).execute())
            history.record("change", "rule", SAME_TAX_ID_RULE, {"value": [int(old), int(new)]})


def tax_id_refusal(tax_id: str, existing: Customer | None = None,
                   stop_date: dt.date | None = None, leaving: tuple[str, ...] = ()) -> RuleError | None:
    """Why `tax_id` cannot be saved on customer `existing` (None: a new one) stopped from
    `stop_date`: another customer not stopped already has it, and the archive's rule does
    not allow that. None: it can (a stopped customer may share it: one of the two is gone;
    so may the customers `leaving`, the sources of a merge, gone when it is done)."""
    today = clock.today()
    if not tax_id or _stopped(stop_date, today) or same_tax_id_allowed():
        return None
    if existing is not None and existing.tax_id == tax_id:
        return None  # kept as it was: saving a card never fails on what it already had
    skip = [existing.code if existing is not None else "", *leaving]
    other = (Customer.select(Customer.id, Customer.code, Customer.name)
             .where(Customer.tax_id == tax_id, Customer.code.not_in(skip),
                    Customer.stop_date.is_null() | (Customer.stop_date > today))
             .first())
    if other is not None and scope.sees(other.id):
        return BY_KEY["tax_id"].refuse("customer.tax_id_taken", text=tax_id, code=other.code,
                                       name=other.name)
    # A customer outside the scope holds it: refused alike on both databases (on PostgreSQL
    # the server hides it from the query above), without naming it.
    if other is not None or scope.tax_id_hidden(tax_id, skip, today):
        return BY_KEY["tax_id"].refuse("team.tax_id_out_of_scope", text=tax_id, admins=scope.whom_to_ask())
    return None
