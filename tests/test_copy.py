"""`kehu copy`: the whole archive SQLite -> PostgreSQL -> SQLite (and SQLite -> SQLite) equal to
the source in every table, row by row; sequences past the copied ids; locate on the copy;
an empty target only; all or nothing; the shell's messages and exit codes; `kehu demo` on
PostgreSQL. The PostgreSQL tests skip without KEHU_TEST_PG_URL (tests/pg.py)."""
from __future__ import annotations

import sqlite3

import pytest

import db
from db import demo
from db.archive import classes, customers, search
from db.core import session
from db.core.errors import StoreError
from db.core.models import ALL_MODELS, Customer
from db.evaluation import parameters, rules
from db.lists import batch
from db.transfer import copy
from tests.pg import PG_URL, admin_sql, pg_url  # noqa: F401 - fixtures
from tui import cli


@pytest.fixture(scope="module")
def source_template(tmp_path_factory):
    """The demo built from fixtures/ with some of everything a team writes on top: history,
    an evaluation run and its proposals, a batch run, a rule, and text COPY must escape."""
    path = tmp_path_factory.mktemp("copy") / "source.db"
    store = demo.build(path)
    try:
        row = customers.get("C000002")
        customers.update("C000002", {"remark": "第一行\n第二行\t制表\\反斜杠\r回车", "region": "上海"},
                         row.version)
        batch.apply("mgmt_type", "重要客户", [(c, customers.get(c).version) for c in ("C000003", "C000004")])
        parameters.set_rule("history.new_months", "7")
        rules.evaluate()
    finally:
        store.close()
    return path


@pytest.fixture
def source(source_template, tmp_path):
    import shutil

    path = tmp_path / "source.db"
    shutil.copyfile(source_template, path)
    return path


def rows_of(target: str) -> dict[str, list[tuple]]:
    """Every row of every table, every column, as the models read them, in key order."""
    store = db.open_store(target, create=False, read_only=True)
    try:
        return {m._meta.table_name: list(m.select().order_by(m._meta.primary_key).tuples())
                for m in ALL_MODELS}
    finally:
        store.close()


def test_sqlite_to_postgres_and_back_is_the_same_archive(source, pg_url, tmp_path):
    expected = rows_of(str(source))
    assert expected["proposal"] and expected["batch_row"] and expected["change_log"]
    copied = copy.copy_archive(str(source), pg_url)
    assert copied.tables == len(ALL_MODELS)
    assert copied.rows == sum(len(r) for r in expected.values())
    assert rows_of(pg_url) == expected
    back = tmp_path / "back.db"
    copy.copy_archive(pg_url, str(back))
    assert rows_of(str(back)) == expected
    assert not (tmp_path / ".back.db.part").exists()


def test_sqlite_to_sqlite(source, tmp_path):
    target = tmp_path / "copy.db"
    copy.copy_archive(str(source), str(target))
    assert rows_of(str(target)) == rows_of(str(source))


def _add_customer() -> Customer:
    """A new customer, in a leaf of the demo, or of a class of its own on a new archive."""
    leaf = "020020002"
    if classes.get("main", leaf) is None:
        leaf = classes.add("main", "99", "测试").code
    return customers.create({"code": "Z999", "name": "新加客户有限公司", "short_name": "新加客户",
                             "class_code": leaf})


def test_ids_go_on_after_the_copied_ones(source, pg_url):
    copy.copy_archive(str(source), pg_url)
    store = db.open_store(pg_url)
    try:
        highest = Customer.select(Customer.id).order_by(Customer.id.desc()).scalar()
        assert _add_customer().id > highest
    finally:
        store.close()


def test_postgres_tables_are_vacuumed_after_the_copy(source, pg_url):
    """Counts and list anchors read the index alone only once a table has its visibility map."""
    copied = copy.copy_archive(str(source), pg_url)
    assert "vacuum" in copied.steps
    store = db.open_store(pg_url)
    try:
        unvacuumed = store.database.execute_sql(
            "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NULL "
            "AND relname IN ('customer', 'membership', 'sale')").fetchall()
        assert unvacuumed == []
    finally:
        store.close()


