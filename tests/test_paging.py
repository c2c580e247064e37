"""db.lists.paging: every customer of a list exactly once, in order, however it is paged.

Each case builds the expected list in Python from the same rows (the rule written plainly:
filter, then sort by (value, code), NULL dates first) and compares every way of reading
it: keyset forwards and backwards across page boundaries, offsets with and without anchors,
counts and positions.
"""
from __future__ import annotations

import datetime as dt
import random

import pytest

from db.values import collation

import db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.archive import classes
from db.core import clock
from db.lists import paging, plan, query
from db.core.errors import RuleError
from db.core.models import Customer, CustomerClass, Dimension, Membership
from db.lists.paging import Selection
from db.lists.query import Filter, ListQuery
from tests.pg import pg_store, pg_url  # noqa: F401 - fixtures

TODAY = dt.date(2026, 11, 23)  # conftest's fixed clock
MAIN_CLASSES = [("01", "个人"), ("01001", "北方"), ("010010001", "北京"), ("010010002", "天津"),
                ("01002", "南方"), ("02", "中间商"), ("02001", "批发"), ("03", "制造")]
LEAVES = ["010010001", "010010002", "01002", "02001", "03"]
REGION_LEAVES = ["11", "12001", "12002", "13"]
SHORTS = ["华联", "华联", "[bold red]星", "王小明", "A", "a", "東方"]  # ties on purpose


def _customer_rows(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        stop = rng.choice([None, None, None, TODAY, TODAY - dt.timedelta(days=30),
                           TODAY + dt.timedelta(days=1)])
        rows.append(dict(
            code=f"C{rng.randrange(10**6):06d}-{i}",
            name=f"{rng.choice(SHORTS)}{rng.randrange(5)}公司",
            short_name=rng.choice(SHORTS),
            class_code=rng.choice(LEAVES),
            region=rng.choice(["北京", "上海", ""]),
            mgmt_type=rng.choice(["一般客户", "重要客户"]),
            dev_date=rng.choice([None, dt.date(2020, 1, 1), dt.date(2021, 6, 1),
                                 dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(900))]),
            stop_date=stop,
            completeness=rng.choice([0, 14, 57, 100]),
        ))
    return rows


def _load(rows: list[dict], rng: random.Random) -> None:
    Membership.delete().execute()
    Customer.delete().execute()
    Customer.insert_many([{**r, **collation.keys_of(r)} for r in rows]).execute()
    dim = Dimension.get(Dimension.code == "region")
    ids = {c.code: c.id for c in Customer.select(Customer.id, Customer.code)}
    members = [dict(customer=ids[r["code"]], dimension=dim.id, class_code=rng.choice(REGION_LEAVES),
                    customer_code=r["code"]) for r in rows if rng.random() < 0.8]
    if members:
        Membership.insert_many(members).execute()
    region_of = {m["customer_code"]: m["class_code"] for m in members}
    for r in rows:
        r["region_class"] = region_of.get(r["code"])


def _build() -> list[dict]:
    for code, name in MAIN_CLASSES:
        classes.add("main", code, name)
    dim = Dimension.create(code="region", name_zh="地区", name_en="Region", scheme="2-3")
    for code in ("11", "12", "12001", "12002", "13"):
        CustomerClass.create(dimension=dim, code=code, name=f"区{code}", level=len(code) // 3 + 1,
                             is_leaf=code not in ("12",))
    rng = random.Random(3)
    rows = _customer_rows(rng, 260)
    _load(rows, rng)
    return rows


@pytest.fixture(scope="module")
def archive_file(tmp_path_factory):
    """One archive for the read-only tests of this module (building it is most of a test's time)."""
    path = str(tmp_path_factory.mktemp("paging") / "archive.db")
    opened = db.open_store(path)
    rows = _build()
    opened.close()
    return path, rows


@pytest.fixture
def archive(archive_file):
    path, rows = archive_file
    opened = db.open_store(path)
    yield rows
    opened.close()


@pytest.fixture
def fresh_archive(store):
    """An archive of its own, for a test that replaces the customers."""
    return _build()


