"""The screens' stylesheets: Textual loads every screen's CSS_PATH into one app-wide sheet, so
a rule not nested under its screen's type styles every screen shown after it was loaded."""
from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.css.stylesheet import Stylesheet

SHEETS = sorted((Path(__file__).parent.parent / "tui" / "screens").glob("*.tcss"))


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: p.name)
def test_every_rule_is_scoped_to_its_screens(path):
    sheet = Stylesheet(variables=App().get_css_variables())
    sheet.add_source(path.read_text(encoding="utf-8"), read_from=(str(path), ""))
    sheet.parse()
    top = path.read_text(encoding="utf-8").split("{", 1)[0]
    screens = {name.strip() for name in top.split(",")}
    assert all(name.endswith(("Screen", "Picker")) for name in screens), top
    for rule in sheet.rules:
        for selectors in rule.selector_set:
            first = selectors.selectors[0]
            assert first.name in screens, f"{path.name}: {selectors.css} is not inside {', '.join(sorted(screens))}"
