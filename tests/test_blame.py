"""Blame and as-of from the history (db.archive.blame): the last setter of each field through
a save, an import, a batch modify and a merge; the card at a moment, across an add, changes,
a delete; `kehu blame` and `kehu show --as-of` in the shell. On SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json

import pytest

import db
from db.archive import blame, classes, customers, merge
from db.core import clock
from db.lists import batch
from db.transfer import importer
from tests.conftest import FIXED_NOW, SEED_CLASSES
from tests.pg import pg_store, pg_url  # noqa: F401 (fixtures)
from tui import cli


def _day(n: int) -> None:
    clock.fix(FIXED_NOW + dt.timedelta(days=n))


def _story(tmp_path, monkeypatch):
    """K1 added by alice (day 0), its region changed by bob (day 1), its credit limit set by
    an import (day 2), its region by a batch modify (day 3); K2 merged into K1 by carol
    (day 4), taking K2's phone."""
    for code, name in SEED_CLASSES:
        classes.add("main", code, name)
    monkeypatch.setenv("LOGNAME", "alice")
    customers.create({"code": "K1", "name": "北京华联", "short_name": "华联", "class_code": "01"})
    customers.create({"code": "K2", "name": "北京华联二", "short_name": "华联二", "class_code": "01",
                      "phone": "010-2"})
    _day(1)
    monkeypatch.setenv("LOGNAME", "bob")
    customers.update("K1", {"region": "北京"}, 1)
    _day(2)
    path = tmp_path / "c.csv"
    path.write_text("客户编码,信用额度\nK1,500\n", encoding="utf-8")
    importer.commit(importer.plan(path))
    _day(3)
    batch.apply("region", "上海", [("K1", customers.get("K1").version)])
    _day(4)
    monkeypatch.setenv("LOGNAME", "carol")
    merge.merge("K1", ["K2"], {"phone": "K2"})


def _check_blame():
    found = {b.field: b for b in blame.blame("K1")}
    assert (found["name"].entry.who, found["name"].source) == ("alice", "save")
    assert (found["region"].value, found["region"].source) == ("上海", "batch")
    assert found["credit_limit"].source == "import" and found["credit_limit"].value == 50000
    assert found["credit_limit"].entry.batch.startswith("import-")
    assert (found["phone"].entry.who, found["phone"].source, found["phone"].value) == ("carol", "merge", "010-2")
    assert found["region"].entry.at == FIXED_NOW + dt.timedelta(days=3)
    # the merged customer's own rows, now filed under K1, are not K1's fields
    assert "dimension" not in "".join(found)


def _check_as_of():
    assert blame.as_of("K1", FIXED_NOW - dt.timedelta(days=1)) is None  # not added yet
    start = blame.as_of("K1", FIXED_NOW.date())
    assert (start["region"], start["credit_limit"], start["phone"]) == ("", 0, "")
    day1 = blame.as_of("K1", FIXED_NOW + dt.timedelta(days=1))
    assert day1["region"] == "北京" and day1["credit_limit"] == 0
    day3 = blame.as_of("K1", (FIXED_NOW + dt.timedelta(days=3)).date())
    assert (day3["region"], day3["credit_limit"], day3["phone"]) == ("上海", 50000, "")
    assert blame.as_of("K1", FIXED_NOW + dt.timedelta(days=9)) == blame.current("K1")
    # K2's history went with it into K1: under its own code there is nothing to undo
    assert blame.as_of("K2", FIXED_NOW + dt.timedelta(days=3)) is None


def test_blame_and_as_of_sqlite(store, tmp_path, monkeypatch):
    _story(tmp_path, monkeypatch)
    _check_blame()
    _check_as_of()


def test_blame_and_as_of_postgresql(pg_store, tmp_path, monkeypatch):  # noqa: F811
    _story(tmp_path, monkeypatch)
    _check_blame()
    _check_as_of()


def test_as_of_a_deleted_customer_and_after_each_entry(store, monkeypatch):
    for code, name in SEED_CLASSES:
        classes.add("main", code, name)
    customers.create({"code": "K1", "name": "北京华联", "short_name": "华联", "class_code": "01",
                      "region": "北京"})
    _day(1)
    customers.update("K1", {"region": "天津"}, 1)
    _day(2)
    customers.delete("K1", 2)
    assert blame.current("K1") is None
    assert blame.as_of("K1", FIXED_NOW + dt.timedelta(days=1))["region"] == "天津"
    assert blame.as_of("K1", FIXED_NOW)["region"] == "北京"
    assert blame.as_of("K1", FIXED_NOW + dt.timedelta(days=2)) is None
    entries = {e.action: e.id for e in db.archive.history.for_entity("customer", "K1")}
    assert blame.as_of_entry("K1", entries["add"])["region"] == "北京"
    assert blame.as_of_entry("K1", entries["change"])["region"] == "天津"


def test_shell_blame_and_show_as_of(store, tmp_path, monkeypatch, capsys):
    _story(tmp_path, monkeypatch)
    url = store.url
    store.close()
    assert cli.main(["--db", url, "--lang", "zh", "blame", "K1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["字段", "设为", "操作员", "时间", "途径"]
    region = next(line for line in out if line.startswith("所属地区"))
    assert "上海" in region and "bob" in region and "批改 batch-" in region
    assert any(line.startswith("信用额度") and "500.00" in line and "导入 import-" in line for line in out)
    assert cli.main(["--db", url, "blame", "K1", "--json"]) == 0
    data = {d["field"]: d for d in json.loads(capsys.readouterr().out)}
    assert data["phone"]["who"] == "carol" and data["phone"]["source"] == "merge"
    assert cli.main(["--db", url, "--lang", "zh", "show", "K1", "--as-of", "2026-11-24"]) == 0
    out = capsys.readouterr().out
    assert "(截至 2026-11-24)" in out and "北京" in out and "500.00" not in out
    assert cli.main(["--db", url, "show", "K1", "--as-of", "2026-11-24 09:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["basic"]["region"] == ""
    assert cli.main(["--db", url, "show", "K1", "--as-of", "2020-01-01"]) == 1
    assert "no customer K1" in capsys.readouterr().err
    assert cli.main(["--db", url, "show", "K1", "--as-of", "someday"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--as-of" in err
    assert cli.main(["--db", url, "blame", "NOPE"]) == 1
