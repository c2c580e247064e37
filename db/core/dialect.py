"""Everything that differs between SQLite and PostgreSQL, in one place.

Locate needs a substring index that is right for 1- and 2-character Chinese fragments
(SQLite 3.40's trigram tokenizer returns a wrong empty result below 3 characters) and fast
for every fragment:
- SQLite: an FTS5 table whose name and short_name columns hold each name as its pieces:
  every pair of neighbouring characters, then the last character alone ("北京华联" ->
  "北京 京华 华联 联"). A 2-character fragment is one token; a longer one is a phrase of its
  pairs (neighbouring positions = neighbouring characters); a 1-character fragment is a
  prefix query served by the 1-character prefix index (every character starts a piece).
  Pairs rather than single characters: a phrase of single characters must intersect the
  long position lists of two frequent characters that may never stand together (司有: 司
  and 有 are in every 有限公司), where a pair is one short list. Two columns, so a phrase
  never runs from the end of the name into the short name.
- PostgreSQL: ILIKE '%x%' served by pg_trgm GIN indexes on name and short name (below 3
  characters pg_trgm cannot narrow, but the answer stays right).

The locate statements are built here as plain SQL text with their parameters, so the
benchmark can run the very same statement through the raw driver.
"""
from __future__ import annotations

from db.core import models

FTS_TABLE = "customer_fts"

MAX_CODE_POINT = 0x10FFFF

# PostgreSQL compares text by the database's collation, where a locale such as en_US or an
# ICU one ignores punctuation and orders "~" before digits. The class ranges
# ([code, code || '~'), db.archive.classes.HIGH), the lists ordered by code and the prefix LIKE of
# locate need code-point order, what SQLite's BINARY gives, so these columns are pinned to
# COLLATE "C" whatever locale the database was created with (their indexes follow the
# column). Names keep the database's collation. `.ci/postgres.sh` makes its test cluster
# with the C locale as well.
C_COLLATED = ((models.Customer, "code"), (models.Customer, "class_code"),
              (models.Customer, "mnemonic"), (models.CustomerClass, "code"),
              (models.Membership, "class_code"), (models.Membership, "customer_code"),
              (models.Proposal, "customer_code"))

# What a locate hit carries, in this order (db.archive.search.Hit follows it).
HIT_COLUMNS = ("id", "code", "short_name", "name", "class_code", "region", "phone", "mnemonic")


def install(store) -> None:
    """Create the dialect's search structures (called inside the schema transaction)."""
    db = models.database
    if store.dialect == "sqlite":
        create_fts()
    else:
        for model, name in C_COLLATED:
            field = getattr(model, name)
            db.execute_sql(f'ALTER TABLE {model._meta.table_name} ALTER COLUMN {field.column_name} '
                           f'TYPE varchar({field.max_length}) COLLATE "C"')
        db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in ("name", "short_name"):
            db.execute_sql(
                f"CREATE INDEX IF NOT EXISTS customer_{column}_trgm "
                f"ON customer USING gin ({column} gin_trgm_ops)"
            )


def create_fts() -> None:
    """The SQLite substring index (db.archive.search writes it).

    prefix = 1: FTS5 counts prefix lengths in characters, so this indexes the first character
    of every piece, so a 1-character fragment is one index seek instead of a scan of terms.
    columnsize = 0: no per-row size table (10 MB); locate never ranks by bm25.
    content = '': the pieces are not stored a second time, only indexed. Locate reads rowids
    alone, and a row is taken out with the 'delete' command and the pieces it went in with.
    An import of 100,000 customers writes the index in about 60% of the time.
    hashsize: the terms FTS5 gathers in memory before writing a segment (default 1 MB). At
    16 MB a bulk write makes a few large segments instead of merging many small ones.
    """
    db = models.database
    db.execute_sql(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
                   "name, short_name, prefix = 1, columnsize = 0, content = '', "
                   "tokenize = 'unicode61 remove_diacritics 0')")
    db.execute_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('hashsize', {16 << 20})")


