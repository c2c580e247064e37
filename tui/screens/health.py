"""分类检查 Classification health check: each finding with its level, dimension, count and
examples; Enter goes to an example (a customer in the archive, a class on the classification
screen, a level on the coding-scheme screen). The check runs in a thread worker."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from db.archive import classes, customers
from db.evaluation import health
from db.archive.dimensions import all_dimensions
from db.evaluation.health import Finding
from tui import background
from tui.commands import Command, bindings, key_of
from tui.i18n import name_of, t
from tui.screens.base import KehuScreen
from tui.screens.rules_nav import NAV
from tui.widgets.footer import KehuFooter

# What a finding's samples are: customer codes, class codes, or level numbers.
CUSTOMER_KINDS = {"uncovered", "unevaluated", "misplaced", "stopped_vip", "incomplete", "bad_id_number"}
CLASS_KINDS = {"empty_leaf", "single_child", "similar_names"}


# The classes a completeness finding lists under its line (the shell lists all it has).
BREAKDOWN_SHOWN = 3


def finding_text(finding: Finding, names: dict[str, str], class_names: dict[str, str]) -> Text:
    text = Text()
    text.append(f"[{t('health.level.' + finding.level)}] ",
                style="bold red" if finding.is_error else "bold yellow")
    text.append(t(finding.key, dimension=names.get(finding.dimension, finding.dimension),
                  count=f"{finding.count:,}", **finding.values))
    for code, count in finding.breakdown[:BREAKDOWN_SHOWN]:
        text.append("\n" + t("health.per_class", code=code, name=class_names.get(code, ""),
                              count=f"{count:,}"), style="dim")
    return text


def sample_line(finding: Finding, sample: str) -> str:
    """A sample with its name: at most SAMPLES look-ups by unique key, a few milliseconds."""
    if finding.kind in CUSTOMER_KINDS:
        row = customers.get(sample)
        if row and finding.kind == "incomplete":
            return f"{sample} {row.completeness:>3}% {row.name}"
        return f"{sample} {row.name}" if row else sample
    if finding.kind in CLASS_KINDS:
        node = classes.get(finding.dimension or "main", sample)
        return f"{sample} {node.name}" if node else sample
    if finding.kind == "region_unmatched":
        return sample  # the text as written, with its count
    return t("rules_ui.sample_level", level=sample)


class HealthScreen(KehuScreen):
    SCREEN_NAME = "health"
    CSS_PATH = "health.tcss"
    ACTIONS = (
        Command("health.recheck", "f9", "check", "rules_ui.cmd.recheck"),
        Command("health.back", "escape", "back", "rules_ui.cmd.back"),
        *NAV,
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[Finding] = []
        self.names: dict[str, str] = {}
        self.class_names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text(t("screen.health")), id="title")
        yield OptionList(id="findings")
        yield Label(t("rules_ui.samples"), id="samples-label")
        yield OptionList(id="samples")
        yield Static("", id="status", markup=False)
        yield KehuFooter()

    def on_mount(self) -> None:
        self.query_one("#findings").focus()
        self.action_check()

    def action_check(self) -> None:
        self.query_one("#status", Static).update(t("rules_ui.checking"))
        self.names = {d.code: name_of(d) for d in all_dimensions()}
        self.class_names = health.main_class_names()
        background.start(self, "health", health.check, self._show)

    def _show(self, findings: list[Finding]) -> None:
        self.findings = findings
        options = self.query_one("#findings", OptionList)
        options.clear_options()
        options.add_options([Option(finding_text(f, self.names, self.class_names), id=str(i))
                             for i, f in enumerate(findings)])
        if findings:
            options.highlighted = 0
        errors = sum(1 for f in findings if f.is_error)
        keys = t("rules_ui.health_keys", recheck=key_of("health.recheck"))
        self.query_one("#status", Static).update(
            t("health.totals", errors=errors, warnings=len(findings) - errors) + "  ·  " + keys
            if findings else t("health.clean"))
        self._show_samples(findings[0] if findings else None)

    @property
    def current(self) -> Finding | None:
        index = self.query_one("#findings", OptionList).highlighted
        return self.findings[index] if index is not None and index < len(self.findings) else None

    def _show_samples(self, finding: Finding | None) -> None:
        samples = self.query_one("#samples", OptionList)
        samples.clear_options()
        if finding is None:
            return
        lines = [sample_line(finding, s) for s in finding.samples]
        samples.add_options([Option(Text(line), id=str(i)) for i, line in enumerate(lines)])
        if lines:
            samples.highlighted = 0

    @on(OptionList.OptionHighlighted, "#findings")
    def _highlighted(self) -> None:
        self._show_samples(self.current)

    @on(OptionList.OptionSelected, "#findings")
    def _finding_chosen(self) -> None:
        finding = self.current
        if finding is not None and finding.samples:
            self.go_to(finding, finding.samples[0])

    @on(OptionList.OptionSelected, "#samples")
    def _sample_chosen(self, event: OptionList.OptionSelected) -> None:
        finding = self.current
        if finding is not None:
            self.go_to(finding, finding.samples[int(event.option.id)])

    def go_to(self, finding: Finding, sample: str) -> None:
        """Open where `sample` of `finding` lives."""
        app = self.app
        if finding.kind in CUSTOMER_KINDS:
            app.action_go("archive")
            when_mounted(app.screen, lambda screen: screen.jump_to(sample))
            return
        if finding.kind == "region_unmatched":  # a text, not a place: the list to correct it in
            app.action_go("archive")
            return
        dimension = finding.dimension or "main"
        if finding.kind in CLASS_KINDS:
            from tui.screens.classification import ClassificationScreen

            screen = ClassificationScreen(dimension)
            app.show_screen(screen)
            when_mounted(screen, lambda s: s.tree.select_code(sample))
        else:
            from tui.screens.scheme import SchemeScreen

            screen = SchemeScreen(dimension)
            app.show_screen(screen)
            when_mounted(screen, lambda s: s.query_one(f"#f-criterion-{sample}").focus())

    def action_back(self) -> None:
        self.app.action_go("archive")


def when_mounted(screen, step) -> None:
    """Run `step(screen)` once the screen just switched to has composed and its class tree
    (if it has one) has finished its first load: selecting before that would be undone by
    the load settling on its own selection."""
    def ready() -> None:
        trees = screen.query("ClassTree")
        if trees and not trees.first().settled:
            screen.set_timer(0.02, ready)
            return
        step(screen)

    screen.call_after_refresh(ready)
