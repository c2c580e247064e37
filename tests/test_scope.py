"""Data permissions (db.archive.scope) on the demo archive, on SQLite and on PostgreSQL: an
editor whose scope is class 02 and department 华北销售部 sees exactly those customers in the
list and its count, the tree's counts, locate and find, show, and an export; a change, a
batch modify, a merge and an import row outside it are refused with one line. On
PostgreSQL the server does the same by row-level security: psql as that role counts the
same rows and cannot write outside them."""
from __future__ import annotations

import pytest

import db
from db import RuleError
from db.archive import classes, customers, merge, operators, scope, search
from db.core import clock, session
from db.core.models import Customer, Dimension, Membership, Sale
from db.lists import batch, paging
from db.lists.query import Filter, ListQuery
from db.transfer import exporter, importer
from tests.conftest import FIXED_NOW
from tests.pg import PG_URL, admin_sql, fresh_schema, needs_pg, pg_url  # noqa: F401 (fixture)
from tests.test_operators import pg_roles, role_url  # noqa: F401 (fixture)
from tui import cli

SCOPE = operators.Scope(classes=(("main", "02"),), departments=("华北销售部",))


def _in_scope():
    """The codes of the customers class 02 and department 华北销售部 hold, read past every scope."""
    return {c.code for c in Customer.select(Customer.code).where(
        Customer.class_code.startswith("02"), Customer.department == "华北销售部")}


OUTSIDE = []  # a customer of class 01 (outside the scope), read by the admin


def _team(admin: str, editor: str, viewer: str) -> set[str]:
    operators.add(admin, "张总")
    operators.add(editor, "李四", "华北销售部", "editor", SCOPE)
    operators.add(viewer, "王五", role="viewer", scope=operators.Scope(own=True))
    row = Customer.select().where(Customer.class_code.startswith("01")).first()
    OUTSIDE[:] = [(row.code, row.version)]
    return _in_scope()


def _sees_only(expected: set[str], tmp_path) -> None:
    """What the editor sees, through every read."""
    every = ListQuery(show_stopped=True, sort="code")
    assert paging.count(every) == len(expected)
    assert {r.code for r in paging.fetch(every, 0, 10_000)} == expected
    active = {c.code for c in Customer.select().where(Customer.code.in_(list(expected)))
              if not customers.is_stopped(c)}
    assert paging.count(ListQuery()) == len(active)
    assert paging.count(ListQuery(prefix="01", show_stopped=True)) == 0
    region = ListQuery(dimension="region", show_stopped=True, sort="code")
    assert {r.code for r in paging.fetch(region, 0, 10_000)} <= expected
    tree = {n.code: n.customers for n in classes.children("main", None)}
    assert tree.get("02") == len(expected) and tree.get("01", 0) == 0
    assert classes.customers_under(classes.dimension("main"), "") == len(expected)
    hits = search.find("华", limit=1000) + search.find("C00", limit=1000) + search.find("bj", limit=1000)
    assert hits and {h.code for h in hits} <= expected
    assert customers.get(OUTSIDE[0][0]) is None
    assert customers.get(sorted(expected)[0]) is not None
    result = exporter.export_list(tmp_path / "mine.csv", ListQuery(show_stopped=True))
    assert result.customers == len(expected)
    assert exporter.export_list(tmp_path / "all.csv").customers == len(expected)
    with pytest.raises(RuleError, match="team.whole_archive"):
        exporter.export_archive(tmp_path / "whole.xlsx")


