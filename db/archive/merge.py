"""并户 Merge customers: one or more source customers become the target, in one transaction.

The target keeps its code. For each field where the customers differ the user picks the
value to keep (`differences` lists them); sales records move to the target, and so do the
sources' contacts, addresses, banks and invoice details (db.archive.subrecords.merge_into:
both kept, the target's defaults first), and their branches (总公司: a merge that would leave
the target in a loop of head offices, or its own head, is refused); a class in
another dimension moves when the target has none there; the sources' history is re-pointed
to the target's code, each row keeping the code it was written for (history.ORIGIN), and a
"merge" row records the sources and every field's before and after; the sources' cards are
kept in the history as "merged" rows (their values as old, nothing as new); the merge row
holds history.MERGED: (None, [source codes]); the sources are deleted and leave the
substring index. Every customer must still be at the version it
was read at, or nothing happens (ConflictError).
"""
from __future__ import annotations

from dataclasses import dataclass

from db.archive import branches, completeness, customers, history, scope, search, subrecords
from db.core import models
from db.archive.customers import ENTITY, NAME_FIELDS
from db.core.errors import ConflictError, RuleError
from db.values.fields import EDITABLE
from db.core.models import ChangeLog, Customer, Membership, Sale
from db.core.session import writing

# Fields a merge may take from a source: every editable field but the code, which the
# target keeps.
MERGEABLE = tuple(f.key for f in EDITABLE if f.key != "code")


@dataclass(frozen=True)
class Difference:
    field: str
    target: str  # the target's value as the card shows it
    sources: tuple[str, ...]  # each source's value, in the order the sources were given


def _codes(target: str, sources) -> list[str]:
    codes = list(dict.fromkeys(c.strip() for c in sources if c and c.strip()))
    if not codes:
        raise RuleError("merge.no_sources")
    if target in codes:
        raise RuleError("merge.self", code=target)
    return codes


def _load(codes: list[str]) -> dict[str, Customer]:
    found = {c.code: c for c in Customer.select().where(Customer.code.in_(codes))}
    for code in codes:
        if code not in found:
            scope.refuse_hidden(code)
            raise ConflictError("conflict.deleted", code=code)
        scope.check(found[code])  # every customer merged, and the one kept, in scope
    return found


def differences(target: str, sources) -> list[Difference]:
    """The fields where a source differs from the target, in card order."""
    codes = _codes(target, sources)
    rows = _load([target, *codes])
    forms = {code: customers.as_form(row) for code, row in rows.items()}
    out = []
    for key in MERGEABLE:
        mine = forms[target][key]
        theirs = tuple(forms[c][key] for c in codes)
        if any(v != mine for v in theirs):
            out.append(Difference(key, mine, theirs))
    return out


def merge(target: str, sources, choices: dict | None = None, versions: dict | None = None) -> Customer:
    """Merge `sources` (codes) into `target`; returns the target as saved.

    `choices` maps a field to the value to keep: the code of one of the merged customers
    (take its value) or a value as typed on the card (checked like the card checks it);
    a field not named keeps the target's value. `versions` maps each code (target and
    sources) to the version it was read at; a code left out is not checked."""
    codes = _codes(target, sources)
    choices = choices or {}
    versions = versions or {}
    for key in choices:
        if key not in MERGEABLE:
            raise RuleError("merge.field", field=key, name=key)
    with writing():
        rows = _load([target, *codes])
        for code, row in rows.items():
            if code in versions and row.version != versions[code]:
                raise customers.conflict_of(code, row)
        keep, source_ids = rows[target], [rows[c].id for c in codes]
        forms = {code: customers.as_form(row) for code, row in rows.items()}
        typed = {key: forms[choice][key] if choice in forms else choice
                 for key, choice in choices.items()}
        clean = customers.validate(typed, existing=keep, leaving=tuple(codes)) if typed else {}
        changes = {k: [getattr(keep, k), v] for k, v in clean.items() if getattr(keep, k) != v}
        if changes:
            customers._write(keep, keep.version, {k: new for k, (_, new) in changes.items()})
        else:  # the target still changes (it gains the sources): its version moves on
            customers._write(keep, keep.version, {})
        scope.check(keep)  # the values taken may not move it out of the scope
        Sale.update(customer=keep.id).where(Sale.customer.in_(source_ids)).execute()
        subrecords.merge_into(keep.id, {c: rows[c].id for c in codes},
                              {k: new for k, (_, new) in changes.items()}, choices)
        _move_memberships(keep, [rows[c] for c in codes])
        branches.move_branches(codes, target)  # the sources' branches become the target's
        branches.check_no_loop(target, tuple(codes))
        completeness.refresh_ids([keep.id])  # the fields taken from the sources count
        # Each source's card as it was, then its whole history, becomes the target's.
        history.record_many("merged", ENTITY, (
            (code, {f.key: [v, None] for f in EDITABLE
                    if (v := getattr(rows[code], f.key)) not in ("", None, 0, False)})
            for code in codes))
        _repoint_history(target, codes)
        history.record("merge", ENTITY, target, {history.MERGED: [None, codes], **changes})
        for code in codes:
            search.unindex(rows[code].id, rows[code].name, rows[code].short_name)
            deleted = Customer.delete().where(Customer.id == rows[code].id,
                                              Customer.version == rows[code].version).execute()
            if deleted != 1:
                raise customers.conflict_of(code)
        if any(k in changes for k in NAME_FIELDS):
            saved = customers.get(target)
            search.unindex(keep.id, keep.name, keep.short_name)
            search.index(saved.id, saved.name, saved.short_name)
    return customers.get(target)


def _move_memberships(keep: Customer, sources: list[Customer]) -> None:
    """A source's class in another dimension moves to the target when the target has none
    there (the first source given wins); the rest go with the deleted sources."""
    held = {m.dimension_id for m in Membership.select(Membership.dimension).where(
        Membership.customer == keep.id)}
    for source in sources:
        for m in Membership.select().where(Membership.customer == source.id):
            if m.dimension_id not in held:
                Membership.update(customer=keep.id, customer_code=keep.code).where(
                    Membership.id == m.id).execute()
                held.add(m.dimension_id)


def _repoint_history(target: str, codes: list[str]) -> None:
    """The sources' customer history becomes the target's; each row keeps its own code
    under history.ORIGIN at the head of its JSON (codes hold no character JSON escapes)."""
    table = ChangeLog._meta.table_name
    p = models.database.param
    for code in codes:
        head = '{"' + history.ORIGIN + '": "' + code + '"'
        models.database.execute_sql(
            f"UPDATE {table} SET entity_code = {p}, changes = CASE WHEN changes = '{{}}' "
            f"THEN {p} ELSE {p} || ', ' || substr(changes, 2) END "
            f"WHERE entity = {p} AND entity_code = {p}",
            [target, head + "}", head, ENTITY, code])
