"""At 80x24 every screen's message line is on screen: the refusal is seen where it is said."""
import db
from db.archive import classes
from tests.ui import make_app, press, settle
from tui.screens.filter import FilterScreen
from tui.screens.scheme import SchemeScreen
from tui.widgets.fields import Field


def seen(app, selector: str, text: str) -> bool:
    """The widget shows `text` and is what the terminal shows at its place: inside the 80x24
    screen, not scrolled away, not under another widget."""
    widget = app.screen.query_one(selector)
    region = widget.region
    if text not in str(widget.render()) or not region.area:
        return False
    if region.right > 80 or region.bottom > 24:
        return False
    shown, _ = app.screen.get_widget_at(region.x, region.y)
    return shown is widget


async def test_scheme_refusal_of_a_recut_level_is_seen(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f12")
        assert isinstance(app.screen, SchemeScreen)
        app.screen.query_one("#f-scheme", Field).value = "2-4-4"
        await press(pilot, "f6")
        assert seen(app, "#message", "第 2 级已有")
        assert seen(app, "#f-criterion-5", "")
        assert classes.dimension("main").scheme == "2-3-4"


async def test_scheme_read_only_refusal_is_seen(seeded):
    path = seeded.path
    seeded.close()
    store = db.open_store(str(path), read_only=True)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f12")
        app.screen.query_one("#f-criterion-2", Field).value = "地区"
        await press(pilot, "f6")
        assert seen(app, "#message", "只读")
    store.close()


async def test_classification_form_refusal_is_seen(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        await press(pilot, "f6")  # no code, no name
        assert seen(app, "#form-error", "")
        assert str(app.screen.query_one("#form-error").render()).strip()
        # one-line fields as on the card: three-line boxes left no room beside the tree
        assert all(app.screen.query_one(f"#f-{key}").region.height == 1 for key in ("code", "name", "remark"))


async def test_classification_read_only_refusal_is_seen(seeded):
    path = seeded.path
    seeded.close()
    store = db.open_store(str(path), read_only=True)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        assert seen(app, "#message", "只读")
    store.close()


async def test_rules_refusal_is_seen(demo_store):
    app = make_app(demo_store, start="rules")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#f-profit-high", Field)
        field.focus()
        field.value = "abc"
        await press(pilot, "f6")
        assert seen(app, "#message", "1")


async def test_filter_refusal_is_seen(seeded):
    app = make_app(seeded, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        assert isinstance(app.screen, FilterScreen)
        app.screen.query_one("#f-dev_from", Field).value = "2024-13-45"
        await press(pilot, "f6")
        assert seen(app, "#filter-error", "")
        assert str(app.screen.query_one("#filter-error").render()).strip()


async def test_scheme_english_hint_wraps_instead_of_being_cut(seeded):
    app = make_app(seeded, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f12")
        label = app.screen.query_one("#scheme-form .field-label")
        assert label.region.height == 2 and label.region.right <= 80
