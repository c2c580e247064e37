"""编码方案 Coding scheme: the digits per level of a dimension's class codes, and the
criterion each level divides by. A level that already holds classes cannot be re-cut."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Label, Static

from db import RuleError
from db.archive import classes
from db.values.coding import MAX_LEVELS, CodingScheme
from tui.commands import Command, bindings
from tui.i18n import error_text, name_of, t
from tui.screens.base import KehuScreen
from tui.screens.confirm import ConfirmScreen
from tui.widgets.fields import Field
from tui.widgets.footer import KehuFooter


class SchemeScreen(KehuScreen):
    SCREEN_NAME = "scheme"
    CSS_PATH = "scheme.tcss"
    ACTIONS = (
        Command("scheme.save", "f6,ctrl+s", "save", "cmd.save", priority=True),
        Command("scheme.cancel", "escape", "cancel", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, dimension: str = "main") -> None:
        super().__init__()
        self.dimension = dimension

    def compose(self) -> ComposeResult:
        dim = classes.dimension(self.dimension)
        criteria = classes.criteria_of(dim)
        self.initial = (dim.scheme, *[criteria[i] if i < len(criteria) else "" for i in range(MAX_LEVELS)])
        name = name_of(dim)
        yield Static(Text(f"{t('screen.scheme')} · {name}"), id="title")
        with VerticalScroll(id="scheme-form"):
            yield Label(t("scheme.label") + " *  " + t("scheme.hint"), classes="field-label")
            yield Field(dim.scheme, id="f-scheme", max_length=20)
            yield Static("", id="scheme-levels")
            with Grid(id="criteria"):
                for level in range(1, MAX_LEVELS + 1):
                    yield Label(t("scheme.criterion_of", level=level))
                    yield Field(self.initial[level], id=f"f-criterion-{level}", max_length=40)
            yield Static("", id="message", markup=False)
        yield KehuFooter()

    def on_mount(self) -> None:
        self.query_one("#f-scheme", Field).focus()
        self._show_levels()

    def on_input_changed(self) -> None:
        self._show_levels()

    def _values(self) -> tuple[str, ...]:
        return (self.query_one("#f-scheme", Field).value,
                *[self.query_one(f"#f-criterion-{lv}", Field).value for lv in range(1, MAX_LEVELS + 1)])

    def _show_levels(self) -> None:
        """Each level's width, code length and classes in use, as the user types."""
        out = Text()
        dim = classes.dimension(self.dimension)
        used = classes.classes_per_level(dim)
        try:
            scheme = CodingScheme.parse(self._values()[0])
        except RuleError as exc:
            out.append(error_text(exc), style="red")
            self.query_one("#scheme-levels", Static).update(out)
            return
        for level, width in enumerate(scheme.widths, 1):
            out.append(t("scheme.level_line", level=level, width=width, length=scheme.length(level),
                         count=used.get(level, 0)) + "\n")
        self.query_one("#scheme-levels", Static).update(out)

    def say(self, message: str) -> None:
        self.query_one("#message", Static).update(message)

    def action_save(self) -> None:
        scheme, *criteria = self._values()
        try:
            classes.set_scheme(self.dimension, scheme, criteria)
        except RuleError as exc:
            self.say(error_text(exc))
            return
        self.initial = self._values()
        self.say("")
        self.notify(t("scheme.saved"))

    def action_cancel(self) -> None:
        def leave(discard: bool | None = True) -> None:
            if discard:
                self.app.action_go("classification")

        if self._values() == self.initial:
            leave()
        else:
            self.app.push_screen(ConfirmScreen(t("scheme.confirm_discard")), leave)
