"""重新评估 Re-evaluate: the "as of" date, the rules in force, and the evaluation (a dry run)
in a thread worker with a progress bar; when it is done, the review screen opens on it."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ProgressBar, Static

from db import RuleError
from db.core import clock
from db.core.session import current
from db.evaluation import rules, parameters
from db.values.dates import format_date, parse_date
from db.core.models import EvaluationRun
from tui import background
from tui.commands import Command, bindings, key_of
from tui.i18n import error_text, t
from tui.screens.base import KehuScreen
from tui.screens.rules_nav import NAV
from tui.widgets.cells import fit, pad
from tui.widgets.fields import Field
from tui.widgets.footer import KehuFooter


def last_run() -> int | None:
    """The id of the current user's evaluation, if one is kept (evaluate keeps one a user)."""
    row = (EvaluationRun.select(EvaluationRun.id).where(EvaluationRun.who == clock.user())
           .order_by(EvaluationRun.id.desc()).first())
    return row.id if row else None


class EvaluateScreen(KehuScreen):
    SCREEN_NAME = "evaluate"
    CSS_PATH = "evaluate.tcss"
    ACTIONS = (
        Command("evaluate.start", "enter,f6", "start", "rules_ui.cmd.start", priority=True),
        Command("evaluate.last", "f8", "last_run", "rules_ui.cmd.last_run"),
        Command("evaluate.back", "escape", "back", "rules_ui.cmd.back"),
        *NAV,
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.running = False

    def compose(self) -> ComposeResult:
        yield Static(Text(t("screen.evaluate")), id="title")
        with Vertical(id="evaluate-form"):
            with Horizontal(classes="as-of-row"):
                yield Label(t("rules_ui.as_of") + " *", classes="as-of-label")
                yield Field(format_date(clock.today()), id="f-as_of", max_length=20)
            # Read-only, the hint says at once why no evaluation can run (not that one
            # changes no customer, over a refusal that says nothing can be changed).
            hint = (t("rules.read_only") if current().read_only
                    else t("rules_ui.as_of_hint", start=key_of("evaluate.start")))
            yield Static(hint, id="as-of-hint", markup=False)
            yield ProgressBar(total=1, show_eta=False, id="progress")
            yield Static("", id="message", markup=False)
            yield Static(self._rules_text(), id="rules-in-force")
        yield KehuFooter()

    @staticmethod
    def _rules_text() -> Text:
        text = Text(t("rules_ui.rules_in_force", rules=key_of("analysis.rules")) + "\n", style="bold")
        for key, value in parameters.rule_values().items():
            text.append("  " + fit(t(f"rules.key.{key}"), 30), style="not bold")
            text.append(pad(parameters.format_rule(key, value), 14, "right") + "\n")
        return text

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        field = self.query_one("#f-as_of", Field)
        field.focus()
        field.cursor_position = len(field.value)

    def say(self, message: str) -> None:
        self.query_one("#message", Static).update(message)

    def action_start(self) -> None:
        if self.running:
            return
        if current().read_only:  # the hint above says why
            self.say(t("rules_ui.read_only_start"))
            return
        try:
            as_of = parse_date(self.query_one("#f-as_of", Field).value, field="as_of",
                               label="rules_ui.as_of") or clock.today()
        except RuleError as exc:
            self.say(error_text(exc))
            return
        self.running = True
        self.query_one("#f-as_of", Field).disabled = True
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.say(t("rules_ui.running"))

        def progress(done: int, steps: int) -> None:
            self.app.call_from_thread(bar.update, total=steps, progress=done)

        background.start(self, "evaluate", lambda: rules.evaluate(as_of, progress),
                         self._done, self._failed)

    def _done(self, result: rules.Evaluation) -> None:
        from tui.screens.review import ReviewScreen

        self.running = False
        self.app.show_screen(ReviewScreen(result.run_id, result))

    def _failed(self, exc: Exception) -> None:
        self.running = False
        self.query_one("#progress").display = False
        field = self.query_one("#f-as_of", Field)
        field.disabled = False
        field.focus()
        self.say(error_text(exc))

    def action_last_run(self) -> None:
        from tui.screens.review import ReviewScreen

        run = last_run()
        if run is None:
            self.say(t("rules_ui.no_run"))
        elif not self.running:
            self.app.show_screen(ReviewScreen(run))

    def action_back(self) -> None:
        if not self.running:
            self.app.action_go("archive")
