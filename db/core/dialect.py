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
- PostgreSQL: the same pieces, lower-cased, as a tsvector in customer.pieces, a STORED
  GENERATED column (so every write path keeps it in step by itself, and it is no peewee
  field: a copy between databases carries the names, each side makes its own index), made
  by the SQL function kehu_pieces (pg_functions) and served by a GIN index. The query is a
  tsquery of the same shape: 'x' for one character (each character is a lexeme as well),
  'xy' for two, 'ab' <-> 'bc' for more.
  The short name's pieces start two positions after the name's last, so no phrase joins the
  end of the name to the short name. to_tsvector is no use: its parser drops CJK under the
  C locale. pg_trgm cannot narrow a 1- or 2-character fragment, so ILIKE scanned 1,000,000
  names (2.5 s) for one that matches nothing.

The locate statements are built here as plain SQL text with their parameters, so the
benchmark can run the very same statement through the raw driver.
"""
from __future__ import annotations

from db.core import models

FTS_TABLE = "customer_fts"
# PostgreSQL: the generated tsvector column of the pieces (not a model field, see above).
PIECES_COLUMN = "pieces"

MAX_CODE_POINT = 0x10FFFF

# PostgreSQL compares text by the database's collation, where a locale such as en_US or an
# ICU one ignores punctuation and orders "~" before digits. The class ranges
# ([code, code || '~'), db.archive.classes.HIGH), the lists ordered by code and the prefix LIKE of
# locate need code-point order, what SQLite's BINARY gives, so these columns are pinned to
# COLLATE "C" whatever locale the database was created with (their indexes follow the
# column). Names keep the database's collation. `.ci/postgres.sh` makes its test cluster
# with the C locale as well.
C_COLLATED = ((models.Customer, "code"), (models.Customer, "class_code"),
              (models.Customer, "mnemonic"), (models.Customer, "name_key"), (models.Customer, "short_key"), (models.CustomerClass, "code"),
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
        # Only the columns not collated so yet (a new table): an upgrade finds them done, and
        # PostgreSQL refuses to alter a column a policy reads (the data permission's).
        done = set(db.execute_sql(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND collation_name = 'C'").fetchall())
        for model, name in C_COLLATED:
            field = getattr(model, name)
            if (model._meta.table_name, field.column_name) not in done:
                db.execute_sql(f'ALTER TABLE {model._meta.table_name} ALTER COLUMN {field.column_name} '
                               f'TYPE varchar({field.max_length}) COLLATE "C"')
        # Half of each customer page left free: an UPDATE that changes no indexed column (a
        # batch modify of the industry or salesperson, an evaluation's management type, every
        # save's version) then writes the new row beside the old one on its page and touches
        # no index (a HOT update). With full pages each such update wrote an entry in all ten
        # indexes: 100,000 rows of a batch took 42 s, 0.4 s with the room. The table takes
        # about 70% more space; new pages only, so an archive gets it as its rows are written.
        db.execute_sql(f"ALTER TABLE {models.Customer._meta.table_name} SET (fillfactor = 50)")
        install_pieces()
        install_list_indexes()


# The data permission's indexes (department, or salesperson for 专管, then class): they also
# hold what the row-level security policy reads of each row (db.archive.server), so a scoped
# count is read from the index alone: 1,181 ms for 55,494 of 1,000,000 customers through
# the heap, 230 ms from the index.
SCOPE_INCLUDES = {"department": ("salesperson",), "salesperson": ("department",)}


def install_list_indexes() -> None:
    """PostgreSQL: each list order's index (db.core.models.Customer) also holds the id, as
    SQLite's indexes hold the rowid: a page is chosen from the index alone, skipping up to
    an anchor step of entries without reading their rows (5.5 ms a page of 100 at 1,000,000
    customers, 1 ms with the id in the index). Remade once, when the index lacks it."""
    db = models.database
    table = models.Customer._meta.table_name
    for index in models.Customer._meta.indexes:
        if not isinstance(index, tuple):  # the partial index of stopped customers
            continue
        columns, unique = index
        name = f"{table}_{'_'.join(columns)}"
        included = ("id", *SCOPE_INCLUDES.get(columns[0], ()))
        found = db.execute_sql("SELECT i.indnatts - i.indnkeyatts FROM pg_index i "
                               "WHERE i.indexrelid = to_regclass(%s)", [name]).fetchone()
        if found is not None and found[0] == len(included):
            continue
        db.execute_sql(f"DROP INDEX IF EXISTS {name}")
        db.execute_sql(f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {table} "
                       f"({', '.join(columns)}) INCLUDE ({', '.join(included)})")
    # Locate lists mnemonic matches in (mnemonic, id) order, SQLite's index order (prefix_query):
    # with the id in the key the index serves it, where an incremental sort over (mnemonic)
    # read every customer of a common mnemonic (lxy: 30 ms).
    found = db.execute_sql("SELECT i.indnkeyatts FROM pg_index i WHERE i.indexrelid = "
                           f"to_regclass('{table}_mnemonic')").fetchone()
    if found is None or found[0] != 2:
        db.execute_sql(f"DROP INDEX IF EXISTS {table}_mnemonic")
        db.execute_sql(f"CREATE INDEX {table}_mnemonic ON {table} (mnemonic, id)")


def _numerals() -> str:
    """The characters Python's isalnum keeps that ICU's [:alnum:] (letters and decimal
    digits) does not: other numerals such as ① ² Ⅻ 〇, as regex bracket ranges."""
    spans: list[list[int]] = []
    for point in range(MAX_CODE_POINT + 1):
        ch = chr(point)
        if ch.isalnum() and not (ch.isalpha() or ch.isdecimal()):
            if spans and spans[-1][1] == point - 1:
                spans[-1][1] = point
            else:
                spans.append([point, point])
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in spans)


def pg_functions() -> str:
    """The SQL functions that cut a name into its pieces on PostgreSQL as `pieces` and
    `short_pieces` do, lower-cased (as FTS5 folds case on SQLite), and into its single
    characters as well, each at the position of the pair it starts: a 1-character fragment is
    then one lexeme, whose share of the customers the column's statistics know (as a prefix
    query over the pairs it starts it is read from many lexemes, each too rare to be counted
    there: 航, in 0.75% of the names, looked rare). A phrase is of pairs alone, so a single
    never joins one. IMMUTABLE, as a generated
    column requires: ICU's root collation classifies and lower-cases the characters whatever
    the database's locale, and the numerals ICU does not count as alphanumeric are named, so
    the characters kept are `searchable`'s. The tsvector literal is written by hand: the
    characters kept are letters and digits, never a quote or a backslash.

    PL/pgSQL, not SQL functions: a SQL function whose body is a query is not inlined, and
    each call planned and ran its subqueries (string_agg over generate_series, the names
    folded once in a sub-select) at 183 us a customer; the loop and local variables take
    27 us, which every write of a name pays (an import of 100,000 customers: 18 s of its
    commit went here), and so does every UPDATE of a row, which recomputes the column."""
    keep = "[^[:alnum:]" + _numerals() + "]"
    return f"""
