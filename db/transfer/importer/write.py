"""Committing an import plan: one transaction, rows streamed in bulk (db.core.bulk) and set-based SQL."""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import operator
from typing import Iterable

import peewee

from db.archive import classes as class_rules
from db.archive import approval, completeness, customers, dimensions, search, subrecords
from db.core import bulk, clock, dialect
from db.core.errors import RuleError
from db.core.models import (MAIN_DIMENSION, ChangeLog, Customer, CustomerClass, Dimension, Membership,
                            Sale, database)
from db.core.objects import many_objects
from db.core.session import current, writing
from db.values import collation
from db.values.columns import DIMENSION_PREFIX
from db.values.subfields import MIRROR, MIRRORED
from db.transfer.importer.common import (ADD_LOGGED, BULK_SHARE, WRITE_CHUNK, ImportPlan,
                                         ImportResult, PlannedRow, ProgressFn)
from db.transfer.importer.spool import RowSpool

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
    held, waits = 0, False
    try:
        with many_objects(), writing():
            if plan.kind == "customers":
                waits = approval.applies()  # an editor's import, approval on: as the card's saves
                if waits:
                    plan, held = _held(plan)
                _commit_customers(plan, report, total)
                if waits:  # the new customers are pending (待审核) until approved
                    held += approval.file_many("new", [(r.code, {}) for r in plan.adds])
            elif plan.kind == "classes":
                _commit_classes(plan, report, total)
            else:
                _commit_sales(plan, report, total)
    except peewee.IntegrityError as exc:
        raise RuleError("import.changed_since_plan", reason=str(exc).splitlines()[0]) from None
    if waits:
        plan.close()  # the held plan's own spool (the caller closes the one it gave)
    return ImportResult(len(plan.adds), len(plan.updates), len(plan.rejected_lines), plan.batch, held)


def _held(plan: ImportPlan) -> tuple[ImportPlan, int]:
    """An editor's import with approval on (db.archive.approval): the held fields' changes
    of each update become a change request and are not written (a row left with nothing
    else to change is not written at all); a customer still pending approval takes its
    changes as they are. Returns the plan to write and the requests filed."""
    fields = set(approval.held_fields())
    touching = [r.code for r in plan.updates if fields & r.changes.keys()]
    pending = set()
    for start in range(0, len(touching), WRITE_CHUNK):
        pending |= approval.pending_codes(touching[start:start + WRITE_CHUNK])
    kept, held = RowSpool(), []
    for row in plan.updates:
        waiting = {} if row.code in pending else {k: v for k, v in row.changes.items() if k in fields}
        if not waiting:
            kept.append(row)
            continue
        held.append((row.code, waiting))
        rest = {k: v for k, v in row.changes.items() if k not in waiting}
        if rest:
            kept.append(PlannedRow(row.line, row.code, row._values, rest, cells=row.cells, fields=row.fields,
                                   version=row.version))
    return dataclasses.replace(plan, updates=kept), approval.file_many("change", held)


def _log_added(plan: ImportPlan, before: int, at: dt.datetime, who: str) -> None:
    """The history rows of the customers just added, one per customer in the order they
    were inserted, written from their rows (set-based): ADD_LOGGED's values, quoted by SQL
    as db.archive.history writes them (they are required, so never empty, and single-line, so the
    same JSON either way). On SQLite the added rows are those above `before` (the write
    lock kept everyone else out); elsewhere those whose codes the import_added table holds,
    since another session's rows may take ids in between."""
    if not plan.adds:
        return
    quoted = " || ', ' || ".join(f"'\"{f}\": [null, ' || {dialect.json_text(f, current().dialect)} || ']'"
                                 for f in ADD_LOGGED)
    stamp = ChangeLog.at.db_value(at)
    select = (f"INSERT INTO {ChangeLog._meta.table_name} (at, who, action, entity, entity_code, changes, batch) "
              f"SELECT ?, ?, 'add', 'customer', code, '{{' || {quoted} || '}}', ? "
              f"FROM {Customer._meta.table_name} WHERE ")
    if current().dialect == "sqlite":
        database.execute_sql(select + "id > ? ORDER BY id", [stamp, who, plan.batch, before])
        return
    shape = f"SELECT code FROM {Customer._meta.table_name}"
    with bulk.temp_table("import_added", shape, ["code"], ((r.code,) for r in plan.adds), ["code"]):
        sql = select + "code IN (SELECT code FROM import_added) ORDER BY id"
        database.execute_sql(sql.replace("?", database.param), [stamp, who, plan.batch])


