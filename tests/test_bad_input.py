"""Bad input never breaks anything: every way the database or the terminal can be wrong
gets one clear line, no traceback, and nothing half-written."""
import sqlite3
import subprocess
import sys

import pytest
from textual import events

import db
from db import StoreError
from db.archive import classes, customers
from db import opening
from db.core.models import SCHEMA_VERSION
from tests.ui import make_app, press, settle
from tui.cli import main
from tui.screens.card import CardScreen


def kehu(*args, cwd=None):
    """`kehu ARGS` in a fresh process, standard input not a terminal (as in CI)."""
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=cwd, timeout=60)


def one_clean_line(result) -> str:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_missing_database_is_not_created_without_asking(tmp_path):
    path = tmp_path / "none.db"
    line = one_clean_line(kehu("--lang", "en", "--db", str(path)))
    assert "does not exist" in line and str(path) in line
    assert not path.exists()


def test_not_a_database(tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_text("这不是数据库\n" * 50, encoding="utf-8")
    line = one_clean_line(kehu("--lang", "zh", "--db", str(junk), "find", "王"))
    assert "不是数据库文件" in line
    assert junk.read_text(encoding="utf-8") == "这不是数据库\n" * 50


def test_newer_schema(tmp_path):
    path = tmp_path / "new.db"
    db.open_store(str(path)).close()
    con = sqlite3.connect(path)
    con.execute("update schema_info set value = ? where key = 'schema_version'", (str(SCHEMA_VERSION + 5),))
    con.commit()
    con.close()
    line = one_clean_line(kehu("--lang", "en", "--db", str(path), "tree"))
    assert f"schema version is {SCHEMA_VERSION + 5}" in line and "upgrade kehu" in line


def test_a_directory_is_not_a_database(tmp_path):
    line = one_clean_line(kehu("--lang", "en", "--db", str(tmp_path)))
    assert "is a directory" in line


def test_locked_database_refuses_the_save_and_writes_nothing(seeded, monkeypatch, tmp_path):
    """Another process holds the write lock longer than the busy timeout."""
    monkeypatch.setattr(opening, "BUSY_TIMEOUT_MS", 200)
    path = str(seeded.path)
    seeded.close()
    opened = db.open_store(path)
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    opened.database.execute_sql("PRAGMA busy_timeout = 200")
    try:
        with pytest.raises(StoreError) as err:
            classes.add("main", "09", "锁住")
        assert err.value.key == "store.locked"
    finally:
        holder.rollback()
        holder.close()
    assert classes.get("main", "09") is None


def test_read_only_flag_opens_for_look_up(seeded, capsys):
    path = str(seeded.path)
    seeded.close()
    assert main(["--db", path, "--read-only", "--lang", "en", "find", "C00"]) == 0
    assert "C001" in capsys.readouterr().out


async def test_pasting_a_thousand_characters_is_capped(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CardScreen(None, class_code="01"))
        await settle(pilot)
        app.screen.query_one("#f-name").focus()
        app.screen.query_one("#f-name").post_message(events.Paste("长" * 1000))
        await settle(pilot)
        assert len(app.screen.query_one("#f-name").value) == 98, "capped at the field's length"
        app.screen.query_one("#f-code").value = "P1"
        app.screen.query_one("#f-short_name").value = "长"
        await press(pilot, "f6")
        assert customers.get("P1").name == "长" * 98


async def test_read_only_app_says_so_on_editing_keys(seeded):
    path = str(seeded.path)
    seeded.close()
    ro = db.open_store(path, read_only=True)
    app = make_app(ro, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = str(app.screen.query_one("KehuFooter").render())
        assert "f5" not in footer and "del" not in footer, "no key that writes in the footer"
        await press(pilot, "f5")
        assert app.screen.SCREEN_NAME == "archive", "no card opens"
        assert any("只读" in str(n.message) for n in app._notifications)
        await press(pilot, "enter")
        assert app.screen.SCREEN_NAME == "card" and "[只读]" in str(app.screen.query_one("#title").render())


def test_output_cut_short_by_a_pipe_is_not_an_error(demo_store):
    path = str(demo_store.path)
    demo_store.close()
    run = subprocess.run(f"{sys.executable} -m tui --db {path} find 华 --limit 50 | head -1",
                         shell=True, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in run.stderr and run.stdout.count("\n") == 1
