"""Read-only archives refuse every write before touching anything; delete rules hold."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest

import db
from db.lists import batch
from db.archive import classes, customers, merge
from db.transfer import importer
from db import opening
from db.core import session as store_module
from db.core.errors import RuleError, StoreError
from db.core.models import Customer, Sale


def _digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture
def ro_path(seeded, tmp_path):
    customers.create({"code": "K1", "name": "甲", "short_name": "甲", "class_code": "01"})
    customers.create({"code": "K2", "name": "乙", "short_name": "乙", "class_code": "01"})
    path = seeded.url
    seeded.close()
    return path


WRITES = {
    "class add": lambda: classes.add("main", "05", "x"),
    "class rename": lambda: classes.update("main", "01", "y", "", 1),
    "class delete": lambda: classes.delete("main", "04"),
    "customer add": lambda: customers.create({"code": "K9", "name": "x", "short_name": "x", "class_code": "01"}),
    "customer change": lambda: customers.update("K1", {"region": "x"}, 1),
    "customer delete": lambda: customers.delete("K1", 1),
    "customer stop": lambda: customers.stop("K1", 1),
    "customer enable": lambda: customers.enable("K1", 1),
    "batch": lambda: batch.apply("region", "x", [("K1", 1)]),
    "merge": lambda: merge.merge("K1", ["K2"]),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_write_refused_read_only(ro_path, write):
    before = _digest(ro_path)
    db.open_store(ro_path, read_only=True)
    with pytest.raises(StoreError) as err:
        WRITES[write]()
    assert err.value.key == "store.read_only"
    store_module.current().close()
    assert _digest(ro_path) == before


def test_import_refused_read_only(ro_path, tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_text("客户编码,客户名称,客户简称,所属分类码\nN1,新,新,01\n", encoding="utf-8")
    db.open_store(ro_path, read_only=True)
    plan = importer.plan(csv)
    with pytest.raises(StoreError) as err:
        importer.commit(plan)
    assert err.value.key == "store.read_only" and customers.get("N1") is None


def test_unwritable_file_opens_read_only(ro_path, monkeypatch):
    """As root every file is writable, so the check itself is made to say no."""
    monkeypatch.setattr(opening.os, "access", lambda path, mode: mode != opening.os.W_OK)
    store = db.open_store(ro_path)
    assert store.read_only
    with pytest.raises(StoreError):
        customers.update("K1", {"region": "x"}, 1)
    # below the store's own check, SQLite itself refuses (query_only, mode=ro)
    with pytest.raises(Exception):
        Customer.update(region="x").execute()


def test_delete_rules(seeded):
    row = customers.create({"code": "K1", "name": "甲", "short_name": "甲", "class_code": "01"})
    Sale.create(customer=row.id, date=dt.date(2026, 1, 1), doc_no="D1", amount=1)
    with pytest.raises(RuleError) as err:
        customers.delete("K1", 1)
    assert err.value.key == "customer.has_sales" and customers.get("K1")
    for code, key in (("02", "class.delete_has_children"), ("01", "class.delete_has_customers")):
        with pytest.raises(RuleError) as err:
            classes.delete("main", code)
        assert err.value.key == key and classes.get("main", code)


async def test_read_only_evaluation_says_why_it_cannot_run(ro_path):
    """Issue 16 item 26: read-only, F6 on 重新评估 answered 档案为只读, 不能修改 under a line
    saying an evaluation changes no customer. The proposals are kept in the archive (a
    million of them are paged and counted in SQL, on every worker's own connection), so
    it cannot run read-only: the screen says so at once, and the refusal says why."""
    from tests.ui import make_app, press, settle
    from db.evaluation import rules
    from tui.i18n import t

    store = db.open_store(ro_path, read_only=True)
    with pytest.raises(StoreError) as caught:
        rules.evaluate()
    assert caught.value.key == "rules.read_only"
    app = make_app(store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+r")
        assert app.screen.SCREEN_NAME == "evaluate"
        why = t("rules.read_only")
        hint = str(app.screen.query_one("#as-of-hint").render())
        assert "不修改客户" not in hint and why in hint
        await press(pilot, "enter")
        assert str(app.screen.query_one("#message").render()) == "档案为只读, 不能评估 (原因见上)"
        assert "评估要把建议存入档案" in why