LOG_COLUMNS = ("at", "who", "action", "entity", "entity_code", "changes", "batch")
LOG_TEXTS = LOG_COLUMNS[1:]


def _log(plan: ImportPlan, entity: str, rows: Iterable[PlannedRow], action: str, code_of=None) -> None:
    """One history row per planned row, streamed into the history (db.core.bulk)."""
    bulk.insert(ChangeLog._meta.table_name, LOG_COLUMNS, _log_rows(plan, entity, rows, action, code_of),
                LOG_TEXTS)


def _log_rows(plan: ImportPlan, entity: str, rows: Iterable[PlannedRow], action: str, code_of=None):
    # The time as text once: str() of a datetime, what SQLite's driver and the COPY's CSV
    # would each make of it on every row.
    at, who = str(clock.now()), clock.user()
    for row in rows:
        if action == "change":
            changes = row.changes
        else:  # as db.archive.customers records an add: the values that say something
            changes = {k: (None, v) for k, v in row.values.items() if v not in ("", None, 0, False)}
        yield (at, who, action, entity, code_of(row) if code_of else row.code, changes_json(changes), plan.batch)


# How `_ENCODE` (below) quotes a string (the C function json uses when ensure_ascii is off).
_QUOTE = json.encoder.encode_basestring


def changes_json(changes: dict) -> str:
    """{field: [old, new]} as `_ENCODE` writes it, character for character, for the values
    an import plans (text, integers, dates, booleans, None) without the encoder's general
    walk, which was a third of a million-sale commit; anything else goes to the encoder."""
    parts = []
    for key, pair in changes.items():
        if type(key) is not str or type(pair) is not tuple or len(pair) != 2:
            return _ENCODE(changes)
        values = []
        for v in pair:
            kind = type(v)
            if kind is str:
                values.append(_QUOTE(v))
            elif kind is int:
                values.append(int.__repr__(v))
            elif v is None:
                values.append("null")
            elif kind is bool:
                values.append("true" if v else "false")
            elif kind is dt.date or kind is dt.datetime:
                values.append(_QUOTE(v.isoformat()))
            else:
                return _ENCODE(changes)
        parts.append(f"{_QUOTE(key)}: [{values[0]}, {values[1]}]")
    return "{" + ", ".join(parts) + "}"


