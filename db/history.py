"""操作日志: every change recorded in the same transaction as the change itself, and read
back newest first (a card's 历史 tab, the history screen, `kehu log`).

Reading pages by key: each page asks for the rows before the last id it showed, so the
history screen costs the same at its millionth row as at its first.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from dataclasses import dataclass

from db import clock
from db.models import ChangeLog

# The key under which a history row of a merged customer keeps the code it was written
# for (db.merge re-points the source's rows to the target's code).
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

