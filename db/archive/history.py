"""操作日志: every change recorded in the same transaction as the change itself, and read
back newest first (a card's 历史 tab, the history screen, `kehu log`).

Reading pages by key: each page asks for the rows before the last id it showed, so the
history screen costs the same at its millionth row as at its first.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import NamedTuple

from db.core import clock
from db.core.models import ChangeLog

# The key under which a history row of a merged customer keeps the code it was written
# for (db.archive.merge re-points the source's rows to the target's code).
ORIGIN = "@code"
# The key of a merge row's changes listing the codes merged into the target: (None, [codes]).
MERGED = "@merged"
PAGE = 100


def plain(value):
    """A value as the history writes it in JSON (dates ISO, decimals as text)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def record(action: str, entity: str, code: str, changes: dict, batch: str = "") -> None:
    """Write one history row: `changes` maps each field to [old, new]. Call inside the
    transaction that makes the change, so both land or neither does."""
    ChangeLog.create(
        at=clock.now(), who=clock.user(), action=action, entity=entity, entity_code=code,
        changes=json.dumps({k: [plain(o), plain(n)] for k, (o, n) in changes.items()},
                           ensure_ascii=False),
        batch=batch,
    )



def record_many(action: str, entity: str, items, batch: str = "", chunk: int = 5000) -> int:
    """Write one history row per (code, changes) of `items` (any iterable, consumed in
    chunks), all with one time and one user. For batch operations over many rows: a plain
    executemany, since building a model per row would cost more than the change itself.
    Call inside the change's transaction. Returns the number of rows written."""
    db = ChangeLog._meta.database
    columns = ("at", "who", "action", "entity", "entity_code", "changes", "batch")
    sql = (f'INSERT INTO {ChangeLog._meta.table_name} ({", ".join(columns)}) '
           f'VALUES ({", ".join([db.param] * len(columns))})')
    at, who = ChangeLog.at.db_value(clock.now()), clock.user()
    written = 0
    rows = []
    cursor = db.cursor()
    for code, changes in items:
        rows.append((at, who, action, entity, code,
                     json.dumps({k: [plain(o), plain(n)] for k, (o, n) in changes.items()},
                                ensure_ascii=False), batch))
        if len(rows) >= chunk:
            cursor.executemany(sql, rows)
            written += len(rows)
            rows = []
    if rows:
        cursor.executemany(sql, rows)
        written += len(rows)
    return written


class Entry(NamedTuple):
    """One history row: `changes` maps each field to (old, new) as written (dates ISO);
    `origin` is the code the row was first written for when a merge moved it ("" otherwise)."""

    id: int
    at: dt.datetime
    who: str
    action: str
    entity: str
    code: str
    changes: dict
    batch: str
    origin: str = ""


def _entry(row) -> Entry:
    changes = json.loads(row.changes or "{}")
    origin = changes.pop(ORIGIN, "")
    at = row.at if isinstance(row.at, dt.datetime) else dt.datetime.fromisoformat(str(row.at))
    return Entry(row.id, at, row.who, row.action, row.entity, row.entity_code,
                 {k: tuple(v) if isinstance(v, list) and len(v) == 2 else (None, v)
                  for k, v in changes.items()},
                 row.batch, origin)


def _day_start(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def for_entity(entity: str, code: str, limit: int = PAGE, before_id: int | None = None) -> list[Entry]:
    """The history of one row (a customer's 历史 tab: entity "customer"), newest first."""
    query = ChangeLog.select().where(ChangeLog.entity == entity, ChangeLog.entity_code == code)
    if before_id is not None:
        query = query.where(ChangeLog.id < before_id)
    return [_entry(r) for r in query.order_by(ChangeLog.id.desc()).limit(limit)]


def recent(who: str | None = None, since: dt.date | dt.datetime | None = None,
           until: dt.date | dt.datetime | None = None, limit: int = PAGE,
           before_id: int | None = None, entity: str | None = None,
           code: str | None = None) -> list[Entry]:
    """Changes across the archive, newest first: by `who` (exact user name), from `since`
    to `until` (dates include the whole day), of one `entity` kind (and one `code` of it);
    the page after `before_id` (the last id of the previous page)."""
    query = ChangeLog.select()
    if code:
        query = query.where(ChangeLog.entity == (entity or "customer"), ChangeLog.entity_code == code)
    if who:
        query = query.where(ChangeLog.who == who)
    if since is not None:
        query = query.where(ChangeLog.at >= _day_start(since))
    if isinstance(until, dt.datetime):
        query = query.where(ChangeLog.at <= until)
    elif until is not None:
        query = query.where(ChangeLog.at < _day_start(until) + dt.timedelta(days=1))
    if entity:
        query = query.where(ChangeLog.entity == entity)
    if before_id is not None:
        query = query.where(ChangeLog.id < before_id)
    return [_entry(r) for r in query.order_by(ChangeLog.id.desc()).limit(limit)]


def people() -> list[str]:
    """Everyone who appears in the history (the history screen's person filter)."""
    return [r.who for r in ChangeLog.select(ChangeLog.who).distinct().order_by(ChangeLog.who)]


def watermark() -> int:
    """The newest history id: taken when rows are marked, handed to db.lists.batch.apply, which
    skips every customer changed after it (marks made by a list query carry no versions)."""
    row = ChangeLog.select(ChangeLog.id).order_by(ChangeLog.id.desc()).first()
    return row.id if row else 0
