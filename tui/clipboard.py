"""Copying to the clipboard of the user's own computer, through SSH and tmux: Textual's
App.copy_to_clipboard writes the text as an OSC 52 escape sequence, which the terminal (or
tmux, with `set -g set-clipboard on`) puts on the local clipboard. What is copied: a card's
invoice details as the four lines of a VAT invoice, its default contact, and on the list the
code under the cursor or the marked rows as tab-separated text (a header line first)."""
from __future__ import annotations

from db.archive import customers, subrecords
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension
from db.lists.paging import Selection, selected_codes, selection_count
from db import RuleError
from tui.commands import key_of
from tui.i18n import error_text, t

# A terminal takes an OSC 52 text of some ten to a hundred kilobytes: more rows than this go
# to a file (导出 Ctrl+E) instead.
MAX_ROWS = 1000
CONTACT_FIELDS = ("name", "title", "department", "mobile", "phone", "email")


def invoice_text(code: str) -> str | None:
    """The default invoice details of customer `code` as four labelled lines, None without."""
    record = subrecords.default(code, "invoices")
    if record is None:
        return None
    form = subrecords.as_form("invoices", record)
    return "\n".join(f"{t(f'sub.invoices.{key}')}: {value}" for key, value in form.items())


def contact_text(code: str) -> str | None:
    """The default contact of customer `code` on one line (name, title, ..., email)."""
    record = subrecords.default(code, "contacts")
    if record is None:
        return None
    form = subrecords.as_form("contacts", record)
    return " ".join(form[key] for key in CONTACT_FIELDS if form[key])


def rows_text(selection: Selection, columns: tuple[str, ...]) -> str:
    """The marked customers, the list's columns, tab-separated, a header line first (the
    RuleError of clip.too_many above MAX_ROWS)."""
    total = selection_count(selection)
    if total > MAX_ROWS:
        raise RuleError("clip.too_many", count=total, max=MAX_ROWS, export=key_of("archive.export"))
    lines = ["\t".join(_header(key) for key in columns)]
    for codes in selected_codes(selection):
        rows = {row.code: row for row in Customer.select().where(Customer.code.in_(codes))}
        names = _class_names({row.class_code for row in rows.values()}) if "class_name" in columns else {}
        for code in codes:
            if code in rows:
                form = customers.as_form(rows[code])
                form["class_name"] = names.get(rows[code].class_code, "")
                lines.append("\t".join(_cell(form.get(key, "")) for key in columns))
    return "\n".join(lines)


def _header(key: str) -> str:
    return t(f"customer.field.{key}") if key != "class_name" else t("clip.class_name")


def _cell(value: str) -> str:
    # The store refuses tabs and line breaks in every field but the remark (备注), which the
    # list does not show: one more guard, so a pasted table never slips a column.
    return value.replace("\t", " ").replace("\n", " ")


def _class_names(codes: set[str]) -> dict[str, str]:
    query = (CustomerClass.select(CustomerClass.code, CustomerClass.name).join(Dimension)
             .where(Dimension.code == MAIN_DIMENSION, CustomerClass.code.in_(codes)).tuples())
    return dict(query)


def copy(app, text: str | None, what: str) -> str:
    """Put `text` on the user's clipboard; the line the screen says about it."""
    if not text:
        return t(f"clip.nothing_{what}")
    app.copy_to_clipboard(text)
    return t("clip.done", what=t(f"clip.what_{what}"), count=text.count("\n") + 1)


def copy_list(app, listing) -> tuple[str, str]:
    """On the list: the marked rows, or the code under the cursor when none is marked; the
    line to show and its severity."""
    try:
        if listing.selection.is_empty():
            return copy(app, listing.current_code, "code"), "information"
        return copy(app, rows_text(listing.selection, listing.columns), "rows"), "information"
    except RuleError as exc:
        return error_text(exc), "warning"
