"""The classification health check (分类检查): the seed's logic rules, made visible.

Each finding is a count from SQL plus up to `samples` codes to jump to. Levels:

error    the archive breaks a rule that makes figures wrong or a customer invisible:
         - uncovered: customers with no class in a typed dimension ("the classes must cover
           every customer"; a statistics screen would silently leave them out);
         - misplaced: customers whose class is missing or not a leaf (only leaves hold
           customers);
         - similar_names: sibling classes whose names differ only in spacing or punctuation
           (two classes for one thing: customers split between them, counts halved);
         - stopped_vip: customers stopped on or before the date still holding VIP客户 (a
           stopped customer gets no VIP treatment; evaluation would demote them).
warning  untidy but not wrong, for a person to judge:
         - unevaluated: customers with no class in a derived dimension (run an evaluation);
         - empty_leaf: leaf classes holding no customers (superfluous classes, or new ones);
         - criterion_missing: a level in use whose criterion (分类标准) is not set;
         - single_child: a class with exactly one sub-class (the level divides nothing);
         - bad_id_number: customers of a personal class (个人消费者) whose 税号 holds no valid
           身份证 number nor a sole trader's USCC (db.values.idnumbers), typed before the
           class was marked;
         - incomplete: customers in use whose 完整度 (db.archive.completeness) is below a
           threshold (全面体检), counted per class, the least complete as samples;
         - region_unmatched: customers whose 所属地区 text names no region of the national
           table (GB/T 2260), so they have no 所属地区码; the samples are the texts, most
           customers first, with their counts.

An operator with a data permission (db.archive.scope) is shown the customers of their scope
only; the findings about the classes themselves (empty leaves, criteria, single children,
similar names) are the whole classification's: its classes are everyone's.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import fn

from db.archive import classes, completeness, scope
from db.core import clock
from db.values import idnumbers
from db.values.coding import CodingScheme
from db.archive.dimensions import all_dimensions
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Membership
from db.evaluation.parameters import VIP

SAMPLES = 10
ERROR, WARNING = "error", "warning"
KINDS = {
    "uncovered": ERROR, "misplaced": ERROR, "similar_names": ERROR, "stopped_vip": ERROR,
    "unevaluated": WARNING, "empty_leaf": WARNING, "criterion_missing": WARNING,
    "single_child": WARNING, "bad_id_number": WARNING, "incomplete": WARNING, "region_unmatched": WARNING,
}
# The classes a completeness finding counts, most customers below the threshold first.
BREAKDOWN = 10


@dataclass(frozen=True)
class Finding:
    kind: str
    level: str  # "error" or "warning"
    dimension: str  # dimension code, "" for the management type
    count: int
    samples: list[str]  # customer codes, class codes or level numbers, per kind
    key: str  # catalog key: health.<kind>
    # Further values of the wording (incomplete: "below"), and counts per class ((class
    # code, count), most first) where the finding has them.
    values: dict = field(default_factory=dict)
    breakdown: tuple = ()

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def _finding(kind: str, dim: Dimension | None, count: int, samples: list[str]) -> Finding:
    return Finding(kind, KINDS[kind], dim.code if dim else "", count, samples, f"health.{kind}")


def check(samples: int = SAMPLES, as_of: dt.date | None = None,
          below: int = completeness.DEFAULT_BELOW) -> list[Finding]:
    """Every finding, errors first, then in dimension order; `below`: the 完整度 threshold."""
    as_of = as_of or clock.today()
    found: list[Finding] = []
    for dim in all_dimensions():
        if dim.code != MAIN_DIMENSION:
            found += _uncovered(dim, samples)
        if not dim.derived:
            found += _misplaced(dim, samples)
            found += _empty_leaves(dim, samples)
            found += _criteria(dim)
            found += _single_children(dim, samples)
        found += _similar_names(dim, samples)
    found += _stopped_vip(as_of, samples)
    found += bad_id_numbers(samples)
    found += incomplete(below, samples, as_of)
    found += _regions_unmatched(samples)
    return sorted(found, key=lambda f: f.level != ERROR)


def _uncovered(dim: Dimension, samples: int) -> list[Finding]:
    held = Membership.select(Membership.id).where(
        Membership.customer == Customer.id, Membership.dimension == dim.id)
    query = scope.narrowed(Customer.select(Customer.code).where(~fn.EXISTS(held)))
    count = query.count()
    if not count:
        return []
    codes = [c for (c,) in query.order_by(Customer.code).limit(samples).tuples()]
    return [_finding("unevaluated" if dim.derived else "uncovered", dim, count, codes)]


def _misplaced(dim: Dimension, samples: int) -> list[Finding]:
    leaf = CustomerClass.select(CustomerClass.id).where(CustomerClass.dimension == dim.id,
                                                        CustomerClass.is_leaf == True)  # noqa: E712
    if dim.code == MAIN_DIMENSION:
        query = scope.narrowed(Customer.select(Customer.code).where(
            ~fn.EXISTS(leaf.where(CustomerClass.code == Customer.class_code))))
        order = Customer.code
    else:
        query = Membership.select(Membership.customer_code).where(
            Membership.dimension == dim.id,
            ~fn.EXISTS(leaf.where(CustomerClass.code == Membership.class_code)))
        query = scope.narrowed(query, Membership.customer)
        order = Membership.customer_code
    count = query.count()
    if not count:
        return []
    return [_finding("misplaced", dim, count,
                     [c for (c,) in query.order_by(order).limit(samples).tuples()])]


def _empty_leaves(dim: Dimension, samples: int) -> list[Finding]:
    if dim.code == MAIN_DIMENSION:
        held = Customer.select(Customer.id).where(Customer.class_code == CustomerClass.code)
    else:
        held = Membership.select(Membership.id).where(Membership.dimension == dim.id,
                                                      Membership.class_code == CustomerClass.code)
    query = CustomerClass.select(CustomerClass.code).where(
        CustomerClass.dimension == dim.id, CustomerClass.is_leaf == True,  # noqa: E712
        ~fn.EXISTS(held))
    count = query.count()
    if not count:
        return []
    return [_finding("empty_leaf", dim, count,
                     [c for (c,) in query.order_by(CustomerClass.code).limit(samples).tuples()])]


def _criteria(dim: Dimension) -> list[Finding]:
    criteria = classes.criteria_of(dim)
    used = sorted(level for (level,) in CustomerClass.select(CustomerClass.level)
                  .where(CustomerClass.dimension == dim.id).distinct().tuples())
    missing = [str(level) for level in used
               if level > len(criteria) or not criteria[level - 1].strip()]
    return [_finding("criterion_missing", dim, len(missing), missing)] if missing else []


def _single_children(dim: Dimension, samples: int) -> list[Finding]:
    scheme = CodingScheme.parse(dim.scheme)
    lonely: list[str] = []
    for level in range(2, scheme.levels + 1):
        head = fn.SUBSTR(CustomerClass.code, 1, scheme.length(level - 1))
        lonely += [p for (p,) in CustomerClass.select(head)
                   .where(CustomerClass.dimension == dim.id, CustomerClass.level == level)
                   .group_by(head).having(fn.COUNT(CustomerClass.id) == 1).tuples()]
    if not lonely:
        return []
    lonely.sort()
    return [_finding("single_child", dim, len(lonely), lonely[:samples])]


def normalise(name: str) -> str:
    """A class name reduced to what tells it apart: NFKC (full-width letters, digits and
    punctuation fold to ASCII, the ideographic space to a space), case folded, then every
    space and every punctuation character (Unicode category P*: 、。《》【】· and the
    like, which NFKC leaves as they are) dropped."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded
                   if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def _similar_names(dim: Dimension, samples: int) -> list[Finding]:
    # A dimension's classes are a few thousand rows at most, unlike its customers.
    scheme = CodingScheme.parse(dim.scheme)
    groups: dict[tuple, list[str]] = defaultdict(list)
    for code, name in (CustomerClass.select(CustomerClass.code, CustomerClass.name)
                       .where(CustomerClass.dimension == dim.id).tuples()):
        groups[(scheme.parent_of(code), normalise(name))].append(code)
    clashes = sorted(sorted(codes) for codes in groups.values() if len(codes) > 1)
    if not clashes:
        return []
    flat = [code for group in clashes for code in group]
    return [_finding("similar_names", dim, len(clashes), flat[:samples])]