def _finds(target: str, fragment: str) -> set[str]:
    store = db.open_store(target)
    try:
        return {hit.code for hit in search.find(fragment)}
    finally:
        store.close()


def test_locate_works_on_the_copy_both_ways(source, pg_url, tmp_path):
    found = _finds(str(source), "华联")
    assert found
    copy.copy_archive(str(source), pg_url)
    assert _finds(pg_url, "华联") == found
    back = tmp_path / "back.db"
    copy.copy_archive(pg_url, str(back))
    assert _finds(str(back), "华联") == found
    assert _finds(str(back), "联") == _finds(str(source), "联")


def test_a_fresh_open_counts_as_empty_and_its_rows_are_replaced(source, pg_url, tmp_path):
    db.open_store(pg_url).close()  # schema info, the main and derived dimensions
    copy.copy_archive(str(source), pg_url)
    assert rows_of(pg_url) == rows_of(str(source))
    fresh = tmp_path / "fresh.db"
    db.open_store(str(fresh)).close()
    copy.copy_archive(str(source), str(fresh))
    assert rows_of(str(fresh)) == rows_of(str(source))


def test_a_target_with_data_is_refused_and_left_alone(source, pg_url, tmp_path):
    store = db.open_store(pg_url)
    _add_customer()
    store.close()
    before = rows_of(pg_url)
    with pytest.raises(StoreError) as err:
        copy.copy_archive(str(source), pg_url)
    assert err.value.key == "copy.not_empty"
    assert rows_of(pg_url) == before
    other = tmp_path / "other.db"
    store = db.open_store(str(other))
    _add_customer()
    store.close()
    before = rows_of(str(other))
    with pytest.raises(StoreError) as err:
        copy.copy_archive(str(source), str(other))
    assert err.value.key == "copy.not_empty"
    assert rows_of(str(other)) == before


def _fail_after_customers(monkeypatch):
    """Raise when the copy reaches the table after customer (membership)."""
    chunks = copy._chunks

    def failing(src, model):
        if model._meta.table_name == "membership":
            raise RuntimeError("injected")
        return chunks(src, model)

    monkeypatch.setattr(copy, "_chunks", failing)


def test_a_failure_half_way_leaves_no_tables_on_postgres(source, pg_url, monkeypatch):
    _fail_after_customers(monkeypatch)
    with pytest.raises(RuntimeError):
        copy.copy_archive(str(source), pg_url)
    import psycopg2

    conn = psycopg2.connect(pg_url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert cursor.fetchone()[0] == 0
    finally:
        conn.close()
    assert session._current is None


def test_a_failure_half_way_leaves_no_sqlite_file(source, tmp_path, monkeypatch):
    _fail_after_customers(monkeypatch)
    target = tmp_path / "copy.db"
    with pytest.raises(RuntimeError):
        copy.copy_archive(str(source), str(target))
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("source.db")] == []
    assert session._current is None


def test_a_failure_half_way_keeps_the_fresh_target_as_it_was(source, pg_url, monkeypatch):
    db.open_store(pg_url).close()
    before = rows_of(pg_url)
    _fail_after_customers(monkeypatch)
    with pytest.raises(RuntimeError):
        copy.copy_archive(str(source), pg_url)
    assert rows_of(pg_url) == before


def test_copy_text_escapes_what_the_format_needs():
    rows = [(1, None, "a\tb\nc\\d\re", "", 0)]
    assert copy.copy_text(rows) == "1\t\\N\ta\\tb\\nc\\\\d\\re\t\t0\n"


def test_shell_copy_both_ways(source, pg_url, tmp_path, capsys):
    assert cli.main(["--lang", "en", "copy", str(source), pg_url]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"Copied {len(ALL_MODELS)} tables, ") and out.count("\n") == 1
    assert err == ""  # no bar when standard error is not a terminal
    back = tmp_path / "back.db"
    assert cli.main(["--lang", "en", "copy", pg_url, str(back)]) == 0
    assert rows_of(str(back)) == rows_of(str(source))