def _writes_refused(expected: set[str], tmp_path) -> None:
    outside, outside_version = OUTSIDE[0]
    mine = Customer.get(Customer.code == sorted(expected)[0])
    with pytest.raises(RuleError) as err:
        customers.update(outside, {"region": "北京"}, outside_version)
    assert err.value.key == "team.out_of_scope" and err.value.values["admins"].startswith("张总")
    with pytest.raises(RuleError, match="team.value_out_of_scope"):  # moving it out of scope
        customers.update(mine.code, {"department": "华东销售部"}, mine.version)
    leaf01, leaf02 = classes.leaves()[0][0], next(c for c, _ in classes.leaves() if c.startswith("02"))
    with pytest.raises(RuleError, match="team.value_out_of_scope"):
        customers.create({"code": "N1", "name": "新客户一", "short_name": "新一", "class_code": leaf01,
                          "department": "华北销售部"})
    customers.create({"code": "N2", "name": "新客户二", "short_name": "新二", "class_code": leaf02,
                      "department": "华北销售部"})
    expected.add("N2")
    assert customers.update(mine.code, {"region": "天津"}, mine.version).region == "天津"
    # batch modify: a marked row outside the scope is skipped as such; a value leaving it refused
    result = batch.apply("mgmt_type", "重要客户", [(mine.code, mine.version + 1), (outside, outside_version)])
    assert (result.changed, {r.code: r.reason for r in batch.rows(result.run, "skipped")}) == (1, {outside: "scope"})
    with pytest.raises(RuleError, match="team.value_out_of_scope"):
        batch.apply("department", "华东销售部", [("N2", 1)])
    with pytest.raises(RuleError, match="team.out_of_scope"):
        merge.merge("N2", [outside])
    # import: each row outside the scope refused with its reason, the rest planned
    path = tmp_path / "c.csv"
    path.write_text("客户编码,客户名称,客户简称,所属分类码,分管部门,所属地区\n"
                    f"{outside},,,,,上海\nN3,新客户三,新三,{leaf02},华北销售部,\n"
                    f"N4,新客户四,新四,{leaf02},华东销售部,\nN5,新客户五,新五,{leaf01},华北销售部,\n",
                    encoding="utf-8")
    plan = importer.plan(path)
    # (on PostgreSQL the hidden row reads as a new one, so its empty required cells are refused too)
    refused = {(p.line, p.field, p.key) for p in plan.rejected if p.key.startswith("team.")}
    assert refused == {(2, "code", "team.out_of_scope"), (4, "department", "team.value_out_of_scope"),
                       (5, "class_code", "team.value_out_of_scope")}
    assert [r.code for r in plan.adds] == ["N3"]


def test_scope_on_sqlite(demo_store, tmp_path, monkeypatch):
    monkeypatch.setenv("LOGNAME", "boss")
    expected = _team("boss", "lisi", "wang")
    assert paging.count(ListQuery(show_stopped=True)) == Customer.select().count()  # the admin: all
    monkeypatch.setenv("LOGNAME", "lisi")
    operators._forget()
    assert 0 < len(expected) < Customer.select().count()
    _sees_only(expected, tmp_path)
    _writes_refused(expected, tmp_path)


def test_own_customers_and_departments_narrow_each_other(demo_store, monkeypatch):
    seller = Customer.select().where(Customer.salesperson != "").first().salesperson
    monkeypatch.setenv("LOGNAME", "boss")
    operators.add("boss")
    operators.add("seller", seller, role="viewer", scope=operators.Scope(own=True))
    monkeypatch.setenv("LOGNAME", "seller")
    operators._forget()
    theirs = {c.code for c in Customer.select().where(Customer.salesperson == seller)}
    assert {r.code for r in paging.fetch(ListQuery(show_stopped=True), 0, 10_000)} == theirs
    assert paging.count(ListQuery(show_stopped=True, filter=Filter(salesperson="nobody"))) == 0
    with pytest.raises(RuleError, match="team.cannot.customer"):  # a viewer, in scope or not
        code = sorted(theirs)[0]
        customers.update(code, {"region": "x"}, customers.get(code).version)


