"""Import plans spooled out of memory (importer.spool), the rejects file (importer.rejects), and
the commit of a spooled plan: read back whole, all or nothing, versions checked, the spool removed."""
from __future__ import annotations

import csv
import json
import os
import tracemalloc

import pytest

from db.archive import classes, customers, search
from db.core.errors import ConflictError, RuleError
from db.core.models import ChangeLog, Customer
from db.transfer import importer
from db.transfer.importer import spool as spool_module
from db.transfer.importer.rejects import REASON_COLUMNS
from tests.pg import any_store, pg_store, pg_url  # noqa: F401  (fixtures)

HEADER = "客户编码,客户名称,客户简称,所属分类码,电话\n"


def _classes():
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北")


def _file(tmp_path, rows: int, name: str = "c.csv", bad_every: int = 0, rename: str = "") -> os.PathLike:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        for i in range(rows):
            klass = "99" if bad_every and i % bad_every == bad_every - 1 else "01001"
            f.write(f"K{i:06d},客户{rename}{i}号有限公司,客户{rename}{i},{klass},010-{i}\n")
    return path


def _spool_files(plan) -> list[str]:
    return [s._path for s in (plan.adds, plan.updates) if s._path and os.path.exists(s._path)]


def test_a_plan_of_many_rows_holds_no_list_of_them_and_the_commit_reads_them_all_back(any_store, tmp_path):
    _classes()
    rows = 3 * spool_module.SPILL + 17
    plan = importer.plan(_file(tmp_path, rows))
    assert len(plan.adds) == rows and plan.rows == rows
    # In memory: the preview's first rows and less than one spill's worth, nothing the size of the file.
    assert len(plan.adds.head) == spool_module.HEAD and len(plan.adds._buffer) < spool_module.SPILL
    assert not any(isinstance(v, (list, tuple, dict, set)) and len(v) >= rows for v in vars(plan).values())
    assert [r.code for r in plan.adds][-1] == f"K{rows - 1:06d}"  # read back in order
    files = _spool_files(plan)
    assert files
    result = importer.commit(plan)
    assert result.added == rows == Customer.select().count()
    assert ChangeLog.select().where(ChangeLog.batch == plan.batch).count() == rows
    assert [c.code for c in search.find("客户6001号")] == ["K006001"]
    assert not any(os.path.exists(f) for f in files)  # removed once written


def test_the_plan_keeps_about_the_same_memory_for_four_times_the_rows(store, tmp_path, monkeypatch):
    """The codes met past seen_codes.MEMORY go to disk too (made small here: at its size the
    dict is most of a small file's plan)."""
    from db.transfer.importer import seen_codes

    monkeypatch.setattr(seen_codes, "MEMORY", 1000)
    _classes()
    importer.plan(_file(tmp_path, 10, "warm.csv")).close()  # the caches a first plan loads
    peaks = []
    for rows in (24_000, 96_000):  # (below about 20,000 rows the caches of a plan are still filling)
        path = _file(tmp_path, rows, f"{rows}.csv")
        tracemalloc.start()
        plan = importer.plan(path)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        plan.close()
    assert peaks[1] < 1.5 * peaks[0], peaks


def test_updates_spooled_are_checked_against_their_versions_and_logged_with_the_old_values(any_store, tmp_path):
    _classes()
    rows = spool_module.SPILL + 500
    importer.commit(importer.plan(_file(tmp_path, rows, "first.csv")))
    plan = importer.plan(_file(tmp_path, rows, "second.csv", rename="新"))
    assert len(plan.updates) == rows and _spool_files(plan)
    # Changed since the plan read it, near the end of the spool: nothing is written.
    last = f"K{rows - 3:06d}"
    customers.update(last, {"phone": "999"}, customers.get(last).version)
    with pytest.raises(ConflictError):
        importer.commit(plan)
    assert Customer.select().where(Customer.name.contains("新")).count() == 0
    assert _spool_files(plan)  # kept: a failed commit may be tried again
    plan = importer.plan(_file(tmp_path, rows, "second.csv", rename="新"))
    importer.commit(plan)
    assert Customer.select().where(Customer.name.contains("新")).count() == rows
    logs = ChangeLog.select().where(ChangeLog.batch == plan.batch, ChangeLog.action == "change")
    assert logs.count() == rows
    change = json.loads(logs.where(ChangeLog.entity_code == "K002100").get().changes)
    assert change["name"] == ["客户2100号有限公司", "客户新2100号有限公司"]


def test_a_failure_midway_through_a_spooled_commit_leaves_the_archive_as_it_was(any_store, tmp_path, monkeypatch):
    _classes()
    rows = 2 * spool_module.SPILL + 1
    plan = importer.plan(_file(tmp_path, rows))
    logged = ChangeLog.select().count()
    from db.transfer.importer import write

    def broken(*args, **kwargs):
        raise RuleError("import.changed_since_plan", reason="disk full")

    monkeypatch.setattr(write, "_log_added", broken)  # after every row and index is written
    with pytest.raises(RuleError):
        importer.commit(plan)
    assert Customer.select().count() == 0 and ChangeLog.select().count() == logged
    assert search.find("客户1号") == []
    monkeypatch.undo()
    assert importer.commit(plan).added == rows  # the spool kept, the plan still whole
    assert Customer.select().count() == rows


