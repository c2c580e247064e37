"""The operators screen (Alt+O) by keyboard, the title line naming who works and their role,
and snapshots at 80x24 and 120x40 (the screen, the form, an editor's refusal)."""
import pytest

from db.archive import customers, operators
from tests.ui import make_app, press, settle, type_text
from tui.screens.operators import OperatorForm, OperatorsScreen

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


@pytest.fixture
def team_demo(demo_store, monkeypatch):
    monkeypatch.setenv("LOGNAME", "boss")
    operators.add("boss", "张总")
    operators.add("lisi", "李四", "华北销售部", "editor",
                  operators.Scope(classes=(("main", "02"),), departments=("华北销售部",)))
    operators._forget()
    return demo_store


def title(app) -> str:
    return str(app.screen.query_one("#title").render())


async def test_title_line_names_the_operator_and_role(team_demo, monkeypatch):
    app = make_app(team_demo, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "张总 · 账套主管" in title(app)
    monkeypatch.setenv("LOGNAME", "stranger")
    operators._forget()
    app = make_app(team_demo, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "stranger · 未登记 (只能查询)" in title(app)


async def test_no_operators_no_title_addition(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "账套主管" not in title(app)


async def test_add_change_and_remove_by_keyboard(team_demo):
    app = make_app(team_demo, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "alt+o")
        assert isinstance(app.screen, OperatorsScreen)
        await press(pilot, "f5")
        assert isinstance(app.screen, OperatorForm)
        await type_text(pilot, "zhangsan")
        app.screen.query_one("#op-name").value = "张三"
        app.screen.query_one("#op-role").value = "approver"
        app.screen.query_one("#op-classes").value = "99"
        await press(pilot, "f6")
        # a class that does not exist is refused on the form, nothing written
        assert "99" in str(app.screen.query_one("#operator-message").render())
        assert operators.get("zhangsan") is None
        app.screen.query_one("#op-classes").value = "02 03"
        await press(pilot, "f6")
        assert isinstance(app.screen, OperatorsScreen)
        assert operators.get("zhangsan").scope.classes == (("main", "02"), ("main", "03"))
        await press(pilot, "down", "enter")  # lisi (rows sorted by login: boss, lisi, zhangsan)
        assert app.screen.op.login == "lisi"
        app.screen.query_one("#op-own").value = "1"
        await press(pilot, "f6")
        assert operators.get("lisi").scope.own
        await press(pilot, "down", "delete", "y")
        assert operators.get("zhangsan") is None


async def test_an_editor_cannot_manage_operators(team_demo, monkeypatch):
    monkeypatch.setenv("LOGNAME", "lisi")
    operators._forget()
    app = make_app(team_demo, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "alt+o", "delete", "y")
        assert "请找 张总 (boss)" in str(app.screen.query_one("#message").render())
    assert operators.get("boss") is not None


async def screen(pilot):
    await settle(pilot)
    await press(pilot, "alt+o")
    await settle(pilot)


async def form(pilot):
    await screen(pilot)
    await press(pilot, "down", "enter")
    await settle(pilot)


async def refused(pilot):
    await form(pilot)
    pilot.app.screen.query_one("#op-role").value = "boss"
    await press(pilot, "f6")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("state", [screen, form, refused], ids=lambda f: f.__name__)
def test_operators_snapshots(snap_compare, team_demo, size, state):
    assert snap_compare(make_app(team_demo, start="archive"), terminal_size=size, run_before=state)


def test_archive_title_snapshot(snap_compare, team_demo):
    assert customers.get("C000001") is not None
    assert snap_compare(make_app(team_demo, start="archive"), terminal_size=(80, 24),
                        run_before=settle)


async def test_a_new_card_under_a_region_scope_asks_for_a_class_there(demo_store, monkeypatch):
    """An editor whose scope is a region class: the new card's save names the scope and goes
    to the 地区分类 field; given a class of the scope there, the customer is added."""
    from db.archive import classes
    from tests.test_scope import _region_scope
    from tui.screens.card import CardScreen

    monkeypatch.setenv("LOGNAME", "boss")
    operators.add("boss", "张总")
    _, inside, _ = _region_scope("zhao")
    monkeypatch.setenv("LOGNAME", "zhao")
    operators._forget()
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(CardScreen(None, class_code=classes.leaves()[0][0]))
        await settle(pilot)
        for key, value in {"code": "N7", "name": "新客户七", "short_name": "新七"}.items():
            app.screen.query_one(f"#f-{key}").value = value
        await press(pilot, "f6")
        assert "数据权限" in str(app.screen.query_one("#message").render())
        assert app.focused is app.screen.query_one("#f-dim-region") and customers.get("N7") is None
        app.focused.value = inside
        await press(pilot, "f6")
        assert customers.get("N7") is not None and not isinstance(app.screen, CardScreen)
