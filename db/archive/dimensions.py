"""Classification dimensions (分类维度) and a customer's class in each.

Besides the main 客户分类 (whose class sits on the customer row), a company keeps more trees:
typed ones such as 地区分类 or 所有制, where a person puts each customer in one leaf class, and
three derived ones (交易历史, 购买规模, 盈利情况) that only an applied evaluation fills
(db.evaluation.rules). A customer holds at most one class per dimension (the seed's "one customer, one
class"); the unique index on Membership (customer, dimension) keeps it so.
"""
from __future__ import annotations

import re
import unicodedata

from peewee import JOIN, fn

from db.archive import classes, history, scope
from db.core import clock
from db.values.coding import CodingScheme
from db.core.errors import ConflictError, RuleError
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Membership
from db.core.session import writing

# The derived dimensions, their coding scheme, level criterion and classes. The class names
# are data (they appear in exports and on cards as stored), like the names of typed classes.
HISTORY, SCALE, PROFIT = "history", "scale", "profit"
DERIVED = {
    HISTORY: ("交易历史", "Transaction history", "交易历史", [
        ("01", "新客户"), ("02", "老客户"), ("03", "过去的客户"), ("04", "潜在客户"), ("05", "问题客户")]),
    SCALE: ("购买规模", "Purchase scale", "12个月销售额", [
        ("01", "大型客户"), ("02", "中型客户"), ("03", "零散客户")]),
    PROFIT: ("盈利情况", "Profitability", "12个月毛利率", [
        ("01", "高盈利户"), ("02", "合理盈利户"), ("03", "微盈利户"), ("04", "亏损户")]),
}
# Derived dimensions sort after every typed one (typed ones take max(typed position) + 1).
DERIVED_POSITION = 900

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
MAX_NAME = 60


def all_dimensions() -> list[Dimension]:
    """Every dimension, main first, in position order (a handful of rows)."""
    return list(Dimension.select().order_by(Dimension.position, Dimension.id))


def named(text: str) -> Dimension | None:
    """The dimension `text` names: its code (region), its Chinese name (地区分类) or its
    English name (Region, in any case), as a tree prints its title; None when none does."""
    wanted = (text or "").strip()
    folded = wanted.casefold()
    for dim in all_dimensions():
        if wanted in (dim.code, dim.name_zh) or (dim.name_en and folded == dim.name_en.casefold()):
            return dim
    return None


def resolve(text: str) -> Dimension:
    """The dimension `text` names (see named); refused with every valid one listed."""
    dim = named(text)
    if dim is None:
        known = "; ".join(f"{d.code} {d.name_zh} {d.name_en}".strip() for d in all_dimensions())
        raise RuleError("dimension.unknown_named", dimension=text, known=known)
    return dim


def create(code: str, name_zh: str, name_en: str = "", scheme: str = "2-3-4",
           criteria: list[str] | None = None) -> Dimension:
    """Add a typed dimension. The code names it in commands and files (lower-case letters,
    digits, underscore); the scheme and criteria follow the same rules as the main one."""
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        raise RuleError("dimension_code.format", field="code", code=code)
    names = []
    for field, name in (("name_zh", name_zh), ("name_en", name_en or name_zh)):
        name = (name or "").strip()
        if not name:
            raise RuleError("dimension_name.required", field=field)
        if len(name) > MAX_NAME:
            raise RuleError("dimension_name.too_long", field=field, length=len(name), max=MAX_NAME)
        names.append(name)
    parsed = CodingScheme.parse(scheme)
    lines = [(c or "").strip() for c in (criteria or [])][: parsed.levels]
    if any("\n" in c for c in lines):
        raise RuleError("dimension_criteria.newline", field="criteria")
    with writing("archive"):
        if Dimension.select().where(Dimension.code == code).exists():
            raise RuleError("dimension_code.taken", field="code", code=code)
        if Dimension.select().where(Dimension.name_zh == names[0]).exists():
            raise RuleError("dimension_name.taken", field="name_zh", name=names[0])
        last = (Dimension.select(fn.MAX(Dimension.position))
                .where(Dimension.derived == False).scalar() or 0)  # noqa: E712
        row = Dimension.create(code=code, name_zh=names[0], name_en=names[1], scheme=str(parsed),
                               criteria="\n".join(lines), derived=False, position=last + 1)
        history.record("add", "dimension", code, {"name_zh": [None, names[0]],
                                                  "scheme": [None, str(parsed)]})
    return row


def ensure_derived() -> None:
    """Create the derived dimensions and their classes where missing; changes nothing that
    exists. Call inside a write transaction (db.schema.prepare does, on a new archive)."""
    for offset, (code, (name_zh, name_en, criterion, members)) in enumerate(DERIVED.items()):
        dim = Dimension.get_or_none(Dimension.code == code)
        if dim is None:
            dim = Dimension.create(code=code, name_zh=name_zh, name_en=name_en, scheme="2",
                                   criteria=criterion, derived=True,
                                   position=DERIVED_POSITION + offset)
        have = {c for (c,) in CustomerClass.select(CustomerClass.code)
                .where(CustomerClass.dimension == dim.id).tuples()}
        for class_code, name in members:
            if class_code not in have:
                CustomerClass.create(dimension=dim.id, code=class_code, name=name, level=1,
                                     is_leaf=True, created_by="kehu", created_at=clock.now())