def test_shell_as_the_editor(demo_store, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("LOGNAME", "boss")
    expected = _team("boss", "lisi", "wang")
    url = demo_store.url
    demo_store.close()
    monkeypatch.setenv("LOGNAME", "lisi")
    assert cli.main(["--db", url, "tree", "--json"]) == 0
    import json

    tree = {n["code"]: n["customers"] for n in json.loads(capsys.readouterr().out)}
    assert tree["02"] == len(expected) and tree["01"] == 0
    outside = Customer.select().where(Customer.class_code.startswith("01")).first().code
    assert cli.main(["--db", url, "show", outside]) == 1
    assert cli.main(["--db", url, "find", outside]) == 1
    assert cli.main(["--db", url, "export", str(tmp_path / "x.csv"), "--all"]) == 2
    assert "export the list" in capsys.readouterr().err


# ---- PostgreSQL: the same, and the server itself


@needs_pg
def test_scope_on_postgresql_and_row_level_security(pg_roles, tmp_path, monkeypatch):  # noqa: F811
    import psycopg2

    from db import demo

    fresh_schema()
    clock.fix(FIXED_NOW)
    demo.build(PG_URL).close()
    store = db.open_store(PG_URL)
    admin = operators.login()
    editor, viewer = pg_roles("lisi"), pg_roles("wang")
    expected = _team(admin, editor, viewer)
    mine = sorted(expected)[-1]
    from db.evaluation import rules

    rules.evaluate()  # proposals for customers inside and outside the scope
    for code in (mine, OUTSIDE[0][0]):  # a change each, inside the scope and outside it
        customers.update(code, {"remark": "核对"}, Customer.get(Customer.code == code).version)
    OUTSIDE[0] = (OUTSIDE[0][0], OUTSIDE[0][1] + 1)
    store.close()
    # psql as the editor's role counts exactly its customers, and their rows of the tables keyed to them
    conn = psycopg2.connect(role_url(editor))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM customer")
            assert cursor.fetchone()[0] == len(expected)
            cursor.execute("SELECT count(*) FROM membership")
            members = cursor.fetchone()[0]
            cursor.execute("SELECT count(DISTINCT customer_id) FROM sale")
            sold = cursor.fetchone()[0]
            # the history and the requests of customers outside the scope are not shown either
            cursor.execute("SELECT DISTINCT entity_code FROM change_log WHERE entity = 'customer'")
            logged = {r[0] for r in cursor.fetchall()}
            cursor.execute("SELECT count(*) FROM change_log WHERE entity <> 'customer'")
            others = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM proposal WHERE customer_code NOT IN "
                           "(SELECT code FROM customer)")
            assert cursor.fetchone()[0] == 0
            # outside the scope the server writes nothing, whatever the client
            cursor.execute("UPDATE customer SET region = 'x' WHERE class_code LIKE '01%'")
            assert cursor.rowcount == 0
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cursor.execute("INSERT INTO customer (code, name, short_name, class_code, department)"
                               " SELECT 'X9', 'x', 'x', class_code, '华东销售部' FROM customer LIMIT 1")
        conn.rollback()
    finally:
        conn.close()
    store = db.open_store(role_url(editor))
    assert operators.me().role == "editor"
    assert members == Membership.select().count() and members > 0
    assert sold == Sale.select(Sale.customer).distinct().count()
    assert logged == {mine} and others > 0  # the operators' own history is everyone's
    _sees_only(expected, tmp_path)
    _writes_refused(expected, tmp_path)
    store.close()
    clock.act_as(None)
    if session._current is not None:
        session._current.close()


def _psql_count(login: str, table: str):
    """SELECT count(*) of `table` as role `login` past kehu, or the psycopg2 error class."""
    import psycopg2

    conn = psycopg2.connect(role_url(login))
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            return cursor.fetchone()[0]
    except psycopg2.Error as exc:
        return type(exc)
    finally:
        conn.close()


