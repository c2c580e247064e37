"""业绩 The card's sales tab as text: this year, last year, 12 months, all time, the first and
last purchase and the latest orders."""
from __future__ import annotations

from rich.text import Text

from db.archive import branches, sales
from db.values.money import format_money
from tui.commands import key_of
from tui.i18n import t
from tui.widgets.cells import pad


def performance_text(code: str, group: bool = False) -> Text:
    """业绩: this year, last year, last 12 months, orders, first and last purchase, the
    latest orders (db.archive.sales.performance, as of today); `group`: of the customer and
    its branches (总公司), which a customer with branches is told it can toggle to."""
    perf = sales.performance(code, group=group)
    text = Text()
    text.append(t("card.sales_as_of", date=str(perf.as_of)) + "\n", style="bold")
    toggle = key_of("card.group")
    if group:
        text.append(t("card.sales_group", count=len(branches.group_ids(code)), toggle=toggle) + "\n")
    elif branches.branch_count(code):
        text.append(t("card.sales_own", toggle=toggle) + "\n")
    text.append("\n")
    heads = (t("card.sales_period"), t("card.sales_amount"), t("card.sales_cost"),
             t("card.sales_profit"), t("card.sales_orders"))
    rows = [(t("card.sales_this_year"), perf.this_year), (t("card.sales_last_year"), perf.last_year),
            (t("card.sales_12_months"), perf.last_12_months), (t("card.sales_all"), perf.all_time)]
    widths = (12, 16, 16, 16, 8)
    text.append(table_row(heads, widths) + "\n", style="bold")
    for label, totals in rows:
        cells = (label, format_money(totals.amount), format_money(totals.cost),
                 format_money(totals.profit), str(totals.orders))
        text.append(table_row(cells, widths) + "\n")
    text.append("\n" + t("card.sales_first_last", first=str(perf.first_date or "—"),
                         last=str(perf.last_date or "—")) + "\n\n")
    if perf.recent:
        text.append(t("card.sales_recent") + "\n", style="bold")
        for sale in perf.recent:
            text.append(f"{sale.date}  " + (f"{sale.code:<8} " if group else ""))
            text.append(table_row((sale.doc_no, format_money(sale.amount), format_money(sale.profit)),
                                  (16, 16, 16)) + "\n")
    else:
        text.append(t("card.sales_none"))
    return text


def table_row(cells, widths) -> str:
    """The first cell a label (left-aligned), the rest numbers (right-aligned), each in its
    width of terminal cells with at least a space between."""
    return "".join(pad(c, w - 1) + " " if i == 0 else " " + pad(c, w - 1, "right")
                   for i, (c, w) in enumerate(zip(cells, widths)))
