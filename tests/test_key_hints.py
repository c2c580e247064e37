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


async def test_the_zh_palette_says_no_match_in_chinese(seeded):
    """Issue 16 item 41: the palette said `No matches found` in zh."""
    import asyncio

    from textual.command import CommandList

    app = make_app(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await pilot.press(*"zzqqxx")
        await asyncio.sleep(0.8)
        await settle(pilot)
        results = app.screen.query_one(CommandList)
        prompts = [str(results.get_option_at_index(i).prompt.renderable)
                   for i in range(results.option_count)]
        assert prompts == ["没有找到命令"]


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


def border(app, selector: str) -> str:
    return str(app.screen.query_one(selector).border_subtitle)


async def test_every_hint_names_the_remapped_keys(demo_store, tmp_path):
    """One keymap moves the commands the archive's hints name, their own or other screens'
    (the empty list names the evaluation's key): each hint names the new key."""
    from tui.screens.help import HelpScreen
    from tui.screens.sort import SortScreen
    from tui.widgets.locate_box import LocateBox

    remap(tmp_path, help__close="q,escape", sort__descending="x", sort__cancel="ctrl+x",
          locate__go="ctrl+j", locate__up="k", locate__down="j", locate__close="alt+x",
          archive__filter="f4", analysis__evaluate="ctrl+b", archive__stopped="alt+s",
          archive__add="insert", archive__import="alt+i", statistics__dimension="v",
          statistics__up="u", archive__mark="m")
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = app.screen.listing
        said = {}
        for reason in ("filtered", "not_evaluated", "all_stopped", "class", "none"):
            listing.empty_reason = f"list.empty.{reason}"
            said[reason] = listing.empty_text()
        listing.empty_reason = ""
        assert said == {"filtered": "没有符合过滤条件的客户 · F4 修改过滤",
                        "not_evaluated": "尚未评估 · Ctrl+B 评估",
                        "all_stopped": "这里的客户都已停用 · Alt+S 显示停用",
                        "class": "此分类下没有客户 · Insert 增加",
                        "none": "还没有客户 · Insert 增加 · Alt+I 导入"}
        assert border(app, LocateBox) == "Ctrl+J 跳到该客户  K/J 选择  Alt+X 关闭"
        await press(pilot, "slash")
        assert app.screen.query_one(LocateBox).visible
        await press(pilot, "alt+x")  # the remapped close closes it
        assert not app.screen.query_one(LocateBox).visible
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen) and border(app, "#help-box") == "Q 关闭"
        await press(pilot, "q")
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, SortScreen)
        assert border(app, "#sort-box") == "Enter 升序  X 降序  Ctrl+X 取消"
        await press(pilot, "ctrl+x")
        await press(pilot, "alt+m")  # nothing marked: the warning names the remapped mark key
        assert any("请先用 M 标记" in n.message for n in app._notifications)
        await press(pilot, "ctrl+y")
        assert app.screen.SCREEN_NAME == "statistics"
        status = str(app.screen.query_one("#status").render())
        assert "U 返回上级" in status and "V 切换维度" in status and "L 切换级次" in status


async def test_the_import_hints_name_the_remapped_keys(seeded, tmp_path, monkeypatch):
    from tests.test_transfer_ui import WITH_BAD_ROW, open_file, write
    from tui.screens.import_screen import ImportPreviewScreen, ImportSummaryScreen

    monkeypatch.chdir(tmp_path)
    write(tmp_path, "new.csv", WITH_BAD_ROW)
    remap(tmp_path, import__cancel="alt+x", import__blank_clears="f4", import__commit="f6,enter",
          import__only_valid="f9", import__close="ctrl+w,escape")
    app = make_app(seeded, start="archive")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+l")
        assert border(app, "#import-box") == "Enter 预览  Tab 补全  Alt+X 放弃"
        assert "F4 改为清空" in str(app.screen._blanks_text())
        await press(pilot, "alt+x")
        await open_file(pilot, "new.csv")
        assert isinstance(app.screen, ImportPreviewScreen)
        assert border(app, "#preview-box") == "F9 只导入正确的行  Alt+X 放弃"
        message = str(app.screen.query_one("#preview-message").render())
        assert "F6 不会导入" in message and "按 F9 只导入" in message
        await press(pilot, "f9")
        await settle(pilot)
        assert isinstance(app.screen, ImportSummaryScreen)
        assert border(app, "#summary-box") == "Ctrl+W 关闭"


def test_pairs_of_arrows_are_written_as_one_hint():
    import tui.screens.batch, tui.screens.columns, tui.screens.merge  # noqa: F401  their defaults
    from tui.commands import pair_of

    assert pair_of("locate.up", "locate.down") == "↑↓"
    assert pair_of("columns.up", "columns.down") == "Ctrl+↑↓"
    assert pair_of("merge.left", "merge.right") == "←→"
    assert key_of("batch_result.more", 1) == "F4" and key_of("batch_result.more") == "Ctrl+PgDn"


