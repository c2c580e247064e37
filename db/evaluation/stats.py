"""Statistics: customers and sales per class of a dimension at a level, and per management type.

A class's figures include all its sub-classes: rows are grouped by the first L characters of
the class code, L being the level's code length, in one GROUP BY per figure (never a query per
class). Drilling down is the same question asked for the children of one class. Sales are the
last 12 months as of a date (see db.archive.sales) and all sales up to that date.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from db.archive import classes, scope
from db.core import clock
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Membership, Sale
from db.archive.sales import months_before


@dataclass(frozen=True)
class ClassStat:
    code: str  # "" for the customers with no class in the dimension
    name: str
    is_leaf: bool
    customers: int
    amount_12: int  # fen, last 12 months
    amount_all: int  # fen, every sale up to the date


@dataclass(frozen=True)
class TypeStat:
    mgmt_type: str
    customers: int
    amount_12: int


def per_customer(as_of: dt.date, groups: bool = False):
    """Sales per customer up to `as_of`: (cid, m12, total), one pass over Sale in customer
    order. The date test sits inside the sums, not in a WHERE, so SQLite does not walk the
    date index and fetch five million rows out of order. `groups`: a branch's sales are its
    top head office's (总公司, rolled up through every level), so a group counts once, where
    its head is."""
    since = months_before(as_of, 12)
    upto = Sale.date <= as_of
    sums = (Sale.select(Sale.customer.alias("cid"),
                        fn.SUM(Case(None, [(upto & (Sale.date > since), Sale.amount)], 0)).alias("m12"),
                        fn.SUM(Case(None, [(upto, Sale.amount)], 0)).alias("total"))
            .group_by(Sale.customer))
    if not groups:
        return sums.alias("per_customer")
    # Grouped again by the head's id, though the callers sum by class anyway: without it
    # SQLite flattens this into the caller's join and, the customer's id now an expression,
    # scans the customers once per row (quadratic at a million).
    own, roots = sums.alias("own"), group_roots()
    owner = fn.COALESCE(roots.c.id_root, own.c.cid)
    return (Sale.select(owner.alias("cid"), fn.SUM(own.c.m12).alias("m12"), fn.SUM(own.c.total).alias("total"))
            .from_(own).join(roots, JOIN.LEFT_OUTER, on=(roots.c.id_branch == own.c.cid))
            .group_by(owner).alias("per_customer"))


def group_roots():
    """(id_branch, id_root) of every customer in a group under a head that names none: one
    recursive query from those heads down (WITH RECURSIVE; the heads are found on the index of
    the customers that name a head, so the 1,000,000 others are never read)."""
    heads = Customer.select(Customer.head_office).where(Customer.head_office.is_null(False))
    base = (Customer.select(Customer.id, Customer.code, Customer.id)
            .where(Customer.code.in_(heads), Customer.head_office.is_null())
            .cte("grp", recursive=True, columns=("id_branch", "code", "id_root")))
    below = Customer.alias("below")
    step = below.select(below.id, below.code, base.c.id_root).join(base, on=(below.head_office == base.c.code))
    tree = base.union(step)
    return tree.select_from(tree.c.id_branch, tree.c.id_root).alias("roots")


def by_class(dim_code: str = MAIN_DIMENSION, level: int = 1, parent: str | None = None,
             as_of: dt.date | None = None, groups: bool = False) -> list[ClassStat]:
    """One row per class at `level` (or per child of `parent`, which sets the level), in code
    order, empty classes included; in a dimension other than the main one, at the top
    (no parent) a last row with code "" counts the customers that have no class there.
    `groups`: sales rolled up to each group's head office (per_customer)."""
    as_of = as_of or clock.today()
    dim = classes.dimension(dim_code)
    scheme = classes.scheme_of(dim)
    if parent is not None:
        level = (scheme.level_of(parent) or 0) + 1
    if not 1 <= level <= scheme.levels:
        return []
    length = scheme.length(level)
    rows = CustomerClass.select(CustomerClass.code, CustomerClass.name, CustomerClass.is_leaf).where(
        CustomerClass.dimension == dim.id, CustomerClass.level == level)
    if parent:
        rows = rows.where(CustomerClass.code.startswith(parent))
    main = dim.code == MAIN_DIMENSION
    column = Customer.class_code if main else Membership.class_code
    head = fn.SUBSTR(column, 1, length).alias("head")

    def within(query):
        query = scope.narrowed(query, Customer.id if main else Membership.customer)
        if not main:
            query = query.where(Membership.dimension == dim.id)
        if parent:
            query = query.where(column >= parent, column < parent + classes.HIGH)
        return query.group_by(fn.SUBSTR(column, 1, length))

    sums = per_customer(as_of, groups)
    totals = (fn.COALESCE(fn.SUM(sums.c.m12), 0), fn.COALESCE(fn.SUM(sums.c.total), 0))
    if main:
        counted = Customer.select(head, fn.COUNT(Customer.id))
        sold = Customer.select(head, *totals).join(sums, on=(sums.c.cid == Customer.id))
    else:
        counted = Membership.select(head, fn.COUNT(Membership.id))
        sold = Membership.select(head, *totals).join(sums, on=(sums.c.cid == Membership.customer))
    counts = dict(within(counted).tuples())
    amounts = {h: (int(a), int(b)) for h, a, b in within(sold).tuples()}
    result = [ClassStat(code, name, leaf, counts.get(code, 0), *amounts.get(code, (0, 0)))
              for code, name, leaf in rows.order_by(CustomerClass.code).tuples()]
    if not main and parent is None:
        result.append(_unclassified(dim.id, as_of, groups))
    return result


def _unclassified(dim_id: int, as_of: dt.date, groups: bool = False) -> ClassStat:
    held = Membership.select(Membership.id).where(
        Membership.customer == Customer.id, Membership.dimension == dim_id)
    count = scope.narrowed(Customer.select().where(~fn.EXISTS(held))).count()
    sums = per_customer(as_of, groups)
    m12, total = scope.narrowed(Customer.select(fn.COALESCE(fn.SUM(sums.c.m12), 0),
                                                fn.COALESCE(fn.SUM(sums.c.total), 0))
                                .join(sums, on=(sums.c.cid == Customer.id))
                                .where(~fn.EXISTS(held))).tuples().get()
    return ClassStat("", "", True, count, int(m12), int(total))


def by_mgmt_type(as_of: dt.date | None = None, groups: bool = False) -> list[TypeStat]:
    """Customers and 12-month sales per management type, largest group first (`groups`:
    rolled up to the head offices, per_customer)."""
    as_of = as_of or clock.today()
    counts = dict(scope.narrowed(Customer.select(Customer.mgmt_type, fn.COUNT(Customer.id)))
                  .group_by(Customer.mgmt_type).tuples())
    sums = per_customer(as_of, groups)
    amounts = dict(scope.narrowed(Customer.select(Customer.mgmt_type, fn.COALESCE(fn.SUM(sums.c.m12), 0))
                                  .join(sums, on=(sums.c.cid == Customer.id)))
                   .group_by(Customer.mgmt_type).tuples())
    stats = [TypeStat(kind, n, int(amounts.get(kind, 0))) for kind, n in counts.items()]
    return sorted(stats, key=lambda s: (-s.customers, s.mgmt_type))
