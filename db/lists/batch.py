"""批改 Batch modify: set one field to one value on many customers, in one transaction.

The target is either explicit marks, (code, version) pairs read from the list, or a list
query (db.lists.paging.ListQuery or Selection: "everything the current class and filter show",
however many). Targets stream from the list into a temporary table (COPY on PostgreSQL), never held whole
in Python, and go from there into the BatchRow table with their outcome, in one INSERT ...
SELECT joined to the customers:

- skipped "deleted": the customer no longer exists;
- skipped "changed": someone changed it since it was marked (its version differs from the
  marked one, or, for a list query, the history holds a change of it after the watermark
  taken when the rows were marked);
- skipped "added": (a list query) it was added after the watermark, by the card or an
  import: the list the user marked did not hold it;
- skipped "same": it already had the value;
- skipped by a rule ("stop_before_dev": a stop date before its development date);
- "changed": updated (version + 1, 变更人, 变更日期) with one history row each, tagged with
  the run's batch tag so the history shows the batch as one operation.

The result stays in BatchRow for the result list to page (`rows`) and count (`result`);
the results of older runs are dropped when a new run starts (KEEP_RUNS are kept).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from peewee import fn

from db.core import bulk, clock, dialect, models
from db.archive import branches, completeness, customers, history, region_classes, scope, subrecords
from db.values import regions
from db.values.dates import format_date
from db.core.errors import RuleError
from db.values.fields import BY_KEY
from db.values.subfields import MIRRORED
from db.core.models import BatchRow, BatchRun
from db.lists.paging import Selection, selected_codes
from db.lists.query import ListQuery
from db.core.session import current, writing

# The fields 批改 may set (U8's batch modify offers the classification and contact fields).
# 联系人 is the default contact's name: the contact records follow (db.archive.subrecords).
# 总公司编码: the marked customers become branches of one head (none that would be its own).
FIELDS = ("class_code", "region", "industry", "department", "salesperson", "mgmt_type",
          "credit_grade", "stop_date", "contact", "head_office")
CHUNK = 5000  # rows updated (and history rows written) between two progress reports
INSERT_CHUNK = 2000  # targets read from a list query at a time
KEEP_RUNS = 10
PAGE = 100

ProgressFn = Callable[[int, int], None]
Marks = Sequence[tuple[str, int]]  # (code, version) as read from the list


@dataclass(frozen=True)
class Preview:
    field: str
    value: object  # the clean value the customers will get
    text: str  # the value as the screen shows it
    total: int  # customers targeted


@dataclass(frozen=True)
class BatchResult:
    run: int
    batch: str  # the history rows' batch tag
    field: str
    value: object
    total: int
    changed: int
    skipped: dict  # reason -> count


@dataclass(frozen=True)
class ResultRow:
    id: int  # page key: pass the last one as `after_id`
    code: str
    outcome: str
    reason: str
    old: str | None


def tag(run: int) -> str:
    return f"batch-{run}"


def validate_value(field: str, raw):
    """The clean value of `raw` for `field`, or the RuleError the card would raise: the class
    must be a leaf of 客户分类, the management type one of the four, a date a date. An
    empty value clears the field (a stop date cleared is 启用); the class cannot be empty."""
    if field not in FIELDS:
        raise RuleError("batch.field", field=field, name=field)
    return customers.check_field(field, raw)


def _text(field: str, value) -> str:
    if value is None:
        return ""
    return format_date(value) if BY_KEY[field].kind == "date" else str(value)


def count(target: Marks | ListQuery | Selection) -> int:
    """How many customers `target` names (marks, a ListQuery or a Selection)."""
    from db.lists import paging

    if isinstance(target, ListQuery):
        return paging.count(target)
    if isinstance(target, Selection):
        return paging.selection_count(target)
    return len({code for code, _ in target})


def preview(field: str, raw, target: Marks | ListQuery | Selection) -> Preview:
    """What `apply` would set, and on how many customers; writes nothing."""
    value = validate_value(field, raw)
    return Preview(field, value, _text(field, value), count(target))


def _db():
    return models.database


def _chunks(target, since: int | None) -> Iterable[list[tuple[str, int | None]]]:
    """(code, marked version) in chunks; a list query's rows carry no version."""
    if isinstance(target, (ListQuery, Selection)):
        if since is None:
            raise RuleError("batch.no_watermark")
        sel = target if isinstance(target, Selection) else Selection(everything=target)
        for codes in selected_codes(sel, INSERT_CHUNK):
            yield [(code, None) for code in codes]
        return
    marks = dict(target)  # a code marked twice counts once (its last version)
    items = list(marks.items())
    for i in range(0, len(items), INSERT_CHUNK):
        yield items[i:i + INSERT_CHUNK]