def expected(rows: list[dict], q: ListQuery) -> list[str]:
    """The list as the rules say, in Python."""
    f = q.filter
    out = []
    for r in rows:
        cls = r["class_code"] if q.dimension == "main" else r["region_class"]
        if cls is None or not cls.startswith(q.prefix):
            continue
        stopped = r["stop_date"] is not None and r["stop_date"] <= TODAY
        mode = f.stopped or ("" if q.show_stopped else "not")
        if (mode == "not" and stopped) or (mode == "only" and not stopped):
            continue
        if any(getattr(f, k) and r[k] != getattr(f, k) for k in ("mgmt_type", "region")):
            continue
        if f.dev_from and (r["dev_date"] is None or r["dev_date"] < f.dev_from):
            continue
        if f.dev_to and (r["dev_date"] is None or r["dev_date"] > f.dev_to):
            continue
        if f.completeness_below is not None and r["completeness"] >= f.completeness_below:
            continue
        out.append((r, cls))

    def key(item):
        r, cls = item
        if q.sort == "class":
            return (cls, r["code"])
        if q.sort == "code":
            return (r["code"],)
        value = r[q.sort]
        if q.sort in ("name", "short_name"):  # pinyin order (db.values.collation)
            value = collation.key(value)
        if q.sort == "dev_date":
            return (value is not None, value or dt.date.min, r["code"])
        return (value, r["code"])

    out.sort(key=key, reverse=q.descending)
    return [r["code"] for r, _ in out]


