"""Locate (定位): code prefix, any fragment of the name or short name, or the mnemonic.

The substring index (SQLite) is an FTS5 table holding name and short name as their pieces
(pairs of neighbouring characters, db.core.dialect explains), so 1- and 2-character Chinese
fragments are answered exactly (SQLite 3.40's trigram tokenizer wrongly answers nothing below
3 characters). Every write of a customer's name goes through `index` / `unindex` in the same
transaction. On PostgreSQL the pieces are a generated column of the customer row, which
follows every write by itself: these functions do nothing there.

Each kind of match is one indexed query that stops at the limit, so locate costs the same
for a fragment matching 3 names or 100,000 (measured in `make bench`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from db.archive import scope
from db.core import clock, dialect, models
from db.core.dialect import FTS_TABLE, pieces, short_pieces
from db.core.session import current

@dataclass(frozen=True)
class Hit:
    """One customer found; the fields are db.core.dialect.HIT_COLUMNS in order, then `matched`."""

    id: int
    code: str
    short_name: str
    name: str
    class_code: str
    region: str
    phone: str
    mnemonic: str
    matched: str  # "code", "mnemonic", "name" or "contact"
    contact: str = ""  # matched "contact": the contact person's name


def _dialect() -> str:
    return current().dialect


def index(customer_id: int, name: str, short_name: str) -> None:
    """Put one customer's names in the substring index (a new customer, or after `unindex`
    of the names it had)."""
    index_many([(customer_id, name, short_name)])


def unindex(customer_id: int, name: str, short_name: str) -> None:
    """Take one customer out of the substring index. The index keeps no copy of the names
    (db.core.dialect.create_fts), so it is told the ones it was given: the customer's names as
    they are before the change that calls for this."""
    unindex_many([(customer_id, name, short_name)])


_INSERT = f"INSERT INTO {FTS_TABLE}(rowid, name, short_name)"
_DELETE = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, name, short_name)"


def index_many(rows: list[tuple[int, str, str]]) -> None:
    """Index customers: (id, name, short name) each, cut into pieces here and written with
    one executemany. Runs in the caller's transaction."""
    _write_many(f"{_INSERT} VALUES (?, ?, ?)", rows)


def unindex_many(rows: list[tuple[int, str, str]]) -> None:
    """Take customers out of the index: (id, name, short name) each, as they were indexed."""
    _write_many(f"{_DELETE} VALUES ('delete', ?, ?, ?)", rows)


def _write_many(sql: str, rows: list[tuple[int, str, str]]) -> None:
    if _dialect() != "sqlite" or not rows:
        return  # PostgreSQL's customer.pieces is generated from the row itself
    models.database.cursor().executemany(
        sql, [(i, pieces(name), short_pieces(name, short)) for i, name, short in rows])


def _with_pieces():
    """The database, with `pieces` and `short_pieces` registered as the SQL functions
    kehu_pieces and kehu_short_pieces, so the bulk paths cut names inside one INSERT ...
    SELECT instead of fetching rows into Python."""
    db = models.database
    connection = db.connection()
    connection.create_function("kehu_pieces", 1, lambda s: pieces(s or ""), deterministic=True)
    connection.create_function("kehu_short_pieces", 2, lambda n, s: short_pieces(n or "", s or ""),
                               deterministic=True)
    return db


_PIECES = "id, kehu_pieces(name), kehu_short_pieces(name, short_name) FROM customer"


def unindex_codes(codes: list[str], chunk: int = 500) -> None:
    """`unindex` the customers with these codes, before a bulk rename changes their names."""
    _by_codes(f"{_DELETE} SELECT 'delete', {_PIECES}", codes, chunk)


def index_codes(codes: list[str], chunk: int = 500) -> None:
    """`index` the customers with these codes, after a bulk rename (and `unindex_codes`)."""
    _by_codes(f"{_INSERT} SELECT {_PIECES}", codes, chunk)


def _by_codes(sql: str, codes: list[str], chunk: int) -> None:
    if _dialect() != "sqlite" or not codes:
        return
    db = _with_pieces()
    for start in range(0, len(codes), chunk):
        part = codes[start:start + chunk]
        db.execute_sql(f"{sql} WHERE code IN ({', '.join('?' * len(part))})", part)


def rebuild() -> None:
    """Make the whole substring index anew from the customer table (after a bulk load, and
    to bring an older archive's index to the current definition).

    Runs in the caller's transaction; the names are cut into pieces by a Python function
    registered on the connection, so the rows never pass through Python objects one by one.
    The final 'optimize' merges the index into one segment."""
    if _dialect() != "sqlite":
        return
    db = _with_pieces()
    db.execute_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    dialect.create_fts()
    db.execute_sql(f"{_INSERT} SELECT {_PIECES}")
    db.execute_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


def _clean(query: str) -> str:
    """The query as it can be searched: trimmed, without characters no database can store
    (lone surrogates from a broken paste; NUL, which PostgreSQL text refuses)."""
    return "".join(ch for ch in query if ch != "\x00" and not 0xD800 <= ord(ch) <= 0xDFFF).strip()