def _stopped_vip(as_of: dt.date, samples: int) -> list[Finding]:
    query = scope.narrowed(Customer.select(Customer.code).where(
        Customer.mgmt_type == VIP, Customer.stop_date.is_null(False), Customer.stop_date <= as_of))
    count = query.count()
    if not count:
        return []
    return [_finding("stopped_vip", None, count,
                     [c for (c,) in query.order_by(Customer.code).limit(samples).tuples()])]


def incomplete(below: int, samples: int = SAMPLES, as_of: dt.date | None = None) -> list[Finding]:
    """全面体检: the customers in use (not stopped by `as_of`) whose 完整度 is below `below`
    percent, how many per class, and the least complete first as samples (a range of the
    completeness index)."""
    as_of = as_of or clock.today()
    active = (Customer.completeness < below) & (Customer.stop_date.is_null() | (Customer.stop_date > as_of))
    # Grouped by the class as text, not the column: grouped by the column, SQLite walks the
    # class index (no sort needed) and reads every customer's row for the test; this way it
    # reads the range of the completeness index that passes and sorts the few classes.
    by_class = Customer.class_code.concat("")
    per_class = list(scope.narrowed(Customer.select(by_class, fn.COUNT(Customer.id)).where(active))
                     .group_by(by_class).tuples())
    count = sum(n for _, n in per_class)
    if not count:
        return []
    per_class.sort(key=lambda pair: (-pair[1], pair[0]))
    worst = [code for (code,) in scope.narrowed(Customer.select(Customer.code).where(active))
             .order_by(Customer.completeness, Customer.code).limit(samples).tuples()]
    return [Finding("incomplete", KINDS["incomplete"], "", count, worst, "health.incomplete",
                    {"below": below}, tuple(per_class[:BREAKDOWN]))]


