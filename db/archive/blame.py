"""Blame and as-of (字段追溯, 历史档案): who last set each field of a customer, and the card
as it was at a moment, both read from the history (db.archive.history) alone.

The history holds, per change, the value each field really had before and after, so the
card at a moment is today's card with every later change undone, newest first: an undone
"add" means the customer did not exist yet, an undone "delete" brings back the values the
delete recorded. Rows a merge moved here (Entry.origin set) are the merged customer's own
and are passed over (so a customer merged away has no card under its own code: its
history is its target's). Values are in storage units, as the history writes them (fen, ISO
dates); the caller formats them.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from db.archive import history
from db.archive.dimensions import DERIVED
from db.core.models import Customer, Dimension, Membership
from db.values.fields import EDITABLE

ENTITY = "customer"
DIMENSION_PREFIX = "dimension:"


# Rows that change no field: a request filed (the card keeps its values until approved).
# A rejection's "reason" is no field either; its approval status is (see db.archive.approval).
UNCHANGED = ("request",)


class Blame(NamedTuple):
    """The last change of one field: its entry (who, when, batch), how it was made, and for
    an approved request who asked for it (`asked_by`, `asked_at`)."""

    field: str
    value: object  # the value that change set (storage units, as written)
    entry: history.Entry
    source: str  # save, import, batch, merge, evaluate, request
    asked_by: str = ""
    asked_at: dt.datetime | None = None


def source_of(entry: history.Entry) -> str:
    """Through what a history row was written: its batch tag names an import, a batch
    modify, an evaluation or an approved request; a merge is its action; the rest are saves
    (the card, the shell's stop and enable)."""
    for prefix, name in (("import-", "import"), ("batch-", "batch"), ("evaluate-", "evaluate"),
                         ("request-", "request")):
        if entry.batch.startswith(prefix):
            return name
    return "merge" if entry.action == "merge" else "save"


def _entries(code: str):
    """Every history row of customer `code`, newest first, a page at a time."""
    before = None
    while True:
        page = history.for_entity(ENTITY, code, limit=history.PAGE, before_id=before)
        yield from page
        if len(page) < history.PAGE:
            return
        before = page[-1].id


def _own(entry: history.Entry) -> dict:
    """The changes of a row that are the customer's own fields (a merge's list of merged
    codes is not a field)."""
    return {k: v for k, v in entry.changes.items() if k != history.MERGED}


def blame(code: str) -> list[Blame]:
    """Per field, the newest history row that changed it, in the card's field order, then
    the dimensions; a field no row names (written before history was kept) is absent.
    A field's last change being a delete or a merge-away says the row is gone."""
    found: dict[str, Blame] = {}
    asked: dict[str, tuple[str, dt.datetime]] = {}  # request tag -> who filed it, when
    for entry in reversed(list(_entries(code))):
        if entry.action == "request":
            asked[entry.batch] = (entry.who, entry.at)
    for entry in _entries(code):
        if entry.origin or entry.action in UNCHANGED:
            continue
        for field, (_, new) in _own(entry).items():
            if field not in found and field != "reason":
                by, at = asked.get(entry.batch, ("", None))
                found[field] = Blame(field, new, entry, source_of(entry), by, at)
    order = {f.key: i for i, f in enumerate(EDITABLE)}
    return sorted(found.values(), key=lambda b: (order.get(b.field, len(order)), b.field))


def current(code: str) -> dict | None:
    """Customer `code` today in the history's terms: every editable field in storage units
    (dates ISO) and its class in each other dimension as "dimension:<code>" (a derived
    dimension under its own code, as an evaluation writes it); None when there is no such
    customer."""
    row = Customer.get_or_none(Customer.code == code)
    if row is None:
        return None
    values = {f.key: history.plain(getattr(row, f.key)) for f in EDITABLE}
    query = (Membership.select(Dimension.code, Membership.class_code)
             .join(Dimension, on=(Membership.dimension == Dimension.id))
             .where(Membership.customer == row.id).tuples())
    for dim, class_code in query:
        values[dim if dim in DERIVED else DIMENSION_PREFIX + dim] = class_code
    return values


def as_of(code: str, moment: dt.datetime | dt.date) -> dict | None:
    """Customer `code` as it was at `moment` (a date means its end: every change made that
    day counts), in current()'s terms; None when it did not exist then."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time.max)
    return _undone(code, lambda entry: entry.at > moment)


def as_of_entry(code: str, entry_id: int) -> dict | None:
    """Customer `code` right after history row `entry_id` was written (the 历史 tab's
    choice): every later row of it undone."""
    return _undone(code, lambda entry: entry.id > entry_id)


def _undone(code: str, later) -> dict | None:
    state = current(code)
    for entry in _entries(code):
        if not later(entry):
            break
        if entry.origin or entry.action in UNCHANGED:
            continue
        if entry.action == "add":
            state = None
        elif entry.action in ("delete", "merged"):
            state = {f.key: Customer._meta.fields[f.key].default for f in EDITABLE}
            state.update({k: old for k, (old, _) in _own(entry).items()})
        elif state is not None:
            state.update({k: old for k, (old, _) in _own(entry).items()})
    if state is not None:
        fields = {f.key for f in EDITABLE}
        state = {k: v for k, v in state.items()
                 if k in fields or (v is not None and (k in DERIVED or k.startswith(DIMENSION_PREFIX)))}
    return state
