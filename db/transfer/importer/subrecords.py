"""Importing the card's sub-records (contacts, addresses, banks, invoice details): a sheet of
a whole-archive export (db.transfer.export_subrecords), each row keyed by its customer's code.

Each row is validated as db.archive.subrecords validates a form (the same one-line refusals,
with the row's line); an unknown customer, or a second default of one kind (of one address
kind) for one customer, is refused with its line too.

What a row does (a sub-record has no code of its own to match it by):
- a default row is written over the customer's default of its kind (as the card's copied
  fields write it, db.archive.subrecords.follow_card), or added as the default when the
  customer has none. Into a new archive, the customers part has just made each customer's
  defaults of the card's copies; their row here completes them (职务, 部门 and the rest);
- another row the same as one of the customer's other records is left as it is (importing
  one file twice adds nothing); any other is added;
- records the file does not name are kept: an import adds and completes, it deletes nothing.

The commit is set-based (db.core.bulk): the adds streamed in file order, the changes through
a temporary table, each checked against the version its plan read; the history is the one
the card's writes record (`<kind>.add` and `<kind>.change`, field by field, on the customer);
the customer row's copies of its defaults follow them, its version raised where one changed.
"""
from __future__ import annotations

import datetime as dt

from db.archive import completeness
from db.archive.subrecords import ENTITY, MODELS, title, validate_all
from db.core import bulk, clock
from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION, ChangeLog, Customer, database
from db.core.objects import many_objects
from db.core.session import writing
from db.transfer.importer.common import (ImportPlan, ImportResult, PlannedRow, Problem, as_cell,
                                         cell_text, chunks, new_plan)
from db.transfer.importer.write import changes_json
from db.transfer.tabular import matched, open_table
from db.values.columns import COLUMNS, SHEETS, SUB_COLUMNS
from db.values.subfields import FIELDS, GROUP_BY, KINDS, MIRROR, SubField

__all__ = ["KINDS", "commit_subrecords", "detect", "plan_subrecords"]


def detect(headers: list[str]) -> str | None:
    """The sub-record kind of a table with these titles, None when it is none: the kind whose
    customer code and default columns are there and that knows more of the titles than any
    other kind, customers included (a contacts sheet's 姓名, 手机, 电话 are customer titles too)."""
    found = []
    for kind in KINDS:
        fields = matched(headers, SUB_COLUMNS[kind])[0]
        if "customer" in fields and "is_default" in fields:
            found.append((len(fields), kind))
    if not found:
        return None
    found.sort(reverse=True)
    best = found[0]
    rivals = [n for n, _ in found[1:]] + [len(matched(headers, COLUMNS["customers"])[0])]
    return best[1] if best[0] > max(rivals) else None


def _flag(kind: str) -> SubField:
    return SubField("is_default", kind, "flag", owner=kind)


def _cells(kind: str, fields: list[str], cells: tuple) -> dict:
    """A row's cells as a form holds them (text; a birthday as an ISO date or as typed)."""
    values = {}
    for fld, cell in zip(fields, cells):
        if fld == "birthday":
            cell = as_cell(cell, "date")
            values[fld] = cell.isoformat() if isinstance(cell, dt.date) else cell
        else:
            values[fld] = cell_text(cell)
    return values


def plan_subrecords(path, kind: str) -> ImportPlan:
    """What importing `kind`'s rows at `path` would do (see the module); writes nothing."""
    columns = SUB_COLUMNS[kind]
    table = open_table(path, columns, sheet_names=SHEETS[kind])
    result = new_plan(table, kind, MAIN_DIMENSION, columns)
    if result.missing:
        raise RuleError("import.missing_columns", columns=", ".join(result.missing))
    headers, model, group_by = result.headers, MODELS[kind], GROUP_BY[kind]
    known = {f.key for f in FIELDS[kind]}
    flag = _flag(kind)
    defaults_seen: dict[tuple, int] = {}  # (code, group) -> the line of its default row
    used: set[int] = set()  # existing records a row has matched already
    for chunk in chunks(table.rows()):
        rows = [(line, _cells(kind, table.fields, cells)) for line, cells in chunk]
        codes = list({v.get("customer") for _, v in rows if v.get("customer")})
        ids = dict(Customer.select(Customer.code, Customer.id).where(Customer.code.in_(codes)).tuples())
        held: dict[int, list] = {}
        for record in model.select().where(model.customer.in_(list(ids.values()))).order_by(model.id):
            held.setdefault(record.customer_id, []).append(record)
        for line, values in rows:
            code = values.pop("customer", "")
            problems = []
            if not code:
                problems.append(Problem(line, headers["customer"], "customer", "import.required",
                                        {"label": "import.field.customer"}))
            elif code not in ids:
                problems.append(Problem(line, headers["customer"], "customer", "import.customer_unknown",
                                        {"code": code}))
            try:
                is_default = flag.clean(values.pop("is_default", ""))
            except RuleError as exc:
                problems.append(Problem(line, headers["is_default"], "is_default", exc.key, exc.values))
                is_default = False
            errors = validate_all(kind, {k: v for k, v in values.items() if k in known})
            problems += [Problem(line, headers.get(e.field, ""), e.field, e.key, e.values) for e in errors]
            clean = {} if errors else {f.key: f.clean(values.get(f.key)) for f in FIELDS[kind]}
            group = clean.get(group_by) if group_by else None
            if not problems and is_default:
                first = defaults_seen.setdefault((code, group), line)
                if first != line:
                    problems.append(Problem(line, headers["is_default"], "is_default",
                                            "import.sub_two_defaults", {"code": code, "first_line": first}))
            if problems:
                result.rejected.extend(problems)
                continue
            _place(result, kind, line, code, ids[code], clean, is_default, held.get(ids[code], []), used)
    return result


