"""Everything that differs between SQLite and PostgreSQL, in one place.

Locate needs a substring index that is right for 1- and 2-character Chinese fragments:
- SQLite: an FTS5 table holding name and short name one character per token, searched as a
  phrase (SQLite 3.40's trigram tokenizer returns a wrong empty result below 3 characters).
  Two columns, so a phrase never runs from the end of the name into the short name.
- PostgreSQL: ILIKE '%x%' served by pg_trgm GIN indexes on name and short name (below 3
  characters pg_trgm cannot narrow, but the answer stays right).

The locate statements are built here as plain SQL text with their parameters, so the
benchmark can run the very same statement through the raw driver.
"""
from __future__ import annotations

from db import models

FTS_TABLE = "customer_fts"

# What a locate hit carries, in this order (db.search.Hit follows it).
MAX_CODE_POINT = 0x10FFFF

HIT_COLUMNS = ("id", "code", "short_name", "name", "class_code", "region", "phone", "mnemonic")


def install(store) -> None:
    """Create the dialect's search structures (called inside the schema transaction)."""
    db = models.database
    if store.dialect == "sqlite":
        # columnsize=0: no per-row size table (about 10 MB at 1,000,000 names); locate never
        # ranks by bm25, it orders by code, mnemonic or rowid.
        db.execute_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "name, short_name, columnsize = 0, tokenize = 'unicode61 remove_diacritics 0')"
        )
    else:
        db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in ("name", "short_name"):
            db.execute_sql(
                f"CREATE INDEX IF NOT EXISTS customer_{column}_trgm "
                f"ON customer USING gin ({column} gin_trgm_ops)"
            )


def _param(dialect: str) -> str:
    return "?" if dialect == "sqlite" else "%s"


def _select(p: str, active_only: bool) -> tuple[str, str]:
    cols = ", ".join(f"c.{name}" for name in HIT_COLUMNS)
    return cols, (f" AND (c.stop_date IS NULL OR c.stop_date > {p})" if active_only else "")


def _next_prefix(prefix: str) -> str | None:
    """The smallest string above every string starting with `prefix` in code point order
    (SQLite's BINARY collation), None when there is none."""
    head = prefix.rstrip(chr(MAX_CODE_POINT))
    if not head:
        return None
    following = ord(head[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be encoded: jump over them
        following = 0xE000
    return head[:-1] + chr(following)


def _like_pattern(text: str, *, contains: bool) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%" if contains else f"{escaped}%"


def _tail(active_only: bool, today: str, limit: int) -> list:
    return ([today] if active_only else []) + [limit]


def prefix_query(dialect: str, column: str, prefix: str, *, active_only: bool, today: str,
                 limit: int) -> tuple[str, list]:
    """Rows whose `column` (code or mnemonic, each with its own index) starts with `prefix`,
    in that column's order.

    SQLite: a range on the index (LIKE would need case_sensitive_like to use it).
    PostgreSQL: LIKE 'x%', which a btree serves under the C collation; otherwise the planner
    walks the index in order and stops at the limit."""
    p = _param(dialect)
    cols, active = _select(p, active_only)
    if dialect == "sqlite":
        where, params = f"c.{column} >= {p}", [prefix]
        upper = _next_prefix(prefix)
        if upper is not None:
            where, params = where + f" AND c.{column} < {p}", params + [upper]
    else:
        where, params = f"c.{column} LIKE {p} ESCAPE '\\'", [_like_pattern(prefix, contains=False)]
    # Ordered by the column alone, which its index serves; adding a tie-break would sort
    # every match (a one-letter mnemonic matches a quarter of the archive).
    sql = f"SELECT {cols} FROM customer c WHERE {where}{active} ORDER BY c.{column} LIMIT {p}"
    return sql, params + _tail(active_only, today, limit)


def fts_phrase(chars: list[str]) -> str:
    """An FTS5 phrase matching these characters in a row. Inside a quoted FTS5 string every
    character is literal except the quote itself, which is doubled: no user input can reach
    the FTS5 query syntax (AND, OR, NOT, *, ^, :, parentheses, column filters)."""
    return '"' + " ".join(ch.replace('"', '""') for ch in chars) + '"'


def fragment_query(dialect: str, text: str, chars: list[str], *, active_only: bool, today: str,
                   limit: int) -> tuple[str, list]:
    """Rows whose name or short name contains `text` (`chars`: its characters the FTS index
    holds as tokens), in rowid order: the index hands them out in that order, so a fragment
    that matches 100,000 rows stops after `limit` without sorting them."""
    p = _param(dialect)
    cols, active = _select(p, active_only)
    if dialect == "sqlite":
        # CROSS JOIN keeps the FTS table outermost: SQLite never turns it into a scan of
        # customer probing the index once per row.
        sql = (f"SELECT {cols} FROM {FTS_TABLE} CROSS JOIN customer c ON c.id = {FTS_TABLE}.rowid "
               f"WHERE {FTS_TABLE} MATCH {p}{active} ORDER BY {FTS_TABLE}.rowid LIMIT {p}")
        return sql, [fts_phrase(chars)] + _tail(active_only, today, limit)
    pattern = _like_pattern(text, contains=True)
    sql = (f"SELECT {cols} FROM customer c "
           f"WHERE (c.name ILIKE {p} ESCAPE '\\' OR c.short_name ILIKE {p} ESCAPE '\\'){active} "
           f"ORDER BY c.id LIMIT {p}")
    return sql, [pattern, pattern] + _tail(active_only, today, limit)
