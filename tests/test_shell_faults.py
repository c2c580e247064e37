"""Issue 16: the shell's faults. Every one ends in one line on standard error, exit status 2
(1: nothing matched), no traceback, and nothing written."""
from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import db
from db import opening
from db.archive import classes, customers
from db.core import session
from db.core.errors import StoreError
from tests.ui import make_app
from tui import cli

ROOT = Path(__file__).resolve().parent.parent


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(capsys, status: int, code: int = 2) -> str:
    """The one line a command said on standard error, checked with its exit status."""
    err = capsys.readouterr().err
    assert status == code, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "t.db"
    store = db.open_store(str(path))
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北")
    classes.add("main", "02", "零售")
    classes.add("main", "02001", "华南")
    for n in range(30):
        customers.create({"code": f"C{n:03d}", "name": f"北京华联{n}", "short_name": f"华联{n}",
                          "class_code": "01001", "region": "北京"})
    store.close()
    return path


def kehu(archive, *args) -> int:
    return cli.main(["--db", str(archive), "--lang", "en", *args])


# ---------------------------------------------------------------- 6: nothing to export


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_nothing_to_export_leaves_the_file_alone(archive, tmp_path, capsys, suffix):
    target = tmp_path / f"out{suffix}"
    target.write_bytes(b"what was here before")
    status = kehu(archive, "export", str(target), "--filter", "region=火星")
    assert "nothing exported" in one_line(capsys, status, 1)
    assert target.read_bytes() == b"what was here before"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["t.db", target.name])


# ---------------------------------------------------------------- 7: names holding # ? %


@pytest.mark.parametrize("char", ["#", "?", "%", "%41"])
def test_read_only_names_with_uri_characters_open_their_own_file(tmp_path, char, capsys):
    # The file an unquoted URI would open instead: the name cut at the character (or, for
    # %41, the name decoded).
    decoy = tmp_path / "k"
    db.open_store(str(decoy)).close()
    (tmp_path / "kA.db").write_bytes(decoy.read_bytes())
    path = tmp_path / f"k{char}1.db"
    db.open_store(str(path))
    customers_before = set(os.listdir(tmp_path))
    classes.add("main", "07", "本档案")
    session.current().close()
    assert cli.main(["--db", str(path), "--read-only", "--lang", "en", "tree"]) == 0
    assert "本档案" in capsys.readouterr().out
    store = db.open_store(str(path), read_only=True)
    assert classes.get("main", "07") is not None
    store.close()
    assert set(os.listdir(tmp_path)) <= customers_before | {f"{path.name}-wal", f"{path.name}-shm"}


def test_sqlite_uri_quotes_the_path(tmp_path):
    uri = opening.sqlite_uri(tmp_path / "a#b?c%d.db", mode="ro")
    assert uri.endswith("/a%23b%3Fc%25d.db?mode=ro")


# ---------------------------------------------------------------- 8: a damaged archive


def _zero_pages(path: Path, table: str) -> None:
    """Zero the pages of `table` (its b-tree), as a torn copy or a bad disk would."""
    con = sqlite3.connect(path)
    pages = [p for (p,) in con.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * size)
            f.write(b"\0" * size)


@pytest.mark.parametrize("command", [["tree"], ["check"], ["find", "华联"], ["show", "C001"],
                                     ["log", "C001"], ["export", "OUT"], ["evaluate"]],
                         ids=lambda c: c[0])
def test_a_damaged_archive_is_said_to_be_damaged(archive, tmp_path, capsys, command):
    for table in ("customer", "customer_class", "change_log"):
        _zero_pages(archive, table)
    before = _digest(archive)
    out = tmp_path / "out.csv"
    status = kehu(archive, *[str(out) if a == "OUT" else a for a in command])
    line = one_line(capsys, status)
    assert "is damaged" in line and "backup" in line
    assert _digest(archive) == before and not out.exists()


def test_import_into_an_archive_with_a_zeroed_page_is_refused(archive, tmp_path, capsys):
    _zero_pages(archive, "rule")  # a page the import never reads
    before = _digest(archive)
    source = tmp_path / "n.csv"
    source.write_text("客户编码,客户名称,客户简称,所属分类码\nN1,新,新,01001\n", encoding="utf-8")
    assert "is damaged" in one_line(capsys, kehu(archive, "import", str(source)))
    assert _digest(archive) == before


