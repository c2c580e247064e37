"""The screens' stylesheets: Textual loads every screen's CSS_PATH into one app-wide sheet, so
a rule not nested under its screen's type styles every screen shown after it was loaded."""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen

SCREENS = Path(__file__).parent.parent / "tui" / "screens"
SHEETS = sorted(SCREENS.glob("*.tcss"))


def _screens_of(path: Path) -> set[str]:
    """The screen types a sheet's rules are nested under (its first selector list)."""
    return {name.strip() for name in path.read_text(encoding="utf-8").split("{", 1)[0].split(",")}


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: p.name)
def test_every_rule_is_scoped_to_its_screens(path):
    sheet = Stylesheet(variables=App().get_css_variables())
    sheet.add_source(path.read_text(encoding="utf-8"), read_from=(str(path), ""))
    sheet.parse()
    screens = _screens_of(path)
    for rule in sheet.rules:
        for selectors in rule.selector_set:
            first = selectors.selectors[0]
            assert first.name in screens, f"{path.name}: {selectors.css} is not inside {', '.join(sorted(screens))}"


def test_every_screen_is_named_by_the_sheet_it_loads():
    """A screen loading a sheet nested under other screens' types gets none of its rules."""
    checked = 0
    for module_path in sorted(SCREENS.glob("*.py")):
        module = importlib.import_module(f"tui.screens.{module_path.stem}")
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, Screen) and cls.__module__ == module.__name__:
                sheet = getattr(cls, "CSS_PATH", None)
                if isinstance(sheet, str):
                    names = {c.__name__ for c in cls.__mro__}
                    assert names & _screens_of(SCREENS / sheet), f"{cls.__name__} loads {sheet}"
                    checked += 1
    assert checked >= len(SHEETS)