def test_an_unknown_login_on_postgresql_looks_up_or_is_refused(pg_roles, monkeypatch):  # noqa: F811
    import psycopg2

    fresh_schema()
    store = db.open_store(PG_URL)
    customers.create({"code": "A1", "name": "甲公司", "short_name": "甲", "class_code": _leaf()})
    admin, stranger = operators.login(), pg_roles("stranger")
    operators.add(admin, "张总")
    admin_sql(f'CREATE ROLE "{stranger}" LOGIN')
    store.close()
    # look-up only (the default): kehu opens as a viewer, psql reads, nothing is written
    store = db.open_store(role_url(stranger))
    assert operators.me().role == "viewer" and [c.code for c in paging.fetch(ListQuery(), 0, 10)] == ["A1"]
    with pytest.raises(RuleError, match="team.cannot.customer"):
        customers.update("A1", {"region": "北京"}, 1)
    store.close()
    assert _psql_count(stranger, "customer") == 1
    assert _psql_count(stranger, "change_log") > 0
    store = db.open_store(PG_URL)
    operators.set_unknown("refuse")
    store.close()
    with pytest.raises(db.StoreError, match="team.unknown_refused"):
        db.open_store(role_url(stranger))
    assert _psql_count(stranger, "customer") is psycopg2.errors.InsufficientPrivilege
    clock.act_as(None)


def _leaf() -> str:
    classes.add("main", "01", "批发")
    return "01"


def test_a_copy_to_postgresql_keeps_the_operators_guard(tmp_path, pg_roles, monkeypatch):  # noqa: F811
    from db import demo
    from db.transfer import copy

    fresh_schema()
    clock.fix(FIXED_NOW)
    path = tmp_path / "team.db"
    demo.build(str(path)).close()
    db.open_store(str(path))
    editor = pg_roles("lisi")
    expected = _team(operators.login(), editor, pg_roles("wang"))
    session._current.close()
    copy.copy_archive(str(path), PG_URL)
    # the roles exist on the new server, hold their grants, and see only their scope
    assert _psql_count(editor, "customer") == len(expected)
    store = db.open_store(role_url(editor))
    assert operators.me().role == "editor" and paging.count(ListQuery(show_stopped=True)) == len(expected)
    store.close()
    clock.act_as(None)


def test_statistics_count_only_the_scope(demo_store, monkeypatch):
    from db.evaluation import stats

    monkeypatch.setenv("LOGNAME", "boss")
    expected = _team("boss", "lisi", "wang")
    every = {s.code: s.customers for s in stats.by_class("main")}
    monkeypatch.setenv("LOGNAME", "lisi")
    operators._forget()
    mine = {s.code: s.customers for s in stats.by_class("main")}
    assert mine["02"] == len(expected) < every["02"] and mine["01"] == 0
    assert sum(s.customers for s in stats.by_mgmt_type()) == len(expected)
    region = stats.by_class("region")
    assert sum(s.customers for s in region) == len(expected)  # the unclassified row included


def test_health_review_and_duplicates_see_only_the_scope(demo_store, monkeypatch):
    """The health check counts, the review of an evaluation lists and the duplicate panel
    offers only customers in the operator's scope (on SQLite kehu is the guard)."""
    from db.archive import duplicates
    from db.evaluation import health, rules

    monkeypatch.setenv("LOGNAME", "boss")
    expected = _team("boss", "lisi", "wang")
    outside = Customer.get(Customer.code == OUTSIDE[0][0])
    Customer.update(stop_date=FIXED_NOW.date(), mgmt_type="VIP客户").where(
        Customer.code.in_([outside.code, sorted(expected)[0]])).execute()
    run = rules.evaluate().run_id
    stopped_vips = {c.code for c in Customer.select().where(
        Customer.mgmt_type == "VIP客户", Customer.stop_date <= FIXED_NOW.date())}
    assert {f.count for f in health.check() if f.kind == "stopped_vip"} == {
        len(stopped_vips)}
    everything = rules.summary(run).customers
    like_outside = {"name": outside.name, "phone": outside.phone, "tax_id": outside.tax_id}
    assert outside.code in {c.code for c in duplicates.candidates(like_outside)}
    monkeypatch.setenv("LOGNAME", "lisi")
    operators._forget()
    mine = {f.kind: f for f in health.check()}
    assert mine["stopped_vip"].samples == sorted(stopped_vips & expected)
    assert mine["stopped_vip"].count == len(stopped_vips & expected) < len(stopped_vips)
    assert 0 < rules.summary(run).customers < everything
    shown = {p.customer_code for p in rules.proposals(run, limit=100_000)}
    assert shown and shown <= expected
    assert outside.code not in {c.code for c in duplicates.candidates(like_outside)}


