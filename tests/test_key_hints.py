"""Hints name a command's key from the command table, after the user's keymap."""
from tests.ui import make_app, press, settle, type_text
from tui.commands import key_of, keys_of
from tui.screens.batch import BatchScreen
from tui.screens.confirm import ConfirmScreen


def test_without_a_keymap_a_hint_names_the_default_keys():
    assert key_of("batch.apply") == "F6"
    assert keys_of("batch.apply") == "F6/Ctrl+S"
    assert keys_of("confirm.yes") == "Y/Enter"
    assert key_of("no.such.command") == ""


def remap(tmp_path, **keys: str) -> None:
    (tmp_path / "config").mkdir()
    lines = "".join(f'"{k.replace("__", ".")}" = "{v}"\n' for k, v in keys.items())
    (tmp_path / "config" / "keymap.toml").write_text("[keymap]\n" + lines, encoding="utf-8")


async def test_a_remapped_key_is_the_key_the_hints_name(demo_store, tmp_path):
    remap(tmp_path, batch__apply="f7", confirm__yes="j,enter", class__save="ctrl+s")
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f8")  # the current row
        assert isinstance(app.screen, BatchScreen)
        keys = str(app.screen.query_one("#batch-box").border_subtitle)
        assert "F7 批改" in keys and "F6" not in keys
        app.screen.query_one("#batch-fields").highlighted = 5  # 管理类型
        await press(pilot, "enter")
        await type_text(pilot, "重要客户")
        await press(pilot, "f7")
        assert isinstance(app.screen, ConfirmScreen)
        assert "J/Enter 是" in str(app.screen.query_one("#confirm-keys").render())
        await press(pilot, "n", "escape")
        await press(pilot, "f11")  # the classification screen, where F5 adds a class
        await press(pilot, "f5")
        assert "Ctrl+S 保存" in str(app.screen.query_one("#form-keys").render())


def test_keys_are_written_as_the_hints_always_wrote_them():
    from tui.commands import key_label

    assert [key_label(k) for k in ("tab", "escape", "ctrl+s", "f6", "y")] == ["Tab", "Esc", "Ctrl+S", "F6", "Y"]


async def test_the_archive_names_space_enter_and_tab_in_help_and_palette(demo_store):
    from tui.screens.card import CardScreen
    from tui.screens.help import HelpScreen

    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"标记/取消标记 Mark/unmark", "打开客户卡片 Open the customer's card",
                "切换到下一个窗格 Next pane"} <= set(titles)
        listing = app.screen.listing
        code = listing.current_code
        await app.screen.run_action("mark")  # as the palette runs it
        await settle(pilot)
        assert listing.selection.is_marked(code)
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-box").children[0].render())
        assert "Space" in text and "Enter" in text and "Tab" in text
        await press(pilot, "escape")
        await app.screen.run_action("open")
        await settle(pilot)
        assert isinstance(app.screen, CardScreen)


async def test_the_zh_palette_words_textuals_own_commands_and_has_one_quit(seeded):
    from textual.command import CommandPalette

    app = make_app(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "主题 Theme" in titles and "截图 Screenshot" in titles and "按键面板 Keys" in titles
        assert [x for x in titles if "Quit" in x] == ["退出 Quit"]
        assert "Theme" not in titles
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one("CommandInput").placeholder == "搜索命令…"


def test_zh_help_words_argparses_own_headings_from_the_catalog(capsys):
    import pytest

    from tui import cli

    for argv in (["--lang", "zh", "--help"], ["--lang", "zh", "find", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
        out = capsys.readouterr().out
        assert out.startswith("用法: kehu") and "位置参数:" in out and "选项:" in out
        assert "显示本帮助并退出" in out
        assert "positional arguments" not in out and "options:" not in out and "usage:" not in out
