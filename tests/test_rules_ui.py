"""Pilot flows of the rules, evaluation, review, health check and statistics screens on the
demo archive (fixed clock 2026-11-23), all by keyboard."""
import datetime as dt

import pytest

from db.evaluation import health, rules, parameters, stats
from db.archive.dimensions import DERIVED
from db.core.models import ChangeLog, Customer, Dimension, Membership
from tests.ui import make_app, press, settle, type_text
from tui.i18n import t
from tui.screens.confirm import ConfirmScreen
from tui.widgets.fields import Field
from tui.widgets.proposal_list import PAGE, reason_text

AS_OF = "2026-06-30"


def state() -> dict[str, tuple]:
    """Every customer's management type and derived classes: what an apply may change."""
    derived = {d.id: d.code for d in Dimension.select().where(Dimension.code.in_(list(DERIVED)))}
    classes: dict[str, dict] = {}
    for m in Membership.select().where(Membership.dimension.in_(list(derived))):
        classes.setdefault(m.customer_code, {})[derived[m.dimension_id]] = m.class_code
    return {code: (mgmt, tuple(sorted(classes.get(code, {}).items())))
            for code, mgmt in Customer.select(Customer.code, Customer.mgmt_type).tuples()}


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def set_field(pilot, field_id: str, value: str) -> None:
    field = pilot.app.screen.query_one(f"#{field_id}", Field)
    field.focus()
    field.value = value
    await settle(pilot)


# -- rules -------------------------------------------------------------------------------------