def apply(field: str, raw, target: Marks | ListQuery | Selection, *, since: int | None = None,
          progress: ProgressFn | None = None) -> BatchResult:
    """Set `field` to `raw` on every customer of `target`, one transaction.

    `target`: a list of (code, version) marks, or a ListQuery / Selection (then `since`, the
    history.watermark() taken when the user marked them, is required: a customer changed
    after it is skipped). `progress(done, total)` is called after each chunk of updated rows
    (and once when the targets are written, with done 0). Raises RuleError for a bad value
    or an empty target, StoreError when read-only; nothing is written then."""
    value = validate_value(field, raw)
    scope.check_value(field, value)
    report = progress or (lambda done, total: None)
    with writing():
        who, at = clock.user(), clock.now()
        _forget_old_runs()
        run = BatchRun.create(at=at, who=who, field=field, value=history.plain(value))
        # The targets go into a temporary table a chunk at a time (COPY on PostgreSQL,
        # db.core.bulk; a list query is read between two chunks), and from there into
        # BatchRow with their outcome, so each result row is written once.
        shape = f"SELECT 0 AS pos, code, seen_version FROM {BatchRow._meta.table_name}"
        columns = ["pos", "code", "seen_version"]
        with bulk.temp_table("batch_target", shape, columns, (), ["code"]):
            total = 0
            for chunk in _chunks(target, since):
                bulk.insert("batch_target", columns,
                            [(total + i, code, version) for i, (code, version) in enumerate(chunk)], ["code"])
                total += len(chunk)
            if not total:
                raise RuleError("batch.empty")
            bulk.analyze("batch_target")
            report(0, total)
            _classify(run.id, field, value, since)
        changed = _update(run.id, field, value, who, at, report, total)
        BatchRun.update(total=total, changed=changed).where(BatchRun.id == run.id).execute()
    return result(run.id)


def _sql(sql: str, params: Sequence = ()) -> int:
    """Run one statement written with ? placeholders; returns the rows it touched."""
    cursor = _db().execute_sql(sql.replace("?", _db().param), params)
    return cursor.rowcount


