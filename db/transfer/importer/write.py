"""Committing an import plan: one transaction, executemany and set-based SQL."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator

import peewee

from db.archive import classes as class_rules
from db.archive import customers, dimensions, search
from db.core import clock, dialect
from db.core.errors import RuleError
from db.core.models import (MAIN_DIMENSION, ChangeLog, Customer, CustomerClass, Dimension, Membership,
                            Sale, database)
from db.core.session import current, writing
from db.values.columns import DIMENSION_PREFIX
from db.transfer.importer.common import (ADD_LOGGED, BULK_SHARE, CHUNK, WRITE_CHUNK, ImportPlan,
                                         ImportResult, PlannedRow, ProgressFn, chunks, many_objects)

def commit(plan: ImportPlan, only_valid: bool = False, progress: ProgressFn | None = None) -> ImportResult:
    """Write `plan` in one transaction, all or nothing.

    Refuses ("import.has_rejected") a plan with rejected rows unless `only_valid`, and a
    customer plan missing required columns for rows it would add. `progress(done, total)`
    is called after each batch of rows. A row that no longer fits the archive (its code was
    taken since the plan) raises "import.changed_since_plan" and nothing is written.
    """
    if plan.rejected and not only_valid:
        raise RuleError("import.has_rejected", count=len(plan.rejected_lines))
    total = plan.writes
    report = progress or (lambda done, total: None)
    try:
        with many_objects(), writing():
            if plan.kind == "customers":
                _commit_customers(plan, report, total)
            elif plan.kind == "classes":
                _commit_classes(plan, report, total)
            else:
                _commit_sales(plan, report, total)
    except peewee.IntegrityError as exc:
        raise RuleError("import.changed_since_plan", reason=str(exc).splitlines()[0]) from None
    return ImportResult(len(plan.adds), len(plan.updates), len(plan.rejected_lines), plan.batch)


def _executemany(sql: str, rows: list) -> None:
    if rows:
        # peewee's wrapper turns the driver's errors into peewee's (IntegrityError...).
        with peewee.__exception_wrapper__:
            database.cursor().executemany(sql.replace("?", database.param), rows)


def _log_added(plan: ImportPlan, before: int, at: dt.datetime, who: str) -> None:
    """The history rows of the customers just added, one per customer in the order they
    were inserted, written from their rows (set-based): ADD_LOGGED's values, quoted by SQL
    as db.archive.history writes them (they are required, so never empty, and single-line, so the
    same JSON either way). On SQLite the added rows are those above `before` (the write
    lock kept everyone else out); elsewhere a chunk of codes per statement, since another
    session's rows may take ids in between."""
    quoted = " || ', ' || ".join(f"'\"{f}\": [null, ' || {dialect.json_text(f, current().dialect)} || ']'"
                                 for f in ADD_LOGGED)
    stamp = ChangeLog.at.db_value(at)
    select = (f"INSERT INTO {ChangeLog._meta.table_name} (at, who, action, entity, entity_code, changes, batch) "
              f"SELECT ?, ?, 'add', 'customer', code, '{{' || {quoted} || '}}', ? "
              f"FROM {Customer._meta.table_name} WHERE ")
    if current().dialect == "sqlite":
        database.execute_sql(select + "id > ? ORDER BY id", [stamp, who, plan.batch, before])
        return
    for chunk in chunks([r.code for r in plan.adds], CHUNK):
        marks = ", ".join("?" * len(chunk))
        sql = select + f"code IN ({marks}) ORDER BY id"
        database.execute_sql(sql.replace("?", database.param), [stamp, who, plan.batch, *chunk])


def _log_rows(plan: ImportPlan, entity: str, rows: list[PlannedRow], action: str, code_of=None):
    at, who = clock.now(), clock.user()
    table = ChangeLog._meta.table_name
    sql = f"INSERT INTO {table} (at, who, action, entity, entity_code, changes, batch) VALUES (?, ?, ?, ?, ?, ?, ?)"
    out = []
    dumps = json.JSONEncoder(ensure_ascii=False, default=_plain).encode
    for row in rows:
        if action == "change":
            changes = row.changes
        else:  # as db.archive.customers records an add: the values that say something
            changes = {k: (None, v) for k, v in row.values.items() if v not in ("", None, 0, False)}
        out.append((at, who, action, entity, code_of(row) if code_of else row.code,
                    dumps(changes), plan.batch))
    _executemany(sql, out)


