"""peewee without psycopg2 until a PostgreSQL archive is opened.

peewee imports psycopg2 as it is imported itself whenever psycopg2 is installed (the postgres
and test extras install it): 10-20 ms of every start of `kehu` and `kehu find`, for a driver
an SQLite archive never uses. So peewee is first imported with psycopg2 hidden, and
`postgres()` hands it psycopg2 as its own import would have, when a server URL is opened.
"""
from __future__ import annotations

import sys


def import_peewee() -> None:
    """Import peewee (once) without letting it load psycopg2."""
    if "peewee" in sys.modules:
        return
    hide = "psycopg2" not in sys.modules
    if hide:
        sys.modules["psycopg2"] = None  # `import psycopg2` now raises ImportError
    try:
        import peewee  # noqa: F401
    finally:
        if hide:
            del sys.modules["psycopg2"]


def postgres() -> None:
    """Give peewee psycopg2, doing what peewee's import does when it finds the driver (its
    module globals and the adapter's transaction states). Without psycopg2 installed, peewee
    keeps reporting the missing driver itself."""
    import peewee

    if peewee.psycopg2 is not None:
        return
    try:
        import psycopg2
        from psycopg2 import extensions
        from psycopg2.extras import Json, register_uuid
    except ImportError:
        return
    register_uuid()
    peewee.psycopg2, peewee.pg_extensions, peewee.Json_pg2 = psycopg2, extensions, Json
    adapter = peewee.Psycopg2Adapter
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