def check(q: ListQuery, want: list[str], page: int = 7, step: int = 5) -> None:
    assert paging.count(q) == len(want)
    # forwards by key
    got, key = [], None
    while True:
        rows = paging.after(q, key, page, columns=("code",))
        if not rows:
            break
        assert len(rows) <= page
        got += [r.code for r in rows]
        key = rows[-1].key
    assert got == want
    # forwards by key, ids from the index alone
    ids = {c.id: c.code for c in Customer.select(Customer.id, Customer.code)}
    got, key = [], None
    while rows := paging.ids_after(q, key, page):
        assert len(rows) <= page
        got += [ids[r[-1]] for r in rows]
        key = tuple(rows[-1][:-1])
    assert got == want
    # backwards by key, from the end
    got, key = [], None
    while True:
        rows = paging.before(q, key, page, columns=())
        if not rows:
            break
        got = [r.code for r in rows] + got
        key = rows[0].key
    assert got == want
    # by offset, without and with anchors
    anchors = paging.anchors(q, step)
    assert anchors.total == len(want)
    for offset in range(0, len(want) + page, page):
        assert [r.code for r in paging.fetch(q, offset, page, ())] == want[offset:offset + page]
        assert [r.code for r in paging.fetch(q, offset, page, (), anchors)] == want[offset:offset + page]
    # positions
    for i, code in enumerate(want[:: max(len(want) // 15, 1)]):
        n = want.index(code)
        assert paging.position_of(q, code) == n
        assert paging.position_of(q, code, anchors) == n
    outside = Customer.select(Customer.code).where(Customer.code.not_in(want or [""])).first()
    if outside is not None:
        assert paging.position_of(q, outside.code, anchors) is None


SORTS = [(s, d) for s in query.SORTS for d in (False, True)]


@pytest.mark.parametrize("sort,descending", SORTS)
@pytest.mark.parametrize("prefix", ["", "01", "010010001", "04"])
@pytest.mark.parametrize("small_class", [0, 10**9])
def test_main_dimension_every_order(archive, monkeypatch, sort, descending, prefix, small_class):
    # small_class 0: every class counts as large (the sort's index is scanned); 10**9: every
    # class counts as small (read by the class index and sorted): both plans are right.
    monkeypatch.setattr(plan, "SMALL_CLASS", small_class)
    q = ListQuery(prefix=prefix, sort=sort, descending=descending)
    check(q, expected(archive, q))


@pytest.mark.parametrize("sort,descending", SORTS)
@pytest.mark.parametrize("show_stopped", [False, True])
def test_stopped_hidden_or_shown(archive, sort, descending, show_stopped):
    q = ListQuery(prefix="01", sort=sort, descending=descending, show_stopped=show_stopped)
    want = expected(archive, q)
    check(q, want)
    stopped = {r["code"] for r in archive if r["stop_date"] and r["stop_date"] <= TODAY}
    assert bool(stopped & set(want)) == show_stopped


@pytest.mark.parametrize("sort,descending", SORTS)
@pytest.mark.parametrize("prefix", ["", "12", "12001", "13"])
def test_membership_dimension(archive, sort, descending, prefix):
    q = ListQuery(dimension="region", prefix=prefix, sort=sort, descending=descending)
    want = expected(archive, q)
    check(q, want)
    rows = paging.fetch(q, 0, 3, ("class_code", "class_name"))
    for row in rows:
        assert row.values["class_code"].startswith(prefix)
        assert row.values["class_name"] == f"区{row.values['class_code']}"


FILTERS = [
    Filter(region="北京"),
    Filter(mgmt_type="重要客户", region="上海"),
    Filter(dev_from=dt.date(2020, 6, 1), dev_to=dt.date(2021, 6, 1)),
    Filter(stopped="only"),
    Filter(stopped="not"),
    Filter(dev_from=dt.date(2021, 6, 1), stopped="only", region="北京"),
    Filter(completeness_below=57),
    Filter(completeness_below=15, region="北京", stopped="not"),
]


@pytest.mark.parametrize("flt", FILTERS)
@pytest.mark.parametrize("sort,descending", [("class", False), ("short_name", True), ("dev_date", False),
                                             ("dev_date", True), ("region", False)])
def test_filters(archive, flt, sort, descending):
    q = ListQuery(prefix="01", filter=flt, sort=sort, descending=descending, show_stopped=True)
    check(q, expected(archive, q))


@pytest.mark.parametrize("many", [False, True])
@pytest.mark.parametrize("sort,descending", [("class", False), ("class", True), ("name", False),
                                             ("completeness", True), ("dev_date", False)])
@pytest.mark.parametrize("prefix", ["", "01", "010010001"])
def test_the_completeness_filter_read_either_way(archive, monkeypatch, many, sort, descending, prefix):
    """Few customers below the threshold are read by the completeness index and sorted
    (db.lists.plan.few_below); many, along the sort's index: the same list either way."""
    monkeypatch.setattr(plan, "SMALL_FILTER", 1 if many else 10**6)
    q = ListQuery(prefix=prefix, filter=Filter(completeness_below=57), sort=sort, descending=descending)
    assert plan.plan_of(q).sorted_here == (not many and sort != "completeness")
    check(q, expected(archive, q), page=7, step=3)


def test_pages_of_one_and_of_everything(archive):
    q = ListQuery(sort="short_name")
    want = expected(archive, q)
    check(q, want, page=1, step=1)
    check(q, want, page=len(want) + 5, step=1000)


def test_rows_carry_columns_and_the_stopped_flag(archive):
    q = ListQuery(show_stopped=True, sort="code")
    rows = paging.fetch(q, 0, 500, ("short_name", "dev_date", "stop_date", "class_name"))
    by_code = {r["code"]: r for r in archive}
    for row in rows:
        src = by_code[row.code]
        assert row.values["short_name"] == src["short_name"]
        assert row.values["dev_date"] == src["dev_date"]
        assert row.stopped == (src["stop_date"] is not None and src["stop_date"] <= TODAY)
        assert row.values["class_name"] == dict(MAIN_CLASSES)[src["class_code"]]
        assert row.key == (row.code,)


def test_stopped_follows_the_clock(archive):
    future = next(r for r in archive if r["stop_date"] == TODAY + dt.timedelta(days=1))
    q = ListQuery()
    assert paging.position_of(q, future["code"]) is not None
    clock.fix(dt.datetime(2026, 11, 24, 8, 0))
    assert paging.position_of(q, future["code"]) is None


def test_filter_round_trips_and_refuses_bad_input():
    flt = Filter(region="北京", dev_from=dt.date(2024, 3, 5), stopped="only")
    assert flt.to_dict() == {"region": "北京", "dev_from": "2024-03-05", "stopped": "only"}
    assert Filter.from_dict(flt.to_dict()) == flt
    assert Filter.from_dict({}) == Filter() and Filter().is_empty()
    for bad, key in [({"colour": "x"}, "list.filter_unknown"), ({"dev_to": "2024-13-01"}, "list.filter_date"),
                     ({"region": 3}, "list.filter_value"), ({"stopped": "maybe"}, "list.filter_stopped"),
                     ({"dev_from": "2024-02-01", "dev_to": "2024-01-01"}, "list.filter_dates")]:
        with pytest.raises(RuleError) as err:
            Filter.from_dict(bad)
        assert err.value.key == key
    with pytest.raises(RuleError) as err:
        ListQuery(sort="colour")
    assert err.value.key == "list.sort_unknown"


def test_selection_is_symbolic(archive):
    q = ListQuery(prefix="01")
    want = expected(archive, q)
    sel = Selection().with_all(q).toggled(want[0]).toggled(want[1]).toggled(want[1])
    assert not sel.is_marked(want[0]) and sel.is_marked(want[1]) and not sel.is_empty()
    assert paging.selection_count(sel) == len(want) - 1
    assert [c for b in paging.selected_codes(sel, batch=4) for c in b] == want[1:]
    assert all(len(b) <= 4 for b in paging.selected_codes(sel, batch=4))
    few = Selection().toggled(want[3]).toggled(want[2]).toggled(want[5]).toggled(want[5])
    assert few.is_marked(want[2]) and not few.is_marked(want[5])
    assert paging.selection_count(few) == 2
    assert [c for b in paging.selected_codes(few) for c in b] == sorted([want[2], want[3]])
    assert Selection().is_empty()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), n=st.integers(0, 60),
       sort=st.sampled_from(query.SORTS), descending=st.booleans(),
       prefix=st.sampled_from(["", "01", "01001", "010010002", "03"]),
       show_stopped=st.booleans(), page=st.integers(1, 9), step=st.integers(1, 12))
def test_property_random_archives(fresh_archive, seed, n, sort, descending, prefix, show_stopped, page, step):
    rng = random.Random(seed)
    rows = _customer_rows(rng, n)
    _load(rows, rng)
    for q in (ListQuery(prefix=prefix, sort=sort, descending=descending, show_stopped=show_stopped),
              ListQuery(dimension="region", prefix=prefix.replace("01", "12", 1)[:5], sort=sort,
                        descending=descending, show_stopped=show_stopped)):
        check(q, expected(rows, q), page=page, step=step)


@pytest.mark.parametrize("sort,descending", SORTS)
def test_anchors_in_one_pass_are_the_anchors_of_the_walk(archive, monkeypatch, sort, descending):
    """PostgreSQL numbers the list in one window pass (db.core.dialect.anchors_in_one_pass);
    run here on SQLite, it gives the walk's anchors and count, every segment and order."""
    for prefix, dimension in (("", "main"), ("01", "main"), ("04", "main"), ("12", "region")):
        q = ListQuery(dimension=dimension, prefix=prefix, sort=sort, descending=descending)
        for step in (1, 5, 1000):
            monkeypatch.setattr(paging, "anchors_in_one_pass", lambda dialect: False)
            walked = paging.anchors(q, step)
            monkeypatch.setattr(paging, "anchors_in_one_pass", lambda dialect: True)
            assert paging.anchors(q, step) == walked


@pytest.mark.postgres
def test_every_order_on_postgres(pg_store, monkeypatch):
    """The same lists on PostgreSQL: its index order, the NULL dates' segment, the anchors
    of one window pass."""
    rows = _build()
    for sort, descending in SORTS:
        for prefix in ("", "01", "04"):
            for small_class in (0, 10**9):
                monkeypatch.setattr(plan, "SMALL_CLASS", small_class)
                q = ListQuery(prefix=prefix, sort=sort, descending=descending)
                check(q, expected(rows, q))
        q = ListQuery(dimension="region", prefix="12", sort=sort, descending=descending)
        check(q, expected(rows, q))
