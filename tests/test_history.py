"""History (操作日志) read back: one customer's, recent across the archive with filters and
key paging, and `kehu log` in the shell."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from db.core import clock
from db.archive import customers, history
from tests.conftest import FIXED_NOW, SEED_CLASSES
from tui import cli
from tui.shell import plain


@pytest.fixture
def logged(seeded, monkeypatch):
    monkeypatch.setenv("LOGNAME", "alice")
    customers.create({"code": "K1", "name": "北京华联", "short_name": "华联", "class_code": "01"})
    clock.fix(FIXED_NOW + dt.timedelta(days=1))
    monkeypatch.setenv("LOGNAME", "bob")
    customers.update("K1", {"region": "北京"}, 1)
    clock.fix(FIXED_NOW + dt.timedelta(days=2))
    customers.stop("K1", 2)
    return seeded


def test_for_entity_newest_first_with_changes_decoded(logged):
    entries = history.for_entity("customer", "K1")
    assert [e.action for e in entries] == ["stop", "change", "add"]
    # the region's national code follows its text, and is recorded as replaced (issue 19)
    assert entries[1].changes == {"region": ("", "北京"), "region_code": ("", "110000")}
    assert entries[1].who == "bob"
    assert entries[0].changes == {"stop_date": (None, "2026-11-25")}
    assert entries[2].who == "alice" and entries[2].at == FIXED_NOW


def test_recent_filters_and_pages(logged):
    assert [e.action for e in history.recent(who="bob")] == ["stop", "change"]
    assert [e.action for e in history.recent(since=dt.date(2026, 11, 24), until=dt.date(2026, 11, 24))] == ["change"]
    assert [e.action for e in history.recent(entity="customer", code="K1", who="alice")] == ["add"]
    first = history.recent(limit=2)
    rest = history.recent(limit=100, before_id=first[-1].id)
    everything = history.recent(limit=1000)
    assert [e.id for e in first + rest] == [e.id for e in everything]
    assert "bob" in history.people() and history.watermark() == everything[0].id


def test_log_command(logged, capsys):
    db_path = logged.url
    logged.close()
    assert cli.main(["--db", db_path, "--lang", "zh", "log", "K1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["时间", "操作员", "操作", "编码", "变更内容"]
    assert "停用" in out[1] and "所属地区: (空) → 北京" in out[2]
    # aligned for a terminal: the code column starts at the same display column on every line
    starts = {plain.width(line[:line.index(mark)]) for line, mark in
              zip(out, ["编码"] + ["K1"] * (len(out) - 1))}
    assert len(starts) == 1
    assert cli.main(["--db", db_path, "log", "--who", "bob", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["action"] for d in data] == ["stop", "change"]
    assert cli.main(["--db", db_path, "log", "--since", "2030-01-01"]) == 1
    assert cli.main(["--db", db_path, "log", "--since", "不是日期"]) == 2
    assert cli.main(["--db", db_path, "log", "--limit", "0"]) == 2


def test_history_shows_values_as_the_card_does(seeded):
    """Money in yuan, rates in percent, classes by code and name, a merge's codes as a list
    (issue 16 item 24: they were shown as fen, hundredths, bare codes and a Python list)."""
    from tui.i18n import set_lang
    from tui.shell.log import describe
    from tui.widgets.history_view import entry_text

    set_lang("zh")
    history.record("change", "customer", "C001", {"credit_limit": [0, 12_000_000],
                                                  "discount_rate": [0, 500],
                                                  "class_code": ["01", "02001"]})
    history.record("evaluate", "customer", "C001", {"history": [None, "02"]})
    history.record("merge", "customer", "C001", {history.MERGED: [None, ["C002"]]})
    merge, evaluation, change = history.for_entity("customer", "C001")[:3]
    line = describe(change)
    assert "120,000.00" in line and "5%" in line and "02001" in line
    names = dict(SEED_CLASSES)
    assert f"01 {names['01']}" in line and f"02001 {names['02001']}" in line
    assert "12000000" not in line and "500" not in line.replace("5%", "")
    assert "交易历史" in describe(evaluation) and "02 老客户" in describe(evaluation)
    assert describe(merge) == "并入 C002"
    shown = entry_text(merge).plain
    assert "并入 C002" in shown and "@merged" not in shown and "['C002']" not in shown
    assert "120,000.00" in entry_text(change).plain


def test_a_merged_customer_s_rows_are_named_by_their_own_code(seeded, capsys, monkeypatch):
    """Issue 16 item 24: after a merge, the source's rows (its card kept as "merged", its
    add) were listed under the target's code with the source's fields."""
    from db.archive import customers, merge
    from tui import cli
    from tui.i18n import set_lang
    from tui.widgets.history_view import entry_text

    set_lang("zh")
    customers.create({"code": "KT", "name": "北京华联商厦", "short_name": "华联", "class_code": "01"})
    customers.create({"code": "KS", "name": "华联商厦北京分店", "short_name": "华联北京", "class_code": "01"})
    merge.merge("KT", ["KS"])
    merged = next(e for e in history.for_entity("customer", "KT") if e.action == "merged")
    screen = entry_text(merged, with_code=True).plain
    assert "客户 KS" in screen and "客户 KT" not in screen and "已并入 KT" in screen
    card = entry_text(merged).plain
    assert "KS 的记录, 已并入本客户" in card
    monkeypatch.setenv("COLUMNS", "200")
    db_path = seeded.url
    seeded.close()
    assert cli.main(["--db", db_path, "--lang", "zh", "log", "KT"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "华联商厦北京分店" in line]
    assert rows and all(" KS " in line and " KT " not in line and "已并入 KT" in line for line in rows)
