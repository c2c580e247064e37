"""The card of a personal customer (个人消费者): a wrong 身份证 check character refused
beside 税号, no 法人 row, the birthday and gender shown; snapshots at 80x24 and 120x40."""
import pytest

from db.archive import classes, customers
from tests.test_card_ui import error_of, open_card, set_field
from tests.ui import make_app, press, settle
from tui.screens.card import CardScreen

RIC = "360426199101010071"


@pytest.fixture
def personal_app(seeded):
    classes.set_personal("01", True, classes.get("main", "01").version)
    row = customers.get("C001")
    customers.update("C001", {"tax_id": RIC}, row.version)
    return make_app(seeded)


async def test_a_wrong_check_character_is_refused_beside_the_field(personal_app):
    async with personal_app.run_test(size=(80, 24)) as pilot:
        await open_card(pilot, None, class_code="01")
        for key, value in {"code": "P100", "name": "李四", "short_name": "李四",
                           "tax_id": "360426199101010072"}.items():
            set_field(pilot.app, key, value)
        await press(pilot, "f6")
        assert customers.get("P100") is None, "nothing saved"
        assert "校验位" in error_of(pilot.app, "tax_id") and "身份证" in error_of(pilot.app, "tax_id")
        assert pilot.app.focused.id == "f-tax_id"
        assert not pilot.app.screen.query("#f-legal_person"), "法人 is hidden on a person's card"


async def test_the_card_shows_birthday_and_gender(personal_app):
    async with personal_app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, "C001")
        shown = str(pilot.app.screen.query_one("#row-identity").query_one(".auto-value").render())
        assert "1991-01-01" in shown and "男" in shown


def person_card():
    async def run(pilot):
        await settle(pilot)
        pilot.app.push_screen(CardScreen("C001"))
        await settle(pilot)
    return run


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_personal_card(snap_compare, personal_app, size):
    assert snap_compare(personal_app, terminal_size=size, run_before=person_card())


async def test_f8_marks_the_selected_class_personal(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.tree.reload(select="02")
        await settle(pilot)
        await press(pilot, "f8")
        await settle(pilot)
        assert classes.get("main", "02").personal and classes.is_personal("02001")
        await press(pilot, "f8")
        await settle(pilot)
        assert not classes.is_personal("02001")


def test_the_demo_s_class_01_is_personal(demo_store):
    assert classes.personal_codes() == ["01"]