def _plain(value):
    """JSON for what json cannot write itself: dates (db.archive.history writes them the same way)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _db(model, name, value):
    return model._meta.fields[name].db_value(value)


def _commit_customers(plan: ImportPlan, report: ProgressFn, total: int) -> None:
    at, who = clock.now(), clock.user()
    table = Customer._meta.table_name
    sqlite = current().dialect == "sqlite"
    before = Customer.select(peewee.fn.MAX(Customer.id)).scalar() or 0
    archive = Customer.select().count()
    with _bulk_load(table, len(plan.adds) > BULK_SHARE * (archive + len(plan.adds))):
        _insert_adds(plan, at, who, before, sqlite, report, total)
    done = len(plan.adds)
    _check_versions(plan)
    renamed = []
    groups: dict[tuple, list] = {}
    for row in plan.updates:
        plain = tuple(sorted(k for k in row.changes if not k.startswith(DIMENSION_PREFIX)))
        groups.setdefault(plain, []).append(row)
        if "name" in row.changes or "short_name" in row.changes:
            renamed.append(row.code)
    search.unindex_codes(renamed)  # by the names they have until the updates below
    for fields, rows in groups.items():
        sets = "".join(f"{getattr(Customer, f).column_name} = ?, " for f in fields)
        sql = (f"UPDATE {table} SET {sets}version = version + 1, modified_by = ?, modified_at = ? "
               "WHERE code = ? AND version = ?")
        for chunk in chunks(rows, WRITE_CHUNK):
            _executemany(sql, [tuple(_db(Customer, f, r.values[f]) for f in fields)
                               + (who, _db(Customer, "modified_at", at), r.code, r.version) for r in chunk])
            done += len(chunk)
            report(done, total)
    _write_memberships(plan)
    search.index_codes(renamed)
    _log_added(plan, before, at, who)
    _log_rows(plan, "customer", plan.updates, "change")


def _check_versions(plan: ImportPlan) -> None:
    """The customers to update as they are now, a chunk of codes per query (locked on a
    server database until the commit, as the card's save holds its row): one changed or
    deleted since the plan read it is refused as the card refuses it (ConflictError, who and
    when), and each change's old value becomes the value the update really replaces, for
    the history."""
    plain = sorted({f for r in plan.updates for f in r.changes if not f.startswith(DIMENSION_PREFIX)})
    dims = sorted({f for r in plan.updates for f in r.changes if f.startswith(DIMENSION_PREFIX)})
    wanted = [Customer.code, Customer.version, *(getattr(Customer, f) for f in plain)]
    lock = current().dialect != "sqlite"  # SQLite's write lock, taken at BEGIN, holds the whole file
    for chunk in chunks(plan.updates):
        codes = [r.code for r in chunk]
        query = Customer.select(*wanted).where(Customer.code.in_(codes))
        now = {r["code"]: r for r in (query.for_update() if lock else query).dicts()}
        members = {}
        if dims:
            for m in (Membership.select(Membership.customer_code, Dimension.code.alias("dim"),
                                        Membership.class_code)
                      .join(Dimension).where(Membership.customer_code.in_(codes)).dicts()):
                members[(m["customer_code"], DIMENSION_PREFIX + m["dim"])] = m["class_code"]
        for row in chunk:
            found = now.get(row.code)
            if found is None or found["version"] != row.version:
                raise customers.conflict_of(row.code)
            for fld, (_, new) in row.changes.items():
                old = members.get((row.code, fld), "") if fld in dims else found[fld]
                row.changes[fld] = (old, new)


def _insert_adds(plan: ImportPlan, at: dt.datetime, who: str, before: int, sqlite: bool,
                 report: ProgressFn, total: int) -> None:
    """Insert the plan's new customers with executemany, a chunk at a time. Every add has
    the same fields (`plan.add_fields`: the file's columns and the mnemonic the plan filled
    in), so a row's tuple is one C-level pick from its cells plus the defaults of the fields
    the file lacks. On SQLite the ids are given (the next ones after `before`, inside the write
    lock) so the substring index is written from the same values, without reading the
    rows back."""
    if not plan.adds:  # (an update-only file may lack the columns every add has)
        return
    names = [f.name for f in Customer._meta.sorted_fields if f.name != "id"]
    given = [n for n in names if n in plan.add_fields]
    rest = [n for n in names if n not in given]
    by_name = Customer._meta.fields
    defaults = {n: by_name[n].default() if callable(by_name[n].default) else by_name[n].default
                for n in rest}
    # SQLite's driver would turn the datetime into this very text on every row.
    defaults.update(created_by=who, created_at=at.isoformat(" ") if sqlite else at, version=1)
    tail = tuple(defaults[n] for n in rest)
    columns = ", ".join(by_name[n].column_name for n in (["id"] if sqlite else []) + given + rest)
    marks = ", ".join("?" * (len(given) + len(rest) + sqlite))
    insert = f"INSERT INTO {Customer._meta.table_name} ({columns}) VALUES ({marks})"
    position = plan.add_fields.index
    pick = operator.itemgetter(*map(position, given))  # at least code and mnemonic: a tuple
    names_of = operator.itemgetter(position("name"), position("short_name"))
    done = 0
    for chunk in chunks(plan.adds, WRITE_CHUNK):
        if sqlite:
            ids = range(before + 1 + done, before + 1 + done + len(chunk))
            _executemany(insert, [(i, *pick(r.cells), *tail) for i, r in zip(ids, chunk)])
            search.index_many([(i, *names_of(r.cells)) for i, r in zip(ids, chunk)])
        else:
            _executemany(insert, [pick(r.cells) + tail for r in chunk])
        done += len(chunk)
        report(done, total)


def _write_memberships(plan: ImportPlan) -> None:
    """Each dimension column: replace the customer's class in that dimension (none when the
    cell is empty), set-based through the customer's code."""
    dim_fields = [f for f in plan.fields if f.startswith(DIMENSION_PREFIX)]
    if not dim_fields:
        return
    dim_ids = dict(Dimension.select(Dimension.code, Dimension.id).tuples())
    table, customers = Membership._meta.table_name, Customer._meta.table_name
    delete = f"DELETE FROM {table} WHERE dimension_id = ? AND customer_code = ?"
    insert = (f"INSERT INTO {table} (customer_id, dimension_id, class_code, customer_code) "
              f"SELECT id, ?, ?, code FROM {customers} WHERE code = ?")
    for fld in dim_fields:
        dim_id = dim_ids[fld[len(DIMENSION_PREFIX):]]
        changed = [r for r in plan.updates if fld in r.changes]
        _executemany(delete, [(dim_id, r.code) for r in changed])
        _executemany(insert, [(dim_id, r.values[fld], r.code)
                              for r in (*plan.adds, *changed) if r.values.get(fld)])


