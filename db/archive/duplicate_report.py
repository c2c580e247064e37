"""`kehu duplicates`: the likely duplicates of the whole archive, in ranked groups.

Never all pairs. Each customer is read once, its name made comparable once
(db.values.likeness), and filed under its blocking keys: its tax id, the last seven digits of
each number, and its name's sound and first three characters, each with the name's
place, since names in two places are two companies and score too low to count (a name with
no place is also filed under its sound alone, so it meets the same name in any place). The
keys go, hashed, into a temporary table, read back sorted by key: each run of one key is a
block, scored pair by pair, and only the block at hand is held, besides a compact row per
customer. The pairs scoring at least `min_score` are joined into groups (a customer in two
pairs joins them, unless one of the pairs shares only a number). A key shared by more than BLOCK_CAP customers says nothing (a switchboard
number, a name everyone uses) and is counted as skipped.

Pairs a person marked "not a duplicate" (db.archive.duplicate_marks) are never proposed.
"""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from db.archive import duplicate_marks
from db.core import bulk, clock, models
from db.core.objects import many_objects
from db.core.session import current, reading
from db.values import likeness

BLOCK_CAP = 30
CHUNK = 50000  # keys written to the temporary table at a time
TAIL = 7
# The kinds of key; ANY_PLACE blocks count only when one member names no place.
TAX, NUMBER, SOUND, HEAD, ANY_PLACE = range(5)


@dataclass(frozen=True)
class Member:
    code: str
    name: str
    stopped: bool


@dataclass
class Group:
    score: int
    reasons: list[str]
    members: list[Member]


@dataclass
class Report:
    groups: list[Group]
    customers: int
    skipped_keys: int = 0
    pairs_scored: int = 0
    stages: dict = field(default_factory=dict)


SEP = "\x1f"  # between the parts of a customer's compact row (no name holds it)


def keys_of(card: likeness.Card) -> Iterator[tuple[int, int, int]]:
    """(hash of the key, kind, placeless flag) of each blocking key of one customer."""
    if card.tax_id:
        yield hash(("t", card.tax_id)), TAX, 0
    for number in {n[-TAIL:] for n in card.subscribers if len(n) >= TAIL}:
        yield hash(("n", number)), NUMBER, 0
    n = card.name
    if not n.core:
        return
    yield hash(("s", n.place, n.sound)), SOUND, 0
    if len(n.core) >= 4:  # a typo after the trade name's first characters (likeness._same_head)
        yield hash(("h", n.place, n.core[:3])), HEAD, 0
    yield hash(("a", n.sound)), ANY_PLACE, 0 if n.place else 1


def report(min_score: int = likeness.DEFAULT_MIN_SCORE,
           progress: Callable[[str, int, int], None] | None = None) -> Report:
    """The groups of likely duplicates, best first (score, then size, then first code).
    `progress(stage, done, total)` is told as the customers are read ("keys") and as the
    shared keys are scored ("score")."""
    tell = progress or (lambda stage, done, total: None)
    db = models.database
    stages: dict[str, float] = {}
    started = time.monotonic()

    def lap(stage: str) -> None:
        nonlocal started
        stages[stage] = round(time.monotonic() - started, 1)
        started = time.monotonic()

    found = Report([], 0, stages=stages)
    with many_objects(), reading(), _sorting_in_memory(), db.atomic():
        found.customers = models.Customer.select().count()
        marked = duplicate_marks.marked_pairs()
        shape = "SELECT CAST(0 AS BIGINT) AS k, 0 AS kind, 0 AS placeless, 0 AS id"
        with bulk.temp_table("dup_key", shape, COLUMNS, ()):
            rows, keys = _load(found.customers, tell)
            lap("keys")
            edges = _score(rows, keys, marked, min_score, found, tell)
            lap("score")
        found.groups = _groups(edges, rows)
    lap("groups")
    return found


COLUMNS = ["k", "kind", "placeless", "id"]


@contextlib.contextmanager
def _sorting_in_memory():
    """SQLite sorts the keys (and keeps the temporary table) in memory for the report, not
    in a temporary file (a few hundred megabytes at a million customers)."""
    if current().dialect != "sqlite":
        yield
        return
    db = models.database
    old = db.execute_sql("PRAGMA temp_store").fetchone()[0]
    db.execute_sql("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA temp_store = {int(old)}")


def _load(total: int, tell) -> tuple[dict[int, str], int]:
    """Every customer's blocking keys into the temporary table dup_key, and its compact row
    (code, name, stopped, place, core, sound, tax id, numbers) by id, kept for scoring: the
    name is made comparable once per customer, however many blocks it is in. Returns the
    rows and the number of keys written."""
    today = clock.today().isoformat()
    rows: dict[int, str] = {}
    placeless: set[int] = set()  # the ANY_PLACE keys of names without a place
    chunk: list[tuple] = []
    keys = 0
    sql = "SELECT id, code, name, tax_id, phone, mobile, stop_date FROM customer ORDER BY id"
    # Chunk by chunk: on PostgreSQL the rows come from a cursor on the connection each
    # chunk's COPY takes, so the two must not overlap.
    for done, (i, code, name, tax_id, phone, mobile, stop) in enumerate(bulk.stream(sql), 1):
        card = likeness.Card.of(name or "", tax_id or "", phone or "", mobile or "")
        stopped = "1" if stop is not None and str(stop)[:10] <= today else ""
        n = card.name
        rows[i] = SEP.join((code, name or "", stopped, n.place, n.core, n.sound, card.tax_id,
                            ",".join(sorted(card.numbers))))
        for key, kind, flag in keys_of(card):
            if kind != ANY_PLACE:
                chunk.append((key, kind, flag, i))
            elif flag:
                chunk.append((key, kind, flag, i))
                placeless.add(key)
        if len(chunk) >= CHUNK:
            bulk.insert("dup_key", COLUMNS, chunk)
            keys += len(chunk)
            chunk = []
        if done % 20000 == 0:
            tell("keys", done, total)
    # A name with a place is filed under its sound alone only when a name without a place
    # sounds the same: most never meet one, and need not be sorted with the rest.
    for i, row in rows.items():
        place, _, sound = row.split(SEP, 6)[3:6]
        if place and (key := hash(("a", sound))) in placeless:
            chunk.append((key, ANY_PLACE, 0, i))
    bulk.insert("dup_key", COLUMNS, chunk)
    tell("keys", total, total)
    return rows, keys + len(chunk)


