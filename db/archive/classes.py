"""Class rules (U8's 客户分类): add, rename, delete, leaf flags, the tree and its counts.

Every function works on one dimension, named by its code ("main" is 客户分类). A refusal is a
RuleError and nothing is written; every write is one transaction.
"""
from __future__ import annotations

import re
from typing import Collection, NamedTuple

from peewee import SQL, fn

from db.core import clock
from db.archive import history, scope
from db.values.coding import CodingScheme
from db.core.errors import ConflictError, RuleError
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Membership
from db.core.session import writing

MAX_NAME = 60
# Above every letter and digit, so [code, code + HIGH) is the range of a code's descendants.
HIGH = "~"


class ClassNode(NamedTuple):
    """A class as the tree and the card show it."""

    id: int
    code: str
    name: str
    level: int
    is_leaf: bool
    remark: str
    customers: int  # of this class and all its sub-classes; -1 while not counted
    version: int
    criterion: str
    personal: bool = False  # marked 个人消费者 itself (is_personal: or under a marked class)


def dimension(code: str = MAIN_DIMENSION) -> Dimension:
    # Written as SQL (peewee's raw query): building the same select costs several times as
    # much, and a screen asks for its dimension several times as it opens.
    sql = f"SELECT * FROM {Dimension._meta.table_name} WHERE code = {Dimension._meta.database.param}"
    for found in Dimension.raw(sql, code):
        return found
    raise RuleError("dimension.unknown", dimension=code)


def scheme_of(dim: Dimension) -> CodingScheme:
    return CodingScheme.parse(dim.scheme)


def criteria_of(dim: Dimension) -> list[str]:
    return dim.criteria.split("\n") if dim.criteria else []


def _members(dim: Dimension, scoped: bool = False):
    """(table, class column, filter) holding this dimension's customers; `scoped`: those in
    the operator's scope only (db.archive.scope), what the tree's counts show. The rules of
    classes (a class holding customers is no parent, no deletion) count every customer."""
    inside = scope.ids() if scoped else None
    if dim.code == MAIN_DIMENSION:
        return Customer, Customer.class_code, True if inside is None else Customer.id.in_(inside)
    where = Membership.dimension == dim.id
    return Membership, Membership.class_code, where if inside is None else where & Membership.customer.in_(inside)


def customers_under(dim: Dimension, code: str, scoped: bool = True) -> int:
    """Customers of the class `code` and all its sub-classes ("" = the whole dimension), in
    the operator's scope unless not `scoped` (a rule's count)."""
    table, column, where = _members(dim, scoped)
    query = table.select().where(where)
    if code:
        query = query.where(column >= code, column < code + HIGH)
    return query.count()


def holds_customers(dim: Dimension, code: str) -> bool:
    table, column, where = _members(dim)
    return table.select().where(where, column == code).exists()


def children(dim_code: str, parent: str | None, *, counts: bool = True) -> list[ClassNode]:
    """The children of `parent` (None: level-1 classes) in code order, with their customer
    counts; `counts=False` leaves them at -1 (unknown), which a million customers make
    worth it when the tree must show at once (child_counts fills them in later)."""
    dim = dimension(dim_code)
    level = _child_level(dim, parent)
    if level is None:
        return []
    # Written as SQL, as dimension() is (every tree opens with it); the children of a class
    # are the codes of the next level in [parent, parent + HIGH), compared as written.
    p = CustomerClass._meta.database.param
    sql = f"SELECT * FROM {CustomerClass._meta.table_name} WHERE dimension_id = {p} AND level = {p}"
    params = [dim.id, level]
    if parent is not None:
        sql += f" AND code >= {p} AND code < {p}"
        params += [parent, parent + HIGH]
    rows = list(CustomerClass.raw(sql + " ORDER BY code", *params))
    found = child_counts(dim_code, parent) if counts else {}
    criteria = criteria_of(dim)
    return [_node(row, found.get(row.code, 0) if counts else -1, criteria) for row in rows]


def _child_level(dim: Dimension, parent: str | None) -> int | None:
    scheme = scheme_of(dim)
    level = 1 if parent is None else (scheme.level_of(parent) or 0) + 1
    return level if level <= scheme.levels else None


def child_counts(dim_code: str, parent: str | None) -> dict[str, int]:
    """{child code: customers of it and its sub-classes} for the children of `parent`; a
    child without customers is absent."""
    dim = dimension(dim_code)
    level = _child_level(dim, parent)
    if level is None:
        return {}
    return _counts_by_prefix(dim, parent or "", scheme_of(dim).length(level))