def _region_scope(editor: str) -> tuple[str, str, str]:
    """An editor whose scope is one region class (another dimension than the main one):
    (a customer of it, its region class, another region leaf)."""
    region = Membership.select().join(Dimension).where(
        Dimension.code == "region").first()
    leaves = [c for c, _ in classes.leaves("region")]
    other = next(c for c in leaves if not c.startswith(region.class_code[:2]))
    operators.add(editor, "赵六", role="editor", scope=operators.Scope(classes=(("region", region.class_code[:2]),)))
    return region.customer_code, region.class_code, other


def _membership_walk(code: str, inside: str, other: str) -> None:
    from db.archive import dimensions

    row = Customer.get(Customer.code == code)
    with pytest.raises(RuleError) as err:  # moving it to another region takes it out of the scope
        dimensions.set_membership(code, "region", other, row.version)
    assert err.value.key == "team.value_out_of_scope" and err.value.field == "region"
    with pytest.raises(RuleError, match="team.value_out_of_scope"):
        dimensions.set_membership(code, "region", None, row.version)
    assert dimensions.memberships(code)["region"][0] == inside  # nothing written
    same_region = next(c for c, _ in classes.leaves("region") if c.startswith(inside[:2]))
    if same_region != inside:
        assert dimensions.set_membership(code, "region", same_region, row.version) == row.version + 1


def test_a_class_of_another_dimension_keeps_its_customers_in_scope(demo_store, monkeypatch):
    monkeypatch.setenv("LOGNAME", "boss")
    operators.add("boss", "张总")
    code, inside, other = _region_scope("zhao")
    monkeypatch.setenv("LOGNAME", "zhao")
    operators._forget()
    _membership_walk(code, inside, other)


def _as_editor_on_postgresql(pg_roles, stem: str, setup, walk, admin: bool = True) -> None:  # noqa: F811
    """The demo on PostgreSQL; `setup(editor)` run as the owner (after adding it as the
    admin operator, unless `admin` is False), then `walk(*what setup returned)` as the
    editor's own role, which row-level security binds."""
    from db import demo

    fresh_schema()
    clock.fix(FIXED_NOW)
    demo.build(PG_URL).close()
    store = db.open_store(PG_URL)
    if admin:
        operators.add(operators.login(), "张总")
    editor = pg_roles(stem)
    made = setup(editor)
    store.close()
    store = db.open_store(role_url(editor))
    try:
        walk(*made)
    finally:
        store.close()
        clock.act_as(None)


def test_a_class_of_another_dimension_keeps_its_customers_in_scope_on_postgresql(pg_roles):  # noqa: F811
    _as_editor_on_postgresql(pg_roles, "zhao", _region_scope, _membership_walk)