@contextlib.contextmanager
def _bulk_load(table: str, large: bool):
    """SQLite, a load that is a large part of the table (an import into a new archive):
    the table's indexes are dropped for the inserts and built again after them, which sorts
    each index once instead of inserting into eight B-trees row by row. Inside the caller's transaction: an error rolls the drop back with
    the rows, and a code taken since the plan fails the unique index's rebuild."""
    if not large or current().dialect != "sqlite":
        yield
        return
    indexes = database.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,)).fetchall()
    for name, _ in indexes:
        database.execute_sql(f'DROP INDEX "{name}"')
    yield
    # Two sorter threads build each index about 10% sooner.
    threads = database.execute_sql("PRAGMA threads").fetchone()[0]
    database.execute_sql("PRAGMA threads = 2")
    try:
        for _, sql in indexes:
            database.execute_sql(sql)
    finally:
        database.execute_sql(f"PRAGMA threads = {int(threads)}")


def _commit_classes(plan: ImportPlan, report: ProgressFn, total: int) -> None:
    at, who = clock.now(), clock.user()
    for spec in plan.new_dimensions:
        dimensions.create(spec["code"], spec["name_zh"], spec["name_en"], spec["scheme"])
    dim_ids = dict(Dimension.select(Dimension.code, Dimension.id).tuples())
    schemes = {d.code: class_rules.scheme_of(d) for d in Dimension.select()}
    done = 0
    for row in plan.adds:  # parents come first: the plan is sorted by code length
        dim = row.values["dimension"]
        CustomerClass.create(dimension=dim_ids[dim], code=row.code, name=row.values["name"].strip(),
                             level=schemes[dim].level_of(row.code), is_leaf=True,
                             remark=row.values.get("remark", ""), created_by=who, created_at=at)
        parent = schemes[dim].parent_of(row.code)
        if parent is not None:
            class_rules.mark_parent(dim_ids[dim], parent)
        done += 1
        if done % WRITE_CHUNK == 0:
            report(done, total)
    for row in plan.updates:
        dim = row.values["dimension"]
        where = (CustomerClass.dimension == dim_ids[dim], CustomerClass.code == row.code)
        # As the classification screen's save: refused over a class changed since it was read.
        if CustomerClass.update(
                name=row.values["name"].strip(), remark=row.values.get("remark", ""),
                version=CustomerClass.version + 1, modified_by=who, modified_at=at).where(
                *where, CustomerClass.version == row.version).execute() != 1:
            raise class_rules.conflict_of(CustomerClass.get_or_none(*where), row.code)
        done += 1
    report(done, total)

    def code_of(row):
        dim = row.values["dimension"]
        return row.code if dim == MAIN_DIMENSION else f"{dim}:{row.code}"

    _log_rows(plan, "class", plan.adds, "add", code_of)
    _log_rows(plan, "class", plan.updates, "change", code_of)


def _commit_sales(plan: ImportPlan, report: ProgressFn, total: int) -> None:
    table, customers = Sale._meta.table_name, Customer._meta.table_name
    insert = (f"INSERT INTO {table} (customer_id, date, doc_no, amount, cost) "
              f"SELECT id, ?, ?, ?, ? FROM {customers} WHERE code = ?")
    update = (f"UPDATE {table} SET date = ?, amount = ?, cost = ? WHERE doc_no = ? AND "
              f"customer_id = (SELECT id FROM {customers} WHERE code = ?)")
    done = 0
    for chunk in chunks(plan.adds, WRITE_CHUNK):
        _executemany(insert, [(_db(Sale, "date", r.values["date"]), r.values["doc_no"], r.values["amount"],
                               r.values["cost"], r.code) for r in chunk])
        done += len(chunk)
        report(done, total)
    _executemany(update, [(_db(Sale, "date", r.values["date"]), r.values["amount"], r.values["cost"],
                           r.values["doc_no"], r.code) for r in plan.updates])
    report(total, total)

    def code_of(row):
        return f"{row.code}:{row.values['doc_no']}"

    _log_rows(plan, "sale", plan.adds, "add", code_of)
    _log_rows(plan, "sale", plan.updates, "change", code_of)