def _classify(run: int, field: str, value, since: int | None) -> None:
    """Write every target of the batch_target table into BatchRow with its outcome, in one
    INSERT ... SELECT joined to the customers (an UPDATE of 100,000 result rows after
    inserting them would write each twice)."""
    rows, cust, log = (BatchRow._meta.table_name, models.Customer._meta.table_name,
                       models.ChangeLog._meta.table_name)
    column = getattr(models.Customer, field).column_name
    if current().dialect != "sqlite":
        # Read committed lets another session change a row between this classification and
        # the update: lock the targeted rows first (SQLite's write lock, taken at BEGIN,
        # already keeps every other writer out).
        _sql(f"SELECT COUNT(*) FROM (SELECT c.id FROM {cust} c WHERE c.code IN "
             "(SELECT code FROM batch_target) ORDER BY c.id FOR UPDATE) locked")
    stored = models.Customer._meta.fields[field].db_value(value)
    reasons = ["WHEN c.id IS NULL THEN 'deleted'"]
    params: list = []
    hidden = scope.hidden_sql("t.code")
    if hidden is not None:  # hidden by the server's row-level security, not deleted
        reasons.insert(0, f"WHEN c.id IS NULL AND {hidden} THEN 'scope'")
    inside = scope.condition("c")
    if inside is not None:  # marked by number, or seen before the scope narrowed: not theirs
        reasons.append(f"WHEN NOT {inside[0]} THEN 'scope'")
        params += inside[1]
    reasons.append("WHEN t.seen_version IS NOT NULL AND t.seen_version <> c.version THEN 'changed'")
    if since is not None:
        # Added after the marking (its "add" is past the watermark): not in the list marked,
        # and no change of a marked row; tested first, as its add is also a change after it.
        reasons.append(f"WHEN t.code IN (SELECT l.entity_code FROM {log} l WHERE l.id > ? "
                       "AND l.entity = 'customer' AND l.action = 'add') THEN 'added'")
        reasons.append(f"WHEN t.code IN (SELECT l.entity_code FROM {log} l WHERE l.id > ? "
                       "AND l.entity = 'customer') THEN 'changed'")
        params += [since, since]
    if stored is None:
        reasons.append(f"WHEN c.{column} IS NULL THEN 'same'")
    else:
        reasons.append(f"WHEN c.{column} = ? THEN 'same'")
        params.append(stored)
    if field == "head_office" and stored is not None:
        # the card's rule: not the head itself, nor one of its heads (a loop)
        chain = branches.chain_up(stored)
        reasons.append(f"WHEN c.code IN ({', '.join('?' * len(chain))}) THEN 'head_loop'")
        params += chain
    if field == "stop_date" and stored is not None:
        # the card's rule: a customer cannot stop before it was developed
        reasons.append("WHEN c.dev_date > ? THEN 'stop_before_dev'")
        params.append(stored)
    # Each row's value before the change is kept as text (the history and the result list).
    reason = f"CASE {' '.join(reasons)} ELSE '' END"
    _sql(f"INSERT INTO {rows} (run_id, code, seen_version, customer_id, old, reason, outcome) "
         f"SELECT ?, t.code, t.seen_version, c.id, CAST(c.{column} AS TEXT), {reason}, "
         f"CASE WHEN {reason} = '' THEN 'changed' ELSE 'skipped' END "
         f"FROM batch_target t LEFT JOIN {cust} c ON c.code = t.code ORDER BY t.pos",
         [run, *params, *params])


def _update(run: int, field: str, value, who: str, at, report: ProgressFn, total: int) -> int:
    """Update the changed rows chunk by chunk (by BatchRow id), each chunk's history too:
    one INSERT .. SELECT per chunk writes its history rows, {field: [old, new]}."""
    rows, cust = BatchRow._meta.table_name, models.Customer._meta.table_name
    column = getattr(models.Customer, field).column_name
    stored = models.Customer._meta.fields[field].db_value(value)
    stamp = models.Customer._meta.fields["modified_at"].db_value(at)
    low, high = _db().execute_sql(
        f"SELECT MIN(id), MAX(id) FROM {rows} WHERE run_id = {_db().param}", [run]).fetchone()
    # The JSON of every history row but its old value, which SQL quotes (dialect.json_text).
    head = json.dumps({field: [None, None]}, ensure_ascii=False).split("null", 1)[0]
    tail = ", " + json.dumps(history.plain(value), ensure_ascii=False) + "]}"
    log = (f"INSERT INTO {models.ChangeLog._meta.table_name} "
           "(at, who, action, entity, entity_code, changes, batch) "
           f"SELECT ?, ?, 'batch', ?, code, ? || {dialect.json_text('old', current().dialect)} || ?, ? "
           f"FROM {rows} WHERE run_id = ? AND outcome = 'changed' AND id >= ? AND id < ? ORDER BY id")
    weights = completeness.weights()
    also, also_params, log_params = "", [], [head, tail]
    if field == "region":  # 所属地区码 follows the text (db.values.regions.reconcile)
        found = regions.match(stored) if stored else None
        code = found.code if found else ""
        also, also_params = " region_code = ?,", [code]
        log, log_params = _region_log(rows, code, head, tail)
    done = changed = 0
    for start in range(low, high + 1, CHUNK):
        end = start + CHUNK
        # The history first: a region's row reads the code it replaces from the customer.
        _sql(log, [stamp, who, customers.ENTITY, *log_params, tag(run), run, start, end])
        changed += _sql(f"UPDATE {cust} SET {column} = ?,{also} version = version + 1, modified_by = ?, "
                        f"modified_at = ? WHERE id IN (SELECT customer_id FROM {rows} WHERE "
                        "run_id = ? AND outcome = 'changed' AND id >= ? AND id < ?)",
                        [stored, *also_params, who, stamp, run, start, end])
        if field == "region":  # the rule province → 地区分类 class, as the card's save keeps it
            p = _db().param
            region_classes.fill_among(f"c.id IN (SELECT customer_id FROM {rows} WHERE run_id = {p} AND "
                                      f"outcome = 'changed' AND id >= {p} AND id < {p})",
                                      [run, start, end], "batch", tag(run))
        if column in completeness.COLUMNS:
            p = _db().param
            completeness.refresh(f"id IN (SELECT customer_id FROM {rows} WHERE run_id = {p} AND "
                                 f"outcome = 'changed' AND id >= {p} AND id < {p})",
                                 [run, start, end], weights)
        if field in MIRRORED:
            subrecords.sync_from_card(models.Customer.id.in_(BatchRow.select(BatchRow.customer_id).where(
                BatchRow.run == run, BatchRow.outcome == "changed", BatchRow.id >= start,
                BatchRow.id < end)))
        done = min(total, done + CHUNK)
        report(done, total)
    return changed


