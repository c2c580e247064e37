"""Shared test fixtures: an isolated store, a fixed clock, and the app on small fixed data."""
from __future__ import annotations

import datetime as dt

import pytest

import db
from db.archive import classes, search
from db.core import clock
from db.core.models import Customer
from db.values import collation
from tui import i18n

FIXED_NOW = dt.datetime(2026, 11, 23, 9, 30, 0)

# A small part of seed 000's classification, the same in every test that shows a screen.
SEED_CLASSES = [
    ("01", "个人消费者"),
    ("02", "中间商客户"),
    ("02001", "批发商"),
    ("02002", "零售商"),
    ("020020001", "专营店"),
    ("020020002", "超级市场"),
    ("020020003", "连锁店"),
    ("020020004", "邮购商店"),
    ("03", "制造商客户"),
    ("03001", "电子"),
    ("03002", "机械"),
    ("04", "政府和社会团体客户"),
]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No test reads the user's own config or database, and every test sees one clock."""
    monkeypatch.setenv("KEHU_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("KEHU_DB", raising=False)
    # The operating-system user is recorded as 建档人 and in the history: the same on every
    # machine, so screens that show it compare equal (getpass reads LOGNAME first).
    monkeypatch.setenv("LOGNAME", "kehu-test")
    clock.fix(FIXED_NOW)
    yield
    clock.fix(None)
    i18n.set_lang("en")


@pytest.fixture
def store(tmp_path):
    opened = db.open_store(str(tmp_path / "test.db"))
    yield opened
    opened.close()


def add_customer(code: str, class_code: str, name: str | None = None, **fields) -> Customer:
    """A bare customer row, for rules about classes that need customers to exist, in the
    locate index as every customer is (its entry is taken out by the names it was given)."""
    names = {"name": name or f"客户{code}", "short_name": name or f"客户{code}"}
    row = Customer.create(code=code, **names, **collation.keys_of(names), class_code=class_code, **fields)
    search.index(row.id, row.name, row.short_name)
    return row


@pytest.fixture
def seeded(store):
    for code, name in SEED_CLASSES:
        classes.add("main", code, name)
    add_customer("C001", "01", "张三")
    add_customer("C002", "02001", "北京华联批发")
    add_customer("C003", "020020002", "华联超市")
    return store


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo archive built once per run (fixtures/ is fixed data); tests get copies."""
    from db import demo

    clock.fix(FIXED_NOW)
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo.build(str(path)).close()
    clock.fix(None)
    return path


@pytest.fixture
def demo_store(demo_template, tmp_path):
    import shutil

    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    opened = db.open_store(str(path))
    yield opened
    opened.close()