# Key names a catalog string may still spell out, each with why it is not a command's key.
WIDGET_ENTER = "Enter of a list or tree widget (Textual's own select), no command of ours"
WIDGET_MOVE = "the arrows of a list widget (Textual's own cursor), no command of ours"
FOCUS_TAB = "Tab moves the focus (Textual's own focus_next), no command of ours"
ENTER_VERB = "the English verb 'Enter the ...', not the key"
SPACE_CHAR = "空格 the character in a value, not the key"
ARROW_SIGN = "→ as 'becomes' between two values, not the key"
ALLOWED: dict[str, tuple[tuple[str, ...], str]] = {
    "history.as_of_hint": (("Enter",), WIDGET_ENTER),
    "picker.class_keys": (("Enter",), WIDGET_ENTER),
    "picker.choice_keys": (("Enter",), WIDGET_ENTER),
    "picker.region_keys": (("Enter", "↑", "↓"), WIDGET_ENTER + "; " + WIDGET_MOVE),
    "sort.keys": (("Enter",), WIDGET_ENTER),
    "filter.saved_title": (("Enter",), WIDGET_ENTER),
    "rules_ui.samples": (("Enter",), WIDGET_ENTER),
    "rules_ui.stats_keys": (("Enter",), WIDGET_ENTER),
    "rules_ui.health_keys": (("Enter", "Tab"), WIDGET_ENTER + "; " + FOCUS_TAB),
    "batch_ui.keys": (("↑", "↓", "Tab"), WIDGET_MOVE + "; " + FOCUS_TAB),
    "class.form_keys": (("Tab",), FOCUS_TAB),
    "columns.keys": (("Space",), "Space ticks a SelectionList row (Textual's own), no command of ours"),
    "class.code_required": (("Enter",), ENTER_VERB),
    "class.name_required": (("Enter",), ENTER_VERB),
    "dimension_name.required": (("Enter",), ENTER_VERB),
    "filter.name_required": (("Enter",), ENTER_VERB),
    "sales.date_required": (("Enter",), ENTER_VERB),
    "sales.doc_required": (("Enter",), ENTER_VERB),
    "customer.code_chars": (("空格",), SPACE_CHAR),
    "customer.email": (("空格",), SPACE_CHAR),
    "health.similar_names": (("空格",), SPACE_CHAR),
    "history.change": (("→",), ARROW_SIGN),
    "rules_ui.col.change": (("→",), ARROW_SIGN),
}
KEY_NAME = (r"(?<![\w{])(F(?:1[0-2]|[1-9])|Esc|Enter|Ctrl\+\S*|Alt\+\S*|Shift\+\S*|Space|Tab|PgUp|PgDn"
            r"|Del|Backspace|Home|End|Y/N)(?![\w}])|空格|回车|[↑↓←→]")


def test_no_catalog_string_names_a_key_literally():
    """A hint names a command's key through key_of: a literal key name goes stale after a
    remap. A new one fails here unless it is allowed above, with its reason."""
    import re

    from tui.i18n import CATALOG

    found = {}
    for key, pair in CATALOG.items():
        names = {m.group(0) for text in pair for m in re.finditer(KEY_NAME, text)}
        allowed = set(ALLOWED.get(key, ((), ""))[0])
        if names - allowed:
            found[key] = sorted(names - allowed)
    assert found == {}
    stale = [key for key, (names, _) in ALLOWED.items()
             if not any(n in text for text in CATALOG.get(key, ()) for n in names)]
    assert stale == [], "an allowed key name no longer in its string: drop it from ALLOWED"


async def test_the_card_picker_and_batch_result_name_the_remapped_keys(demo_store, tmp_path):
    from tui.screens.batch import BatchResultScreen
    from tui.screens.card import CardScreen
    from tui.screens.class_picker import ClassPicker

    remap(tmp_path, card__pick="f4", picker__close="alt+x", batch_result__more="ctrl+pagedown,f5",
          batch_result__skipped="alt+k", batch_result__close="alt+x,escape", confirm__yes="j")
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        assert isinstance(app.screen, CardScreen)
        app.screen.query_one("#f-name").focus()
        await press(pilot, "f4")  # no look-up here: the hint names the remapped key
        assert "F4 参照用于分类, 所属地区和管理类型" in str(app.screen.query_one("#message").render())
        app.screen.query_one("#f-class_code").focus()
        await press(pilot, "f4")
        assert isinstance(app.screen, ClassPicker)
        assert "Alt+X 取消" in str(app.screen.query_one(".picker-box").border_subtitle)
        await press(pilot, "alt+x", "escape")
        await press(pilot, "f8")
        app.screen.query_one("#batch-fields").highlighted = 5  # 管理类型
        await press(pilot, "enter")
        await type_text(pilot, "重要客户")
        await press(pilot, "f6", "j")
        assert isinstance(app.screen, BatchResultScreen)
        assert border(app, "#batch-box") == "F5 更多  Alt+K 只看跳过的  Alt+X 关闭"


async def test_the_class_card_columns_and_review_name_the_remapped_keys(demo_store, tmp_path):
    from db.evaluation import rules

    rules.apply(rules.evaluate().run_id)  # the next run proposes nothing: the review's empty list
    remap(tmp_path, class__add="insert", columns__up="alt+up", columns__down="alt+down",
          review__back="backspace")
    app = make_app(demo_store, start="classification")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        card = app.screen.query_one("#card")
        card.show(None, "客户分类")
        assert "Insert 增加第 1 级分类" in str(card.render())
        await press(pilot, "f10", "f4")
        assert border(app, "#columns-box").startswith("Space 显示/隐藏  Alt+↑↓ 移动")
        await press(pilot, "escape", "ctrl+r", "enter")
        assert app.screen.SCREEN_NAME == "review"
        assert "这次评估没有建议变更: 分类都已符合规则 · Backspace 返回" in app.screen.listing.render_line(1).text


async def test_the_filter_hints_name_the_remapped_look_up_key(demo_store, tmp_path):
    remap(tmp_path, filter__pick="f4")
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        screen = app.screen
        assert screen.query_one("#f-stopped").placeholder.endswith("(F4 选择)")
        screen.query_one("#f-dev_from").focus()
        await press(pilot, "f4")
        assert str(screen.query_one("#filter-error").render()).startswith("F4 参照: 管理类型")