def test_every_rejected_row_goes_to_a_rejects_file_that_imports_again(any_store, tmp_path):
    _classes()
    rows = spool_module.SPILL + 10
    source = _file(tmp_path, rows, bad_every=100)
    plan = importer.plan(source)
    assert len(plan.rejected_lines) == rows // 100
    path = importer.write_rejects(plan, lambda p: f"why {p.key}")
    assert path == tmp_path / "c.rejects.csv" == plan.rejects_path
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads it as it is
    with open(path, encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == HEADER.strip().split(",") + list(REASON_COLUMNS)
    assert len(table) == 1 + rows // 100
    assert table[1][:5] == ["K000099", "客户99号有限公司", "客户99", "99", "010-99"]  # the row as it was
    assert table[1][5:8] == ["101", "所属分类码", "99"] and table[1][8].startswith("why ")
    importer.commit(plan, only_valid=True)
    # Fixed and imported again: its reasons are columns ignored, its rows go in.
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([table[0]] + [r[:3] + ["01001"] + r[4:] for r in table[1:]])
    again = importer.plan(path)
    assert again.extra == list(REASON_COLUMNS) and not again.rejected
    assert importer.commit(again).added == rows // 100
    assert Customer.select().count() == rows


def test_no_rejects_file_without_rejected_rows_and_a_closed_plan_leaves_no_spool(store, tmp_path):
    _classes()
    plan = importer.plan(_file(tmp_path, spool_module.SPILL + 1))
    assert importer.write_rejects(plan) is None and plan.rejects_path is None
    assert not (tmp_path / "c.rejects.csv").exists()
    files = _spool_files(plan)
    assert files
    plan.close()  # the preview left
    assert not any(os.path.exists(f) for f in files)
    assert len(plan.adds) == spool_module.SPILL + 1  # the counts stay for what shows them
    with pytest.raises(RuntimeError):
        list(plan.adds)


@pytest.fixture
def store(tmp_path):
    import db

    s = db.open_store(str(tmp_path / "t.db"))
    yield s
    s.close()


def test_a_code_met_again_is_refused_whether_its_first_line_is_in_memory_or_on_disk(store, tmp_path, monkeypatch):
    from db.transfer.importer import seen_codes

    _classes()
    monkeypatch.setattr(seen_codes, "MEMORY", 3)
    monkeypatch.setattr("db.transfer.importer.common.CHUNK", 4)
    codes = ["A1", "A2", "A3", "A4", "A5", "A1", "A6", "A5", "A7", "A2", "A7"]
    path = tmp_path / "d.csv"
    path.write_text(HEADER + "".join(f"{c},客户{c}公司,客户{c},01001,\n" for c in codes), encoding="utf-8")
    plan = importer.plan(path)
    assert [(p.line, p.values["code"], p.values["first_line"]) for p in plan.rejected] == [
        (7, "A1", 2), (9, "A5", 6), (11, "A2", 3), (12, "A7", 10)]
    assert [r.code for r in plan.adds] == ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]


def test_kehu_import_says_where_the_rejects_file_went(tmp_path, capsys):
    import db
    from tui import cli

    target = str(tmp_path / "t.db")
    db.open_store(target)
    _classes()
    source = _file(tmp_path, 5, bad_every=2)
    assert cli.main(["import", str(source), "--db", target, "--lang", "en", "--only-valid"]) == 0
    out = capsys.readouterr().out
    rejects = tmp_path / "c.rejects.csv"
    assert f"Every rejected row is in {rejects}" in out and "3 added" in out
    with open(rejects, encoding="utf-8-sig", newline="") as f:
        assert [r[0] for r in csv.reader(f)] == ["客户编码", "K000001", "K000003"]


def test_a_sale_named_twice_is_refused_whether_its_first_line_is_in_memory_or_on_disk(store, tmp_path, monkeypatch):
    from db.transfer.importer import seen_codes

    _classes()
    customers.create({"code": "C1", "name": "甲公司", "short_name": "甲", "class_code": "01001"})
    monkeypatch.setattr(seen_codes, "MEMORY", 2)
    monkeypatch.setattr("db.transfer.importer.common.CHUNK", 3)
    docs = ["X1", "X2", "X3", "X4", "X1", "X5", "X3", "X5"]
    path = tmp_path / "s.csv"
    path.write_text("客户编码,单据日期,单据号,金额,成本\n" + "".join(f"C1,2024-03-05,{d},10,0\n" for d in docs),
                    encoding="utf-8")
    plan = importer.plan(path, kind="sales")
    assert [(p.line, p.values["doc_no"], p.values["first_line"]) for p in plan.rejected] == [
        (6, "X1", 2), (8, "X3", 4), (9, "X5", 7)]
    assert importer.commit(plan, only_valid=True).added == 5
