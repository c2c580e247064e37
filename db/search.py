"""Locate (定位): code prefix, any fragment of the name or short name, or the mnemonic.

The substring index (SQLite) is an FTS5 table holding name and short name one character per
token, so a 1- or 2-character Chinese fragment is a phrase query that the index answers
exactly (SQLite 3.40's trigram tokenizer wrongly answers nothing below 3 characters). Every
write of a customer's name goes through `index` / `unindex` in the same transaction.
"""
from __future__ import annotations

from db import models
from db.dialect import FTS_TABLE


def spaced(text: str) -> str:
    """One token per character: "北京华联" -> "北 京 华 联"."""
    return " ".join(ch for ch in text if not ch.isspace())


def _on_sqlite() -> bool:
    from db.store import current

    return current().dialect == "sqlite"


def index(customer_id: int, name: str, short_name: str) -> None:
    """Put (or replace) one customer's names in the substring index."""
    if not _on_sqlite():
        return  # PostgreSQL's trigram indexes follow the table by themselves
    models.database.execute_sql(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", (customer_id,))
    models.database.execute_sql(
        f"INSERT INTO {FTS_TABLE}(rowid, chars) VALUES (?, ?)",
        (customer_id, spaced(name) + " | " + spaced(short_name)))


def unindex(customer_id: int) -> None:
    if _on_sqlite():
        models.database.execute_sql(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", (customer_id,))


def rebuild() -> None:
    """Rebuild the whole substring index from the customer table (after a bulk load).

    Runs in the caller's transaction; the spacing is done by a Python function registered on
    the connection, so the rows never pass through Python objects one by one."""
    if not _on_sqlite():
        return
    db = models.database
    conn = db.connection()
    conn.create_function("kehu_spaced", 1, lambda s: spaced(s or ""), deterministic=True)
    db.execute_sql(f"DELETE FROM {FTS_TABLE}")
    db.execute_sql(
        f"INSERT INTO {FTS_TABLE}(rowid, chars) "
        "SELECT id, kehu_spaced(name) || ' | ' || kehu_spaced(short_name) FROM customer")
