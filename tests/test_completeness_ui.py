"""完整度 in the app: the filter's "below N %" (typed, refused, saved by name and reapplied),
the weights on the rules screen (saved and every score recomputed in a worker, refused
beside the field, refused for a non-admin), on the demo archive."""
from db.archive import completeness, operators
from db.core.models import ChangeLog, Customer
from db.lists import paging
from tests.ui import make_app, press, settle
from tui import config
from tui.screens.filter import FilterScreen
from tui.widgets.fields import Field


def _below(n: int) -> int:
    return Customer.select().where(Customer.completeness < n).count()


async def test_the_filter_lists_the_customers_below_the_threshold(demo_store):
    app = make_app(demo_store, start="archive", lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        archive = app.screen
        await press(pilot, "f3")
        screen = app.screen
        assert isinstance(screen, FilterScreen)
        field = screen.query_one("#f-completeness_below", Field)
        field.value = "abc"
        await press(pilot, "f6")
        assert app.screen is screen
        assert "abc" in str(screen.query_one("#filter-error").render())
        assert app.focused is field
        field.value = "90%"
        screen.query_one("#f-name", Field).value = "incomplete"
        await press(pilot, "ctrl+w")
        assert app.screen is archive
        assert archive.query_state.filter.completeness_below == 90
        assert 0 < archive.count == paging.count(archive.query_state) <= _below(90)  # not stopped
        assert config.load_settings()["filters"]["incomplete"] == {"completeness_below": 90}
        # cleared, then the saved filter reapplied from the list of saved ones
        await press(pilot, "f3")
        await press(pilot, "ctrl+r", "f6")
        assert archive.query_state.filter.completeness_below is None
        await press(pilot, "f3")
        app.screen.query_one("#saved").focus()
        await press(pilot, "enter")
        assert archive.query_state.filter.completeness_below == 90


async def test_changed_weights_recompute_the_scores_off_the_event_loop(demo_store):
    before = _below(70)
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+u")
        screen = app.screen
        screen.query_one("#f-completeness-tax_id", Field).value = "200"
        await press(pilot, "f6")
        assert "200" in str(screen.query_one("#e-completeness-tax_id").render())
        assert completeness.weights()["tax_id"] == 10
        screen.query_one("#f-completeness-tax_id", Field).value = "40"
        await press(pilot, "f6")
        await settle(pilot)
        assert completeness.weights()["tax_id"] == 40
        assert not screen.query_one("#e-completeness-tax_id").display
        assert screen.query_one("#f-completeness-tax_id", Field).value == "40"
        assert "重算了" in str(screen.query_one("#message").render())
        assert not screen.dirty
    assert _below(70) > before == 0  # the customers without a tax id fell from 86 to 60
    assert ChangeLog.select().where(ChangeLog.entity == "rule",
                                    ChangeLog.entity_code == "completeness.tax_id").exists()


async def test_a_non_admin_is_refused_beside_the_weight(demo_store, monkeypatch):
    operators.add("kehu-test", "管理员", role="admin")
    operators.add("lisi", "李四", role="editor")
    monkeypatch.setenv("LOGNAME", "lisi")
    operators.me(fresh=True)
    app = make_app(demo_store, start="archive", lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+u")
        screen = app.screen
        screen.query_one("#f-completeness-contact", Field).value = "30"
        await press(pilot, "f6")
        await settle(pilot)
        error = screen.query_one("#e-completeness-contact")
        assert error.display and "admin" in str(error.render()).lower()
    assert completeness.weights()["contact"] == 10