def statements(query: str, limit: int = 50, include_stopped: bool = False) -> list[tuple[str, str, list]]:
    """The (kind, sql, params) locate runs for `query`, in the order its results are listed.

    Public so the benchmark can time the same SQL through the raw driver."""
    text = _clean(query)
    if not text or limit <= 0:
        return []
    name = _dialect()
    common = dict(active_only=not include_stopped, today=clock.today().isoformat(), limit=limit)
    found = [("code", *dialect.prefix_query(name, "code", text, **common)),
             ("mnemonic", *dialect.prefix_query(name, "mnemonic", text.lower(), **common))]
    frequency = None if name == "sqlite" else _frequencies().share
    found += [("name", *statement)
              for statement in dialect.fragment_query(name, text, frequency=frequency, **common)]
    inside = scope.condition("c")
    if inside is None:
        return found
    # The operator's data permission, inside each statement before its ORDER BY (each has
    # one, and a LIMIT as its last parameter), so the limit counts only rows in scope.
    return [(kind, sql.replace(" ORDER BY ", f" AND {inside[0]} ORDER BY ", 1),
             params[:-1] + inside[1] + params[-1:]) for kind, sql, params in found]


class _Shares:
    """The share of customers holding each of the most common pieces (PostgreSQL's
    statistics of customer.pieces, the 1,000 most common at the default statistics target),
    so locate chooses how to read a fragment (db.core.dialect.fragment_query)."""

    def __init__(self, rows: list[tuple[str, float]]):
        self.of = dict(rows)

    def share(self, lexeme: str) -> float | None:
        """None: not among the most common, so rarer than all of them."""
        return self.of.get(lexeme)


_shares: dict[str, tuple[float, _Shares]] = {}
SHARES_TTL = 600.0  # seconds: ANALYZE (autovacuum's, after enough writes) renews the statistics


def _frequencies() -> _Shares:
    store = current()
    now = time.monotonic()
    held = _shares.get(store.url)
    if held is None or now - held[0] > SHARES_TTL:
        sql = ("SELECT e.lexeme, e.share FROM pg_stats s, unnest(CAST(CAST(s.most_common_elems AS text) AS text[]), "
               "s.most_common_elem_freqs) AS e(lexeme, share) WHERE s.schemaname = current_schema() "
               f"AND s.tablename = 'customer' AND s.attname = '{dialect.PIECES_COLUMN}'")
        rows = [(lexeme, share) for lexeme, share in models.database.execute_sql(sql) if lexeme]
        held = _shares[store.url] = (now, _Shares(rows))
    return held[1]


def locate(query: str, limit: int = 50, include_stopped: bool = False) -> list[Hit]:
    """Customers matching `query`: exact code, then code prefix (in code order), then
    mnemonic prefix, then name or short-name fragment (in the order they were added), each
    customer once, at most `limit`. Stopped customers (停用日期 on or before today) only
    with `include_stopped`. Codes are stored as typed, so a query that finds nothing is
    tried once more in upper case: `c00120` finds C00120 (the case users type codes in)."""
    hits = _matches(query, limit, include_stopped)
    if not hits and query.upper() != query:
        hits = _matches(query.upper(), limit, include_stopped)
    return hits


def _matches(query: str, limit: int, include_stopped: bool) -> list[Hit]:
    hits: list[Hit] = []
    seen: set[int] = set()
    for kind, sql, params in statements(query, limit, include_stopped):
        # Each kind fetches `limit` rows: after dropping those an earlier kind already gave,
        # the list is still full whenever there are enough matches.
        for row in models.database.execute_sql(sql, params):
            if row[0] not in seen:
                seen.add(row[0])
                hits.append(Hit(*row, matched=kind))
        if len(hits) >= limit:
            break
    if len(hits) < limit:
        for hit in _contact_matches(query, limit, include_stopped):
            if hit.id not in seen:
                seen.add(hit.id)
                hits.append(hit)
    return hits[:limit]


def _contact_matches(query: str, limit: int, include_stopped: bool) -> list[Hit]:
    """Customers one of whose contacts has `query` as full name or mobile number (typed with
    blanks or +86 too), in code order; then those whose contact's name (2 characters or
    more) or mobile (4 digits or more) starts with it, in the contact's name or mobile order.
    Each is a walk of one index (contact.name, contact.mobile): the exact ones equalities,
    the prefixes a range read in index order up to `limit` rows, so 张 among a million
    contacts reads no more than the rows it shows."""
    from db.core.models import Contact, Customer

    text = _clean(query)
    mobile = text.replace(" ", "").replace("-", "").removeprefix("+86")
    if not text:
        return []
    columns = [getattr(Customer, c) for c in dialect.HIT_COLUMNS]

    def found(where, order):
        rows = (Customer.select(*columns, Contact.name).join(Contact, on=(Contact.customer == Customer.id))
                .where(where))
        if not include_stopped:
            rows = rows.where(Customer.stop_date.is_null() | (Customer.stop_date > clock.today()))
        return [Hit(*row[:-1], matched="contact", contact=row[-1])
                for row in rows.order_by(*order).limit(limit).tuples()]

    hits = found((Contact.name == text) | (Contact.mobile == mobile), [Customer.code])
    starts = []
    if len(text) >= 2:
        starts.append((Contact.name, text))
    if mobile.isdigit() and 4 <= len(mobile) < 11:
        starts.append((Contact.mobile, mobile))
    for column, prefix in starts:
        if len(hits) >= limit:
            break
        # A range on the index (both databases use it; LIKE would need SQLite's
        # case_sensitive_like), the LIKE keeping the range honest under a PostgreSQL locale.
        hi = dialect.next_prefix(prefix)
        where = (column > prefix) & column.startswith(prefix)
        hits += found(where & (column < hi) if hi else where, [column, Contact.id])
    return hits


def find(query: str, limit: int = 50) -> list[Hit]:
    """The shell's `kehu find`: locate, stopped customers included."""
    return locate(query, limit, include_stopped=True)