async def test_the_app_on_a_damaged_archive_ends_with_the_one_line(archive):
    _zero_pages(archive, "customer")
    _zero_pages(archive, "customer_class")
    store = db.open_store(str(archive))
    app = make_app(store, start="archive")
    # The app ends by itself: Textual's run returns, without a traceback to print.
    await asyncio.wait_for(app.run_async(headless=True, size=(100, 30)), timeout=30)
    assert app.refusal is not None and app.refusal.key == "store.damaged"
    assert app.return_code == 2
    store.close()


def test_a_killed_demo_leaves_no_archive_behind(tmp_path, monkeypatch, capsys):
    from db import demo

    target = tmp_path / "demo.db"
    target.write_bytes(b"the archive --force would replace")

    def killed(path, n, sales_per_customer):
        Path(path).write_bytes(b"half a database")
        raise KeyboardInterrupt

    monkeypatch.setattr(demo, "generate", killed)
    assert cli.main(["--lang", "en", "demo", "--db", str(target), "--customers", "5", "--force"]) == 130
    assert target.read_bytes() == b"the archive --force would replace"
    assert sorted(os.listdir(tmp_path)) == ["demo.db"]


def test_the_demo_is_renamed_into_place_when_complete(tmp_path, capsys):
    target = tmp_path / "demo.db"
    assert cli.main(["--lang", "en", "demo", "--db", str(target), "--customers", "20"]) == 0
    assert sorted(os.listdir(tmp_path)) == ["demo.db"]
    assert cli.main(["--db", str(target), "find", "C"]) in (0, 1)


@pytest.mark.parametrize("count", ["10000001", "0"])
def test_demo_counts_are_bounded(tmp_path, capsys, count):
    status = cli.main(["--lang", "en", "demo", "--db", str(tmp_path / "d.db"), "--customers", count])
    assert "customers is not valid: 1 to 10,000,000" in one_line(capsys, status)
    assert not os.listdir(tmp_path)


