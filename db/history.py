"""操作日志: every change recorded in the same transaction as the change itself."""
from __future__ import annotations

import datetime as dt
import decimal
import json

from db import clock
from db.models import ChangeLog


def _plain(value):
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
        changes=json.dumps({k: [_plain(o), _plain(n)] for k, (o, n) in changes.items()},
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
                     json.dumps({k: [_plain(o), _plain(n)] for k, (o, n) in changes.items()},
                                ensure_ascii=False), batch))
        if len(rows) >= chunk:
            cursor.executemany(sql, rows)
            written += len(rows)
            rows = []
    if rows:
        cursor.executemany(sql, rows)
        written += len(rows)
    return written