def _counts_by_prefix(dim: Dimension, parent: str, length: int) -> dict[str, int]:
    """Customer counts grouped by the first `length` characters of their class code, in one
    index scan instead of one count per child. COUNT(*), not COUNT(id): PostgreSQL's class
    indexes do not hold the id, so counting ids reads all the rows (a sequential scan, 870 ms
    for a class of 383,000, 180 ms counted from the index alone)."""
    table, column, where = _members(dim, scoped=True)
    head = fn.SUBSTR(column, 1, length)
    query = table.select(head.alias("head"), fn.COUNT(SQL("*")).alias("n")).where(where)
    if parent:
        query = query.where(column >= parent, column < parent + HIGH)
    return {row["head"]: row["n"] for row in query.group_by(head).dicts()}


def _node(row: CustomerClass, customers: int, criteria: list[str]) -> ClassNode:
    criterion = criteria[row.level - 1] if row.level - 1 < len(criteria) else ""
    return ClassNode(row.id, row.code, row.name, row.level, row.is_leaf, row.remark, customers,
                     row.version, criterion, bool(row.personal))


def get(dim_code: str, code: str) -> ClassNode | None:
    dim = dimension(dim_code)
    row = CustomerClass.get_or_none(CustomerClass.dimension == dim.id, CustomerClass.code == code)
    if row is None:
        return None
    return _node(row, customers_under(dim, code), criteria_of(dim))


def leaves(dim_code: str = MAIN_DIMENSION) -> list[tuple[str, str]]:
    """(code, name) of every leaf class, in code order: what a customer may be put in."""
    dim = dimension(dim_code)
    query = (CustomerClass.select(CustomerClass.code, CustomerClass.name)
             .where(CustomerClass.dimension == dim.id, CustomerClass.is_leaf == True)  # noqa: E712
             .order_by(CustomerClass.code))
    return [(r.code, r.name) for r in query]


def clean_name(name) -> str:
    """A class name as it is saved (trimmed), or the refusal of an empty, too long or
    control-character name."""
    name = (name or "").strip()
    if not name:
        raise RuleError("class.name_required", field="name")
    if len(name) > MAX_NAME:
        raise RuleError("class.name_too_long", field="name", length=len(name), max=MAX_NAME)
    if re.search(r"[\x00-\x1f\x7f]", name):
        raise RuleError("class.name_control", field="name")
    return name


def check_name(dim: Dimension | None, parent: str | None, name: str, *, exclude_id: int | None = None,
               siblings: Collection[str] | None = None) -> str:
    """`name` cleaned (clean_name), refused when a sibling (another child of `parent`)
    has it. The siblings are looked up in `dim`, or given as `siblings`, their names (an
    import checks a whole file against the tree it holds in memory)."""
    name = clean_name(name)
    if siblings is not None:
        taken = name in siblings
    else:
        scheme = scheme_of(dim)
        level = 1 if parent is None else (scheme.level_of(parent) or 0) + 1
        query = CustomerClass.select().where(
            CustomerClass.dimension == dim.id, CustomerClass.level == level, CustomerClass.name == name)
        if parent is not None:
            query = query.where(CustomerClass.code.startswith(parent))
        if exclude_id is not None:
            query = query.where(CustomerClass.id != exclude_id)
        taken = query.exists()
    if taken:
        raise RuleError("class.name_taken", field="name", name=name)
    return name


def holding_codes(dim: Dimension) -> set[str]:
    """The codes of the classes that hold customers themselves (not through a sub-class)."""
    table, column, where = _members(dim)
    return {c for (c,) in table.select(column).where(where).distinct().tuples()}


def mark_parent(dim_id: int, code: str) -> None:
    """The class `code` just got a child: no longer a leaf, its version moved (a card open
    on it must read it again)."""
    CustomerClass.update(is_leaf=False, version=CustomerClass.version + 1).where(
        CustomerClass.dimension == dim_id, CustomerClass.code == code,
        CustomerClass.is_leaf == True).execute()  # noqa: E712


