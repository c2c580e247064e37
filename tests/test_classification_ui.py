"""Pilot flows on the classification screen: add, edit, delete, save, cancel, refusals."""
from db.archive import classes
from db.core.models import CustomerClass
from tests.ui import make_app, press, settle, type_text
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen
from tui.screens.scheme import SchemeScreen
from tui.widgets.fields import Field


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


def form_error(app) -> str:
    return str(app.screen.query_one("#form-error").render())


async def goto(pilot, code):
    pilot.app.screen.tree.select_code(code)
    await settle(pilot)
    assert pilot.app.screen.tree.selected_code == code


async def test_add_level1_and_child_with_keyboard(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        code = app.screen.query_one("#f-code", Field)
        assert app.focused is code and code.value == ""
        await type_text(pilot, "09")
        await press(pilot, "tab")
        await type_text(pilot, "其他客户")
        await press(pilot, "f6")
        assert classes.get("main", "09").name == "其他客户"
        assert app.screen.tree.selected_code == "09"
        # F5 on 09: the code field is pre-filled with the parent's code.
        await press(pilot, "f5")
        assert app.screen.query_one("#f-code", Field).value == "09"
        await type_text(pilot, "001")
        await press(pilot, "tab")
        await type_text(pilot, "杂项")
        await press(pilot, "ctrl+s")
        assert classes.get("main", "09001").level == 2
        assert not classes.get("main", "09").is_leaf
        assert "09001" in message(app)


async def test_refusals_are_shown_and_nothing_is_written(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        count = CustomerClass.select().count()
        await press(pilot, "f5")
        await type_text(pilot, "123")
        await press(pilot, "tab")
        await type_text(pilot, "坏")
        await press(pilot, "f6")
        assert "第 1 级编码为 2 位" in form_error(app)
        assert app.focused.id == "f-code", "focus goes back to the bad field"
        assert CustomerClass.select().count() == count
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "y")
        # 01 holds a customer: F5 under it is refused before a form opens.
        await goto(pilot, "01")
        await press(pilot, "f5")
        assert "01 已有 1 个客户, 不能增加下级分类" in message(app)
        assert not app.screen.query("#class-form")


async def test_level2_length_message_in_english(seeded):
    app = make_app(seeded, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await goto(pilot, "03")
        await press(pilot, "f5")
        await type_text(pilot, "9")
        await press(pilot, "tab")
        await type_text(pilot, "x")
        await press(pilot, "f6")
        assert "Level 2 codes are 5 characters: parent 03 + 3" in form_error(app)


async def test_edit_name_and_remark(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await goto(pilot, "03001")
        await press(pilot, "f7")
        assert app.screen.query_one("#f-code", Field).disabled, "the code cannot change"
        name = app.screen.query_one("#f-name", Field)
        assert app.focused is name
        await type_text(pilot, "产品")
        await press(pilot, "tab")
        await type_text(pilot, "备注一")
        await press(pilot, "f6")
        node = classes.get("main", "03001")
        assert (node.name, node.remark) == ("电子产品", "备注一")


async def test_cancel_asks_only_with_unsaved_changes(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        await press(pilot, "escape")
        assert not app.screen.query("#class-form"), "no question when nothing was typed"
        await press(pilot, "f5")
        await type_text(pilot, "05")
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        assert app.screen.query_one("#f-code", Field).value == "05", "kept editing"
        await press(pilot, "escape", "enter")
        assert not app.screen.query("#class-form")
        assert classes.get("main", "05") is None


async def test_delete_asks_and_refuses_class_with_children_before_asking(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await goto(pilot, "03002")
        await press(pilot, "delete")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "y")
        assert classes.get("main", "03002") is None
        assert app.screen.tree.selected_code == "03"
        await press(pilot, "delete")  # refused at once, not after a yes (issue 16 item 27)
        assert not isinstance(app.screen, ConfirmScreen)
        assert "有下级分类, 不能删除" in message(app)
        await goto(pilot, "03001")
        await press(pilot, "delete", "n")
        assert classes.get("main", "03001") is not None


async def test_help_lists_every_key_of_the_screen(seeded):
    app = make_app(seeded, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("Static").render())
        for words in ("F5", "Add", "F7", "Modify", "Delete", "F6, Ctrl+S", "Save", "Esc", "Cancel",
                      "F9", "Refresh", "F1", "Help", "Ctrl+Q", "Quit"):
            assert words in text, words
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keys_can_be_remapped_from_the_config_file(seeded, tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "keymap.toml").write_text('[keymap]\n"class.add" = "f2"\n', encoding="utf-8")
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        assert not app.screen.query("#class-form"), "F5 no longer adds"
        await press(pilot, "f2")
        assert app.screen.query("#class-form")


async def test_palette_names_commands_in_both_languages(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "增加 Add" in titles and "客户分类 Classification" in titles and "编码方案 Coding scheme" in titles


async def test_scheme_screen_refuses_recut_and_saves_criteria(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f12")
        assert isinstance(app.screen, SchemeScreen)
        scheme = app.screen.query_one("#f-scheme", Field)
        scheme.value = "3-3-4"
        await press(pilot, "f6")
        assert "第 1 级已有 4 个分类" in message(app)
        assert classes.dimension("main").scheme == "2-3-4"
        scheme.value = "2-3-4-2"
        app.screen.query_one("#f-criterion-3", Field).value = "业态"
        await press(pilot, "f6")
        dim = classes.dimension("main")
        assert dim.scheme == "2-3-4-2" and classes.criteria_of(dim)[2] == "业态"
        await press(pilot, "escape")
        assert app.screen.SCREEN_NAME == "classification"


async def test_small_terminal_says_so_and_resumes(seeded):
    from tui.screens.too_small import TooSmallScreen

    app = make_app(seeded, lang="en")
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert "60x20" in str(app.screen.query_one("#too-small").render())
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert app.screen.SCREEN_NAME == "classification"


async def test_the_small_terminal_notice_wraps_inside_a_narrow_terminal(seeded):
    """Issue 16 item 19: at 40 columns the English notice was cut at 'at lea'."""
    from tui.screens.too_small import TooSmallScreen

    app = make_app(seeded, lang="en")
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        notice = app.screen.query_one("#too-small")
        assert notice.region.right <= 40 and notice.size.height >= 3


async def test_saving_a_class_keeps_the_open_classes_open(seeded):
    """Issue 16 item 39: saving a class collapsed the expanded tree."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await goto(pilot, "020020001")
        await goto(pilot, "03001")
        tree = app.screen.tree
        assert tree.find("02002").is_expanded and tree.find("03").is_expanded
        await press(pilot, "f7")
        await type_text(pilot, "产品")
        await press(pilot, "f6")
        await settle(pilot)
        assert classes.get("main", "03001").name == "电子产品"
        assert tree.find("02").is_expanded and tree.find("02002").is_expanded
        assert tree.selected_code == "03001"