CREATE OR REPLACE FUNCTION kehu_chars(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN regexp_replace(lower(t COLLATE "und-x-icu"), '{keep}', '', 'g');
CREATE OR REPLACE FUNCTION kehu_piece_list(t text, base integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
    listed text := '';
    n integer := length(t);
BEGIN
    FOR i IN 1..n LOOP
        listed := listed || '''' || substr(t, i, 1) || ''':' || (base + i) || ' ';
        IF i < n THEN
            listed := listed || '''' || substr(t, i, 2) || ''':' || (base + i) || ' ';
        END IF;
    END LOOP;
    RETURN listed;
END $$;
CREATE OR REPLACE FUNCTION kehu_pieces(name text, short_name text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    n text := COALESCE(kehu_chars(name), '');
    s text := COALESCE(kehu_chars(short_name), '');
BEGIN
    RETURN CAST(kehu_piece_list(n, 0) || CASE WHEN strpos(n, s) = 0 THEN kehu_piece_list(s, length(n) + 1)
                                              ELSE '' END AS tsvector);
END $$;
"""


def install_pieces() -> None:
    """customer.pieces and its GIN index (PostgreSQL). Adding the column to an archive that
    has rows computes it for every row (the upgrade to version 5); the trigram indexes of
    version 4 are dropped."""
    db = models.database
    db.execute_sql(pg_functions())
    db.execute_sql(f"ALTER TABLE customer ADD COLUMN IF NOT EXISTS {PIECES_COLUMN} tsvector "
                   f"GENERATED ALWAYS AS (kehu_pieces(name, short_name)) STORED")
    db.execute_sql(f"CREATE INDEX IF NOT EXISTS customer_pieces ON customer USING gin ({PIECES_COLUMN})")
    for column in ("name", "short_name"):
        db.execute_sql(f"DROP INDEX IF EXISTS customer_{column}_trgm")


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


def anchors_in_one_pass(dialect: str) -> bool:
    """Whether a list's anchors (db.lists.paging.anchors) are read in one pass, a window
    numbering the rows of the list's index (PostgreSQL), rather than one query per anchor
    that skips `step` index entries from the previous one (SQLite). Measured at 1,000,000
    customers, class 02 (371,711 rows) sorted by code: PostgreSQL 2.3 s by one query per
    anchor, 0.43 s by the window; SQLite 0.17 s by its queries, 0.4 s by the window."""
    return dialect != "sqlite"


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


def next_prefix(prefix: str) -> str | None:
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
        upper = next_prefix(prefix)
        if upper is not None:
            where, params = where + f" AND c.{column} < {p}", params + [upper]
    else:
        where, params = f"c.{column} LIKE {p} ESCAPE '\\'", [_like_pattern(prefix, contains=False)]
    # SQLite: ordered by the column alone, which its index serves, ties in rowid order (the
    # rowid ends every index entry); adding the tie-break would sort every match (a one-letter
    # mnemonic matches a quarter of the archive). PostgreSQL keeps ties in the order of the
    # rows' places in the table, which an update changes, so it is told the id: an
    # incremental sort of each run of equal mnemonics over the index, stopping at the limit.
    order = f"c.{column}" if dialect == "sqlite" or column == "code" else f"c.{column}, c.id"
    sql = f"SELECT {cols} FROM customer c WHERE {where}{active} ORDER BY {order} LIMIT {p}"
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


def fragment_query(dialect: str, text: str, *, active_only: bool, today: str, limit: int,
                   frequency=None) -> list[tuple[str, list]]:
    """The statements for rows whose name or short name contains `text`, in id order (the
    order SQLite's index hands them out, so a fragment matching 100,000 rows stops after
    `limit` without sorting them): none when `text` has nothing to search for, and on
    PostgreSQL possibly two, run in turn until `limit` rows are found (see FREQUENT).
    `frequency(lexeme)` (PostgreSQL) is the share of customers holding a lexeme,
    None when unknown (db.archive.search reads it from the column's statistics)."""
    p = _param(dialect)
    cols, active = _select(p, active_only)
    tail = _tail(active_only, today, limit)
    if dialect == "sqlite":
        # CROSS JOIN keeps the FTS table outermost: SQLite never turns it into a scan of
        # customer probing the index once per row.
        sql = (f"SELECT {cols} FROM {FTS_TABLE} CROSS JOIN customer c ON c.id = {FTS_TABLE}.rowid "
               f"WHERE {FTS_TABLE} MATCH {p}{active} ORDER BY {FTS_TABLE}.rowid LIMIT {p}")
        match = fts_match(text)
        return [] if match is None else [(sql, [match] + tail)]
    match = ts_query(text)
    if match is None:
        return []
    head = f"SELECT {cols} FROM customer c WHERE "
    if not _is_frequent(text, frequency):
        # ORDER BY id + 0: the primary key cannot give the order, so the GIN index is read
        # and its few matches sorted.
        return [(f"{head}c.{PIECES_COLUMN} @@ CAST({p} AS tsquery){active} ORDER BY c.id + 0 LIMIT {p}",
                 [match] + tail)]
    # Frequent: walk the ids in order testing each row's pieces, over the first ORDERED_SPAN ids
    # only. ts_match_vq is the function behind @@: called by name it is no index condition, so
    # the planner keeps off the GIN index (which would fetch and sort every match), and it has
    # no estimate of a phrase's rarity, which made it split the walk among parallel workers
    # (their start alone 10-20 ms). Should the statistics have misjudged a fragment that is
    # rare after all, the rest is read from the GIN index (id + 0: no bitmap of the primary
    # key's range beside it).
    span = f"(SELECT min(id) FROM customer) + {ORDERED_SPAN}"
    return [(f"{head}ts_match_vq(c.{PIECES_COLUMN}, CAST({p} AS tsquery)) AND c.id < {span}{active} "
             f"ORDER BY c.id LIMIT {p}", [match] + tail),
            (f"{head}c.{PIECES_COLUMN} @@ CAST({p} AS tsquery) AND c.id + 0 >= {span}{active} "
             f"ORDER BY c.id + 0 LIMIT {p}", [match] + tail)]


# PostgreSQL's two ways to the first matches in id order (fragment_query): walking the
# primary key testing every row costs about 1 us a row, so 50 / share of the customers
# matching; the GIN index gives every match, each fetched (4 us) and then sorted. The walk
# is taken when about FREQUENT or more of the customers match, which bounds either way to
# about 50 / FREQUENT rows walked or FREQUENT x customers fetched (15 ms at 1,000,000).
FREQUENT = 0.003
# Ids walked at most (should the estimate have been too high) before the GIN index gives
# the rest: about 25 ms.
ORDERED_SPAN = 25_000


def _is_frequent(text: str, frequency) -> bool:
    """Whether about FREQUENT or more of the customers hold `text`, as the statistics of
    customer.pieces tell: of one character or two, that lexeme's share; of a phrase of pairs
    ab, bc, cd..., the share of ab times, for each next pair, the share of the pair over the
    share of the character it shares with the one before (how often b goes on to c): a
    phrase of two frequent pairs can be rare (通达 and 达电, 通达电 in 0.08%). A piece the
    statistics do not list is rarer than those they do, so the fragment is taken as rare."""
    if frequency is None:
        return False
    chars = searchable(text.lower())
    share = frequency(chars[0] + chars[1]) if len(chars) > 1 else frequency(chars[0])
    for i in range(1, len(chars) - 1):
        pair, inner = frequency(chars[i] + chars[i + 1]), frequency(chars[i])
        if share is None or pair is None or not inner:
            return False
        share *= min(pair / inner, 1.0)
    return share is not None and share >= FREQUENT


def ts_query(text: str) -> str | None:
    """The tsquery (PostgreSQL) for names containing `text`, None when it has nothing
    searchable: the shape of `fts_match` over the lower-cased characters, each lexeme
    quoted (a quote doubled, a backslash escaped) so no input reaches the tsquery syntax."""
    chars = searchable(text.lower())
    if not chars:
        return None

    def quoted(lexeme: str) -> str:
        return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"

    if len(chars) == 1:
        return quoted(chars[0])
    return " <-> ".join(quoted(a + b) for a, b in zip(chars, chars[1:]))
