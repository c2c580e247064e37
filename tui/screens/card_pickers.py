"""参照 (F2) on the card: which picker a field opens, by the field that has the focus: the
class tree (所属分类, another dimension's class), the management types, the customers (总公司)."""
from __future__ import annotations

from textual.screen import Screen

from db.values.fields import BY_KEY
from tui.i18n import t
from tui.screens.filter import shown_mgmt


def picker_for(focused) -> Screen | None:
    """The picker the focused field opens, None for a field that has none. Each returns the
    value to put in the field (None: left as it was)."""
    name = getattr(focused, "id", None) or ""
    if name == "f-head_office":
        from tui.screens.customer_picker import CustomerPicker

        return CustomerPicker("head.pick_title")
    if name == "f-class_code" or name.startswith("f-dim-"):
        from tui.screens.class_picker import ClassPicker

        return ClassPicker(focused.value, name.removeprefix("f-dim-") if name.startswith("f-dim-") else "main")
    if name == "f-mgmt_type":
        from tui.screens.choice_picker import ChoicePicker

        return ChoicePicker(t("customer.field.mgmt_type"),
                            tuple(shown_mgmt(c) for c in BY_KEY["mgmt_type"].choices))
    return None
