"""The store: the one door through which the app and the shell reach the archive.

`open_store(url)` opens SQLite (a path or sqlite:/// URL) or PostgreSQL (postgresql:// URL)
through playhouse.db_url, creates or migrates the schema, and returns a `Store`. The rules
live in the modules beside this one (coding, classes, customers, search, ...) and work on the
models of `db.models`, which are bound to the opened database.
"""
from db import drivers

drivers.import_peewee()  # first, before any module below imports peewee

from db.errors import ConflictError, RuleError, StoreError  # noqa: E402
from db.store import Store, default_url, open_store  # noqa: E402

__all__ = ["ConflictError", "RuleError", "Store", "StoreError", "default_url", "open_store"]