def test_a_demo_count_beyond_any_integer_is_refused_as_usage(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--lang", "en", "demo", "--db", str(tmp_path / "d.db"), "--customers", "9" * 20])
    assert stop.value.code == 2 and "too large" in capsys.readouterr().err
    assert not os.listdir(tmp_path)


# ---------------------------------------------------------------- 10: URLs


@pytest.mark.parametrize("url", ["postgresql://", "postgresql://h:notaport/x", "postgresql://h:99999/x",
                                 "mysql://u@h/x", "foo://bar"])
def test_urls_that_name_no_archive(url, capsys):
    line = one_line(capsys, cli.main(["--db", url, "--lang", "en", "tree"]))
    assert "is not valid" in line


def test_no_driver_is_one_line(monkeypatch, capsys):
    import peewee

    monkeypatch.setattr(peewee, "psycopg2", None)
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    line = one_line(capsys, cli.main(["--db", "postgresql://kehu:pw@127.0.0.1:1/x", "--lang", "en", "tree"]))
    assert "Cannot open" in line and ":pw@" not in line


def test_the_password_is_masked_in_every_message():
    url = "postgresql://kehu:s3cret@db.example:5432/kehu"
    assert session.masked(url) == "postgresql://kehu:***@db.example:5432/kehu"
    error = session.store_error(sqlite3.OperationalError(f"could not connect: {url}\nmore"), url)
    assert "s3cret" not in error.values["reason"] and "s3cret" not in error.values["path"]
    assert session.masked("/tmp/a:b@c.db") == "/tmp/a:b@c.db"


def test_psycopg2_is_a_plain_dependency():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "psycopg2-binary==2.9.13" in project["dependencies"]


# ---------------------------------------------------------------- 12: the schema version


def test_a_schema_version_that_is_not_a_number(archive, capsys):
    con = sqlite3.connect(archive)
    con.execute("UPDATE schema_info SET value = 'abc' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    before = _digest(archive)
    line = one_line(capsys, kehu(archive, "tree"))
    assert "abc" in line and "not a number" in line
    assert _digest(archive) == before


# ---------------------------------------------------------------- 13, 14: arguments, numbers, locale


@pytest.mark.parametrize("command", [["show", "\udcff\udcfe"], ["log", "\udcff"], ["log", "--who", "\udcff"],
                                     ["tree", "--dimension", "\udcff"], ["export", "x.csv", "--class", "\udcff"],
                                     ["export", "x.csv", "--filter", "region=\udcff"]],
                         ids=lambda c: "-".join(c[:2]))
def test_arguments_that_are_not_utf8(archive, tmp_path, capsys, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    before = _digest(archive)
    assert "not UTF-8" in one_line(capsys, kehu(archive, *command))
    assert _digest(archive) == before and not (tmp_path / "x.csv").exists()


def test_utf8_bytes_read_in_another_locale_are_decoded():
    # What Python makes of `华联` under LANG=C: its bytes kept as surrogates.
    raw = "华联".encode().decode("ascii", "surrogateescape")
    assert cli.decoded(["find", raw]) == ["find", "华联"]
    assert cli.decoded(["\udcff"]) is None


@pytest.mark.parametrize("command", [["find", "x", "--limit", "99999999999999999999"],
                                     ["log", "--limit", "99999999999999999999"],
                                     ["evaluate", "--rows", "99999999999999999999"],
                                     ["check", "--samples", "-99999999999999999999"]],
                         ids=lambda c: c[0])
def test_huge_numbers_are_refused_as_usage(archive, capsys, command):
    with pytest.raises(SystemExit) as stop:
        kehu(archive, *command)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "too large" in err and "Traceback" not in err


def test_a_path_component_too_long(tmp_path, capsys):
    line = one_line(capsys, cli.main(["--db", str(tmp_path / ("x" * 300 + ".db")), "--lang", "en", "find", "x"]))
    assert "too long" in line


def test_a_huge_argument_is_cut_in_the_message(archive, capsys):
    line = one_line(capsys, kehu(archive, "show", "x" * 100_000), 1)
    assert len(line) < 500 and line.endswith("…")


@pytest.mark.parametrize("command,said", [(["show", "C001"], "北京华联1"), (["tree"], "华北"),
                                          (["find", "华联"], "C001")])
def test_the_c_locale(archive, command, said):
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
           "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    env.pop("PYTHONIOENCODING", None)
    run = subprocess.run([sys.executable, "-m", "tui", "--lang", "en", "--db", str(archive), *command],
                         capture_output=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    assert said in run.stdout.decode("utf-8")


# ---------------------------------------------------------------- 15: a read-only directory


def test_an_unwritable_directory_opens_for_look_up(archive, monkeypatch, capsys):
    """As root every directory is writable: the check is made to say no. SQLite itself can
    then still make the -shm file; test_a_real_read_only_directory does without root."""
    monkeypatch.setattr(opening.os, "access", lambda path, mode: mode != opening.os.W_OK)
    for command in (["find", "华联"], ["show", "C001"], ["tree"], ["--read-only", "find", "华联"]):
        assert cli.main(["--db", str(archive), "--lang", "en", *command]) == 0
    assert "C001" in capsys.readouterr().out
    assert opening._read_only_query(archive) == {"mode": "ro", "immutable": "1"}


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to become nobody")
def test_a_real_read_only_directory(archive, tmp_path):
    """The archive in a directory of mode 555, read as another user (nobody): every module is
    imported first, as this user, since nobody may not read this Python's library."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "t.db"
    path.write_bytes(archive.read_bytes())
    folder.chmod(0o555)
    # The checkout too: the shell lists its own package to find its commands, and a clone in
    # a directory made by mktemp -d (mode 700) is closed to nobody.
    for parent in [tmp_path, *tmp_path.parents, ROOT, *ROOT.parents]:
        parent.chmod(parent.stat().st_mode | 0o005)
    code = ("import os, sys; from tui import cli; cli.build_parser(); "
            "import db.archive.search, db.archive.customers, db.archive.classes, db.archive.dimensions, "
            "db.archive.history, db.values.fields, encodings.idna; "
            "os.setgid(65534); os.setuid(65534); sys.exit(cli.main(sys.argv[1:]))")
    for command in (["find", "华联"], ["--read-only", "show", "C001"], ["tree"]):
        run = subprocess.run([sys.executable, "-c", code, "--lang", "en", "--db", str(path), *command],
                             capture_output=True, text=True, timeout=60, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert run.returncode == 0, run.stderr
        assert "read-only" not in run.stderr
    assert sorted(os.listdir(folder)) == ["t.db"]


# ---------------------------------------------------------------- 16: an empty file


@pytest.mark.parametrize("command", [["find", "x"], ["--read-only", "tree"], ["show", "C1"]])
def test_an_empty_file_is_refused_as_a_missing_one(tmp_path, capsys, command):
    path = tmp_path / "empty.db"
    path.touch()
    line = one_line(capsys, cli.main(["--db", str(path), "--lang", "en", *command]))
    assert "does not exist" in line
    assert path.stat().st_size == 0 and os.listdir(tmp_path) == ["empty.db"]


def test_an_empty_file_becomes_an_archive_where_a_missing_one_would(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    db.open_store(str(path)).close()
    assert path.stat().st_size > 0


# ---------------------------------------------------------------- 29, 31


def test_export_of_a_class_that_does_not_exist(archive, tmp_path, capsys):
    line = one_line(capsys, kehu(archive, "export", str(tmp_path / "x.csv"), "--class", "99"))
    assert "No class 99" in line and "leaf" not in line
    assert not (tmp_path / "x.csv").exists()
    assert kehu(archive, "export", str(tmp_path / "x.csv"), "--class", "01") == 0


def test_counts_have_thousands_separators(archive, capsys, monkeypatch):
    import datetime as dt
    from types import SimpleNamespace

    from db.evaluation import rules

    result = SimpleNamespace(run_id=1, as_of=dt.date(2026, 11, 23), customers=1856, proposals=9351,
                             seconds=0.5, changes=[SimpleNamespace(target="value", from_code=None,
                                                                   to_code="A", count=9351)])
    monkeypatch.setattr(rules, "evaluate", lambda as_of: result)
    monkeypatch.setattr(rules, "proposals", lambda run, limit: [])
    assert kehu(archive, "evaluate") == 0
    out = capsys.readouterr().out
    assert "9,351 changes for 1,856 customers" in out and ": 9,351" in out


# ---------------------------------------------------------------- 19: a killed xlsx export


def test_a_terminated_xlsx_export_leaves_no_temporary_files(tmp_path):
    from db import demo

    source = tmp_path / "big.db"
    demo.generate(source, 20_000, sales_per_customer=0).close()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    target = tmp_path / "out.xlsx"
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tui", "--db", str(source), "export", "--all", str(target)],
                            env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    partial = tmp_path / ".out.xlsx.tmp"
    while not (os.listdir(scratch) or (partial.exists() and partial.stat().st_size)):
        assert proc.poll() is None and time.monotonic() < deadline, "the export never began"
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=30)[1].decode()
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert not os.listdir(scratch)
    assert not target.exists() and not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_an_interrupted_workbook_is_removed(tmp_path):
    """Ctrl-C (or SIGTERM) in the middle of a sheet: the part-written workbook is removed."""
    import db
    from db.transfer import export_files

    db.open_store(str(tmp_path / "a.db"))
    out = export_files.open_output(tmp_path / "out.xlsx")
    with pytest.raises(KeyboardInterrupt):
        with out:
            writer = out.sheet("customers", "en")
            writer.header(["code"], [10])
            writer.rows([["C1"]])
            raise KeyboardInterrupt
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())
    assert not (tmp_path / "out.xlsx").exists()


def test_a_killed_xlsx_export_leaves_nothing_in_the_temp_dir(tmp_path):
    """SIGKILL runs no handler: the workbook being written is left beside the target
    (never in TMPDIR), where the next export to that file overwrites it."""
    from db import demo

    source = tmp_path / "big.db"
    demo.generate(source, 20_000, sales_per_customer=0).close()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the old export")
    partial = tmp_path / ".out.xlsx.tmp"
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "tui", "--db", str(source), "export", "--all", str(target)]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (os.listdir(scratch) or (partial.exists() and partial.stat().st_size)):
        assert proc.poll() is None and time.monotonic() < deadline, "the export never began"
        time.sleep(0.01)
    time.sleep(0.2)  # rows being written
    proc.kill()
    proc.wait(timeout=30)
    assert not os.listdir(scratch)
    assert target.read_bytes() == b"the old export"
    done = subprocess.run([*command[:-2], "--columns", "code,name", target.name],
                          env=env, cwd=tmp_path, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert not os.listdir(scratch) and not partial.exists()
    assert target.read_bytes()[:2] == b"PK"


def test_a_usage_error_echoes_control_characters_escaped(archive, capsys):
    """Found by tests/test_shell_fuzz.py: argparse echoed a carriage return as typed."""
    with pytest.raises(SystemExit):
        kehu(archive, "find", "", "\r0")
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "\r" not in last and "\\r0" in last
