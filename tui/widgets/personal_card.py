"""What the card shows of a personal customer (个人消费者): no company-only fields, and the
birthday and gender read from the 身份证 number in 税号; on a company, a 15-character 税号
named as the old-style 税务登记号 it is."""
from __future__ import annotations

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Static

from db.archive import classes
from db.values.fields import COMPANY_ONLY
from db.values.idnumbers import OLD_TAX_ID_LENGTH, person_of
from tui.i18n import t
from tui.widgets.card_fields import field_label


def is_personal(values: dict) -> bool:
    """Whether the card's customer is a person: its class (as the card opened) says so."""
    return classes.is_personal(values.get("class_code", ""))


def hidden(key: str, personal: bool) -> bool:
    return personal and key in COMPANY_ONLY


def identity_rows(key: str, values: dict, personal: bool, label_width: int):
    """The read-only line under 税号 (none under other fields, nor for an empty 税号)."""
    number = values.get("tax_id", "") if key == "tax_id" else ""
    if not number:
        return
    if personal:
        person = person_of(number)
        if person is None:  # a value kept from before the class was personal
            return
        label, value = t("card.person"), t("card.person_value", birthday=person.birthday.isoformat(),
                                              gender=t(f"card.gender.{person.gender}"))
    elif len(number) == OLD_TAX_ID_LENGTH:
        label, value = t("card.old_tax_id"), t("card.old_tax_id_value")
    else:
        return
    yield Horizontal(field_label(label, label_width), Static(Text(value), classes="auto-value"),
                     classes="field-row", id="row-identity")
