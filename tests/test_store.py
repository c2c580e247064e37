"""Opening the store: creation, pragmas, schema version, and every way a path can be wrong."""
import datetime as dt
import os
import sqlite3
import subprocess
import sys

import pytest

import db
from db import StoreError
from db.archive import classes
from db.core.models import SCHEMA_VERSION, SchemaInfo


def test_creates_schema_with_version_and_main_dimension(tmp_path):
    store = db.open_store(str(tmp_path / "new.db"))
    assert SchemaInfo.get_by_id("schema_version").value == str(SCHEMA_VERSION)
    assert classes.dimension("main").scheme == "2-3-4"
    pragmas = {p: store.database.execute_sql(f"PRAGMA {p}").fetchone()[0]
               for p in ("journal_mode", "foreign_keys", "busy_timeout")}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000}
    store.close()


def test_reopen_keeps_data(tmp_path):
    path = str(tmp_path / "a.db")
    db.open_store(path)
    classes.add("main", "01", "个人")
    db.open_store(path)
    assert classes.get("main", "01").name == "个人"


def test_sqlite_url(tmp_path):
    store = db.open_store(f"sqlite:///{tmp_path / 'u.db'}")
    assert store.dialect == "sqlite" and (tmp_path / "u.db").exists()


def test_default_path_comes_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("KEHU_DB", str(tmp_path / "env.db"))
    assert db.default_url() == str(tmp_path / "env.db")


def refused(key, *args, **kwargs):
    with pytest.raises(StoreError) as err:
        db.open_store(*args, **kwargs)
    assert err.value.key == key
    return err.value


def test_missing_file_not_created_when_asked(tmp_path):
    refused("store.missing", str(tmp_path / "none.db"), create=False)
    assert not (tmp_path / "none.db").exists()


def test_directory_is_refused(tmp_path):
    refused("store.is_dir", str(tmp_path))


def test_not_a_database(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    refused("store.not_db", str(junk))
    assert junk.read_bytes() == b"this is not sqlite at all" * 100


def test_foreign_sqlite_database_is_not_touched(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("create table invoices(id integer)")
    con.commit()
    con.close()
    refused("store.not_kehu", str(other))


def test_newer_schema_is_refused(tmp_path):
    path = str(tmp_path / "n.db")
    db.open_store(path).close()
    con = sqlite3.connect(path)
    con.execute("update schema_info set value = ? where key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    err = refused("store.newer_schema", path)
    assert err.values == {"found": SCHEMA_VERSION + 1, "supported": SCHEMA_VERSION}


def _version_2_archive(path: str) -> None:
    """An archive as version 2 left it: one customer, a locate index that kept the names."""
    from tests.test_search import add

    with db.open_store(path).writing():
        add("C1", "北京华联超市", "华联")
    db.open_store(path).close()
    con = sqlite3.connect(path)
    con.executescript("""
        DROP TABLE customer_fts;
        CREATE VIRTUAL TABLE customer_fts USING fts5(name, short_name, prefix = 1, columnsize = 0,
            tokenize = 'unicode61 remove_diacritics 0');
        INSERT INTO customer_fts (rowid, name, short_name) SELECT id, '北京 京华', '' FROM customer;
        UPDATE schema_info SET value = '2' WHERE key = 'schema_version';
    """)
    con.close()


def test_a_version_2_archive_gets_the_contentless_locate_index(tmp_path):
    from db.archive import search
    from tests.test_search import add, index_matches_customers

    path = str(tmp_path / "v2.db")
    _version_2_archive(path)
    told = []
    store = db.open_store(path, notice=lambda key, **values: told.append((key, values)))
    assert told == [("store.upgrading_index", {"path": path})]
    assert SchemaInfo.get_by_id("schema_version").value == str(SCHEMA_VERSION)
    table = store.database.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'customer_fts'")
    assert "content = ''" in table.fetchone()[0]
    index_matches_customers()  # made anew from the customer table
    assert [h.code for h in search.locate("超市")] == ["C1"]
    with store.writing():
        add("C2", "上海联华")
    assert [h.code for h in search.locate("联华")] == ["C2"]
    store.close()
    told.clear()
    db.open_store(path, notice=lambda key, **values: told.append(key)).close()
    assert told == []  # once only


def test_a_version_2_archive_opened_read_only_asks_for_one_writable_open(tmp_path):
    path = str(tmp_path / "v2.db")
    _version_2_archive(path)
    err = refused("store.read_only_old", path, read_only=True)
    assert err.values == {"found": 2, "supported": SCHEMA_VERSION}
    con = sqlite3.connect(path)
    assert con.execute("SELECT value FROM schema_info").fetchone() == ("2",)  # left as it was
    con.close()


def _version_3_archive(path: str) -> None:
    """An archive as version 3 left it: without the index of the stopped customers."""
    from tests.test_search import add

    with db.open_store(path).writing():
        add("C1", "北京华联超市", "华联")
        add("C2", "上海联华", stop_date=dt.date(2026, 1, 1))
    db.open_store(path).close()
    con = sqlite3.connect(path)
    con.executescript("""
        DROP INDEX customer_stopped;
        UPDATE schema_info SET value = '3' WHERE key = 'schema_version';
    """)
    con.close()


def _indexes(path: str) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        con.close()


def test_the_stopped_count_reads_the_index_of_stopped_customers(tmp_path):
    store = db.open_store(str(tmp_path / "s.db"))
    plan = store.database.execute_sql(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM customer WHERE stop_date <= ?", ["2026-11-23"]).fetchall()
    assert "customer_stopped" in " ".join(str(step[-1]) for step in plan)
    store.close()


def test_a_version_3_archive_gets_the_index_of_stopped_customers(tmp_path):
    from db.lists import paging

    path = str(tmp_path / "v3.db")
    _version_3_archive(path)
    assert "customer_stopped" not in _indexes(path)
    store = db.open_store(path)
    assert SchemaInfo.get_by_id("schema_version").value == str(SCHEMA_VERSION)
    assert paging.count(paging.ListQuery()) == 1
    store.close()
    assert "customer_stopped" in _indexes(path)


def test_a_version_3_archive_opened_read_only_asks_for_one_writable_open(tmp_path):
    """Read-only, an archive older than version 7 is refused: the card would look for the
    sub-records' tables, a list sorted by name for the sort keys of 6."""
    path = str(tmp_path / "v3.db")
    _version_3_archive(path)
    err = refused("store.read_only_old", path, read_only=True)
    assert err.values == {"found": 3, "supported": SCHEMA_VERSION}
    con = sqlite3.connect(path)
    assert con.execute("SELECT value FROM schema_info").fetchone() == ("3",)  # left as it was
    con.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write any file")
def test_unwritable_file_opens_read_only(tmp_path):  # pragma: no cover - CI runs as root
    path = tmp_path / "ro.db"
    db.open_store(str(path)).close()
    path.chmod(0o444)
    assert db.open_store(str(path)).read_only


def test_read_only_refuses_writes(tmp_path):
    path = str(tmp_path / "r.db")
    db.open_store(path)
    classes.add("main", "01", "个人")
    store = db.open_store(path, read_only=True)
    assert store.read_only and classes.get("main", "01").name == "个人"
    with pytest.raises(StoreError) as err:
        classes.add("main", "02", "x")
    assert err.value.key == "store.read_only"


def test_store_package_never_imports_textual():
    code = ("import sys, importlib, pkgutil, db\n"
            "for m in pkgutil.walk_packages(db.__path__, 'db.'): importlib.import_module(m.name)\n"
            "assert 'db.transfer.exporter' in sys.modules and 'db.evaluation.rules' in sys.modules\n"
            "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