def _region_log(rows: str, code: str, head: str, tail: str) -> tuple[str, list]:
    """The history statement of a batch of 所属地区: {region: [old, new]}, and
    region_code: [old, new] as well where the code changes with the text."""
    dialect_name = current().dialect
    old_text, old_code = (dialect.json_text(e, dialect_name) for e in ("r.old", "c.region_code"))
    # {"region": [OLD, "new"], "region_code": [OLD, "code"]}: the parts around the two olds,
    # from the region's own (head, tail: '{"region": [' and ', "new"]}').
    first, middle = head, tail[:-1] + ', "region_code": ['
    last = ", " + json.dumps(code, ensure_ascii=False) + "]}"
    sql = (f"INSERT INTO {models.ChangeLog._meta.table_name} "
           "(at, who, action, entity, entity_code, changes, batch) "
           f"SELECT ?, ?, 'batch', ?, r.code, CASE WHEN c.region_code = ? THEN ? || {old_text} || ? "
           f"ELSE ? || {old_text} || ? || {old_code} || ? END, ? "
           f"FROM {rows} r JOIN {models.Customer._meta.table_name} c ON c.id = r.customer_id "
           "WHERE r.run_id = ? AND r.outcome = 'changed' AND r.id >= ? AND r.id < ? ORDER BY r.id")
    return sql, [code, head, tail, first, middle, last]


def _forget_old_runs() -> None:
    """Drop the result rows of all but the newest KEEP_RUNS - 1 runs (their history stays)."""
    cutoff = (BatchRun.select(BatchRun.id).order_by(BatchRun.id.desc())
              .offset(KEEP_RUNS - 2).limit(1).scalar())
    if cutoff is not None:
        BatchRow.delete().where(BatchRow.run < cutoff).execute()
        BatchRun.delete().where(BatchRun.id < cutoff).execute()


def result(run: int) -> BatchResult:
    """A run's counts: changed, and skipped by reason."""
    head = BatchRun.get_or_none(BatchRun.id == run)
    if head is None:
        raise RuleError("batch.unknown", run=run)
    skipped = dict(BatchRow.select(BatchRow.reason, fn.COUNT(BatchRow.id))
                   .where(BatchRow.run == run, BatchRow.outcome == "skipped")
                   .group_by(BatchRow.reason).tuples())
    return BatchResult(run, tag(run), head.field, head.value, head.total, head.changed, skipped)


def rows(run: int, outcome: str | None = None, after_id: int | None = None,
         limit: int = PAGE) -> list[ResultRow]:
    """One page of a run's result list in the order the rows were targeted; `outcome`
    ("changed" / "skipped") narrows it."""
    query = BatchRow.select().where(BatchRow.run == run)
    if outcome:
        query = query.where(BatchRow.outcome == outcome)
    if after_id is not None:
        query = query.where(BatchRow.id > after_id)
    return [ResultRow(r.id, r.code, r.outcome, r.reason, r.old)
            for r in query.order_by(BatchRow.id).limit(limit)]


def discard(run: int) -> None:
    """Drop a run's result rows (the result list closed); its history stays."""
    with writing():
        BatchRow.delete().where(BatchRow.run == run).execute()
        BatchRun.delete().where(BatchRun.id == run).execute()
