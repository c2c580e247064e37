"""Operators and roles (db.archive.operators): no operators = everyone admin, the first
operator added is an admin, each role's writes allowed or refused in the store, unknown
logins as viewers or refused, the last admin kept; `kehu operators`. On SQLite the login
is the OS user (LOGNAME here); on PostgreSQL the database role, tested with roles made for
the test and dropped after."""
from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

import db
from db import RuleError, StoreError
from db.archive import classes, customers, history, operators
from db.core import clock
from db.evaluation import parameters
from tests.conftest import SEED_CLASSES
from tests.pg import PG_URL, admin_sql, fresh_schema, pg_store, pg_url  # noqa: F401 (fixtures)
from tui import cli

NEW = {"code": "K1", "name": "北京华联", "short_name": "华联", "class_code": "01"}


def _seed():
    for code, name in SEED_CLASSES:
        classes.add("main", code, name)


def _as(monkeypatch, who: str) -> None:
    monkeypatch.setenv("LOGNAME", who)


def test_no_operators_everyone_admin_first_is_admin(store, monkeypatch):
    _seed()
    assert operators.me() == operators.Me("kehu-test")
    op = operators.add("kehu-test", "王五", role="viewer")
    assert op.role == "admin"  # the first is the admin whatever was asked
    assert operators.me().known and operators.me().team
    # adding someone else first makes the one adding the admin
    operators.remove("kehu-test")
    assert operators.operators() == []
    operators.add("lisi", "李四", role="editor")
    assert [(o.login, o.role) for o in operators.operators()] == [("kehu-test", "admin"), ("lisi", "editor")]
    assert [e.action for e in history.recent(entity="operator")][:2] == ["add", "add"]


@pytest.fixture
def team(store, monkeypatch):
    _seed()
    _as(monkeypatch, "boss")
    operators.add("boss", "张总", role="admin")
    operators.add("lisi", "李四", "华北销售部", "editor")
    operators.add("zhangsan", "张三", role="approver")
    operators.add("wang", "王五", role="viewer")
    return store


@pytest.mark.parametrize("who, customer, archive", [
    ("boss", True, True), ("lisi", True, False), ("zhangsan", False, False),
    ("wang", False, False), ("stranger", False, False)])
def test_each_role_writes_what_it_may(team, monkeypatch, who, customer, archive):
    _as(monkeypatch, who)
    attempts = {
        "customer": lambda: customers.create(NEW),
        "archive": lambda: classes.add("main", "05", "其它"),
        "rules": lambda: parameters.set_rule("history.new_months", "7"),
        "operators": lambda: operators.add("x1", role="viewer"),
    }
    allowed = {"customer": customer, "archive": archive, "rules": archive, "operators": archive}
    for what, attempt in attempts.items():
        if allowed[what]:
            attempt()
        else:
            with pytest.raises(RuleError) as err:
                attempt()
            assert err.value.key.startswith("team.cannot.")
            assert "张总 (boss)" in err.value.values["admins"]
    assert customers.get("K1") is not None if customer else customers.get("K1") is None


def test_a_role_taken_away_counts_at_the_next_write(team, monkeypatch):
    _as(monkeypatch, "lisi")
    customers.create(NEW)
    _as(monkeypatch, "boss")
    operators.change("lisi", operators.get("lisi").version, role="viewer")
    _as(monkeypatch, "lisi")
    with pytest.raises(RuleError, match="team.cannot.customer"):
        customers.update("K1", {"region": "北京"}, 1)
    assert customers.get("K1").region == ""


