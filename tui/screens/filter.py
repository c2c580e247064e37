"""过滤 Filter (F3): management type, region (its text, or its national code: a province
covers its cities), industry, salesperson, development-date range, 完整度 below N %,
stopped or not; combined with the selected class. Filters can be saved by name and reapplied
(kept per user in the settings file)."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Label, OptionList, Static

from db import RuleError
from db.archive import customers
from db.values import regions
from db.values.dates import format_date, parse_date
from db.values.fields import MGMT_TYPES
from db.lists.query import Filter, parse_below
from tui import background, config
from tui.commands import Command, bindings, key_of
from tui.i18n import error_text, t
from tui.screens.base import KehuModal
from tui.screens.choice_picker import ChoicePicker
from tui.widgets.fields import Field

TEXT_FIELDS = ("mgmt_type", "region", "industry", "salesperson")
# Management types are stored in Chinese; the filter shows and takes them in the language in
# force (the Chinese words are taken in English too: a saved filter or a habit).
MGMT_KEYS = dict(zip(MGMT_TYPES, ("mgmt_type.general", "mgmt_type.important", "mgmt_type.potential",
                                  "mgmt_type.vip")))
STOPPED_KEYS = {"only": "filter.stopped_only", "not": "filter.stopped_not"}


def _below_text(below: int | None) -> str:
    return "" if below is None else str(below)


def shown_mgmt(stored: str) -> str:
    return t(MGMT_KEYS[stored]) if stored in MGMT_KEYS else stored


def shown_stopped(stored: str) -> str:
    return t(STOPPED_KEYS[stored]) if stored in STOPPED_KEYS else stored


def stored_value(typed: str, keys: dict[str, str]) -> str | None:
    """The stored value `typed` names in the language in force (or is), None if none."""
    folded = typed.casefold()
    for stored, key in keys.items():
        if folded in (stored.casefold(), t(key).casefold()):
            return stored
    return None


class FilterScreen(KehuModal[Filter | None]):
    CSS_PATH = "filter.tcss"
    ACTIONS = (
        Command("filter.apply", "f6,ctrl+s", "apply", "filter.apply", priority=True),
        Command("filter.save", "ctrl+w", "save", "filter.save", priority=True),
        Command("filter.clear", "ctrl+r", "clear", "filter.clear", priority=True),
        Command("filter.pick", "f2", "pick", "card.pick"),
        Command("filter.cancel", "escape", "cancel", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, current: Filter | None) -> None:
        super().__init__()
        self.current = current or Filter()
        self.saved: dict[str, dict] = config.load_settings().get("filters", {})

    def compose(self) -> ComposeResult:
        f = self.current
        with Vertical(id="filter-box") as box:
            box.border_title = t("filter.title")
            box.border_subtitle = t("filter.keys", apply=key_of("filter.apply"), pick=key_of("filter.pick"),
                                    save=key_of("filter.save"), clear=key_of("filter.clear"),
                                    cancel=key_of("filter.cancel"))
            with Grid(id="filter-grid"):
                yield Label(t("customer.field.mgmt_type"))
                yield Field(shown_mgmt(f.mgmt_type), id="f-mgmt_type", max_length=20,
                            suggester=SuggestFromList([t(k) for k in MGMT_KEYS.values()]))
                for key in ("region", "industry", "salesperson"):
                    yield Label(t(f"customer.field.{key}"))
                    yield Field(getattr(f, key), id=f"f-{key}", max_length=60)
                    if key == "region":
                        yield Label(t("customer.field.region_code"))
                        yield Field(f.region_code, id="f-region_code", max_length=20,
                                    placeholder=t("filter.region_code_hint", pick=key_of("filter.pick")))
                yield Label(t("filter.dev_from"))
                yield Field(format_date(f.dev_from), id="f-dev_from", max_length=20)
                yield Label(t("filter.dev_to"))
                yield Field(format_date(f.dev_to), id="f-dev_to", max_length=20)
                yield Label(t("filter.completeness_below"))
                yield Field(_below_text(f.completeness_below), id="f-completeness_below", max_length=4,
                            placeholder=t("filter.completeness_hint"))
                yield Label(t("filter.stopped"))
                yield Field(shown_stopped(f.stopped), id="f-stopped", placeholder=t("filter.stopped_hint", pick=key_of("filter.pick")),
                            max_length=20, suggester=SuggestFromList([t(k) for k in STOPPED_KEYS.values()]))
                yield Label(t("filter.name"))
                yield Field("", id="f-name", placeholder=t("filter.name_hint"), max_length=40)
            yield Label(t("filter.saved_title"))
            yield OptionList(*sorted(self.saved), id="saved")
            yield Static("", id="filter-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#f-mgmt_type").focus()

    def build(self) -> Filter:
        value = {k: self.query_one(f"#f-{k}", Field).value.strip() for k in
                 (*TEXT_FIELDS, "dev_from", "dev_to", "stopped", "completeness_below")}
        dev_from = parse_date(value.pop("dev_from"), field="dev_from", label="filter.dev_from")
        dev_to = parse_date(value.pop("dev_to"), field="dev_to", label="filter.dev_to")
        if value["mgmt_type"]:
            stored = stored_value(value["mgmt_type"], MGMT_KEYS)
            if stored is None:
                raise RuleError("customer.choice", field="mgmt_type", label="customer.field.mgmt_type",
                                text=value["mgmt_type"], choices=" / ".join(t(k) for k in MGMT_KEYS.values()))
            value["mgmt_type"] = stored
        if value["stopped"]:
            value["stopped"] = stored_value(value["stopped"], STOPPED_KEYS) or value["stopped"]
        typed = self.query_one("#f-region_code", Field).value.strip()
        found = regions.get(typed) or (None if typed.isdigit() else regions.match(typed))
        if typed and found is None:  # a code or a name of one region (浙江 covers its cities)
            raise RuleError("customer.region_code", field="region_code", label="customer.field.region_code",
                            code=typed)
        below = parse_below(value.pop("completeness_below"))
        return Filter(dev_from=dev_from, dev_to=dev_to, completeness_below=below,
                      region_code=found.code if found else "", **value)

    def fill(self, f: Filter) -> None:
        for key in ("region", "industry", "salesperson"):
            self.query_one(f"#f-{key}", Field).value = getattr(f, key)
        self.query_one("#f-region_code", Field).value = f.region_code
        self.query_one("#f-mgmt_type", Field).value = shown_mgmt(f.mgmt_type)
        self.query_one("#f-stopped", Field).value = shown_stopped(f.stopped)
        self.query_one("#f-dev_from", Field).value = format_date(f.dev_from)
        self.query_one("#f-dev_to", Field).value = format_date(f.dev_to)
        self.query_one("#f-completeness_below", Field).value = _below_text(f.completeness_below)

    def _error(self, exc: RuleError) -> None:
        self.query_one("#filter-error", Static).update(error_text(exc))
        if exc.field and self.query(f"#f-{exc.field}"):
            self.query_one(f"#f-{exc.field}").focus()

    def action_apply(self) -> None:
        try:
            self.dismiss(self.build())
        except RuleError as exc:
            self._error(exc)

    def action_save(self) -> None:
        name = self.query_one("#f-name", Field).value.strip()
        if not name:
            self.query_one("#filter-error", Static).update(t("filter.name_required"))
            self.query_one("#f-name").focus()
            return
        try:
            built = self.build()
        except RuleError as exc:
            self._error(exc)
            return
        self.saved[name] = built.to_dict()
        problem = config.save_setting("filters", self.saved)
        if problem:
            self.query_one("#filter-error", Static).update(problem)
            return
        self.notify(t("filter.saved", name=name))
        self.dismiss(built)

    def action_pick(self) -> None:
        """参照 (F2) as on the card: a fixed list for management type and stopped, the values
        the archive holds for region, industry and salesperson."""
        focused = self.focused
        key = focused.id.removeprefix("f-") if isinstance(focused, Field) and focused.id else ""
        label = t("filter.stopped") if key == "stopped" else t(f"customer.field.{key}")
        if key == "region_code":
            from tui.screens.region_picker import RegionPicker

            def picked(code: str | None) -> None:
                if code:
                    focused.value = code
                    focused.cursor_position = len(code)

            self.app.push_screen(RegionPicker(focused.value), picked)
        elif key == "mgmt_type":
            self._offer(focused, label, tuple(t(k) for k in MGMT_KEYS.values()))
        elif key == "stopped":
            self._offer(focused, label, tuple(t(k) for k in STOPPED_KEYS.values()))
        elif key in TEXT_FIELDS:
            # A DISTINCT over a column without an index scans every customer: off the UI.
            background.start(self, "filter-pick", lambda: tuple(customers.values_in_use(key)),
                             lambda choices: self._offer(focused, label, choices), self._failed)
        else:
            self.query_one("#filter-error", Static).update(t("filter.pick_hint", pick=key_of("filter.pick")))

    def _offer(self, field: Field, label: str, choices: tuple[str, ...]) -> None:
        if not choices:
            self.query_one("#filter-error", Static).update(t("filter.pick_none", label=label))
            return

        def picked(value: str | None) -> None:
            if value:
                field.value = value
                field.cursor_position = len(value)

        self.app.push_screen(ChoicePicker(label, choices), picked)

    def _failed(self, exc: Exception) -> None:
        self.query_one("#filter-error", Static).update(error_text(exc))

    def action_clear(self) -> None:
        self.fill(Filter())

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#saved")
    def _reapply(self, event: OptionList.OptionSelected) -> None:
        name = str(event.option.prompt)
        try:
            chosen = Filter.from_dict(self.saved[name])
        except RuleError as exc:
            self._error(exc)
            return
        self.fill(chosen)
        self.query_one("#f-name", Field).value = name
        self.dismiss(chosen)