def set_membership(customer_code: str, dim_code: str, class_code: str | None,
                   version: int | None = None) -> int:
    """Put a customer in a leaf class of a typed dimension (None takes it out); returns the
    customer's new version. `version`, when given, must be the one the caller read.

    The main dimension is the customer's own class (changed through the card), and a derived
    dimension changes only through an applied evaluation.
    """
    # Full-width digits as a Chinese IME types them (０１) are the class code 01.
    class_code = unicodedata.normalize("NFKC", class_code or "").strip() or None
    with writing():
        dim = _typed(dim_code)
        customer = Customer.get_or_none(Customer.code == customer_code)
        if customer is None:
            raise ConflictError("conflict.deleted", code=customer_code)
        if version is not None and customer.version != version:
            raise ConflictError("conflict.changed", code=customer_code,
                                who=customer.modified_by or customer.created_by,
                                when=str(customer.modified_at or customer.created_at))
        if class_code is not None:
            _check_leaf(dim, class_code)
        old = Membership.get_or_none(Membership.customer == customer.id,
                                     Membership.dimension == dim.id)
        old_code = old.class_code if old else None
        if old_code == class_code:
            return customer.version
        scope.check(customer)  # 数据权限: only a customer in scope, and it stays there
        scope.check_membership(customer, dim.code, class_code)
        # Moved in place, not deleted and made again: under a scope of this dimension the
        # customer would be out of sight between the two, and PostgreSQL's row-level
        # security would refuse the new row.
        if old is not None and class_code is not None:
            Membership.update(class_code=class_code).where(Membership.id == old.id).execute()
        elif old is not None:
            old.delete_instance()
        else:
            Membership.create(customer=customer.id, dimension=dim.id, class_code=class_code,
                              customer_code=customer.code)
        Customer.update(version=Customer.version + 1, modified_by=clock.user(),
                        modified_at=clock.now()).where(Customer.id == customer.id).execute()
        history.record("change", "customer", customer.code,
                        {f"dimension:{dim.code}": [old_code, class_code]})
        return customer.version + 1


def _typed(dim_code: str) -> Dimension:
    """The dimension `dim_code` names, refused when a person cannot put customers in it."""
    dim = classes.dimension(dim_code)
    if dim.code == MAIN_DIMENSION:
        raise RuleError("dimension_member.main", field=dim.code)
    if dim.derived:
        raise RuleError("dimension_member.derived", field=dim.code, dimension=dim.name_zh)
    return dim


def _check_leaf(dim: Dimension, class_code: str) -> None:
    row = CustomerClass.get_or_none(CustomerClass.dimension == dim.id, CustomerClass.code == class_code)
    if row is None:
        raise RuleError("dimension_member.unknown_class", field=dim.code,
                        code=class_code, dimension=dim.name_zh)
    if not row.is_leaf:
        raise RuleError("dimension_member.not_leaf", field=dim.code, code=class_code,
                        dimension=dim.name_zh)


def placements(memberships: dict[str, str]) -> dict[str, tuple[int, str]]:
    """A new customer's classes (dimension code -> class code, "" for none) checked as
    set_membership checks them: {dimension code: (dimension id, class code)}."""
    placed = {}
    for dim_code, class_code in memberships.items():
        class_code = unicodedata.normalize("NFKC", class_code or "").strip()
        if class_code:
            dim = _typed(dim_code)
            _check_leaf(dim, class_code)
            placed[dim.code] = (dim.id, class_code)
    return placed


def place(customer_id: int, code: str, placed: dict[str, tuple[int, str]]) -> None:
    """Write a new customer's classes (placements), right after its row: on PostgreSQL a
    scope of another dimension than the main one keeps a new customer in sight of its
    creator's transaction only until the commit (db.archive.server)."""
    if placed:
        Membership.insert_many([{"customer": customer_id, "dimension": dim_id, "class_code": class_code,
                                 "customer_code": code} for dim_id, class_code in placed.values()]
                               ).as_rowcount().execute()


def memberships(customer_code: str) -> dict[str, tuple[str, str]]:
    """{dimension code: (class code, class name)} of a customer, every dimension but the
    main one; a dimension where the customer has no class is absent."""
    query = (Membership.select(Dimension.code, Membership.class_code, CustomerClass.name)
             .join(Customer, on=(Membership.customer == Customer.id))
             .switch(Membership).join(Dimension, on=(Membership.dimension == Dimension.id))
             .join(CustomerClass, JOIN.LEFT_OUTER,
                   on=((CustomerClass.dimension == Dimension.id)
                       & (CustomerClass.code == Membership.class_code)))
             .where(Customer.code == customer_code))
    return {dim: (code, name or "") for dim, code, name in query.tuples()}
