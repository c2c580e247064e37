"""The message catalog: English words that follow a count (issue 16 item 41: "1 rows",
"1 leaf classes", "has 1 sales documents")."""
import re

import pytest

from tui import i18n
from tui.i18n import CATALOG, t


@pytest.fixture
def english():
    was = i18n.lang()
    i18n.set_lang("en")
    yield
    i18n.set_lang(was)


def test_one_takes_the_singular_and_any_other_count_the_plural(english):
    assert t("health.empty_leaf", dimension="D", count=1) == "D: 1 leaf class holds no customers"
    assert t("health.empty_leaf", dimension="D", count=2) == "D: 2 leaf classes hold no customers"
    assert t("customer.has_sales", code="C1", count=1).startswith("Customer C1 has 1 sales document and")
    assert t("transfer_ui.read", format="CSV", encoding="", sheet="", rows="1") == "CSV, 1 row"
    assert t("archive.count", count="1,234") == "1,234 records"


def test_chinese_is_left_as_it_is():
    was = i18n.lang()
    i18n.set_lang("zh")
    try:
        assert t("health.empty_leaf", dimension="D", count=1) == "D: 1 个末级分类没有客户"
    finally:
        i18n.set_lang(was)


def test_every_bracket_of_a_counted_english_message_is_a_choice():
    # In a message with a count, [a|b] is read as a choice: no other bracket may stand there.
    for key, (zh, en) in CATALOG.items():
        if "{count}" in en or "{rows}" in en:
            assert en.count("[") == len(re.findall(r"\[[^|\]]*\|[^\]]*\]", en)), key
        assert "|" not in zh or "[" not in zh, key