def bad_id_numbers(samples: int = SAMPLES) -> list[Finding]:
    """The personal customers whose 税号 is filled but no valid 身份证 number (the check
    character, the birth date, the birthplace), in code order. The check is python-stdnum's,
    so the rows are read, a chunk at a time by code (only the classes marked personal)."""
    marked = classes.personal_codes()
    if not marked:
        return []
    under = None
    for code in marked:
        cond = Customer.class_code.startswith(code)
        under = cond if under is None else under | cond
    bad: list[str] = []
    count, last = 0, ""
    while True:
        chunk = list(scope.narrowed(Customer.select(Customer.code, Customer.tax_id)
                     .where(under, Customer.tax_id != "", Customer.code > last))
                     .order_by(Customer.code).limit(5000).tuples())
        if not chunk:
            break
        last = chunk[-1][0]
        for code, number in chunk:
            if idnumbers.person_of(number) is None and not idnumbers.is_sole_trader(number):
                count += 1
                if len(bad) < samples:
                    bad.append(code)
    return [_finding("bad_id_number", None, count, bad)] if count else []


def main_class_names() -> dict[str, str]:
    """{class code: name} of the main classification (a few thousand rows at most)."""
    return dict(CustomerClass.select(CustomerClass.code, CustomerClass.name).join(Dimension)
                .where(Dimension.code == MAIN_DIMENSION).tuples())


def _regions_unmatched(samples: int) -> list[Finding]:
    """A few hundred distinct texts at most, even at a million customers: grouped in SQL."""
    count = fn.COUNT(Customer.id)
    rows = (scope.narrowed(Customer.select(Customer.region, count).where(Customer.region != "",
                                                                         Customer.region_code == ""))
            .group_by(Customer.region).order_by(count.desc(), Customer.region).tuples())
    texts = list(rows)
    if not texts:
        return []
    return [_finding("region_unmatched", None, sum(n for _, n in texts),
                     [f"{text} ({n:,})" for text, n in texts[:samples]])]


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)