def _plain(value):
    """JSON for what json cannot write itself: dates (db.archive.history writes them the same way)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


_ENCODE = json.JSONEncoder(ensure_ascii=False, default=_plain).encode


def _db(model, name, value):
    return model._meta.fields[name].db_value(value)


def _commit_customers(plan: ImportPlan, report: ProgressFn, total: int) -> None:
    at, who = clock.now(), clock.user()
    table = Customer._meta.table_name
    sqlite = current().dialect == "sqlite"
    before = Customer.select(peewee.fn.MAX(Customer.id)).scalar() or 0
    archive = Customer.select().count()
    # A load that is a large part of the table (an import into a new archive): the tables'
    # indexes are built again after the inserts rather than kept up row by row.
    large = len(plan.adds) > BULK_SHARE * (archive + len(plan.adds))
    with bulk.indexes_rebuilt(table, large):
        _insert_adds(plan, at, who, before, sqlite, report, total)
        if plan.adds:  # inserted with the column's default: scored in one UPDATE
            completeness.refresh(f"id > {database.param}", [before])
    # The updates as written, each change's old value the one really replaced (for the history).
    written = _update_customers(plan, at, who, report, total) if plan.updates else []
    _follow_card(plan, before, archive == 0)
    _write_memberships(plan, large and not plan.updates)
    _log_added(plan, before, at, who)
    _log(plan, "customer", written, "change")
    if written:
        written.close()


def _follow_card(plan: ImportPlan, before: int, first: bool) -> None:
    """The default contacts, addresses and banks take the card fields the import wrote
    (db.archive.subrecords keeps the customer row as their copy). `first`: the archive had no
    customer before, so it has no sub-record either (they cascade with their customer):
    the tables' indexes are built once after the rows, which need not look for a default
    already there."""
    if plan.adds:
        with contextlib.ExitStack() as built:
            for kind in sorted({kind for kind, _ in MIRROR}) if first else ():  # the kinds seeded
                built.enter_context(bulk.indexes_rebuilt(subrecords.MODELS[kind]._meta.table_name, True))
            subrecords.seed_from_card(Customer.id > before, fresh=first)
    codes = [r.code for r in plan.updates if any(f in MIRRORED for f in r.changes)]
    for start in range(0, len(codes), WRITE_CHUNK):
        subrecords.sync_from_card(Customer.code.in_(codes[start:start + WRITE_CHUNK]))


def _update_customers(plan: ImportPlan, at: dt.datetime, who: str, report: ProgressFn, total: int) -> RowSpool:
    """The plan's updates, set-based: their codes, versions and new values go to a
    temporary table, `_check_versions` reads the rows as they are now through it, and one
    UPDATE ... FROM writes every row whose version is still the one the plan read. Each
    row sets only the fields it changes (set_<field> says which). Returns the updates with
    the old values they replaced (`_check_versions`)."""
    plain = sorted({f for r in plan.updates for f in r.changes if not f.startswith(DIMENSION_PREFIX)})
    # A changed name's sort key is set with it (db.values.collation).
    keyed = [f for f in plain if f in collation.KEY_COLUMNS]
    columns = [getattr(Customer, f).column_name for f in plain] + [collation.KEY_COLUMNS[f] for f in keyed]
    shape = ("SELECT 0 AS pos, code, version" + "".join(f", {c}" for c in columns)
             + "".join(f", 1 = 0 AS set_{c}" for c in columns) + f" FROM {Customer._meta.table_name}")
    done = len(plan.adds)
    key = collation.key

    def rows():
        for pos, r in enumerate(plan.updates):
            changed = r.changes
            yield (pos, r.code, r.version,
                   *(_db(Customer, f, r.values[f]) if f in changed else None for f in plain),
                   *(key(r.values[f]) if f in changed else None for f in keyed),
                   *(f in changed for f in plain), *(f in changed for f in keyed))
            if pos % WRITE_CHUNK == 0:
                report(done + pos, total)

    names = ["pos", "code", "version", *columns, *(f"set_{c}" for c in columns)]
    texts = bulk.text_columns(Customer, ["code", *plain, *(collation.KEY_COLUMNS[f] for f in keyed)])
    with bulk.temp_table("import_update", shape, names, rows(), texts):
        written = _check_versions(plan)
        renamed = [r.code for r in plan.updates if "name" in r.changes or "short_name" in r.changes]
        search.unindex_codes(renamed)  # by the names they have until the update below
        table = Customer._meta.table_name
        sets = "".join(f"{c} = CASE WHEN t.set_{c} THEN t.{c} ELSE {table}.{c} END, " for c in columns)
        updated = database.execute_sql(
            (f"UPDATE {table} SET {sets}version = {table}.version + 1, modified_by = ?, modified_at = ? "
             f"FROM import_update t WHERE {table}.code = t.code AND {table}.version = t.version"
             ).replace("?", database.param), (who, _db(Customer, "modified_at", at))).rowcount
        if updated != len(plan.updates):  # _check_versions holds the rows: cannot happen
            raise RuleError("import.changed_since_plan", reason=f"{len(plan.updates) - updated} rows")
        search.index_codes(renamed)
        if completeness.COLUMNS.intersection(plain):
            completeness.refresh("code IN (SELECT code FROM import_update)")
    report(done + len(plan.updates), total)
    return written


def _check_versions(plan: ImportPlan) -> RowSpool:
    """The customers to update as they are now, read in one query joined to the
    import_update table (locked on a server database until the commit, as the card's save
    holds its row): one changed or deleted since the plan read it is refused as the card
    refuses it (ConflictError, who and when), and each change's old value becomes the
    value the update really replaces, for the history: the rows so corrected are spooled
    again (the plan's are read back from its spool, not held) and returned."""
    plain = sorted({f for r in plan.updates for f in r.changes if not f.startswith(DIMENSION_PREFIX)})
    dims = sorted({f for r in plan.updates for f in r.changes if f.startswith(DIMENSION_PREFIX)})
    table, members = Customer._meta.table_name, Membership._meta.table_name
    if current().dialect != "sqlite":  # SQLite's write lock, taken at BEGIN, holds the whole file
        database.execute_sql(f"SELECT COUNT(*) FROM (SELECT c.id FROM {table} c WHERE c.code IN "
                             "(SELECT code FROM import_update) ORDER BY c.id FOR UPDATE) locked")
    dim_ids = dict(Dimension.select(Dimension.code, Dimension.id).tuples())
    joins = "".join(f" LEFT JOIN {members} m{i} ON m{i}.customer_id = c.id AND m{i}.dimension_id = "
                    f"{int(dim_ids[d[len(DIMENSION_PREFIX):]])}" for i, d in enumerate(dims))
    picked = "".join(f", c.{getattr(Customer, f).column_name}" for f in plain)
    picked += "".join(f", m{i}.class_code" for i in range(len(dims)))
    convert = [Customer._meta.fields[f].python_value for f in plain]
    query = (f"SELECT c.version{picked} FROM import_update t LEFT JOIN {table} c ON c.code = t.code"
             f"{joins} ORDER BY t.pos")
    written = RowSpool()
    # The stream first: zip then reads it to its end, which closes its cursor.
    for found, row in zip(bulk.stream(query), plan.updates):
        if found[0] != row.version:  # None: deleted
            written.close()
            raise customers.conflict_of(row.code)
        now = {f: python(v) for f, python, v in zip(plain, convert, found[1:])}
        now.update((d, v or "") for d, v in zip(dims, found[1 + len(plain):]))
        for fld, (_, new) in row.changes.items():
            row.changes[fld] = (now[fld], new)
        written.append(row)
    return written


def _insert_adds(plan: ImportPlan, at: dt.datetime, who: str, before: int, sqlite: bool,
                 report: ProgressFn, total: int) -> None:
    """Insert the plan's new customers, streamed (db.core.bulk), a progress report every
    chunk. Every add has the same fields (`plan.add_fields`: the file's columns and the
    mnemonic the plan filled in), so a row's tuple is one C-level pick from its cells plus
    the defaults of the fields the file lacks. On SQLite the ids are given (the next ones
    after `before`, inside the write lock) so the substring index is written from the same
    values, without reading the rows back."""
    if not plan.adds:  # (an update-only file may lack the columns every add has)
        return
    keys = list(collation.KEY_COLUMNS.values())  # made here from the names, not kept in the plan
    names = [f.name for f in Customer._meta.sorted_fields if f.name != "id"]
    given = [n for n in names if n in plan.add_fields]
    rest = [n for n in names if n not in given and n not in keys]
    by_name = Customer._meta.fields
    defaults = {n: by_name[n].default() if callable(by_name[n].default) else by_name[n].default
                for n in rest}
    # SQLite's driver would turn the datetime into this very text on every row.
    defaults.update(created_by=who, created_at=at.isoformat(" ") if sqlite else at, version=1)
    tail = tuple(defaults[n] for n in rest)
    columns = [by_name[n].column_name for n in (["id"] if sqlite else []) + given + keys + rest]
    position = plan.add_fields.index
    pick = operator.itemgetter(*map(position, given))  # at least code and mnemonic: a tuple
    names_of = operator.itemgetter(position("name"), position("short_name"))
    key = collation.key

    def keyed(cells: tuple) -> tuple:
        name, short = names_of(cells)
        return pick(cells) + (key(name), key(short))

    table = Customer._meta.table_name
    # The spooled rows' cells, a chunk at a time, as the spool keeps them (no PlannedRow made).
    cell_chunks = ([r[4] for r in records] for records in plan.adds.records())
    if sqlite:
        done = 0
        for chunk in cell_chunks:
            ids = range(before + 1 + done, before + 1 + done + len(chunk))
            bulk.insert(table, columns, [(i, *keyed(cells), *tail) for i, cells in zip(ids, chunk)])
            search.index_many([(i, *names_of(cells)) for i, cells in zip(ids, chunk)])
            done += len(chunk)
            report(done, total)
        return

    def rows():
        done = 0
        for chunk in cell_chunks:
            for cells in chunk:
                yield keyed(cells) + tail
            done += len(chunk)
            report(done, total)

    bulk.insert(table, columns, rows(), bulk.text_columns(Customer, given + keys + rest))
    report(len(plan.adds), total)


def _write_memberships(plan: ImportPlan, large: bool) -> None:
    """Each dimension column: replace the customer's class in that dimension (none when the
    cell is empty), set-based through the customer's code: the rows to write go to a
    temporary table, one DELETE takes out the classes the updates replace, one INSERT ...
    SELECT writes the new ones. `large`: most of the archive is new, and the table's
    indexes and keys are built once after the rows (db.core.bulk.indexes_rebuilt)."""
    dim_fields = [f for f in plan.fields if f.startswith(DIMENSION_PREFIX)]
    if not dim_fields:
        return
    dim_ids = dict(Dimension.select(Dimension.code, Dimension.id).tuples())
    table, customers_table = Membership._meta.table_name, Customer._meta.table_name

    def rows():
        pos = 0
        for fld in dim_fields:
            dim_id = dim_ids[fld[len(DIMENSION_PREFIX):]]
            at = plan.add_fields.index(fld) if plan.adds else None
            for r in plan.adds:
                if r.cells[at]:
                    yield pos, dim_id, r.code, r.cells[at], False
                    pos += 1
            for r in plan.updates:
                if fld in r.changes:
                    yield pos, dim_id, r.code, r.values[fld] or "", True
                    pos += 1

    shape = f"SELECT 0 AS pos, dimension_id, customer_code, class_code, 1 = 0 AS replaces FROM {table}"
    columns = ["pos", "dimension_id", "customer_code", "class_code", "replaces"]
    with (bulk.temp_table("import_member", shape, columns, rows(), ["customer_code", "class_code"]),
          bulk.indexes_rebuilt(table, large)):
        # Through the customer's id: the unique (customer, dimension) index finds each row.
        database.execute_sql(
            f"DELETE FROM {table} WHERE (customer_id, dimension_id) IN (SELECT c.id, t.dimension_id "
            f"FROM import_member t JOIN {customers_table} c ON c.code = t.customer_code WHERE t.replaces)")
        database.execute_sql(
            f"INSERT INTO {table} (customer_id, dimension_id, class_code, customer_code) "
            f"SELECT c.id, t.dimension_id, t.class_code, c.code FROM import_member t "
            f"JOIN {customers_table} c ON c.code = t.customer_code WHERE t.class_code <> '' ORDER BY t.pos")


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
                             remark=row.values.get("remark", ""), personal=row.values.get("personal", False),
                             created_by=who, created_at=at)
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
                personal=row.values.get("personal", False),
                version=CustomerClass.version + 1, modified_by=who, modified_at=at).where(
                *where, CustomerClass.version == row.version).execute() != 1:
            raise class_rules.conflict_of(CustomerClass.get_or_none(*where), row.code)
        done += 1
    report(done, total)

    def code_of(row):
        dim = row.values["dimension"]
        return row.code if dim == MAIN_DIMENSION else f"{dim}:{row.code}"

    _log(plan, "class", plan.adds, "add", code_of)
    _log(plan, "class", plan.updates, "change", code_of)


