"""评估规则 Evaluation rules: every period and threshold the evaluation uses, as label and
field, saved one by one in one save (F6), refusals shown beside the field."""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static

from db import RuleError, StoreError
from db.archive import region_classes
from db.evaluation import parameters
from db.values.regions import short
from tui import background
from tui.commands import Command, bindings, key_of
from tui.i18n import error_text, t
from tui.screens.base import KehuScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.rules_nav import NAV
from tui.widgets.fields import Field
from tui.widgets.footer import KehuFooter

# Rule key prefix -> the heading it is listed under.
GROUPS = (("history.", "rules.target.history"), ("scale.", "rules.target.scale"),
          ("profit.", "rules.target.profit"), ("mgmt.", "rules.target.mgmt_type"))


def rule_error_text(exc: Exception) -> str:
    """A refusal with the rule keys it names (rule, lower, upper) replaced by their labels."""
    if not isinstance(exc, RuleError):
        return error_text(exc)
    values = {name: t(f"rules.key.{value}") if value in parameters.SPEC else value
              for name, value in exc.values.items()}
    return t(exc.key, **values)


def region_mapping_text() -> Text:
    """Each province and the 地区分类 class named after it, three to a line (— for none)."""
    cells = [f"{p} {short(name)} → {code or '—'}" for p, name, code, _ in region_classes.mapping()]
    width = max(cell_len(c) for c in cells) + 2
    lines = ["".join(c + " " * (width - cell_len(c)) for c in cells[i:i + 3]).rstrip()
             for i in range(0, len(cells), 3)]
    return Text("\n".join(lines))


def field_id(key: str) -> str:
    return "f-" + key.replace(".", "-")


def error_id(key: str) -> str:
    return "e-" + key.replace(".", "-")


class RulesScreen(KehuScreen):
    SCREEN_NAME = "rules"
    CSS_PATH = "rules.tcss"
    ACTIONS = (
        Command("rules.save", "f6,ctrl+s", "save", "cmd.save", priority=True),
        Command("rules.back", "escape", "back", "rules_ui.cmd.back"),
        Command("rules.fill_regions", "f9", "fill_regions", "rules_ui.cmd.fill_regions"),
        *NAV,
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.initial = self._stored()

    @staticmethod
    def _stored() -> dict[str, str]:
        return {key: parameters.format_rule(key, value) for key, value in parameters.rule_values().items()}

    def compose(self) -> ComposeResult:
        yield Static(Text(t("screen.rules")), id="title")
        # The label column as wide as the longest label in the language in force, as on the
        # card: a fixed width wrapped the English labels over two lines.
        label_width = min(max(cell_len(t(f"rules.key.{key}")) for key in parameters.SPEC) + 3, 40)
        units = {key: t(f"rules_ui.unit.{spec[0]}") for key, spec in parameters.SPEC.items()}
        unit_width = max(cell_len(unit) for unit in units.values()) + 2
        with VerticalScroll(id="rules-form"):
            for prefix, heading in GROUPS:
                yield Label(t(heading), classes="group")
                for key in parameters.SPEC:
                    if key.startswith(prefix):
                        with Horizontal(classes="rule-row"):
                            label = Label(t(f"rules.key.{key}"), classes="rule-label")
                            label.styles.width = label_width
                            yield label
                            yield Field(self.initial[key], id=field_id(key), max_length=24)
                            unit = Label(units[key], classes="unit")
                            unit.styles.width = unit_width
                            yield unit
                            yield Static("", id=error_id(key), classes="rule-error", markup=False)
            # 地区分类 from 所属地区码: the province each class is named after (db.archive.region_classes).
            yield Label(t("rules_ui.region_rule", fill=key_of("rules.fill_regions")), classes="group")
            yield Static(region_mapping_text(), id="region-mapping")
        hint = t("rules_ui.hint", save=key_of("rules.save"), back=key_of("rules.back"))
        yield Static(hint, id="message", markup=False)
        yield KehuFooter()

    def on_mount(self) -> None:
        self.query_one(Field).focus()

    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#{field_id(key)}", Field).value for key in parameters.SPEC}

    @property
    def dirty(self) -> bool:
        return self.values() != self.initial

    def say(self, message: str, error: bool = False) -> None:
        line = self.query_one("#message", Static)
        line.update(message)
        line.set_class(error, "error")

    def action_save(self) -> None:
        typed = self.values()
        pending = {key: text for key, text in typed.items() if text != self.initial[key]}
        if not pending:
            self.say(t("rules_ui.unchanged"))
            return
        errors: dict[str, Exception] = {}
        saved = 0
        # Each rule is checked against its neighbours as stored: raising both 中型 and 大型
        # works only large first. Retry the refused ones while any save succeeds.
        progress = True
        while pending and progress:
            progress = False
            for key in list(pending):
                try:
                    parameters.set_rule(key, pending[key])
                except (RuleError, StoreError) as exc:
                    errors[key] = exc
                    continue
                del pending[key]
                errors.pop(key, None)
                saved += 1
                progress = True
        stored = self._stored()
        for key in parameters.SPEC:
            error = self.query_one(f"#{error_id(key)}", Static)
            if key in errors:
                error.update(rule_error_text(errors[key]))
                error.display = True
            else:
                error.update("")
                error.display = False
                # Saved or untouched: show the value as stored ("1000000" -> "1,000,000.00").
                self.query_one(f"#{field_id(key)}", Field).value = stored[key]
        self.initial = stored
        if errors:
            self.say(t("rules_ui.refused", saved=saved, count=len(errors)), error=True)
            self.query_one(f"#{field_id(next(iter(errors)))}", Field).focus()
        else:
            self.say(t("rules_ui.saved", count=saved))

    def action_fill_regions(self) -> None:
        """The rule "province → class" over the whole archive, off the UI thread (a million
        customers take seconds)."""
        self.say(t("rules_ui.filling_regions"))
        background.start(self, "fill-regions", region_classes.fill,
                         lambda n: self.say(t("rules_ui.regions_filled", count=f"{n:,}")),
                         lambda exc: self.say(error_text(exc), error=True))

    def action_back(self) -> None:
        def leave(discard: bool | None = True) -> None:
            if discard:
                self.app.action_go("archive")

        if self.dirty:
            self.app.push_screen(ConfirmScreen(t("rules_ui.confirm_discard")), leave)
        else:
            leave()
