"""What a customer list is (ListQuery: dimension, class, filter, sort), the columns it may
show, and the rows and anchors its pages come back as (db.lists.paging)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import NamedTuple

from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION
from db.values import regions
from db.values.collation import KEY_COLUMNS

ANCHOR_STEP = 1000
# A list that scans its index for a class's rows pays for every skipped entry of other
# classes too, so its anchors are denser.
SCAN_ANCHOR_STEP = 100
PAGE = 100
# Below this many customers (of the class, stopped ones included) a class sorted by another
# column is read by the class index and sorted; above it the sort's index is scanned.
SMALL_CLASS = 2000
# Below this many customers passing the 完整度 filter, the list reads them by that filter's
# index and sorts them (db.lists.plan.few_below); above it a page finds its rows soon enough
# along the sort's index.
SMALL_FILTER = 20000

SORTS = ("class", "code", "short_name", "name", "dev_date", "region", "completeness")
NULLABLE_SORTS = frozenset({"dev_date"})
# The column a sort pages by, where it is not the sort's own: names by their pinyin keys.
SORT_COLUMNS = KEY_COLUMNS
STOPPED_CHOICES = ("", "only", "not")

# The columns a list may show (F4 栏目), as SQL over `c` (customer) and `k` (its class).
# "class_code" and "class_name" are the class in the list's dimension.
COLUMNS = {
    "code": "c.code",
    "short_name": "c.short_name",
    "name": "c.name",
    "mnemonic": "c.mnemonic",
    "class_code": None,  # the dimension's class column, filled in by the plan
    "class_name": "k.name",
    "region": "c.region",
    "region_code": "c.region_code",
    "industry": "c.industry",
    "mgmt_type": "c.mgmt_type",
    "dev_date": "c.dev_date",
    "stop_date": "c.stop_date",
    "salesperson": "c.salesperson",
    "department": "c.department",
    "contact": "c.contact",
    "phone": "c.phone",
    "mobile": "c.mobile",
    "email": "c.email",
    "address": "c.address",
    "tax_id": "c.tax_id",
    "credit_grade": "c.credit_grade",
    "credit_limit": "c.credit_limit",
    "credit_days": "c.credit_days",
    "completeness": "c.completeness",  # 完整度, percent (db.archive.completeness)
}
DATE_COLUMNS = frozenset({"dev_date", "stop_date"})
DEFAULT_COLUMNS = ("code", "short_name", "name", "class_code", "region", "mgmt_type", "dev_date")


def iso(value) -> str | None:
    return None if value is None else value.isoformat()


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def parse_below(value) -> int | None:
    """The 完整度 threshold as typed ("60", "60%") or saved (60); empty: none."""
    if value in (None, ""):
        return None
    text = str(value).strip().rstrip("%％").strip()
    if isinstance(value, bool) or not text.isdigit():
        raise RuleError("list.filter_completeness", field="completeness_below", value=str(value))
    return int(text)


@dataclass(frozen=True)
class Filter:
    """过滤: each condition empty means "any". Saved by name as `to_dict()`."""

    mgmt_type: str = ""
    region: str = ""
    # A GB/T 2260 code: that region and every one inside it (a province covers its cities).
    region_code: str = ""
    industry: str = ""
    salesperson: str = ""
    dev_from: dt.date | None = None
    dev_to: dt.date | None = None
    stopped: str = ""  # "": as the list's show_stopped says; "only": stopped only; "not": active only
    # 完整度 below this percent (1..100); None: any
    completeness_below: int | None = None

    def __post_init__(self) -> None:
        if self.stopped not in STOPPED_CHOICES:
            raise RuleError("list.filter_stopped", field="stopped", value=self.stopped)
        if self.region_code and not regions.is_code(self.region_code):
            raise RuleError("customer.region_code", field="region_code", label="customer.field.region_code",
                            code=self.region_code)
        if self.dev_from and self.dev_to and self.dev_from > self.dev_to:
            raise RuleError("list.filter_dates", field="dev_to", start=self.dev_from.isoformat(),
                            end=self.dev_to.isoformat())
        if self.completeness_below is not None and not 1 <= self.completeness_below <= 100:
            raise RuleError("list.filter_completeness", field="completeness_below",
                            value=str(self.completeness_below))

    def is_empty(self) -> bool:
        return self == Filter()

    def to_dict(self) -> dict:
        """The set conditions only, dates as YYYY-MM-DD: JSON as it stands."""
        out = {}
        for name, value in asdict(self).items():
            if value:
                out[name] = iso(value) if isinstance(value, dt.date) else value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Filter:
        known = {f.name for f in fields(cls)}
        values = {}
        for name, value in data.items():
            if name not in known:
                raise RuleError("list.filter_unknown", field=name, name=name)
            if name in ("dev_from", "dev_to") and value:
                try:
                    value = as_date(value)
                except ValueError:
                    raise RuleError("list.filter_date", field=name, value=str(value)) from None
            elif name == "completeness_below":
                values[name] = parse_below(value)
                continue
            elif not isinstance(value, str) and value is not None:
                raise RuleError("list.filter_value", field=name, value=str(value))
            values[name] = value or (None if name in ("dev_from", "dev_to") else "")
        return cls(**values)


@dataclass(frozen=True)
class ListQuery:
    """What a customer list shows and in which order."""

    dimension: str = MAIN_DIMENSION
    prefix: str = ""  # a class code: that class and all its sub-classes; "" = every customer
    show_stopped: bool = False
    filter: Filter = field(default_factory=Filter)
    sort: str = "class"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise RuleError("list.sort_unknown", sort=self.sort)


class Row(NamedTuple):
    """One list row: `key` is its sort key (pass it to `after` / `before`); `values` holds
    the asked columns (dates as datetime.date)."""

    id: int
    code: str
    key: tuple
    stopped: bool
    values: dict


class Anchors(NamedTuple):
    """Every ANCHOR_STEP-th position of one query: `keys[i]` is the key of the row just
    before position i * step (None for position 0). Stale after any write: rebuild."""

    query: ListQuery
    step: int
    total: int
    keys: tuple
