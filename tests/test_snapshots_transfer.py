"""Snapshots of 导入 and 输出 on the demo archive: the import prompt with its completions, the
preview of a file with bad rows, the summary after importing the valid rows, and the export
prompt, at 80x24 and 120x40. The files are written by the test into its own directory, which
is also the current directory, so every name on screen is the same on every run."""
import uuid

import pytest

from db.transfer import importer
from tests.ui import make_app, press, settle, type_text

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]

IMPORT_FILE = (
    "客户编码,客户名称,客户简称,所属分类码,所属地区,税号,信用额度,备用栏\n"
    "C009001,杭州新华书店有限公司,新华书店,020020005,浙江,,50000,\n"
    "C009002,南京金鹰国际商贸集团,金鹰百货,020020005,江苏,,,\n"
    "C000355,北京华联综合超市股份有限公司,华联超市,020020002,北京,91110105013311094W,200000,\n"
    "C009003,成都红旗连锁股份有限公司,红旗连锁,02002,四川,,,\n"
    "C009004,武汉中百仓储超市,中百仓储,020020003,湖北,12345,,\n"
    "C009002,南京金鹰购物中心,金鹰购物,020020005,江苏,,,\n"
)


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "客户导入.csv").write_text(IMPORT_FILE, encoding="utf-8")
    (tmp_path / "旧档案").mkdir()
    (tmp_path / "客户档案-2025.xlsx").write_bytes(b"")
    # The batch id carries a random part; fixed here so the summary reads the same each run.
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=0xABCDEF))
    return tmp_path


async def import_prompt(pilot):
    await settle(pilot)
    await press(pilot, "ctrl+l")
    await type_text(pilot, "客")
    await settle(pilot)


async def import_preview(pilot):
    await import_prompt(pilot)
    await press(pilot, "tab")
    await press(pilot, "enter")
    await settle(pilot)
    await press(pilot, "enter")  # refused: there are rejected rows


async def import_summary(pilot):
    await import_preview(pilot)
    await press(pilot, "f8")
    await settle(pilot)


async def export_prompt(pilot):
    await settle(pilot)
    pilot.app.screen.tree.select_code("020020002")
    await settle(pilot)
    await press(pilot, "ctrl+e")


STATES = [import_prompt, import_preview, import_summary, export_prompt]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("state", STATES, ids=lambda f: f.__name__)
def test_transfer_screens(snap_compare, demo_store, files, size, state):
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=size, run_before=state)


def test_import_preview_english(snap_compare, demo_store, files):
    assert snap_compare(make_app(demo_store, lang="en", start="archive"), terminal_size=(120, 40),
                        run_before=import_preview)


DUPLICATES_FILE = (
    "客户编码,客户名称,客户简称,所属分类码,电话\n"
    "C009101,北京华联综合超市有限公司,华联综超,020020002,010-49770167\n"
    "C009102,杭州新华书店有限公司,新华书店,020020005,\n"
    "C009103,杭州新华书店股份有限公司,杭州新华,020020005,\n"
)


async def duplicates_preview(pilot):
    """A file with a row like C000355 (its phone) and a row like an earlier one (the name)."""
    await settle(pilot)
    await press(pilot, "ctrl+l")
    await type_text(pilot, "查重.csv")
    await press(pilot, "enter")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_import_preview_duplicates(snap_compare, demo_store, files, size):
    (files / "查重.csv").write_text(DUPLICATES_FILE, encoding="utf-8")
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=size, run_before=duplicates_preview)