def _new_customers_walk(inside: str, other: str, tmp_path) -> None:
    """Under a scope of region classes only, a new customer is in scope when it is given a
    region class in it: on the card and in an import; without one it is refused, one line."""
    from db.archive import dimensions, history

    leaf = classes.leaves()[0][0]
    card = {"name": "新客户七", "short_name": "新七", "class_code": leaf}
    customers.save_card(None, {**card, "code": "N7"}, {"region": inside})
    assert customers.get("N7") is not None and dimensions.memberships("N7")["region"][0] == inside
    added = history.for_entity("customer", "N7")[0]
    assert added.action == "add" and "dimension:region" in added.changes
    for code, placed in (("N8", {"region": other}), ("N9", {})):
        with pytest.raises(RuleError) as err:
            customers.save_card(None, {**card, "code": code}, placed)
        assert err.value.key == "team.new_out_of_scope" and err.value.field == "region"
        assert customers.get(code) is None and not scope.hidden(code)  # nothing written
    path = tmp_path / "n.csv"
    path.write_text(f"客户编码,客户名称,客户简称,所属分类码,地区分类\nN10,新十,新十,{leaf},{inside}\n"
                    f"N11,新十一,新十一,{leaf},{other}\nN12,新十二,新十二,{leaf},\n", encoding="utf-8")
    plan = importer.plan(path)
    refused = {(p.line, p.field, p.key) for p in plan.rejected}
    assert refused == {(3, "dim:region", "team.new_out_of_scope"), (4, "dim:region", "team.new_out_of_scope")}
    assert [r.code for r in plan.adds] == ["N10"]
    importer.commit(plan, only_valid=True)
    assert dimensions.memberships("N10")["region"][0] == inside
    assert customers.get("N10").completeness == Customer.get(Customer.code == "N7").completeness


def test_a_new_customer_under_a_scope_of_another_dimension(demo_store, monkeypatch, tmp_path):
    monkeypatch.setenv("LOGNAME", "boss")
    operators.add("boss", "张总")
    _, inside, other = _region_scope("zhao")
    monkeypatch.setenv("LOGNAME", "zhao")
    operators._forget()
    _new_customers_walk(inside, other, tmp_path)


def test_a_new_customer_under_a_scope_of_another_dimension_on_postgresql(pg_roles, tmp_path):  # noqa: F811
    editors = []

    def setup(editor: str) -> tuple[str, str]:
        editors.append(editor)
        return _region_scope(editor)[1:]

    _as_editor_on_postgresql(pg_roles, "zhao", setup,
                             lambda inside, other: _new_customers_walk(inside, other, tmp_path))
    assert _psql_count(editors[0], "customer WHERE code IN ('N7', 'N10')") == 2


def _mixed_scope(editor: str) -> tuple[str, str, str, str]:
    """An editor whose scope is main class 02 and one region class: (the region class, a
    main leaf outside 02, a customer of 02 in no class of that region, a region leaf outside)."""
    region = Membership.select().join(Dimension).where(Dimension.code == "region").first()
    inside = region.class_code
    leaves = [c for c, _ in classes.leaves("region")]
    other = next(c for c in leaves if not c.startswith(inside[:2]))
    outside_main = next(c for c, _ in classes.leaves() if not c.startswith("02"))
    in_02 = next(c.code for c in Customer.select().where(Customer.class_code.startswith("02"))
                 if not Membership.select().join(Dimension).where(
                     Dimension.code == "region", Membership.customer_code == c.code,
                     Membership.class_code.startswith(inside[:2])).exists())
    operators.add(editor, "钱七", role="editor",
                  scope=operators.Scope(classes=(("main", "02"), ("region", inside[:2]))))
    return inside, outside_main, in_02, other