def _refused(argv: list[str], capsys) -> str:
    assert cli.main(["--lang", "en", "copy", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("kehu: ")
    return err


def test_shell_refusals(source, tmp_path, capsys):
    assert "same database" in _refused([str(source), str(source)], capsys)
    assert "same database" in _refused([str(source), str(tmp_path / "." / "source.db")], capsys)
    server = "postgresql://kehu@127.0.0.1:1/kehu"
    assert "same database" in _refused([server, "postgresql://kehu@127.0.0.1:1/kehu"], capsys)
    assert "does not exist" in _refused([str(tmp_path / "missing.db"), str(tmp_path / "t.db")], capsys)
    assert not (tmp_path / "t.db").exists()
    taken = tmp_path / "taken.db"
    store = db.open_store(str(taken))
    _add_customer()
    store.close()
    assert "already holds data" in _refused([str(source), str(taken)], capsys)
    # a server nobody listens on (port 1)
    assert "Cannot open" in _refused([str(source), "postgresql://kehu@127.0.0.1:1/none"], capsys)
    assert not list(tmp_path.glob(".*.part"))


def test_shell_refuses_a_damaged_source(source, tmp_path, capsys):
    damaged = tmp_path / "damaged.db"
    data = bytearray(source.read_bytes())
    conn = sqlite3.connect(source)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    # a page of the customer table itself, which the copy reads (an index page it may not)
    number = conn.execute("SELECT pageno FROM dbstat WHERE name = 'customer' AND pagetype = 'leaf' "
                          "ORDER BY pageno LIMIT 1 OFFSET 2").fetchone()[0]
    conn.close()
    data[page * (number - 1):page * number] = b"\xff" * page  # one page in the middle overwritten
    damaged.write_bytes(bytes(data))
    assert "damaged" in _refused([str(damaged), str(tmp_path / "t.db")], capsys)
    assert not (tmp_path / "t.db").exists()


def test_shell_refuses_a_postgres_target_with_data(source, pg_url, capsys):
    admin_sql("CREATE TABLE schema_info (key varchar(40) PRIMARY KEY, value text);"
              "INSERT INTO schema_info VALUES ('schema_version', '1')", pg_url)
    assert "already holds data" in _refused([str(source), pg_url], capsys)


def test_demo_on_postgres_then_find(pg_url, capsys):
    assert cli.main(["--lang", "en", "demo", "--db", pg_url]) == 0
    assert "3,000 customers" in capsys.readouterr().out
    assert cli.main(["--lang", "en", "--db", pg_url, "find", "华联"]) == 0
    assert "华联" in capsys.readouterr().out
    assert cli.main(["--lang", "en", "demo", "--db", pg_url]) == 2  # not empty any more
    assert "already holds data" in capsys.readouterr().err


def test_generated_demo_on_postgres(pg_url, capsys):
    assert cli.main(["--lang", "en", "demo", "--db", pg_url, "--customers", "200", "--sales", "2"]) == 0
    assert "200 customers" in capsys.readouterr().out
    store = db.open_store(pg_url)
    try:
        assert Customer.select().count() == 200
    finally:
        store.close()


def test_the_bar_shows_the_table_and_the_counts(monkeypatch):
    import io
    import os

    from tui.shell.copy import Bar

    monkeypatch.setattr("shutil.get_terminal_size", lambda: os.terminal_size((60, 24)))
    stream = io.StringIO()
    bar = Bar(stream)
    bar("sale", 0, 2000)
    bar("sale", 2000, 2000)
    bar.clear()
    last = stream.getvalue().split("\r")[-2]
    assert last.startswith("sale ") and last.endswith(" 2,000 / 2,000") and len(last) <= 59
    assert "[" + "#" * (len(last) - len(last.split("[")[0]) - len(" 2,000 / 2,000") - 2) + "]" in last
