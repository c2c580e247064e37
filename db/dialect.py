"""Everything that differs between SQLite and PostgreSQL, in one place.

Locate needs a substring index that is right for 1- and 2-character Chinese fragments:
- SQLite: an FTS5 table holding each name one character per token, searched as a phrase
  (SQLite 3.40's trigram tokenizer returns a wrong empty result below 3 characters).
- PostgreSQL: pg_trgm GIN indexes on name and short name.
"""
from __future__ import annotations

from db import models

FTS_TABLE = "customer_fts"


def install(store) -> None:
    """Create the dialect's search structures (called inside the schema transaction)."""
    db = models.database
    if store.dialect == "sqlite":
        db.execute_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "chars, tokenize = 'unicode61 remove_diacritics 0')"
        )
    else:
        db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in ("name", "short_name"):
            db.execute_sql(
                f"CREATE INDEX IF NOT EXISTS customer_{column}_trgm "
                f"ON customer USING gin ({column} gin_trgm_ops)"
            )
