"""A customer import's rules, a chunk at a time: each column's cells cleaned, then the rules beyond a cell."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from db.archive import branches
from db.archive.customers import class_refusal
from db.core.errors import RuleError
from db.core import clock
from db.core.models import Customer, CustomerClass, Dimension
from db.values import fields as fields_meta
from db.values.coding import CodingScheme
from db.values.dates import format_date
from db.values.fields import Field
from db.transfer.importer.common import Problem, as_cell, cell_text
from db.transfer.importer.seen_codes import SeenCodes

REQUIRED = tuple(f.key for f in fields_meta.EDITABLE if f.required)
# The field kinds whose cleaned values are remembered across chunks (few distinct values),
# and how many each column keeps before it starts afresh (a column of all-different amounts).
MEMO_KINDS = ("date", "money", "percent", "int", "choice", "flag")
MEMO_MAX = 50_000


def clean_column(field: Field | None, kind: str, memo: dict, cells: tuple) -> tuple[list, dict[int, RuleError]]:
    """One column of a chunk cleaned: its values (the RuleError in place of a refused
    cell) and {row index: RuleError} of the refused cells.

    A text column goes through Field.clean_many; otherwise (and when that declines)
    each distinct cell is cleaned once, which is exact because a field's rule depends on
    the value alone: a column of dates, amounts or choices repeats its few values
    across the file, so `memo` (the column's, kept by the planner) keeps them from chunk to
    chunk. `field` None: a dimension column, checked against its tree by the row rules."""
    if field is None:
        return [c.strip() if type(c) is str else cell_text(c) for c in cells], {}
    # (clean_many declines cells that are not all text: tried on the cells first, it
    # spares a CSV's text columns a second pass to find out whether they are.)
    if kind != "date" and (values := field.clean_many(cells)) is not None:
        return values, {}
    try:
        "".join(cells)
        keys = cells
    except TypeError:  # spreadsheet cells: made what the rules read, as text or a date
        keys = [c if type(c) is str else as_cell(c, kind) for c in cells]
        if kind != "date" and (values := field.clean_many(keys)) is not None:
            return values, {}
    if kind not in MEMO_KINDS:
        memo = {}
    if len(memo) > MEMO_MAX:
        memo.clear()
    distinct = set(keys)
    for key in distinct.difference(memo):
        try:
            # Text goes straight to the field's rule (which trims it); a date column's
            # text may be an Excel serial number.
            memo[key] = field.clean(as_cell(key, kind) if kind == "date" else key)
        except RuleError as exc:
            memo[key] = exc
    values = [memo[k] for k in keys]
    refused = {k for k in distinct if isinstance(memo[k], RuleError)}
    if not refused:
        return values, {}
    return values, {i: memo[k] for i, k in enumerate(keys) if k in refused}


def class_map(dim: Dimension) -> dict[str, bool]:
    """{class code: is leaf} of a dimension: class trees are small, one query holds them."""
    return {code: leaf for code, leaf in CustomerClass.select(CustomerClass.code, CustomerClass.is_leaf)
            .where(CustomerClass.dimension == dim.id).tuples()}


def class_problem(scheme: CodingScheme, known: dict[str, bool], code: str, fld: str,
                   label: str) -> RuleError | None:
    """Why `code` cannot hold customers in a dimension, checked against the class map."""
    if scheme.level_of(code) is None:
        return RuleError("import.class_not_in_scheme", field=fld, label=label, code=code,
                         scheme=str(scheme))
    return class_refusal(fld, label, code, known.get(code))


Refuse = Callable[[int, str, RuleError], None]  # (row index, field, why)


def personal_tax_ids(raws: tuple, taxes: list, class_codes: list, marked: tuple[str, ...],
                     refused: dict[int, list]) -> None:
    """The 税号 cells of the rows whose class is personal (个人消费者: the class or an
    ancestor in `marked`) cleaned again by the 身份证 rule (fields.PERSONAL_TAX_ID), in
    `taxes` and in `refused` in place of the company rule's verdict. `class_codes`: each
    row's class, the file's or the stored one (a refused class cell, a RuleError, is none)."""
    for i, code in enumerate(class_codes):
        if type(code) is not str or not code.startswith(marked):
            continue
        raw = raws[i] if type(raws[i]) is str else cell_text(raws[i])
        problems = [p for p in refused.get(i, []) if p[0] != "tax_id"]
        try:
            taxes[i] = fields_meta.PERSONAL_TAX_ID.clean(raw)
        except RuleError as exc:
            taxes[i] = exc
            problems.append(("tax_id", exc))
        if problems:
            refused[i] = problems
        else:
            refused.pop(i, None)


def refuse_missing(missing: list[str], olds: list[dict | None], refuse: Refuse) -> None:
    """A new customer (no `old` row) needs every required field the file has no column for."""
    for fld in missing:
        exc = fields_meta.BY_KEY[fld].refuse("customer.required")
        for i, old in enumerate(olds):
            if old is None:
                refuse(i, fld, exc)


def refuse_repeated(codes: list, lines: list[int], seen: SeenCodes, refuse: Refuse) -> None:
    """A code met before in the file (`seen`: code -> its first line, across chunks)."""
    found = [(c, line) for c, line in zip(codes, lines) if type(c) is str and c]
    unique = {c for c, _ in found}
    earlier = seen.earlier(unique)
    if len(unique) == len(found) and not earlier:
        seen.add(found)  # the common case: no code met before
        return
    new = {}
    for i, (code, line) in enumerate(zip(codes, lines)):
        if type(code) is str and code:
            first = earlier.get(code) or new.setdefault(code, line)
            if first != line:
                refuse(i, "code", RuleError("import.duplicate_code", field="code", code=code,
                                            first_line=first))
    seen.add(list(new.items()))


def refuse_classes(column: list, fld: str, problem: Callable[[str], RuleError | None],
                   refuse: Refuse) -> None:
    """A class column's codes that cannot hold customers, each distinct code looked at once."""
    bad = {c for c in set(column) if type(c) is str and c and problem(c)}
    if bad:
        for i, klass in enumerate(column):
            if klass in bad:
                refuse(i, fld, problem(klass))


def refuse_early_stops(stops: list, devs: list | None, olds: list[dict | None], refuse: Refuse,
                       *, keep_blank: bool) -> None:
    """A stop date before the development date: the file's, else (no column, a refused
    cell, or an empty one that keeps the stored date) the archive's."""
    for i, stop in enumerate(stops):
        if isinstance(stop, dt.date):
            if devs is not None and not isinstance(devs[i], RuleError) and (
                    devs[i] is not None or not keep_blank):
                dev = devs[i]
            else:
                dev = (olds[i] or {}).get("dev_date")
            if dev and stop < dev:
                refuse(i, "stop_date", fields_meta.BY_KEY["stop_date"].refuse(
                    "customer.stop_before_dev", stop=format_date(stop), dev=format_date(dev)))


def refuse_heads(plan) -> None:
    """总公司编码, once the whole file is planned (a branch may come before its head): each
    head named must be in the archive or the file, not stopped, and no chain of heads, the
    file's over the archive's, may come back to where it started. A refused row leaves the plan.

    The plan's rows are spooled (importer.spool): read back here, only the rows that name a
    head (or change it) and the file's codes among the heads named are held."""
    at = plan.add_fields.index("head_office")
    named = {}  # code -> (line, head)
    for chunk in plan.adds.chunks():
        named.update((r.code, (r.line, r.cells[at])) for r in chunk if r.cells[at] is not None)
    for chunk in plan.updates.chunks():
        named.update((r.code, (r.line, r.changes["head_office"][1])) for r in chunk if "head_office" in r.changes)
    if not named:
        return
    heads = sorted({h for _, h in named.values() if h})
    wanted = set(heads)
    in_file = set()  # the heads named that are rows of the file
    for spool in (plan.adds, plan.updates):
        for chunk in spool.chunks():
            in_file.update(r.code for r in chunk if r.code in wanted)
    stored = {}
    for start in range(0, len(heads), 500):
        part = heads[start:start + 500]
        stored.update({c: (h, s) for c, h, s in Customer.select(
            Customer.code, Customer.head_office, Customer.stop_date).where(Customer.code.in_(part)).tuples()})
    label, today = branches.LABEL, clock.today()

    def head_of(code: str):
        if code in named:
            return named[code][1]
        if code not in stored:
            stored[code] = Customer.select(Customer.head_office, Customer.stop_date).where(
                Customer.code == code).tuples().first() or (None, None)
        return stored[code][0]

    refused = {}
    for code, (line, head) in named.items():
        if head is None:
            continue
        why = None
        if head == code:
            why = RuleError("head.self", field="head_office", label=label, code=code)
        elif head not in stored and head not in in_file:
            why = RuleError("head.unknown", field="head_office", label=label, code=head)
        elif head in stored and head not in in_file and stored[head][1] and stored[head][1] <= today:
            why = RuleError("head.stopped", field="head_office", label=label, code=head,
                            date=str(stored[head][1]))
        else:
            chain, up = [code], head
            while up and up not in chain and len(chain) <= branches.MAX_DEPTH:
                chain.append(up)
                up = head_of(up)
            if up == code:
                why = RuleError("head.loop", field="head_office", label=label, code=code,
                                loop=branches.loop_text([*chain, code]))
        if why is not None:
            refused[line] = why
    if not refused:
        return
    plan.adds = plan.adds.kept(lambda r: r.line not in refused)
    plan.updates = plan.updates.kept(lambda r: r.line not in refused)
    header = plan.headers.get("head_office", "")
    plan.rejected.extend(Problem(line, header, "head_office", exc.key, dict(exc.values))
                         for line, exc in sorted(refused.items()))