def add(dim_code: str, code: str, name: str, remark: str = "") -> ClassNode:
    """Add a class. Its parent is its code cut at the previous level and must exist."""
    code = (code or "").strip()
    with writing("archive"):
        dim = dimension(dim_code)
        if dim.derived:
            raise RuleError("dimension.derived", dimension=dim.name_zh)
        scheme = scheme_of(dim)
        level = scheme.level_of(code) if code else None
        parent = scheme.parent_of(code) if level else None
        if level is None and code:
            # Say what the code should look like under the parent the user most likely meant.
            guess = _longest_existing_prefix(dim, code, scheme)
            scheme.check_code(code, guess)
        scheme.check_code(code, parent)
        parent_row = None
        if parent is not None:
            parent_row = CustomerClass.get_or_none(
                CustomerClass.dimension == dim.id, CustomerClass.code == parent)
            if parent_row is None:
                raise RuleError("class.parent_missing", field="code", code=code, parent=parent)
            if holds_customers(dim, parent):
                raise RuleError("class.parent_has_customers", field="code", parent=parent,
                                count=customers_under(dim, parent, scoped=False))
        if CustomerClass.select().where(
                CustomerClass.dimension == dim.id, CustomerClass.code == code).exists():
            raise RuleError("class.code_taken", field="code", code=code)
        name = check_name(dim, parent, name)
        who, at = clock.user(), clock.now()
        row = CustomerClass.create(dimension=dim.id, code=code, name=name, level=level,
                                   is_leaf=True, remark=remark or "", created_by=who,
                                   created_at=at)
        if parent_row is not None:
            mark_parent(dim.id, parent)
        history.record("add", "class", _log_code(dim, code), {"name": [None, name], "remark": [None, remark or ""]})
    return _node(row, 0, criteria_of(dim))


def _longest_existing_prefix(dim: Dimension, code: str, scheme: CodingScheme) -> str | None:
    for level in range(scheme.levels, 0, -1):
        prefix = code[: scheme.length(level)]
        if len(prefix) < len(code) and CustomerClass.select().where(
                CustomerClass.dimension == dim.id, CustomerClass.code == prefix).exists():
            return prefix
    return None


def _log_code(dim: Dimension, code: str) -> str:
    return code if dim.code == MAIN_DIMENSION else f"{dim.code}:{code}"


def update(dim_code: str, code: str, name: str, remark: str, version: int) -> ClassNode:
    """Change a class's name and remark; its code never changes after saving."""
    with writing("archive"):
        dim = dimension(dim_code)
        row = CustomerClass.get_or_none(CustomerClass.dimension == dim.id, CustomerClass.code == code)
        if row is None:
            raise ConflictError("conflict.deleted", code=code)
        scheme = scheme_of(dim)
        name = check_name(dim, scheme.parent_of(code), name, exclude_id=row.id)
        changes = {k: [old, new] for k, old, new in
                   (("name", row.name, name), ("remark", row.remark, remark or "")) if old != new}
        updated = (CustomerClass.update(name=name, remark=remark or "", version=row.version + 1,
                                        modified_by=clock.user(), modified_at=clock.now())
                   .where(CustomerClass.id == row.id, CustomerClass.version == version).execute())
        if updated != 1:
            raise conflict_of(row)
        if changes:
            history.record("change", "class", _log_code(dim, code), changes)
    return get(dim_code, code)


def conflict_of(row: CustomerClass | None, code: str = "") -> ConflictError:
    """Who changed the class and when, or that it is gone (the screen's save and the import's)."""
    if row is None:
        return ConflictError("conflict.deleted", code=code)
    return ConflictError("conflict.changed", code=row.code, who=row.modified_by or row.created_by,
                         when=str(row.modified_at or row.created_at))


def check_delete(dim_code: str, code: str, is_leaf: bool) -> None:
    """Refuse to delete a class with children or customers: asked before the user confirms,
    and again inside the delete."""
    if not is_leaf:
        raise RuleError("class.delete_has_children", code=code)
    count = customers_under(dimension(dim_code), code, scoped=False)
    if count:
        raise RuleError("class.delete_has_customers", code=code, count=count)