def sqlite_indexes(conn, tables: tuple[str, ...]) -> list[str]:
    """The CREATE INDEX statements of these SQLite tables (not the automatic ones), to drop
    around a bulk load and create again after it: building an index once over sorted data
    is faster than keeping it in step row by row."""
    marks = ", ".join("?" * len(tables))
    return [sql for (sql,) in conn.execute(
        f"SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
        tables)]


def drop_sqlite_index(conn, create_sql: str) -> None:
    """Drop the index `create_sql` (one of `sqlite_indexes`) makes."""
    conn.execute(f"DROP INDEX {create_sql.split(' ON ')[0].split()[-1]}")


def json_text(expr: str, dialect: str) -> str:
    """SQL for the JSON text of a text expression ("null" for NULL), characters unescaped
    as json.dumps(..., ensure_ascii=False) writes them: history rows written in SQL."""
    if dialect == "sqlite":
        return f"json_quote({expr})"
    return f"COALESCE(CAST(to_json({expr}) AS TEXT), 'null')"


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


def searchable(text: str) -> list[str]:
    """The characters the index keeps: letters and digits of any script. Spaces and
    punctuation are left out of names and queries alike, so 北京 华联 is found by 京华."""
    return [ch for ch in text if ch.isalnum()]


def pieces(text: str) -> str:
    """A name as the SQLite index holds it: "北京华联" -> "北京 京华 华联 联"."""
    if not text.isalnum():  # most names are letters and digits only: no need to filter
        text = "".join(searchable(text))
        if not text:
            return ""
    return " ".join([*map(str.__add__, text, text[1:]), text[-1]])


def short_pieces(name: str, short_name: str) -> str:
    """The short name as the SQLite index holds it: "" when its characters run inside the
    name already (遵义聚丰 in 遵义聚丰饮料有限公司, 李敏 in 李敏), since every fragment of it is
    then a fragment of the name, which the index holds. Locate finds the same customers and
    the index has about a quarter fewer tokens to write."""
    if short_name.isalnum() and name.isalnum():  # nearly every name: nothing to filter out
        return "" if short_name in name else pieces(short_name)
    short = "".join(searchable(short_name))
    return "" if short in "".join(searchable(name)) else pieces(short)


def fts_match(text: str) -> str | None:
    """The FTS5 query for names containing `text`, None when it has nothing searchable.

    Inside a quoted FTS5 string every character is literal except the quote itself, which is
    doubled (and `searchable` already drops it): no user input reaches the FTS5 query
    syntax (AND, OR, NOT, *, ^, :, parentheses, column filters)."""
    chars = searchable(text)
    if not chars:
        return None
    if len(chars) == 1:
        return '"' + chars[0].replace('"', '""') + '"*'
    pairs = " ".join(a + b for a, b in zip(chars, chars[1:]))
    return '"' + pairs.replace('"', '""') + '"'


def fragment_query(dialect: str, text: str, *, active_only: bool, today: str,
                   limit: int) -> tuple[str, list] | None:
    """Rows whose name or short name contains `text`, in rowid order (the order the index
    hands them out, so a fragment matching 100,000 rows stops after `limit` without sorting
    them); None when `text` has nothing to search for."""
    p = _param(dialect)
    cols, active = _select(p, active_only)
    if dialect == "sqlite":
        # CROSS JOIN keeps the FTS table outermost: SQLite never turns it into a scan of
        # customer probing the index once per row.
        sql = (f"SELECT {cols} FROM {FTS_TABLE} CROSS JOIN customer c ON c.id = {FTS_TABLE}.rowid "
               f"WHERE {FTS_TABLE} MATCH {p}{active} ORDER BY {FTS_TABLE}.rowid LIMIT {p}")
        match = fts_match(text)
        return None if match is None else (sql, [match] + _tail(active_only, today, limit))
    pattern = _like_pattern(text, contains=True)
    sql = (f"SELECT {cols} FROM customer c "
           f"WHERE (c.name ILIKE {p} ESCAPE '\\' OR c.short_name ILIKE {p} ESCAPE '\\'){active} "
           f"ORDER BY c.id LIMIT {p}")
    return sql, [pattern, pattern] + _tail(active_only, today, limit)
