"""The store: the one door through which the app and the shell reach the archive.

`open_store(url)` opens SQLite (a path or sqlite:/// URL) or PostgreSQL (postgresql:// URL),
creates or migrates the schema, and returns a `Store`. The layers below, each importing only
those beneath it:

- core: models, errors, clock, drivers, dialect, the session (Store, current, writing)
- values: fields, columns, coding, dates, money, mnemonic: values and their rules
- archive: classes, dimensions, customers, sales, history, search, merge
- lists: paging and selections, batch modify of a selection
- transfer: tabular files, export, import
- evaluation: rules, statistics, health check
- demo: the demo archive
- schema, opening: create, migrate, open
"""
from db.core import drivers

drivers.import_peewee()  # first, before any module below imports peewee

from db.core.errors import ConflictError, RuleError, StoreError  # noqa: E402
from db.core.session import Store  # noqa: E402
from db.opening import default_url, open_store  # noqa: E402

__all__ = ["ConflictError", "RuleError", "Store", "StoreError", "default_url", "open_store"]
