"""Issue 21 item 3, the shell's conventions: the global options anywhere, a dimension by its
key or either name, piped output never cut, JSON numbers as numbers and dates as ISO text."""
from __future__ import annotations

import json

import pytest

import db
from db.archive import classes, customers, dimensions
from tui import cli
from tui.shell import plain
from tests.pg import pg_url  # noqa: F401 - fixture

LONG_REMARK = "很长的备注" * 40


def _fill() -> None:
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北")
    dimensions.create("region", "地区分类", "Regions", "2-2")
    classes.add("region", "01", "华北")
    customers.create({"code": "C001", "name": "北京华联综合超市股份有限公司", "short_name": "北京华联",
                      "class_code": "01001", "credit_limit": "5000.50", "discount_rate": "12.5",
                      "credit_days": "30", "dev_date": "2024-03-05", "remark": LONG_REMARK})
    dimensions.set_membership("C001", "region", "01")
    row = customers.get("C001")
    customers.update("C001", {"credit_limit": "8000"}, row.version)


@pytest.fixture
def archive(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    path = tmp_path / "t.db"
    store = db.open_store(str(path))
    _fill()
    store.close()
    return str(path)


@pytest.fixture
def pg_archive(pg_url, monkeypatch):  # noqa: F811 - the fixture
    monkeypatch.setenv("COLUMNS", "40")
    store = db.open_store(pg_url)
    _fill()
    store.close()
    return pg_url


def test_every_command_takes_the_global_options_after_its_name():
    sub = next(a for a in cli.build_parser()._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        options = set(parser._option_string_actions)
        assert {"--db", "--lang", "--read-only"} <= options, name


@pytest.mark.parametrize("argv", [
    ["find", "华联", "--db", "{db}"],
    ["--lang", "en", "find", "华联", "--db={db}"],
    ["check", "--db", "{db}"],
    ["rules", "--db", "{db}", "--lang", "en"],
    ["tree", "--read-only", "--db", "{db}"],
    ["log", "C001", "--db", "{db}"],
    ["show", "C001", "--db", "{db}", "--read-only"],
])
def test_global_options_after_the_sub_command(archive, argv, capsys):
    status = cli.main([a.format(db=archive) for a in argv])
    assert status in (0, 1), capsys.readouterr().err  # check exits 1 on an empty leaf class
    assert "unrecognized" not in capsys.readouterr().err


def test_an_option_before_stays_when_not_given_again_after(archive):
    args = cli.parse(["--read-only", "--db", archive, "find", "x"])
    assert args.read_only and args.db == archive
    args = cli.parse(["--db", "elsewhere.db", "find", "x", "--db", archive])
    assert args.db == archive and not args.read_only
    # read-only given after the command holds: the write is refused
    assert cli.main(["rules", "--set", "history.new_months=7", "--db", archive, "--read-only"]) == 2


@pytest.mark.parametrize("name", ["region", "地区分类", "Regions", "regions"])
def test_tree_takes_the_key_or_either_name(archive, name, capsys):
    assert cli.main(["--db", archive, "tree", "--dimension", name]) == 0
    assert capsys.readouterr().out.startswith("地区分类 Regions")


def test_a_wrong_dimension_lists_the_valid_ones(archive, capsys):
    assert cli.main(["--db", archive, "--lang", "en", "tree", "--dimension", "地区"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "地区" in err
    assert "main 客户分类 Customer classes" in err and "region 地区分类 Regions" in err


def test_export_takes_a_dimension_by_name(archive, tmp_path):
    out = tmp_path / "r.csv"
    assert cli.main(["--db", archive, "export", str(out), "--dimension", "地区分类", "--class", "01",
                     "--columns", "code"]) == 0
    assert out.read_text(encoding="utf-8-sig").splitlines()[1:] == ["C001"]


def test_piped_output_is_never_cut(archive, capsys):
    """COLUMNS=40, not a terminal: `kehu log` and `kehu show` give every character."""
    assert cli.main(["--db", archive, "--lang", "en", "log", "C001"]) == 0
    out = capsys.readouterr().out
    assert plain.ELLIPSIS not in out and "8,000.00" in out and "5,000.50" in out
    assert cli.main(["--db", archive, "show", "C001"]) == 0
    out = capsys.readouterr().out
    assert plain.ELLIPSIS not in out and LONG_REMARK in out


def test_on_a_terminal_lines_are_cut_to_its_width(archive, capsys, monkeypatch):
    monkeypatch.setattr(plain, "on_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "70")
    assert cli.main(["--db", archive, "--lang", "en", "log", "C001"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert all(plain.width(line) <= 70 for line in out) and any(plain.ELLIPSIS in line for line in out)


def _json_numbers(url, capsys):
    assert cli.main(["--db", url, "show", "C001", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    credit, other = data["credit"], data["other"]
    assert credit["credit_limit"] == 8000 and credit["discount_rate"] == 12.5
    assert credit["credit_days"] == 30 and other["problem"] is False
    assert other["dev_date"] == "2024-03-05" and other["stop_date"] is None
    assert other["created_at"].startswith("2026-11-23T")
    assert data["basic"]["mnemonic"] == "bjhlzhcsgfyxgs"[:len(data["basic"]["mnemonic"])]
    assert cli.main(["--db", url, "log", "C001", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    change = next(e for e in entries if e["action"] == "change")
    assert change["changes"]["credit_limit"] == [5000.5, 8000]
    assert change["at"] == "2026-11-23T09:30:00"


def test_json_numbers_are_numbers_and_dates_iso(archive, capsys):
    _json_numbers(archive, capsys)


def test_json_numbers_on_postgres(pg_archive, capsys):
    _json_numbers(pg_archive, capsys)


def test_dimension_by_name_on_postgres(pg_archive, capsys):
    assert cli.main(["--db", pg_archive, "tree", "--dimension", "Regions"]) == 0
    assert capsys.readouterr().out.startswith("地区分类 Regions")
    assert cli.main(["--db", pg_archive, "tree", "--dimension", "nope"]) == 2
    assert "region 地区分类 Regions" in capsys.readouterr().err
