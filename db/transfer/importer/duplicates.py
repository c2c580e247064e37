"""查重 in a customer import's plan: each row that imports marked when it is likely a duplicate
of a customer of the archive or of an earlier row of the same file, with the code (or the
line) and the reason. Marks warn; the row still imports.

The planner feeds the rows it plans a chunk at a time (`Marker.feed`), and each chunk costs a
few set statements, never one per row:
- the archive: the chunk's keys (tax id, mobile, the last seven digits of each number, the
  mnemonic and the sort key of the name) into a temporary table, joined against the
  customer table's own indexes (db.archive.duplicates: tax id, mobile, the phone-tail
  expression index; the mnemonic and name-key indexes of the lists), at most PER_KEY
  customers per key, as the card's check reads them;
- the file: the chunk's blocking keys as the duplicates report files a customer under them
  (db.archive.duplicate_report.keys_of, hashed) appended to a table of the file's keys and
  joined against it, each row meeting only the earlier rows sharing a key; a key more than
  BLOCK_CAP rows share says nothing (a switchboard, a name everyone uses), as in the report.
Candidates are scored by db.values.likeness as the card and the report score them, and
each row keeps its best one. Only the first SHOWN marks are held, with the count of all, so
a plan of any size holds the same few; the file's rows are kept in temporary tables, on
disk, not in memory.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from db.archive import scope
from db.archive.duplicate_report import ANY_PLACE, BLOCK_CAP, SEP, keys_of
from db.archive.duplicates import PER_KEY, TAIL, phone_tail_sql
from db.core import clock, models
from db.core.session import current
from db.values import collation, likeness

SHOWN = 200  # marks held for the preview and the shell; the rest are counted
TEMP_CACHE = -65536  # SQLite: KiB of cache for the temporary tables while the marks are made
CARDS_HELD = 100_000  # archive candidates kept made comparable, at most (then made afresh)
WATCHED = ("name", "tax_id", "phone", "mobile")  # an update changing none of these is not checked
ROWS, KEYS, COUNTS = "kehu_dup_row", "kehu_dup_key", "kehu_dup_count"
TABLES = (ROWS, KEYS, COUNTS)
KINDS = ("t", "m", "p", "s", "k")  # a probe of the archive: tax id, mobile, phone tail, mnemonic, name key


@dataclass(frozen=True, slots=True)
class Mark:
    """Row `line` (customer `code`, named `name`) may be customer `other_code` of the archive
    (`other_line` 0) or the row at `other_line` of the file."""

    line: int
    code: str
    name: str
    other_code: str
    other_name: str
    other_line: int
    score: int
    reasons: tuple[str, ...]
    stopped: bool = False  # the customer of the archive is stopped (enable it instead?)


@dataclass(frozen=True, slots=True)
class Entry:
    """A planned row as the marks read it."""

    line: int
    code: str
    name: str
    tax_id: str
    phone: str
    mobile: str
    mnemonic: str


class Marker:
    """The marks of one plan; `feed` each chunk's rows, in file order, then `close`."""

    def __init__(self, min_score: int = likeness.DEFAULT_MIN_SCORE, archive: bool = True):
        self.min_score = min_score
        self.archive = archive  # False: the archive is empty, only the file is looked at
        self.marks: list[Mark] = []
        self.count = 0
        self.opened = False
        self.dialect = current().dialect
        # A store opened read-only takes no temporary table either: a preview there marks
        # the rows like customers of the archive (read through its indexes) and no others.
        self.in_file = not current().read_only
        # The archive's candidates as compared, by id, across chunks: the first customers of
        # a crowded mnemonic are met by row after row.
        self.others: dict[int, likeness.Card] = {}

    def feed(self, entries: list[Entry]) -> None:
        entries = [e for e in entries if e.name or e.tax_id or e.phone or e.mobile]
        if not entries:
            return
        if not self.opened and self.in_file:
            self._open()
        cards = [likeness.Card.of(e.name, e.tax_id, e.phone, e.mobile) for e in entries]
        best: dict[int, tuple] = {}  # line -> (score, reasons, other code, name, line, stopped)
        by_line = {e.line: (e, card) for e, card in zip(entries, cards)}
        if self.archive:
            self._in_archive(entries, cards, best)
        if self.in_file:
            self._in_file(entries, cards, by_line, best)
        for line in sorted(best):
            score, reasons, other_code, other_name, other_line, stopped = best[line]
            entry = by_line[line][0]
            self.count += 1
            if len(self.marks) < SHOWN:
                self.marks.append(Mark(line, entry.code, entry.name, other_code, other_name,
                                       other_line, score, tuple(reasons), stopped))

    def close(self) -> None:
        """The temporary tables dropped (an error before this leaves them to `_open` of the
        next plan, or to the rollback of the transaction they were made in)."""
        if self.opened:
            for table in TABLES:
                models.database.execute_sql(f"DROP TABLE IF EXISTS {table}")
            if self.dialect == "sqlite":
                models.database.execute_sql(f"PRAGMA temp.journal_mode = {self.journal}")
                models.database.execute_sql(f"PRAGMA temp.cache_size = {self.cache}")
            self.opened = False

    # ------------------------------------------------------------ tables

    def _open(self) -> None:
        db = models.database
        if self.dialect == "sqlite":
            # The tables of one chunk are emptied and filled again, and SQLite journals each
            # page reused (to a file, by default: ten times the cost of the rows); a journal in
            # memory holds no more than a chunk's pages.
            self.journal = db.execute_sql("PRAGMA temp.journal_mode").fetchone()[0]
            db.execute_sql("PRAGMA temp.journal_mode = MEMORY")
            # The file's keys, 5 or 6 a row, go into one index in no order: with the default
            # 2 MB of cache its pages go to and from the temporary file from 50,000 rows on.
            self.cache = db.execute_sql("PRAGMA temp.cache_size").fetchone()[0]
            db.execute_sql(f"PRAGMA temp.cache_size = {TEMP_CACHE}")
        for table in TABLES:
            db.execute_sql(f"DROP TABLE IF EXISTS {table}")
        db.execute_sql(f"CREATE TEMP TABLE {ROWS} (line INTEGER PRIMARY KEY, code TEXT, name TEXT, card TEXT)")
        db.execute_sql(f"CREATE TEMP TABLE {KEYS} (k BIGINT, kind INTEGER, flag INTEGER, line INTEGER)")
        db.execute_sql(f"CREATE INDEX {KEYS}_k ON {KEYS} (k, line, flag)")
        db.execute_sql(f"CREATE TEMP TABLE {COUNTS} (k BIGINT PRIMARY KEY, n INTEGER)")
        self.opened = True

    # ------------------------------------------------------------ against the archive

    def _in_archive(self, entries: list[Entry], cards: list, best: dict) -> None:
        db = models.database
        probes = []
        for e, card in zip(entries, cards):
            if card.tax_id:
                probes.append((e.line, "t", card.tax_id))
            for digits in {likeness.subscriber(n) for n in card.numbers}:
                if len(digits) == 11:
                    probes.append((e.line, "m", digits))
                if len(digits) >= TAIL:
                    probes.append((e.line, "p", digits[-TAIL:]))
            if e.mnemonic:
                probes.append((e.line, "s", e.mnemonic))
            # Short names are mostly a place and two characters (北京华联, bjhl), or four
            # characters of the core: the mnemonics such short names were given.
            for sound in _short_sounds(card.name) - {e.mnemonic}:
                probes.append((e.line, "s", sound))
            if e.name:
                probes.append((e.line, "k", collation.key(e.name)))
        if not probes:
            return
        sql, params = self._archive_sql(probes)
        found = db.execute_sql(sql, params).fetchall() if sql else []
        codes = {e.line: e.code for e in entries}
        cards_by_line = {e.line: card for e, card in zip(entries, cards)}
        today = clock.today().isoformat()
        scored: set[tuple[int, int]] = set()
        others = self.others
        if len(others) > CARDS_HELD:
            others.clear()
        for line, cid, code, name, tax_id, phone, mobile, stop in found:
            if code == codes[line] or (line, cid) in scored:
                continue  # the row's own customer (an update), or met through another key
            held = best.get(line)
            if held is not None and held[0] >= 100:
                continue  # nothing scores higher (the tax id's candidates come first)
            scored.add((line, cid))
            if cid not in others:
                others[cid] = likeness.Card.of(name or "", tax_id or "", phone or "", mobile or "")
            score, reasons = likeness.compare(cards_by_line[line], others[cid])
            stopped = stop is not None and str(stop)[:10] <= today
            _keep(best, line, score, reasons, code, name or "", 0, stopped, self.min_score)

    def _archive_sql(self, probes: list[tuple]) -> tuple[str, list]:
        """Each probe's customers, at most PER_KEY a probe, read through the index of its kind."""
        tail = phone_tail_sql(self.dialect)  # unqualified, as the index is written: it resolves to x
        # On SQLite "+p.v": the probe's text affinity, applied to the expression, would
        # keep the planner off the expression index (it holds the values as they are).
        where = {"t": "x.tax_id = p.v", "m": "x.mobile = p.v",
                 "p": f"{tail} = {'+' if self.dialect == 'sqlite' else ''}p.v",
                 "s": "x.mnemonic = p.v", "k": "x.name_key = p.v"}
        inside = scope.condition("x")
        narrow = f" AND {inside[0]}" if inside else ""
        columns = "p.line, c.id, c.code, c.name, c.tax_id, c.phone, c.mobile, c.stop_date"
        parts, params = [], []
        for kind in KINDS:
            rows = [(line, v) for line, k, v in probes if k == kind]
            if not rows:
                continue
            given, values = self._given(rows, ("line", "v"), ("int", "text"))
            pick = f"SELECT x.id FROM customer x WHERE {where[kind]}{narrow} LIMIT {PER_KEY}"
            if self.dialect == "sqlite":
                parts.append(f"SELECT {columns} FROM {given} p CROSS JOIN customer c WHERE c.id IN ({pick})")
            else:
                parts.append(f"SELECT {columns} FROM {given} p CROSS JOIN LATERAL ({pick}) s "
                             f"JOIN customer c ON c.id = s.id")
            params += values + (inside[1] if inside else [])
        return " UNION ALL ".join(parts), params

    def _given(self, rows: list[tuple], names: tuple[str, ...], types: tuple[str, ...]) -> tuple[str, list]:
        """`rows` as a table in a statement, handed over as one parameter per column
        (PostgreSQL's unnest of arrays) or one in all (SQLite's json_each of an array):
        no temporary table is filled and emptied chunk after chunk."""
        if self.dialect == "sqlite":
            picks = ", ".join(f"json_extract(value, '$[{i}]') AS {n}" for i, n in enumerate(names))
            return f"(SELECT {picks} FROM json_each(?))", [json.dumps(rows, ensure_ascii=False)]
        casts = ", ".join(f"%s::{'bigint' if t == 'int' else 'text'}[]" for t in types)
        return f"(SELECT * FROM unnest({casts}) AS g ({', '.join(names)}))", [list(c) for c in zip(*rows)]

    # ------------------------------------------------------------ against the file

    def _in_file(self, entries: list[Entry], cards: list, by_line: dict, best: dict) -> None:
        db = models.database
        rows, keys = [], []
        for e, card in zip(entries, cards):
            n = card.name
            rows.append((e.line, e.code, e.name, SEP.join((n.place, n.core, n.sound, card.tax_id,
                                                           ",".join(sorted(card.numbers))))))
            keys.extend((k, kind, flag, e.line) for k, kind, flag in keys_of(card))
        given, params = self._given(rows, ("line", "code", "name", "card"), ("int", "text", "text", "text"))
        db.execute_sql(f"INSERT INTO {ROWS} (line, code, name, card) SELECT c.line, c.code, c.name, c.card "
                       f"FROM {given} c", params)
        given, params = self._given(keys, ("k", "kind", "flag", "line"), ("int",) * 4)
        db.execute_sql(f"INSERT INTO {COUNTS} (k, n) SELECT c.k, count(*) FROM {given} c WHERE 1 = 1 "
                       f"GROUP BY c.k ON CONFLICT (k) DO UPDATE SET n = {COUNTS}.n + excluded.n", params)
        db.execute_sql(f"INSERT INTO {KEYS} (k, kind, flag, line) SELECT c.k, c.kind, c.flag, c.line "
                       f"FROM {given} c", params)
        # CROSS JOIN: the chunk's keys first, each looked up in the indexes (SQLite keeps
        # the order written; it would scan the growing tables for every key otherwise).
        # Names met in any place pair only a name without a place with another (two names
        # with places met under their place's keys, or are two companies).
        found = db.execute_sql(
            f"SELECT DISTINCT c.line, r.line, r.code, r.name, r.card FROM {given} c "
            f"CROSS JOIN {COUNTS} n CROSS JOIN {KEYS} e CROSS JOIN {ROWS} r "
            f"WHERE n.k = c.k AND n.n <= {BLOCK_CAP} AND e.k = c.k AND e.line < c.line "
            f"AND r.line = e.line AND (c.kind <> {ANY_PLACE} OR c.flag = 1 OR e.flag = 1)", params).fetchall()
        for line, other_line, code, name, card in found:
            entry, mine = by_line[line]
            if code and code == entry.code:
                continue  # the same code twice: refused as such, not a duplicate
            place, core, sound, tax_id, numbers = card.split(SEP)
            other = likeness.Card.made(likeness.Name(place, core, sound), tax_id,
                                       frozenset(numbers.split(",")) if numbers else frozenset())
            score, reasons = likeness.compare(mine, other)
            _keep(best, line, score, reasons, code, name, other_line, False, self.min_score)


def _short_sounds(name: likeness.Name) -> set[str]:
    syllables = name.sound.split()
    found = {"".join(s[:1] for s in syllables[:4])}
    if name.place:
        found.add("".join(s[:1] for s in likeness.sound_of(name.place).split() + syllables[:2]))
    return found - {""}


def _keep(best: dict, line: int, score: int, reasons: list, code: str, name: str,
          other_line: int, stopped: bool, min_score: int) -> None:
    """The candidate kept for `line` when it scores enough and better than the one held
    (the archive's customer before a row of the file, then the lower code or line)."""
    if score < min_score:
        return
    held = best.get(line)
    if held is None or score > held[0] or (score == held[0] and (other_line, code) < (held[4], held[2])):
        best[line] = (score, reasons, code, name, other_line, stopped)
