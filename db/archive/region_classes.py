"""The rule "province → class": the 地区分类 dimension filled from 所属地区码. A customer with a
region code and no class in the dimension gets the leaf class whose name is its province's
(浙江 or 浙江省 for 33xxxx). A class a person chose is never replaced; a province no leaf is
named after is left out (the rules screen lists the mapping, such provinces included).

Set-based: the mapping is a temporary table of some thirty rows, the customers to fill are
chosen by one INSERT .. SELECT joined on the code's first two digits, and their memberships,
versions and history rows are written from that table (a million customers: three statements)."""
from __future__ import annotations

from typing import Sequence

from db.core import clock, models
from db.core.models import CustomerClass, Dimension, Membership
from db.core.session import current, writing
from db.values import regions

DIMENSION = "region"  # 地区分类


def _dimension() -> Dimension | None:
    dim = Dimension.get_or_none(Dimension.code == DIMENSION)
    return None if dim is None or dim.derived else dim


def mapping() -> list[tuple[str, str, str | None, str]]:
    """(province code 2 digits, province name, class code or None, class name) for every
    province of the national table, in code order."""
    dim = _dimension()
    leaves: dict[str, list[tuple[str, str]]] = {}
    if dim is not None:
        for code, name in (CustomerClass.select(CustomerClass.code, CustomerClass.name)
                           .where(CustomerClass.dimension == dim.id, CustomerClass.is_leaf == True)  # noqa: E712
                           .order_by(CustomerClass.code).tuples()):
            leaves.setdefault(name.strip(), []).append((code, name))
    out = []
    for region in sorted((r for r in regions.table().values() if r.level == 1 and r.current),
                         key=lambda r: r.code):
        found = leaves.get(region.province) or leaves.get(regions.short(region.province)) or []
        code, name = found[0] if len(found) == 1 else (None, "")
        out.append((region.province_code, region.province, code, name))
    return out


def for_customer(region_code: str) -> str | None:
    """The class of the province of `region_code`, None when no leaf is named after it."""
    if not region_code:
        return None
    return next((c for p, _, c, _ in mapping() if p == region_code[:2]), None)


def placement(region_code: str) -> tuple[int, str] | None:
    """(dimension id, class) a new customer of `region_code` is put in (follow's rule, for
    db.archive.customers.create, which writes it with the customer)."""
    dim = _dimension()
    code = for_customer(region_code) if dim is not None else None
    return None if code is None else (dim.id, code)


def follow(row, version: int) -> int:
    """A customer saved with a region code and no class in 地区分类 gets its province's class
    (the card's save: typing 浙江 fills the dimension); returns its version."""
    dim = _dimension()
    if dim is None or not row.region_code or Membership.select().where(
            Membership.customer == row.id, Membership.dimension == dim.id).exists():
        return version
    code = for_customer(row.region_code)
    if code is None:
        return version
    from db.archive import dimensions

    return dimensions.set_membership(row.code, DIMENSION, code, version)


def fill() -> int:
    """Every customer with a region code and no class in 地区分类 put in its province's class;
    returns how many. One history row each ({dimension:region: [None, class]}), version + 1."""
    with writing("archive"):
        return fill_among()


def fill_among(among: str = "", params: Sequence = (), action: str = "evaluate",
               batch: str = "region-classes") -> int:
    """`fill` of the customers `among` names (SQL over customer c, with `params`; "" all),
    in the caller's transaction, the history rows written as `action` of `batch`: a batch
    modify of 所属地区 applies the rule to the rows it changed, as the card's save does."""
    dim = _dimension()
    pairs = [(p, c) for p, _, c, _ in mapping() if c]
    if dim is None or not pairs:
        return 0
    db = models.database
    q = db.param
    cust, member, log = (models.Customer._meta.table_name, Membership._meta.table_name,
                         models.ChangeLog._meta.table_name)
    db.execute_sql("DROP TABLE IF EXISTS region_map")
    db.execute_sql("DROP TABLE IF EXISTS region_fill")
    db.execute_sql("CREATE TEMP TABLE region_map (province VARCHAR(2) PRIMARY KEY, class_code VARCHAR(12))")
    db.execute_sql("INSERT INTO region_map (province, class_code) VALUES "
                   + ", ".join([f"({q}, {q})"] * len(pairs)), [v for pair in pairs for v in pair])
    db.execute_sql(
        f"CREATE TEMP TABLE region_fill AS SELECT c.id, c.code, m.class_code FROM {cust} c "
        f"JOIN region_map m ON m.province = substr(c.region_code, 1, 2) WHERE c.region_code <> '' "
        f"AND NOT EXISTS (SELECT 1 FROM {member} x WHERE x.customer_id = c.id AND x.dimension_id = {q})"
        + (f" AND {among}" if among else ""), [dim.id, *params])
    filled = db.execute_sql("SELECT COUNT(*) FROM region_fill").fetchone()[0]
    if filled:
        who, at = clock.user(), models.ChangeLog.at.db_value(clock.now())
        db.execute_sql(f"INSERT INTO {member} (customer_id, dimension_id, class_code, customer_code) "
                       f"SELECT id, {q}, class_code, code FROM region_fill", [dim.id])
        db.execute_sql(f"UPDATE {cust} SET version = version + 1, modified_by = {q}, modified_at = {q} "
                       "WHERE id IN (SELECT id FROM region_fill)", [who, at])
        if current().dialect == "sqlite":
            changes = f"json_object('dimension:{DIMENSION}', json_array(NULL, class_code))"
        else:
            changes = f"json_build_object('dimension:{DIMENSION}', json_build_array(NULL, class_code))::text"
        db.execute_sql(f"INSERT INTO {log} (at, who, action, entity, entity_code, changes, batch) "
                       f"SELECT {q}, {q}, {q}, 'customer', code, {changes}, {q} "
                       "FROM region_fill ORDER BY id", [at, who, action, batch])
    db.execute_sql("DROP TABLE region_fill")
    db.execute_sql("DROP TABLE region_map")
    return int(filled)