def _commit_sales(plan: ImportPlan, report: ProgressFn, total: int) -> None:
    """The plan's documents, set-based: its adds and its updates each go to a temporary
    table with their customer's code, one INSERT ... SELECT and one UPDATE ... FROM join
    them to the customers. A customer deleted since the plan is refused, naming it."""
    table, customers_table = Sale._meta.table_name, Customer._meta.table_name
    shape = f"SELECT 0 AS pos, c.code, s.date, s.doc_no, s.amount, s.cost FROM {table} s, {customers_table} c"
    columns = ["pos", "code", "date", "doc_no", "amount", "cost"]
    date = Sale.date.db_value

    def rows(planned, done):
        for pos, r in enumerate(planned):
            v = r.values
            yield pos, r.code, date(v["date"]), v["doc_no"], v["amount"], v["cost"]
            if pos % WRITE_CHUNK == 0:
                report(done + pos, total)

    missing = (f"SELECT t.code FROM import_sale t WHERE NOT EXISTS "
               f"(SELECT 1 FROM {customers_table} c WHERE c.code = t.code) ORDER BY t.pos")
    if plan.adds:
        # Into a new archive: the sale table's indexes and its key to the customers are
        # built and checked once after the rows (db.core.bulk.indexes_rebuilt).
        large = len(plan.adds) > BULK_SHARE * (Sale.select().count() + len(plan.adds))
        with (bulk.temp_table("import_sale", shape, columns, rows(plan.adds, 0), ["code", "doc_no"]),
              bulk.indexes_rebuilt(table, large)):
            added = database.execute_sql(
                f"INSERT INTO {table} (customer_id, date, doc_no, amount, cost) "
                f"SELECT c.id, t.date, t.doc_no, t.amount, t.cost FROM import_sale t "
                f"JOIN {customers_table} c ON c.code = t.code ORDER BY t.pos").rowcount
            if added != len(plan.adds):
                raise customers.conflict_of(database.execute_sql(missing).fetchone()[0])
    if plan.updates:
        with bulk.temp_table("import_sale", shape, columns, rows(plan.updates, len(plan.adds)),
                             ["code", "doc_no"]):
            database.execute_sql(
                f"UPDATE {table} SET date = t.date, amount = t.amount, cost = t.cost "
                f"FROM import_sale t, {customers_table} c "
                f"WHERE c.code = t.code AND {table}.customer_id = c.id AND {table}.doc_no = t.doc_no")
    report(total, total)

    def code_of(row):
        return f"{row.code}:{row.values['doc_no']}"

    _log(plan, "sale", plan.adds, "add", code_of)
    _log(plan, "sale", plan.updates, "change", code_of)