def _place(result: ImportPlan, kind: str, line: int, code: str, customer_id: int, clean: dict,
           is_default: bool, held: list, used: set[int]) -> None:
    """The row as an add, a change of the customer's default, or unchanged (see the module)."""
    group_by = GROUP_BY[kind]
    same = (lambda r: (not group_by or getattr(r, group_by) == clean[group_by]))
    if is_default:
        record = next((r for r in held if r.is_default and same(r)), None)
    else:
        record = next((r for r in held if not r.is_default and r.id not in used
                       and all(getattr(r, k) == v for k, v in clean.items())), None)
    if record is None:
        result.adds.append(PlannedRow(line, code, {**clean, "is_default": is_default,
                                                   "customer_id": customer_id}))
        return
    used.add(record.id)
    changes = {k: (getattr(record, k), v) for k, v in clean.items() if getattr(record, k) != v}
    if not changes:
        result.unchanged += 1
        return
    result.updates.append(PlannedRow(line, code, {**clean, "id": record.id, "customer_id": customer_id,
                                                  "@title": title(kind, record)},
                                     changes, version=record.version))


# ---------------------------------------------------------------- commit

_LOG = ("at", "who", "action", "entity", "entity_code", "changes", "batch")


def commit_subrecords(plan: ImportPlan, only_valid: bool = False):
    """Write `plan` in the caller's transaction (db.transfer.restore) or one of its own."""
    if plan.rejected and not only_valid:
        raise RuleError("import.has_rejected", count=len(plan.rejected_lines))
    kind, model = plan.kind, MODELS[plan.kind]
    table = model._meta.table_name
    names = [f.key for f in FIELDS[kind]]
    texts = bulk.text_columns(model, names)
    with many_objects(), writing():
        if plan.updates:
            _change(plan, model, names, texts)
        if plan.adds:
            columns = ["customer_id", "is_default", "version", *names]
            bulk.insert(table, columns, ((r.values["customer_id"], r.values["is_default"], 1,
                                          *(r.values[n] for n in names)) for r in plan.adds), texts)
        at, who = str(clock.now()), clock.user()
        log = [(at, who, f"{kind}.add", ENTITY, r.code,
                changes_json({f"{kind}.{k}": (None, r.values[k]) for k in names
                              if r.values[k] not in ("", None)}), plan.batch) for r in plan.adds]
        log += [(at, who, f"{kind}.change", ENTITY, r.code,
                 changes_json({kind: (r.values["@title"], r.values["@title"]),
                               **{f"{kind}.{k}": v for k, v in r.changes.items()}}), plan.batch)
                for r in plan.updates]
        bulk.insert(ChangeLog._meta.table_name, _LOG, log, _LOG[1:])
        touched = {r.values["customer_id"] for r in plan.adds if r.values["is_default"]}
        touched |= {r.values["customer_id"] for r in plan.updates}
        _mirror(kind, touched)
    return ImportResult(len(plan.adds), len(plan.updates), len(plan.rejected_lines), plan.batch)


def _change(plan: ImportPlan, model, names: list[str], texts: list[str]) -> None:
    """The planned changes, set-based through a temporary table; a record changed or deleted
    since the plan read it refuses the whole import."""
    table = model._meta.table_name
    shape = f"SELECT id, version, {', '.join(names)} FROM {table}"
    rows = ((r.values["id"], r.version, *(r.values[n] for n in names)) for r in plan.updates)
    with bulk.temp_table("import_sub", shape, ["id", "version", *names], rows, texts) as temp:
        current = database.execute_sql(
            f"SELECT count(*) FROM {temp} t JOIN {table} s ON s.id = t.id AND s.version = t.version"
        ).fetchone()[0]
        if current != len(plan.updates):
            raise RuleError("import.changed_since_plan", reason=f"{table}: {len(plan.updates) - current}")
        sets = ", ".join(f"{n} = (SELECT t.{n} FROM {temp} t WHERE t.id = {table}.id)" for n in names)
        database.execute_sql(f"UPDATE {table} SET {sets}, version = version + 1"
                             f" WHERE id IN (SELECT id FROM {temp})")


def _mirror(kind: str, customer_ids: set[int]) -> None:
    """The copies on the rows of `customer_ids` brought in step with their defaults of `kind`,
    set-based, as db.archive.subrecords._mirror does one at a time: a row whose copy changes
    takes a new version (an open card saving its stale copy is then refused)."""
    if not customer_ids:
        return
    customer, sub = Customer._meta.table_name, MODELS[kind]._meta.table_name
    p = database.param
    shape = f"SELECT id FROM {customer}"
    with bulk.temp_table("import_sub_owner", shape, ["id"], ((i,) for i in customer_ids)) as owners:
        for (owner_kind, group), columns in MIRROR.items():
            if owner_kind != kind:
                continue
            grouped = f" AND s.{GROUP_BY[kind]} = {p}" if GROUP_BY[kind] else ""
            value = {c: f"COALESCE((SELECT s.{f} FROM {sub} s WHERE s.customer_id = {customer}.id"
                        f" AND s.is_default{grouped}), '')" for f, c in columns.items()}
            args = [group] if GROUP_BY[kind] else []
            sets = ", ".join(f"{c} = {v}" for c, v in value.items())
            differs = " OR ".join(f"{c} <> {v}" for c, v in value.items())
            database.execute_sql(
                f"UPDATE {customer} SET {sets}, version = version + 1, modified_by = {p},"
                f" modified_at = {p} WHERE id IN (SELECT id FROM {owners}) AND ({differs})",
                args * len(columns) + [clock.user(), Customer.modified_at.db_value(clock.now())]
                + args * len(columns))
        completeness.refresh(f"id IN (SELECT id FROM {owners})")