def _card(row: str) -> likeness.Card:
    _, _, _, place, core, sound, tax_id, numbers = row.split(SEP)
    return likeness.Card.made(likeness.Name(place, core, sound), tax_id,
                              frozenset(numbers.split(",")) if numbers else frozenset())


def _score(rows: dict[int, str], keys: int, marked, min_score: int, found: Report, tell) -> dict:
    """The pairs scoring at least `min_score` within each block, read from dup_key sorted
    by key: the database sorts once, and only the block at hand is held. A key of one
    customer alone (most of them) is passed over, a key of more than BLOCK_CAP counted as
    skipped: cheaper here than a grouping query before the sort (measured at a million)."""
    edges: dict[tuple[int, int], tuple[int, tuple[str, ...]]] = {}
    block: list[tuple[int, int]] = []
    last, kind = None, None

    def scored() -> None:
        if len(block) > BLOCK_CAP:
            found.skipped_keys += 1
        elif len(block) > 1:
            _block(block, kind, rows, marked, min_score, edges, found)

    for done, (key, row_kind, flag, customer) in enumerate(
            bulk.stream("SELECT k, kind, placeless, id FROM dup_key ORDER BY k, id"), 1):
        if key != last:
            scored()
            block, last, kind = [], key, row_kind
        block.append((customer, flag))
        if done % 100000 == 0:
            tell("score", done, keys)
    scored()
    tell("score", keys, keys)
    return edges


def _block(block, kind, rows, marked, min_score, edges, found: Report) -> None:
    if kind == ANY_PLACE and not any(flag for _, flag in block):
        return
    cards: dict[int, likeness.Card] = {}  # made when first scored: most pairs met before
    for x, (a, flag_a) in enumerate(block):
        for b, flag_b in block[x + 1:]:
            # Names met in any place: only a name without a place against the others (two
            # with places met in their own place's block, or are two companies).
            if kind == ANY_PLACE and not (flag_a or flag_b):
                continue
            pair = (a, b) if a < b else (b, a)
            if pair in edges:
                continue
            if marked and (rows[a].split(SEP, 1)[0], rows[b].split(SEP, 1)[0]) in marked:
                continue
            found.pairs_scored += 1
            card_a = cards.get(a) or cards.setdefault(a, _card(rows[a]))
            card_b = cards.get(b) or cards.setdefault(b, _card(rows[b]))
            score, reasons = likeness.compare(card_a, card_b)
            if score >= min_score:
                edges[pair] = (score, tuple(reasons))


def _member(row: str) -> Member:
    code, name, stopped = row.split(SEP, 3)[:3]
    return Member(code, name, bool(stopped))


NUMBER_REASONS = {likeness.PHONE, likeness.MOBILE}


def _groups(edges, rows) -> list[Group]:
    """The pairs joined into groups, each with its best score and its reasons, the reason
    of a stronger pair first."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while (up := parent.get(x, x)) != x:
            above = parent.get(up, up)
            parent[x] = above  # halve the path as it is walked
            x = above
        return x

    # A number alone (a switchboard several bodies share) pairs two customers but joins no
    # groups: it would chain two clusters of names into one group of strangers.
    joins: dict[tuple, bool] = {}
    for (a, b), (_, why) in edges.items():
        if joins.setdefault(why, bool(set(why) - NUMBER_REASONS)):
            top_a, top_b = root(a), root(b)
            if top_a != top_b:
                parent[top_a] = top_b
    # Per group its members and, for each distinct set of reasons, its best score and the
    # first pair to reach it: enough to order the reasons as the pairs would, best first.
    grouped: dict[object, tuple[set, dict]] = {}
    for n, (pair, (score, why)) in enumerate(edges.items()):
        members, whys = grouped.setdefault(root(pair[0]) if joins[why] else pair, (set(), {}))
        members.update(pair)
        if why not in whys or score > whys[why][0]:
            whys[why] = (score, n)
    groups = []
    for members, whys in grouped.values():
        reasons: list[str] = []
        for why, _ in sorted(whys.items(), key=lambda item: (-item[1][0], item[1][1])):
            reasons += [r for r in why if r not in reasons]
        groups.append(Group(max(score for score, _ in whys.values()), reasons,
                            sorted((_member(rows[i]) for i in members), key=lambda m: m.code)))
    groups.sort(key=lambda g: (-g.score, -len(g.members), g.members[0].code))
    return groups