def test_unknown_login_refused_by_setting_and_last_admin_kept(team, tmp_path, monkeypatch):
    operators.set_unknown("refuse")
    with pytest.raises(RuleError, match="team.bad_unknown"):
        operators.set_unknown("maybe")
    with pytest.raises(RuleError, match="team.last_admin"):
        operators.change("boss", operators.get("boss").version, role="editor")
    with pytest.raises(RuleError, match="team.last_admin"):
        operators.remove("boss")
    with pytest.raises(RuleError, match="team.exists"):
        operators.add("lisi")
    with pytest.raises(RuleError, match="team.bad_login"):
        operators.add("li si")
    with pytest.raises(RuleError, match="team.bad_class"):
        operators.add("zhao", scope=operators.Scope(classes=(("main", "99"),)))
    url = team.url
    team.close()
    _as(monkeypatch, "stranger")
    with pytest.raises(StoreError) as err:
        db.open_store(url)
    assert err.value.key == "team.unknown_refused" and err.value.values["admins"] == "张总 (boss)"
    assert cli.main(["--db", url, "find", "华"]) == 2


def test_shell_operators(team, monkeypatch, capsys):
    url = team.url
    team.close()
    assert cli.main(["--db", url, "--lang", "zh", "operators", "set", "lisi", "--class", "02",
                     "--scope-department", "华北销售部", "--own"]) == 0
    assert "录入" in capsys.readouterr().out
    assert cli.main(["--db", url, "operators", "list", "--json"]) == 0
    lisi = next(o for o in json.loads(capsys.readouterr().out) if o["login"] == "lisi")
    assert (lisi["classes"], lisi["departments"], lisi["own"]) == ([["main", "02"]], ["华北销售部"], True)
    assert cli.main(["--db", url, "--lang", "zh", "operators", "list"]) == 0
    out = capsys.readouterr().out
    assert "02, 部门 华北销售部, 专管" in out and "账套主管" in out
    _as(monkeypatch, "lisi")
    assert cli.main(["--db", url, "operators", "add", "x2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ask 张总 (boss)" in err
    _as(monkeypatch, "boss")
    assert cli.main(["--db", url, "operators", "remove", "wang"]) == 0
    assert cli.main(["--db", url, "operators", "set", "nobody", "--role", "viewer"]) == 2


# ---- PostgreSQL: the login is the database role


def role_url(login: str) -> str:
    parts = urlsplit(PG_URL)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{login}@{host}"))


@pytest.fixture
def pg_roles(pg_url):  # noqa: F811
    """Unique role names for one test (roles belong to the whole cluster), dropped after."""
    made = []

    def new(stem: str) -> str:
        name = f"kt_{stem}_{uuid.uuid4().hex[:8]}"
        made.append(name)
        return name

    yield new
    from db.core import session

    if session._current is not None:
        session._current.close()
    for name in made:
        admin_sql(f'DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = \'{name}\') THEN '
                  f'EXECUTE \'DROP OWNED BY "{name}"\'; EXECUTE \'DROP ROLE "{name}"\'; END IF; END $$')
    # No archive with policies and sales is left for a test that reuses the schema as it finds it.
    fresh_schema()


def test_postgresql_roles_follow_operators(pg_store, pg_roles, monkeypatch):  # noqa: F811
    _seed()
    admin = operators.login()
    editor, viewer = pg_roles("editor"), pg_roles("viewer")
    operators.add(editor, "李四", "华北销售部", "editor")
    assert [o.login for o in operators.operators()] == sorted([admin, editor])
    operators.add(viewer, "王五", role="viewer")
    pg_store.close()
    # the editor connects as its own role: it writes customers and the history under its name
    store = db.open_store(role_url(editor))
    assert operators.me().role == "editor" and clock.user() == editor
    customers.create(NEW)
    assert history.for_entity("customer", "K1")[0].who == editor
    with pytest.raises(RuleError, match="team.cannot.archive"):
        classes.add("main", "05", "其它")
    store.close()
    store = db.open_store(role_url(viewer))
    with pytest.raises(RuleError, match="team.cannot.customer"):
        customers.update("K1", {"region": "北京"}, 1)
    store.close()
    import psycopg2

    # the server refuses the viewer's write even past kehu
    conn = psycopg2.connect(role_url(viewer))
    try:
        with conn.cursor() as cursor, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cursor.execute("UPDATE customer SET region = 'x'")
    finally:
        conn.close()
    clock.act_as(None)


def test_a_version_13_archive_on_postgresql_gets_its_policies_again(pg_store, pg_roles):  # noqa: F811
    """13's customer policy read a scope of another dimension's classes against the wrong id:
    an upgrade makes the policies again (server.resync), whatever they were."""
    from db.core.models import SchemaInfo

    _seed()
    operators.add(pg_roles("editor"), "李四", "华北销售部", "editor")
    pg_store.database.execute_sql("DROP POLICY kehu_scope ON customer")
    pg_store.database.execute_sql("CREATE POLICY kehu_scope ON customer USING (true)")  # as broken
    SchemaInfo.update(value="13").where(SchemaInfo.key == "schema_version").execute()
    pg_store.close()
    store = db.open_store(PG_URL)
    (qual,), = store.database.execute_sql(
        "SELECT qual FROM pg_policies WHERE tablename = 'customer' AND policyname = 'kehu_scope'").fetchall()
    assert "kehu_member_of" in qual and "customer.id" in qual
    store.close()


def test_an_older_archive_gains_the_operator_tables(store, tmp_path):
    from db.core.models import SCHEMA_VERSION, SchemaInfo

    url = store.url
    for table in ("operator_scope", "operator", "team_setting"):
        store.database.execute_sql(f"DROP TABLE {table}")
    SchemaInfo.update(value="7").where(SchemaInfo.key == "schema_version").execute()  # before operators
    store.close()
    with pytest.raises(db.StoreError) as err:  # read-only, it asks for one writable open
        db.open_store(url, read_only=True)
    assert err.value.key == "store.read_only_old"
    upgraded = db.open_store(url)
    assert SchemaInfo.get(SchemaInfo.key == "schema_version").value == str(SCHEMA_VERSION)
    assert operators.me().role == "admin" and operators.operators() == []  # no operators: as before
    operators.add("kehu-test")
    assert operators.me().known
    upgraded.close()


def test_a_copy_by_a_role_that_may_not_create_roles_lands_and_says_what_to_run(
        tmp_path, pg_roles, monkeypatch, capsys):  # noqa: F811
    """`kehu copy` into PostgreSQL as a role without CREATEROLE: the operators' missing roles
    are not made, one notice names them and what the database admin runs; the copy lands, and
    `kehu operators sync` grants the roles once they exist."""
    import psycopg2

    path = tmp_path / "team.db"
    db.open_store(str(path))
    _seed()
    customers.create(NEW)
    copier, editor = pg_roles("copier"), pg_roles("editor")
    _as(monkeypatch, copier)
    operators.add(copier, "张总")
    operators.add(editor, "李四", role="editor", scope=operators.Scope(classes=(("main", "02"),)))
    from db.core import session

    session._current.close()
    # the target's owner, as a team's own database would be; no CREATEROLE
    admin_sql(f'CREATE ROLE "{copier}" LOGIN; ALTER SCHEMA public OWNER TO "{copier}"')
    assert cli.main(["copy", str(path), role_url(copier)]) == 0
    out, err = capsys.readouterr()
    assert "K1" not in err and editor in err and f'CREATE ROLE "{editor}" LOGIN;' in err
    assert err.count("\n") == 1 and "operators sync" in err
    store = db.open_store(role_url(copier))
    assert customers.get("K1") is not None and operators.get(editor).role == "editor"
    store.close()
    admin_sql(f'CREATE ROLE "{editor}" LOGIN')
    assert cli.main(["--db", role_url(copier), "operators", "sync"]) == 0
    conn = psycopg2.connect(role_url(editor))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM customer")  # granted, and narrowed to class 02
            assert cursor.fetchone()[0] == 0
    finally:
        conn.close()
    clock.act_as(None)
