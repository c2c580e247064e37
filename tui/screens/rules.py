"""评估规则 Evaluation rules: every period and threshold the evaluation uses, and the weights of
完整度 (db.archive.completeness), as label and field, saved in one save (F6), refusals shown
beside the field. Changed weights are saved together and every customer's score recomputed,
in a worker (a million rows)."""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static

from db import RuleError, StoreError
from db.archive import completeness, region_classes
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
          ("profit.", "rules.target.profit"), ("mgmt.", "rules.target.mgmt_type"),
          (completeness.PREFIX, "rules.target.completeness"))
# Every field of the screen: the evaluation's rules, then the completeness weights.
WEIGHT_KEYS = tuple(completeness.key_of(item) for item in completeness.ITEMS)
KEYS = (*parameters.SPEC, *WEIGHT_KEYS)


def unit_of(key: str) -> str:
    return "weight" if key in WEIGHT_KEYS else parameters.SPEC[key][0]


def is_rule_key(value) -> bool:
    return value in parameters.SPEC or value in WEIGHT_KEYS


def rule_error_text(exc: Exception) -> str:
    """A refusal with the rule keys it names (rule, lower, upper) replaced by their labels."""
    if not isinstance(exc, RuleError):
        return error_text(exc)
    values = {name: t(f"rules.key.{value}") if is_rule_key(value) else value
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
        stored = {key: parameters.format_rule(key, value) for key, value in parameters.rule_values().items()}
        stored.update((completeness.key_of(item), str(weight))
                      for item, weight in completeness.weights().items())
        return stored

    def compose(self) -> ComposeResult:
        yield Static(Text(t("screen.rules")), id="title")
        # The label column as wide as the longest label in the language in force, as on the
        # card: a fixed width wrapped the English labels over two lines.
        label_width = min(max(cell_len(t(f"rules.key.{key}")) for key in KEYS) + 3, 40)
        units = {key: t(f"rules_ui.unit.{unit_of(key)}") for key in KEYS}
        unit_width = max(cell_len(unit) for unit in units.values()) + 2
        with VerticalScroll(id="rules-form"):
            for prefix, heading in GROUPS:
                yield Label(t(heading), classes="group")
                for key in KEYS:
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
        return {key: self.query_one(f"#{field_id(key)}", Field).value for key in KEYS}

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
        weights = {key: pending.pop(key) for key in WEIGHT_KEYS if key in pending}
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
        self._settle(errors, saved, weights)
        if weights and not errors:
            self.say(t("rules_ui.recomputing"))
            typed = {key.removeprefix(completeness.PREFIX): text for key, text in weights.items()}
            background.start(self, "rules-weights", lambda: completeness.set_weights(typed),
                             lambda done: self._weights_saved(saved, done[1]),
                             lambda exc: self._weights_refused(saved, weights, exc))

    def _weights_saved(self, saved: int, recomputed: int) -> None:
        self._settle({}, saved + 1, {})
        self.say(t("rules_ui.recomputed", count=f"{recomputed:,}"))

    def _weights_refused(self, saved: int, weights: dict[str, str], exc: Exception) -> None:
        field = getattr(exc, "field", None)
        self._settle({field if field in weights else next(iter(weights)): exc}, saved, weights)

    def _settle(self, errors: dict[str, Exception], saved: int, waiting: dict[str, str]) -> None:
        """Show the refusals beside their fields and every other field as stored, except the
        weights `waiting` (being saved, or not tried): they keep what was typed."""
        stored = self._stored()
        for key in KEYS:
            error = self.query_one(f"#{error_id(key)}", Static)
            error.update(rule_error_text(errors[key]) if key in errors else "")
            error.display = key in errors
            if key not in errors and key not in waiting:
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
