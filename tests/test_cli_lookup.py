"""Shell commands: find, show, tree, import, export: output, exit status, plain text when piped."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import db
from db.archive import classes, customers
from db.core.models import Customer
from tui import cli
from tui.i18n import t
from tui.shell import plain

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def archive(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("KEHU_DB", raising=False)
    path = tmp_path / "t.db"
    store = db.open_store(str(path))
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北")
    classes.add("main", "02", "零售")
    customers.create({"code": "C001", "name": "北京华联综合超市股份有限公司", "short_name": "北京华联",
                      "class_code": "01001", "region": "北京", "phone": "010-12345678",
                      "credit_limit": "5000"})
    customers.create({"code": "C002", "name": "华联超市(上海)", "short_name": "上海华联",
                      "class_code": "01001", "region": "上海"})
    customers.create({"code": "C003", "name": "[bold red]红字公司", "short_name": "[bold red]红字",
                      "class_code": "02"})
    # An ESC in a name that reached the archive some other way (db.values.fields refuses it on the card).
    Customer.update(name="坏\x1b[31m名").where(Customer.code == "C003").execute()
    store.close()
    return path


def run(archive, *args):
    return cli.main(["--db", str(archive), "--lang", "en", *args])


def test_find_table(archive, capsys):
    assert run(archive, "find", "华联") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["Code", "Short", "name", "Class", "Region", "Phone"]
    assert [line.split()[0] for line in out[1:]] == ["C001", "C002"]
    # Double-width characters aligned: the class column starts at the same screen column.
    starts = {plain.width(line[: line.index("01001")]) for line in out[1:]}
    assert len(starts) == 1
    assert all(plain.width(line) <= 80 for line in out)


def test_find_json_and_limit(archive, capsys):
    assert run(archive, "find", "华联", "--json", "--limit", "1") == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 1 and data[0]["code"] == "C001" and data[0]["phone"] == "010-12345678"


def test_find_nothing(archive, capsys):
    assert run(archive, "find", "不存在的名字") == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "不存在的名字" in captured.err


def test_find_bad_usage(archive, capsys):
    assert run(archive, "find", "  ") == 2
    assert capsys.readouterr().err.startswith("kehu:")
    with pytest.raises(SystemExit) as exit_:
        run(archive, "find")
    assert exit_.value.code == 2


def test_find_narrow_terminal_clips(archive, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "30")
    monkeypatch.setattr(plain, "on_terminal", lambda: True)
    assert run(archive, "find", "华联") == 0
    out = capsys.readouterr().out.splitlines()
    assert all(plain.width(line) <= 30 for line in out[1:])
    assert any(plain.ELLIPSIS in line for line in out[1:])


def test_find_piped_is_never_cut(archive, capsys, monkeypatch):
    """Issue 21 item 3: cutting to the width is for a terminal; piped lines are whole."""
    monkeypatch.setenv("COLUMNS", "30")
    assert run(archive, "find", "华联") == 0
    out = capsys.readouterr().out
    assert plain.ELLIPSIS not in out and "010-12345678" in out


def test_show_card_grouped(archive, capsys):
    assert run(archive, "show", "C001") == 0
    out = capsys.readouterr().out
    for heading in ("Basic", "Contact", "Credit", "Other"):
        assert f"\n{heading}\n" in out
    assert "Short name" in out and "北京华联" in out and "5,000.00" in out


def test_show_json(archive, capsys):
    assert run(archive, "show", "C001", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["basic"]["short_name"] == "北京华联" and data["contact"]["phone"] == "010-12345678"
    assert set(data) == {"basic", "contact", "credit", "other", "dimensions", "head_office", "branches"}


def test_show_markup_and_escapes_print_literally(archive, capsys):
    assert run(archive, "show", "C003") == 0
    out = capsys.readouterr().out
    assert "[bold red]红字" in out
    assert "\x1b[31m" not in out and "坏\\x1b[31m名" in out


def test_show_unknown(archive, capsys):
    assert run(archive, "show", "NOPE") == 1
    assert "NOPE" in capsys.readouterr().err


def test_tree_counts(archive, capsys):
    assert run(archive, "tree") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("(3)")
    rows = {line.split()[0]: line.split()[-1] for line in out[1:]}
    assert rows == {"01": "2", "01001": "2", "02": "1"}


def test_tree_unknown_dimension(archive, capsys):
    assert run(archive, "tree", "--dimension", "nope") == 2
    assert "nope" in capsys.readouterr().err


def test_import_dry_run_then_only_valid(archive, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("客户编码,客户名称,客户简称,所属分类码,备注栏\n"
                   "C010,新客户,新,02,x\nC011,坏客户,坏,01,x\nC001,北京华联综合超市股份有限公司,北京华联,01001,\n",
                   encoding="gbk")
    assert run(archive, "import", str(src), "--dry-run") == 2
    out = capsys.readouterr().out
    assert "1 to add, 0 to update, 1 unchanged, 1 rejected" in out
    assert "line 3 [Class]" in out and "Columns ignored: 备注栏" in out
    assert run(archive, "import", str(src)) == 2
    assert "Rows rejected: 1;" in capsys.readouterr().err
    assert run(archive, "import", str(src), "--only-valid") == 0
    assert "1 added" in capsys.readouterr().out
    assert run(archive, "import", str(src), "--only-valid") == 1  # nothing left to write


def test_import_bad_file(archive, tmp_path, capsys):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"\x00\x01binary")
    assert run(archive, "import", str(junk)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an Excel" in err


def test_export_commands(archive, tmp_path, capsys):
    out = tmp_path / "l.csv"
    assert run(archive, "export", str(out), "--class", "01", "--columns", "code,short_name") == 0
    assert out.read_text(encoding="utf-8-sig").splitlines() == ["Code,Short name", "C001,北京华联", "C002,上海华联"]
    assert run(archive, "export", str(out), "--filter", "region=广州") == 1
    assert run(archive, "export", str(out), "--filter", "nonsense") == 2
    assert run(archive, "export", str(tmp_path / "all.xlsx"), "--all") == 0
    assert "3 customers" in capsys.readouterr().out


def _env(archive):
    return {**os.environ, "KEHU_DB": str(archive), "COLUMNS": "80", "TERM": "xterm-256color",
            "PYTHONPATH": str(ROOT)}


def test_piped_output_is_plain(archive):
    done = subprocess.run([sys.executable, "-m", "tui", "--lang", "zh", "find", "华联"],
                          capture_output=True, cwd=ROOT, env=_env(archive), timeout=60)
    assert done.returncode == 0
    text = done.stdout.decode()
    assert "\x1b" not in text and "北京华联" in text


def test_shell_never_imports_textual():
    code = ("import tui.cli, tui.shell.lookup, tui.shell.transfer, db.transfer.importer, db.transfer.exporter; import sys; "
            "assert 'textual' not in sys.modules, 'textual imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 0, done.stderr.decode()


def test_plain_helpers():
    assert plain.width("北京ab") == 6
    assert plain.clip("北京华联综合", 7) == "北京华…"
    assert plain.safe("a\x1bb\nc") == "a\\x1bb\\nc"
    lines = plain.table(["编码", "名称"], [["1", "北京"], ["22", "ab"]], total=40)
    assert lines == ["编码  名称", "1     北京", "22    ab"]


@pytest.mark.parametrize("argv, words", [
    (["--lang", "zh", "--help"], ["客户档案与客户分类", "显示或修改评估规则", "只读打开"]),
    (["--lang=en", "--help"], ["customer archive and classification", "show or change the evaluation rules"]),
    (["--lang", "zh", "rules", "--help"], ["例如 scale.large"]),
])
def test_help_is_worded_in_the_language_asked_for(argv, words, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    assert done.value.code == 0
    out = capsys.readouterr().out
    for word in words:
        assert word in out


def test_the_app_options_alone_are_read_without_the_sub_commands():
    args = cli.parse(["--lang", "en", "--db", "a.db", "--read-only"])
    assert (args.command, args.db, args.read_only) == (None, "a.db", True)
    assert cli.parse(["--db", "a.db", "find", "华联"]).command == "find"


@pytest.mark.parametrize("argv, said", [
    (["--lang", "xx"], "invalid choice: 'xx'"),
    (["--db"], "expected one argument"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["nonsense"], "invalid choice: 'nonsense'"),
])
def test_bad_options_are_told_with_the_whole_usage(argv, said, capsys):
    with pytest.raises(SystemExit) as done:
        cli.parse(argv)
    err = capsys.readouterr().err
    assert done.value.code == 2 and said in err and t("cli.commands") in err.splitlines()[0]


def test_starting_the_app_imports_no_sub_command(tmp_path):
    code = ("import sys; from tui import cli; cli.parse(['--db', 'x.db']); "
            "print(any(m.startswith('tui.shell') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent).stdout
    assert out.strip() == "False"


def test_upgrading_an_older_archive_is_said_before_the_answer(tmp_path, capsys):
    from tests.test_store import _version_2_archive

    path = str(tmp_path / "v2.db")
    _version_2_archive(path)
    assert cli.main(["--lang", "en", "--db", path, "find", "超市"]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"kehu: Upgrading the indexes of {path} (once only; half a minute to three minutes at a million customers)…\n"
    assert "C1" in captured.out