def _mixed_walk(inside: str, outside_main: str, in_02: str, other: str, tmp_path) -> None:
    """Under main class 02 or a region class, the classes count together: a customer of a
    main class outside 02 is added, and moved between such classes, while its region class
    keeps it in; without one it is refused, on the card and in an import."""
    card = {"name": "混合客户", "short_name": "混合", "class_code": outside_main}
    customers.save_card(None, {**card, "code": "M1"}, {"region": inside})
    assert customers.get("M1").class_code == outside_main
    with pytest.raises(RuleError) as err:
        customers.save_card(None, {**card, "code": "M2"}, {"region": other})
    assert err.value.key == "team.new_out_of_scope" and customers.get("M2") is None
    row = customers.get(in_02)  # in 02, in no region class of the scope: 02 is what keeps it
    with pytest.raises(RuleError) as err:
        customers.update(in_02, {"class_code": outside_main}, row.version)
    assert (err.value.key, err.value.field) == ("team.value_out_of_scope", "class_code")
    assert customers.get(in_02).class_code == row.class_code
    leaf_02 = next(c for c, _ in classes.leaves() if c.startswith("02"))
    moved = customers.update("M1", {"class_code": leaf_02}, customers.get("M1").version)
    assert moved.class_code == leaf_02  # and back out of 02, its region keeps it in
    assert customers.update("M1", {"class_code": outside_main}, moved.version).class_code == outside_main
    path = tmp_path / "m.csv"
    path.write_text(f"客户编码,客户名称,客户简称,所属分类码,地区分类\nM3,混三,混三,{outside_main},{inside}\n"
                    f"M4,混四,混四,{outside_main},{other}\n", encoding="utf-8")
    plan = importer.plan(path)
    assert [r.code for r in plan.adds] == ["M3"]
    assert {(p.line, p.key) for p in plan.rejected} == {(3, "team.new_out_of_scope")}


def test_a_mixed_scope_counts_all_the_classes_together(demo_store, monkeypatch, tmp_path):
    monkeypatch.setenv("LOGNAME", "boss")
    operators.add("boss", "张总")
    walk = _mixed_scope("qian")
    monkeypatch.setenv("LOGNAME", "qian")
    operators._forget()
    _mixed_walk(*walk, tmp_path)


def test_a_mixed_scope_counts_all_the_classes_together_on_postgresql(pg_roles, tmp_path):  # noqa: F811
    _as_editor_on_postgresql(pg_roles, "qian", _mixed_scope, lambda *made: _mixed_walk(*made, tmp_path))


def _tax_id_walk() -> None:
    """The same-tax-id rule holds across the scope and names only a customer in it."""
    leaf02 = next(c for c, _ in classes.leaves() if c.startswith("02"))
    card = {"code": "T1", "name": "新客户", "short_name": "新", "class_code": leaf02, "department": "华北销售部"}
    outside, mine = TAXES
    with pytest.raises(RuleError) as err:
        customers.create({**card, "tax_id": outside})
    assert err.value.key == "team.tax_id_out_of_scope" and err.value.field == "tax_id"
    assert not {"code", "name"} & err.value.values.keys()
    with pytest.raises(RuleError) as err:
        customers.create({**card, "tax_id": mine[0]})
    assert err.value.key == "customer.tax_id_taken" and err.value.values["code"] == mine[1]


TAXES = []  # (an outside customer's tax id, (an inside one's tax id, its code)), read by the admin


def _taxes(expected: set[str]) -> None:
    active = Customer.select().where(Customer.tax_id != "", Customer.stop_date.is_null())
    outside = active.where(Customer.class_code.startswith("01")).first()
    inside = active.where(Customer.code.in_(sorted(expected))).first()
    TAXES[:] = [outside.tax_id, (inside.tax_id, inside.code)]


def test_the_same_tax_id_outside_the_scope(demo_store, monkeypatch):
    monkeypatch.setenv("LOGNAME", "boss")
    _taxes(_team("boss", "lisi", "wang"))
    monkeypatch.setenv("LOGNAME", "lisi")
    operators._forget()
    _tax_id_walk()


def test_the_same_tax_id_outside_the_scope_on_postgresql(pg_roles):  # noqa: F811
    def setup(editor: str) -> tuple:
        _taxes(_team(operators.login(), editor, pg_roles("wang")))
        return ()

    _as_editor_on_postgresql(pg_roles, "lisi", setup, _tax_id_walk, admin=False)
