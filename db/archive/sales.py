"""The sales performance record (客户销售业绩档案): a customer's sales documents and their sums.

Money is integer fen throughout, so every sum is exact. Periods are counted back from an "as
of" date with dateutil's relativedelta, which keeps month ends (31 August minus 6 months is
28 or 29 February, not 3 March): the last N months as of D are the days after D - N months,
up to and including D. Sales dated after the as-of date do not count.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from peewee import SQL, Case, fn

from db.core import clock, models
from db.archive import branches, history
from db.core.errors import RuleError
from db.core.models import Customer, Sale
from db.values.money import MAX_FEN
from db.core.session import writing

MAX_DOC_NO = 30
RECENT = 10


def months_before(as_of: dt.date, months: int) -> dt.date:
    """The date `months` months before `as_of`, clamped to the month's end (relativedelta)."""
    return as_of - relativedelta(months=months)


@dataclass(frozen=True)
class Totals:
    amount: int = 0  # fen
    cost: int = 0  # fen
    orders: int = 0

    @property
    def profit(self) -> int:
        return self.amount - self.cost


@dataclass(frozen=True)
class SaleRow:
    date: dt.date
    doc_no: str
    amount: int
    cost: int
    code: str = ""  # the customer's, in a group's list (业绩 rolled up to the head office)

    @property
    def profit(self) -> int:
        return self.amount - self.cost


@dataclass(frozen=True)
class Performance:
    """What the card's 业绩 tab shows, as of a date."""

    as_of: dt.date
    this_year: Totals  # 1 January of as_of's year up to as_of
    last_year: Totals  # the whole previous calendar year
    last_12_months: Totals
    all_time: Totals
    first_date: dt.date | None
    last_date: dt.date | None
    recent: list[SaleRow]  # the latest orders, newest first


def _money(value, field: str) -> int:
    # bool is an int to Python; a True amount is a caller's mistake, not one fen.
    if not isinstance(value, int) or isinstance(value, bool):
        raise RuleError("sales.money_type", field=field)
    if abs(value) > MAX_FEN:
        raise RuleError("sales.money_range", field=field)
    return value


def add(customer_code: str, date: dt.date, doc_no: str, amount: int, cost: int = 0) -> Sale:
    """Record one sales document. Amounts are integer fen; a negative amount is a return
    (红字). The document number is unique per customer; a date after today is refused."""
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise RuleError("sales.date_required", field="date")
    if date > clock.today():
        raise RuleError("sales.date_future", field="date", date=date.isoformat())
    doc_no = (doc_no or "").strip()
    if not doc_no:
        raise RuleError("sales.doc_required", field="doc_no")
    if len(doc_no) > MAX_DOC_NO:
        raise RuleError("sales.doc_too_long", field="doc_no", length=len(doc_no), max=MAX_DOC_NO)
    amount, cost = _money(amount, "amount"), _money(cost, "cost")
    with writing():
        customer = Customer.get_or_none(Customer.code == customer_code)
        if customer is None:
            raise RuleError("sales.customer_unknown", field="customer", code=customer_code)
        if Sale.select().where(Sale.customer == customer.id, Sale.doc_no == doc_no).exists():
            raise RuleError("sales.doc_taken", field="doc_no", doc_no=doc_no, code=customer_code)
        sale = Sale.create(customer=customer.id, date=date, doc_no=doc_no, amount=amount, cost=cost)
        history.record("add", "sale", f"{customer_code}:{doc_no}",
                       {"date": [None, date], "amount": [None, amount], "cost": [None, cost]})
    return sale


def performance(customer_code: str, as_of: dt.date | None = None, recent: int = RECENT,
                group: bool = False) -> Performance:
    """A customer's sums this year, last year, over the last 12 months and in all, and the
    latest `recent` orders: one aggregate query and one short ordered one. `group`: of the
    customer and its branches, theirs and so on (总公司, db.archive.branches.group_sql)."""
    as_of = as_of or clock.today()
    customer = Customer.get_or_none(Customer.code == customer_code)
    if customer is None:
        raise RuleError("sales.customer_unknown", field="customer", code=customer_code)
    year_start = dt.date(as_of.year, 1, 1)
    last_year_start = dt.date(as_of.year - 1, 1, 1)
    since_12 = months_before(as_of, 12)
    periods = {
        "this": Sale.date >= year_start,
        "last": (Sale.date >= last_year_start) & (Sale.date < year_start),
        "m12": Sale.date > since_12,
    }
    columns = [fn.MIN(Sale.date), fn.MAX(Sale.date), fn.COALESCE(fn.SUM(Sale.amount), 0),
               fn.COALESCE(fn.SUM(Sale.cost), 0), fn.COUNT(Sale.id)]
    for where in periods.values():
        columns += [fn.COALESCE(fn.SUM(Case(None, [(where, Sale.amount)], 0)), 0),
                    fn.COALESCE(fn.SUM(Case(None, [(where, Sale.cost)], 0)), 0),
                    fn.COALESCE(fn.SUM(Case(None, [(where, 1)], 0)), 0)]
    whose = (Sale.customer.in_(SQL(f"({branches.group_sql(models.database.param)})", [customer_code]))
             if group else Sale.customer == customer.id)
    row = (Sale.select(*columns)
           .where(whose, Sale.date <= as_of).tuples().get())
    first, last = (_as_date(v) for v in row[:2])
    sums = [int(v) for v in row[2:]]
    if group:  # whose order each one is
        latest = Sale.select(Sale.date, Sale.doc_no, Sale.amount, Sale.cost, Customer.code).join(Customer)
    else:
        latest = Sale.select(Sale.date, Sale.doc_no, Sale.amount, Sale.cost, SQL("''"))
    latest = (latest.where(whose, Sale.date <= as_of)
              .order_by(Sale.date.desc(), Sale.id.desc()).limit(recent).tuples())
    return Performance(
        as_of=as_of,
        this_year=Totals(*sums[3:6]),
        last_year=Totals(*sums[6:9]),
        last_12_months=Totals(*sums[9:12]),
        all_time=Totals(*sums[0:3]),
        first_date=first,
        last_date=last,
        recent=[SaleRow(_as_date(d), n, a, c, code) for d, n, a, c, code in latest],
    )


def _as_date(value) -> dt.date | None:
    """Aggregates over a DateField come back as text on SQLite."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