def delete(dim_code: str, code: str, version: int | None = None) -> None:
    """Delete a class that has neither children nor customers; the parent may become a leaf."""
    with writing("archive"):
        dim = dimension(dim_code)
        row = CustomerClass.get_or_none(CustomerClass.dimension == dim.id, CustomerClass.code == code)
        if row is None:
            raise ConflictError("conflict.deleted", code=code)
        if version is not None and row.version != version:
            raise conflict_of(row)
        check_delete(dim_code, code, row.is_leaf)
        row.delete_instance()
        parent = scheme_of(dim).parent_of(code)
        if parent is not None and not CustomerClass.select().where(
                CustomerClass.dimension == dim.id, CustomerClass.code.startswith(parent),
                CustomerClass.code != parent).exists():
            CustomerClass.update(is_leaf=True, version=CustomerClass.version + 1).where(
                CustomerClass.dimension == dim.id, CustomerClass.code == parent).execute()
        history.record("delete", "class", _log_code(dim, code), {"name": [row.name, None]})


def classes_per_level(dim: Dimension) -> dict[int, int]:
    """How many classes each level of a dimension holds."""
    query = (CustomerClass.select(CustomerClass.level, fn.COUNT(CustomerClass.id))
             .where(CustomerClass.dimension == dim.id).group_by(CustomerClass.level))
    return dict(query.tuples())


def set_scheme(dim_code: str, text: str, criteria: list[str]) -> Dimension:
    """Change a dimension's coding scheme and level criteria.

    A level that already holds classes cannot be re-cut: its width and every width before it
    must stay. Levels below the deepest class in use may change freely.
    """
    new = CodingScheme.parse(text)
    criteria = [(c or "").strip() for c in criteria][: new.levels]
    with writing("archive"):
        dim = dimension(dim_code)
        old = scheme_of(dim)
        used = classes_per_level(dim)
        for level in sorted(used):
            if level > new.levels or new.length(level) != old.length(level) or (
                    new.widths[level - 1] != old.widths[level - 1]):
                raise RuleError("scheme.level_in_use", field="scheme", level=level, count=used[level])
        changes = {}
        if str(old) != str(new):
            changes["scheme"] = [str(old), str(new)]
        joined = "\n".join(criteria)
        if joined != dim.criteria:
            changes["criteria"] = [dim.criteria, joined]
        Dimension.update(scheme=str(new), criteria=joined, version=Dimension.version + 1).where(
            Dimension.id == dim.id).execute()
        if changes:
            history.record("change", "scheme", dim.code, changes)
    return dimension(dim_code)


def names(dim_code: str, codes) -> dict[str, str]:
    """{code: name} of those of `codes` that are classes of the dimension (one query)."""
    wanted = sorted({c for c in codes if isinstance(c, str) and c})
    if not wanted:
        return {}
    try:
        dim = dimension(dim_code)
    except RuleError:  # a dimension deleted since: its codes stay as they are
        return {}
    query = (CustomerClass.select(CustomerClass.code, CustomerClass.name)
             .where(CustomerClass.dimension == dim.id, CustomerClass.code.in_(wanted)).tuples())
    return dict(query)


# ---- personal customers (个人消费者)


def personal_codes() -> list[str]:
    """The codes of the main dimension's classes marked personal (a handful at most)."""
    query = (CustomerClass.select(CustomerClass.code).join(Dimension)
             .where(Dimension.code == MAIN_DIMENSION, CustomerClass.personal == True))  # noqa: E712
    return [code for (code,) in query.tuples()]


def is_personal(class_code: str, marked: Collection[str] | None = None) -> bool:
    """Whether customers of `class_code` are persons: the class or one of its ancestors
    (whose codes are its prefixes) is marked. `marked`: personal_codes(), read once by a
    caller that asks for many rows."""
    if not class_code:
        return False
    return class_code.startswith(tuple(personal_codes() if marked is None else marked))


def set_personal(code: str, personal: bool, version: int) -> ClassNode:
    """Mark a class of the main dimension personal, or no longer: its customers' 税号 then
    holds a 身份证 number (db.values.fields.PERSONAL_TAX_ID), and so do its sub-classes'."""
    with writing("archive"):
        dim = dimension(MAIN_DIMENSION)
        row = CustomerClass.get_or_none(CustomerClass.dimension == dim.id, CustomerClass.code == code)
        if row is None:
            raise ConflictError("conflict.deleted", code=code)
        updated = (CustomerClass.update(personal=personal, version=row.version + 1,
                                        modified_by=clock.user(), modified_at=clock.now())
                   .where(CustomerClass.id == row.id, CustomerClass.version == version).execute())
        if updated != 1:
            raise conflict_of(row)
        if bool(row.personal) != personal:
            history.record("change", "class", code, {"personal": [bool(row.personal), personal]})
    return get(MAIN_DIMENSION, code)