async def test_rules_screen_shows_every_rule_and_saves_one(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+u")
        assert app.screen.SCREEN_NAME == "rules"
        for key, value in parameters.rule_values().items():
            assert app.screen.query_one(f"#f-{key.replace('.', '-')}", Field).value == parameters.format_rule(key, value)
        await set_field(pilot, "f-scale-large", "2000000")
        await press(pilot, "f6")
        assert parameters.rule_values()["scale.large"] == 2_000_000_00
        assert app.screen.query_one("#f-scale-large", Field).value == "2,000,000.00"
        assert t("rules_ui.saved", count=1) in text_of(app, "#message")
        assert not app.screen.dirty


async def test_rules_refusal_is_shown_beside_the_field_and_nothing_saved(demo_store):
    app = make_app(demo_store, start="rules")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = parameters.rule_values()
        await set_field(pilot, "f-scale-medium", "5,000,000")  # above 大型 1,000,000
        await set_field(pilot, "f-profit-high", "abc")
        await press(pilot, "f6")
        assert parameters.rule_values() == before
        medium = app.screen.query_one("#e-scale-medium")
        assert medium.display and t("rules.key.scale.large") in str(medium.render())
        assert app.screen.query_one("#e-profit-high").display
        assert not app.screen.query_one("#e-scale-large").display
        assert t("rules_ui.refused", saved=0, count=2) in text_of(app, "#message")
        assert app.screen.query_one("#f-scale-medium", Field).value == "5,000,000"  # kept as typed
        assert app.focused.id == "f-scale-medium"


async def test_rules_raising_two_thresholds_together_saves_both(demo_store):
    app = make_app(demo_store, start="rules")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # medium is saved first in screen order, above the stored large: a retry saves it.
        await set_field(pilot, "f-scale-medium", "3,000,000")
        await set_field(pilot, "f-scale-large", "4,000,000")
        await press(pilot, "f6")
        values = parameters.rule_values()
        assert (values["scale.medium"], values["scale.large"]) == (3_000_000_00, 4_000_000_00)
        assert not app.screen.query_one("#e-scale-medium").display


async def test_rules_escape_asks_before_dropping_changes(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+u")
        await set_field(pilot, "f-mgmt-vip_top", "10")
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        assert app.screen.SCREEN_NAME == "rules"
        await press(pilot, "escape", "y")
        assert app.screen.SCREEN_NAME == "archive"
        assert parameters.rule_values()["mgmt.vip_top"] == 50


# -- evaluate and review ---------------------------------------------------------------------


async def evaluate(pilot, as_of: str = AS_OF) -> None:
    await press(pilot, "ctrl+r")
    assert pilot.app.screen.SCREEN_NAME == "evaluate"
    await set_field(pilot, "f-as_of", as_of)
    await press(pilot, "enter")
    await settle(pilot)
    assert pilot.app.screen.SCREEN_NAME == "review"


async def test_evaluate_reviews_then_applies_exactly_the_marked(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = state()
        log_before = ChangeLog.select().count()
        await evaluate(pilot)
        screen = app.screen
        result = rules.summary(screen.run_id)
        assert result.as_of == dt.date(2026, 6, 30)
        # the dry run changed nothing
        assert state() == before
        assert ChangeLog.select().count() == log_before
        # counts per change at the top, "all" first
        changes = screen.query_one("#changes")
        assert changes.option_count == len(result.changes) + 1
        first = result.changes[0]
        assert f"{first.count:,}" in str(changes.get_option_at_index(1).prompt)
        assert f"{result.proposals:,}" in str(changes.get_option_at_index(0).prompt)
        # rows with their reasons
        listing = screen.listing
        assert len(listing.rows) == PAGE
        row = listing.rows[0]
        assert reason_text(row) == t(row.reason, **row.values) and reason_text(row) != row.reason
        assert row.customer_code in text_of(app, "#detail")
        # mark two customers, apply the marked
        await press(pilot, "space")
        await press(pilot, "space")
        marked = set(listing.selection.added)
        assert len(marked) == 2
        await press(pilot, "f6")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "y")
        await settle(pilot)
        after = state()
        changed = {code for code in before if before[code] != after[code]}
        assert changed == marked
        logged = {c.entity_code for c in ChangeLog.select().where(ChangeLog.action == "evaluate")}
        assert logged == marked
        assert t("rules.cli.applied", applied="", customers="", stale="").split()[0] in text_of(app, "#status")
        assert listing.rows[0].status == "applied"
        # going back shows the archive again
        await press(pilot, "escape")
        assert app.screen.SCREEN_NAME == "archive"


async def test_review_nothing_marked_applies_nothing(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = state()
        await evaluate(pilot)
        await press(pilot, "f6")
        assert app.screen.SCREEN_NAME == "review"
        assert t("rules_ui.mark_first", mark="Space", apply_all="F8") in text_of(app, "#status")
        await press(pilot, "f8", "n")
        assert state() == before


async def test_review_apply_all(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await evaluate(pilot)
        run_id = app.screen.run_id
        pending = rules.summary(run_id).proposals
        await press(pilot, "f8", "y")
        await settle(pilot)
        assert all(c.pending == 0 for c in rules.summary(run_id).changes)
        assert rules.proposals(run_id, limit=1)[0].status == "applied"
        assert f"{pending:,}" in text_of(app, "#status")


async def test_choosing_a_change_lists_only_it_and_mark_all_marks_its_customers(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await evaluate(pilot)
        screen = app.screen
        result = rules.summary(screen.run_id)
        pick = max(range(len(result.changes)), key=lambda i: result.changes[i].target == "mgmt_type")
        change = result.changes[pick]
        screen.query_one("#changes").focus()
        await press(pilot, *["down"] * (pick + 1), "enter")
        assert screen.change == change
        assert screen.listing.has_focus
        rows = screen.listing.rows
        assert rows and all((r.target, r.from_code, r.to_code)
                            == (change.target, change.from_code, change.to_code) for r in rows)
        assert t("rules_ui.filtered", change="").strip() in text_of(app, "#status")
        await press(pilot, "ctrl+a")
        await settle(pilot)
        assert len(screen.listing.selection.added) == change.count
        await press(pilot, "ctrl+a")
        assert screen.listing.selection.is_empty()


async def test_review_pages_from_the_store(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await evaluate(pilot)
        listing = app.screen.listing
        first_page = [r.id for r in listing.rows]
        listing.move_by(PAGE - 2)
        await press(pilot, "down")
        assert listing.page == 0 and listing.cursor == PAGE - 1
        await press(pilot, "down")
        assert listing.page == 1 and listing.cursor == 0
        expected = rules.proposals(app.screen.run_id, after=listing.starts[1], limit=PAGE)
        assert [r.id for r in listing.rows] == [r.id for r in expected]
        assert f"{PAGE + 1:,}-" in text_of(app, "#status")
        await press(pilot, "up")
        assert listing.page == 0 and [r.id for r in listing.rows] == first_page
        assert listing.cursor == PAGE - 1
        await press(pilot, "pagedown", "pagedown")
        assert listing.page == 1


async def test_review_end_goes_to_the_last_proposal_of_the_run(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await evaluate(pilot)
        listing, run_id = app.screen.listing, app.screen.run_id
        total = app.screen.evaluation.proposals
        assert total > 2 * PAGE and listing.has_next
        ordered = [r.id for r in rules.proposals(run_id, limit=total + 1)]
        await press(pilot, "end")
        assert listing.current_row.id == ordered[-1]
        assert listing.position == total - 1
        assert f"{total:,}" in text_of(app, "#status")
        # up across the page boundary, read backward from the last page's first row
        listing.move_cursor(0)
        await press(pilot, "up")
        assert listing.current_row.id == ordered[listing.position]
        assert listing.position == (total - 1) // PAGE * PAGE - 1
        await press(pilot, "home")
        assert listing.current_row.id == ordered[0]


def test_proposals_read_backward_as_forward(demo_store):
    run_id = rules.evaluate(dt.date(2026, 6, 30)).run_id
    forward = rules.proposals(run_id, limit=100000)
    assert [r.id for r in rules.proposals(run_id, limit=7, before=rules.END)] == [r.id for r in forward[-7:]]
    key = (forward[30].customer_code, forward[30].target)
    assert [r.id for r in rules.proposals(run_id, limit=10, before=key)] == [r.id for r in forward[20:30]]
    history = [r for r in forward if r.target == "history"]
    assert [r.id for r in rules.proposals(run_id, limit=3, before=rules.END, target="history")] == \
        [r.id for r in history[-3:]]


async def test_evaluate_refuses_a_bad_date(demo_store):
    app = make_app(demo_store, start="evaluate")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await set_field(pilot, "f-as_of", "2026-02-30")
        await press(pilot, "enter")
        assert app.screen.SCREEN_NAME == "evaluate"
        assert "2026-02-30" in text_of(app, "#message")


# -- health check ------------------------------------------------------------------------------


async def test_health_lists_the_findings_and_enter_goes_to_the_customer(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+k")
        assert app.screen.SCREEN_NAME == "health"
        await settle(pilot)
        expected = health.check()
        findings = app.screen.query_one("#findings")
        assert findings.option_count == len(expected)
        errors = sum(f.is_error for f in expected)
        assert text_of(app, "#status").startswith(t("health.totals", errors=errors, warnings=len(expected) - errors))
        first = expected[0]
        assert first.kind == "uncovered"
        assert f"{first.count:,}" in str(findings.get_option_at_index(0).prompt)
        samples = app.screen.query_one("#samples")
        assert samples.option_count == len(first.samples)
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen.SCREEN_NAME == "archive"
        assert app.screen.listing.current_code == first.samples[0]


async def test_health_sample_of_a_class_opens_the_classification(demo_store):
    app = make_app(demo_store, start="health")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        expected = health.check()
        index = next(i for i, f in enumerate(expected) if f.kind == "empty_leaf")
        await press(pilot, *["down"] * index)
        await press(pilot, "tab", "enter")
        await settle(pilot)
        assert app.screen.SCREEN_NAME == "classification"
        assert app.screen.tree.selected_code == expected[index].samples[0]


# -- statistics --------------------------------------------------------------------------------


async def test_statistics_bars_drill_down_and_back(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+y")
        await settle(pilot)
        screen = app.screen
        assert screen.SCREEN_NAME == "statistics"
        top = stats.by_class("main", 1)
        options = screen.query_one("#classes")
        assert options.option_count == len(top)
        line = str(options.get_option_at_index(0).prompt)
        assert line.startswith(f"{top[0].code} {top[0].name}") and "█" in line
        assert f"{top[0].customers:,}" in line
        assert "VIP客户" in str(screen.query_one("#types").render())
        index = next(i for i, r in enumerate(top) if r.code == "02")
        await press(pilot, *["down"] * index, "enter")
        await settle(pilot)
        children = stats.by_class("main", parent="02")
        assert [r.code for r in screen.rows] == [r.code for r in children] == ["02001", "02002"]
        assert "02 " in text_of(app, "#title")
        await press(pilot, "backspace")
        await settle(pilot)
        assert [r.code for r in screen.rows] == [r.code for r in top]
        assert options.highlighted == index
        await press(pilot, "d")
        await settle(pilot)
        second = screen.dimensions[1]
        assert [r.code for r in screen.rows] == [r.code for r in stats.by_class(second.code, 1)]
        await press(pilot, "escape")
        assert app.screen.SCREEN_NAME == "archive"


def test_bars_are_drawn_in_eighths():
    from tui.widgets.bars import bar
    from tui.widgets.cells import pad

    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██  "
    assert bar(1, 32, 4) == "▏   "  # one eighth of a cell
    assert bar(3, 16, 4) == "▊   "  # 1.5 cells -> 6 eighths
    assert bar(1, 10**9, 4) == "▏   "  # never invisible above zero
    assert bar(0, 10, 4) == "    "
    assert pad("客户", 6, "right") == "  客户"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_new_command_has_a_label(lang):
    from tui import i18n
    from tui.screens.evaluate import EvaluateScreen
    from tui.screens.health import HealthScreen
    from tui.screens.review import ReviewScreen
    from tui.screens.rules import RulesScreen
    from tui.screens.statistics import StatisticsScreen

    i18n.set_lang(lang)
    for screen in (RulesScreen, EvaluateScreen, ReviewScreen, HealthScreen, StatisticsScreen):
        assert f"screen.{screen.SCREEN_NAME}" in i18n.CATALOG
        for command in screen.ACTIONS:
            assert command.label in i18n.CATALOG, command.label


async def test_last_results_reopen_the_review_and_a_gone_run_is_said(demo_store):
    run = rules.evaluate(dt.date(2026, 6, 30))
    app = make_app(demo_store, start="evaluate")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f8")
        await settle(pilot)
        screen = app.screen
        assert screen.SCREEN_NAME == "review" and screen.run_id == run.run_id
        assert screen.query_one("#changes").option_count == len(run.changes) + 1
        assert len(screen.listing.rows) == PAGE
        rules.evaluate(dt.date(2026, 7, 31))  # replaces this user's earlier run
        await press(pilot, "f8", "y")
        assert t("rules.run_unknown", run=run.run_id) in text_of(app, "#status")


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_rule_label_and_unit_fits_on_its_line_at_80_columns(demo_store, lang):
    """Issue 16 item 38: the English labels wrapped over two lines and 'months' broke inside
    the word, in columns sized for Chinese."""
    app = make_app(demo_store, lang=lang, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+u")
        await settle(pilot)
        cells = list(app.screen.query(".rule-label")) + list(app.screen.query(".unit"))
        assert cells and {cell.size.height for cell in cells} == {1}


async def test_review_header_and_end_follow_an_apply(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await evaluate(pilot)
        screen = app.screen
        before = rules.summary(screen.run_id)
        assert t("rules_ui.pending", count="").split()[0] not in text_of(app, "#title")
        await press(pilot, "space", "space", "f6", "y")
        await settle(pilot)
        pending = sum(c.pending for c in rules.summary(screen.run_id).changes)
        assert pending < before.proposals
        assert t("rules_ui.pending", count=f"{pending:,}") in text_of(app, "#title")
        # End goes to the last row, Home back to the first
        await press(pilot, "end")
        assert screen.listing.cursor == len(screen.listing.rows) - 1
        assert screen.listing.rows[-1].customer_code in text_of(app, "#detail")
        await press(pilot, "home")
        assert screen.listing.cursor == 0
