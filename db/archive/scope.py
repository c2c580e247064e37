"""数据权限: the customers the working operator may see and touch (db.archive.operators'
Scope), as one SQL condition every read adds (the list, its counts, the tree's counts,
locate and find, show, export) and as the check every write makes of the rows it changes.

A scope narrows by each kind it names: the customer's class (main, `class_code`) or its class
in another dimension (membership) lies under one of the scope's classes, AND its department
is one of the scope's, AND (专管业务员) its salesperson is the operator. An admin, an
operator without a scope, and everyone on an archive without operators see everything: the
condition is then None and the queries are exactly as they were.

On PostgreSQL the server applies the same rule to the same rows by itself (row-level
security, db.archive.server), so this condition only repeats it there; on SQLite it is the
rule (the file's permissions are the boundary, see the README).
"""
from __future__ import annotations

from db.core import models
from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION, Customer, Dimension
from db.archive import operators
from db.values.columns import DIMENSION_PREFIX

# Above every character a class code holds (letters and digits): [code, code + HIGH) is the
# class and its sub-classes, as db.archive.classes ranges them.
HIGH = "~"


def condition(alias: str = "c") -> tuple[str, list] | None:
    """The WHERE condition (SQL over customer `alias`, params) of the rows in scope, None
    when the operator sees everything."""
    me = operators.me()
    if me.sees_everything:
        return None
    p = models.database.param
    parts, params = [], []
    scope = me.scope
    if scope.classes:
        ors = []
        for dim, code in scope.classes:
            if dim == MAIN_DIMENSION:
                ors.append(f"({alias}.class_code >= {p} AND {alias}.class_code < {p})")
                params += [code, code + HIGH]
            else:
                dim_row = Dimension.get_or_none(Dimension.code == dim)
                ors.append(f"{alias}.id IN (SELECT sm.customer_id FROM membership sm WHERE "
                           f"sm.dimension_id = {p} AND sm.class_code >= {p} AND sm.class_code < {p})")
                params += [dim_row.id if dim_row else -1, code, code + HIGH]
        parts.append("(" + " OR ".join(ors) + ")")
    if scope.departments:
        parts.append(f"{alias}.department IN ({', '.join([p] * len(scope.departments))})")
        params += list(scope.departments)
    if scope.own:
        parts.append(f"{alias}.salesperson = {p}")
        params.append(me.name or me.login)
    return "(" + " AND ".join(parts) + ")", params


def ids():
    """The ids in scope as a peewee subquery (`Customer.id.in_(ids())`), None when all."""
    found = condition("sc")
    if found is None:
        return None
    from peewee import SQL

    sql, params = found
    return SQL(f"(SELECT sc.id FROM {Customer._meta.table_name} sc WHERE {sql})", params)


def narrowed(query, column=None):
    """A peewee query of customers (or of rows keyed to them by `column`, a customer id
    column) kept to the rows in scope."""
    inside = ids()
    if inside is None:
        return query
    return query.where((column or Customer.id).in_(inside))


def sees(customer_id: int) -> bool:
    found = condition()
    if found is None:
        return True
    sql, params = found
    p = models.database.param
    return models.database.execute_sql(
        f"SELECT 1 FROM {Customer._meta.table_name} c WHERE c.id = {p} AND {sql}",
        [customer_id, *params]).fetchone() is not None


def hidden_sql(code_expr: str) -> str | None:
    """SQL true when the customer of code `code_expr` exists but the server's row-level
    security hides it from this role (PostgreSQL, a scope in force): where a row read
    finds nothing, it tells "outside your scope" from "deleted". None where nothing hides."""
    if models.database.param == "?" or operators.me().sees_everything:
        return None
    return f"kehu_customer_exists({code_expr})"


def hidden(code: str) -> bool:
    sql = hidden_sql(models.database.param)
    return bool(sql and models.database.execute_sql(f"SELECT {sql}", [code]).fetchone()[0])


def tax_id_hidden(tax_id: str, skip: list[str], today) -> bool:
    """An active customer the server hides holds `tax_id` (one not coded `skip`): the same
    tax id rule keeps across the scope, telling nothing more of the customer."""
    if hidden_sql("") is None:
        return False
    p = models.database.param
    return bool(models.database.execute_sql(f"SELECT kehu_tax_id_taken({p}, CAST({p} AS text[]), {p})",
                                            [tax_id, skip, today]).fetchone()[0])


def whom_to_ask() -> str:
    return operators.admins() or operators.me().login


def refuse_hidden(code: str) -> None:
    """Refuse as outside the scope a customer the server hides (see hidden_sql)."""
    if hidden(code):
        me = operators.me()
        raise RuleError("team.out_of_scope", code=code, who=me.login, reason=reason(),
                        admins=operators.admins() or me.login)


def reason() -> str:
    """The scope as the refusal words it: 02 / 部门 华北销售部 / 专管."""
    scope = operators.me().scope
    parts = [code if dim == MAIN_DIMENSION else f"{dim}:{code}" for dim, code in scope.classes]
    parts += list(scope.departments)
    if scope.own:
        parts.append(operators.me().name or operators.me().login)
    return " / ".join(parts)


def check(customer: Customer) -> None:
    """Refuse a change to `customer` (as it is, or as it was just written inside the write
    transaction) that lies outside the operator's scope: one line, naming whom to ask."""
    if not sees(customer.id):
        me = operators.me()
        raise RuleError("team.out_of_scope", code=customer.code, who=me.login, reason=reason(),
                        admins=operators.admins() or me.login)


def check_value(field: str, value, classes_apart: bool = False) -> None:
    """Refuse setting `field` to `value` on customers (a batch modify) when that takes them
    out of the scope: a class outside every main class of it, another department, another
    salesperson (专管). `classes_apart`: the caller tests the customer's classes as a whole
    (check_new, check_membership), so a main class outside a scope that also names other
    dimensions' classes is not refused here."""
    me = operators.me()
    if me.sees_everything:
        return
    if _value_outside(field, value, me, classes_apart):
        text = "" if value is None else str(value)
        raise RuleError("team.value_out_of_scope", field=field, value=text, who=me.login,
                        reason=reason(), admins=operators.admins() or me.login)


def check_membership(customer: Customer, dim_code: str, class_code: str | None) -> None:
    """Refuse putting `customer` (in scope: the caller read it) in class `class_code` of
    dimension `dim_code` (None: out of it) when that takes it out of the scope, as a class
    the scope names in that dimension was what kept it in: before anything is written,
    since on PostgreSQL the server would refuse the row with an error of its own."""
    me = operators.me()
    if me.sees_everything or not me.scope.classes:
        return
    held = {dim: code for dim, code in models.Membership.select(Dimension.code, models.Membership.class_code)
            .join(Dimension, on=(models.Membership.dimension == Dimension.id))
            .where(models.Membership.customer == customer.id).tuples()}
    held[MAIN_DIMENSION] = customer.class_code
    held[dim_code] = class_code
    if not any((held.get(dim) or "").startswith(code) for dim, code in me.scope.classes):
        field = "class_code" if dim_code == MAIN_DIMENSION else dim_code
        raise RuleError("team.value_out_of_scope", field=field, value=class_code or "", who=me.login,
                        reason=reason(), admins=operators.admins() or me.login)


def check_new(class_code: str, placed: dict[str, str]) -> None:
    """Refuse a new customer of main class `class_code` and classes `placed` (dimension code
    -> class code) that no class of the scope holds: before anything is written (on
    PostgreSQL the server would refuse the rows with an error of its own)."""
    me = operators.me()
    if not me.sees_everything and _new_outside(class_code, placed, me):
        raise _unplaced(me)


def _new_outside(class_code, placed: dict, me) -> bool:
    held = {**placed, MAIN_DIMENSION: class_code or ""}
    return bool(me.scope.classes) and not any(
        str(held.get(dim) or "").startswith(code) for dim, code in me.scope.classes)


def _unplaced(me) -> RuleError:
    """A new customer given no class the scope names: the field is the scope's first dimension."""
    dim = me.scope.classes[0][0]
    return RuleError("team.new_out_of_scope", field="class_code" if dim == MAIN_DIMENSION else dim,
                     who=me.login, reason=reason(), admins=operators.admins() or me.login)


def _value_outside(field: str, value, me, classes_apart: bool = False) -> bool:
    main = [code for dim, code in me.scope.classes if dim == MAIN_DIMENSION]
    text = "" if value is None else str(value)
    # A class of another dimension may keep the customer in: then only a test of all its
    # classes says (the caller's, when `classes_apart`).
    elsewhere = classes_apart and len(main) < len(me.scope.classes)
    return bool((field == "class_code" and main and not elsewhere and not any(text.startswith(c) for c in main))
                or (field == "department" and me.scope.departments and text not in me.scope.departments)
                or (field == "salesperson" and me.scope.own and text != (me.name or me.login)))


def refusals(fields: list[str], cleaned: list[list], olds: list[dict | None], keep_blank: bool = True):
    """(row index, field, RuleError) of the import rows outside the scope, for one chunk of
    a file (`cleaned` by column, `olds` the stored rows the rows update, None for a new
    one): a stored customer outside it, or a value (class, department, salesperson) that
    would put the row outside it; a new row without the column takes the empty default, an
    update's empty cell keeps the stored value (`keep_blank`, the import's default)."""
    me = operators.me()
    if me.sees_everything:
        return
    found = condition()
    ids = [old["id"] for old in olds if old is not None]
    visible = set()
    if ids:
        p = models.database.param
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            visible.update(r[0] for r in models.database.execute_sql(
                f"SELECT c.id FROM {Customer._meta.table_name} c WHERE c.id IN "
                f"({', '.join([p] * len(part))}) AND {found[0]}", [*part, *found[1]]))
    admins = operators.admins() or me.login
    hide = hidden_sql("code")
    codes = cleaned[fields.index("code")] if hide and "code" in fields else []
    named = [c for c, old in zip(codes, olds) if old is None and isinstance(c, str)]
    hidden_codes = set()
    if named:
        p = models.database.param
        hidden_codes = {r[0] for r in models.database.execute_sql(
            f"SELECT code FROM unnest(CAST({p} AS text[])) AS t(code) WHERE {hide}", [named])}
    for i, old in enumerate(olds):
        if old is None and codes and codes[i] in hidden_codes:
            yield i, "code", RuleError("team.out_of_scope", field="code", code=codes[i],
                                       who=me.login, reason=reason(), admins=admins)
            continue
        if old is not None and old["id"] not in visible:
            yield i, "code", RuleError("team.out_of_scope", field="code", code=old["code"],
                                       who=me.login, reason=reason(), admins=admins)
            continue
        if old is None and _new_row_outside(fields, cleaned, i, me):
            dim = me.scope.classes[0][0]
            yield i, "class_code" if dim == MAIN_DIMENSION else DIMENSION_PREFIX + dim, _unplaced(me)
            continue
        for field in ("class_code", "department", "salesperson"):
            if field in fields:
                value = cleaned[fields.index(field)][i]
                if isinstance(value, RuleError) or (old is not None and keep_blank and value in ("", None)):
                    continue
            elif old is None:
                value = ""
            else:
                continue
            if _value_outside(field, value, me, classes_apart=old is None):  # a new row's: _new_row_outside
                yield i, field, RuleError("team.value_out_of_scope", field=field, value=str(value),
                                          who=me.login, reason=reason(), admins=admins)
                break


def _new_row_outside(fields: list[str], cleaned: list[list], i: int, me) -> bool:
    """An import's new row given no class the scope names, its main class or one of its
    dimension columns (a refused cell counts as none); a scope of main classes only is
    _value_outside's to word."""
    if all(dim == MAIN_DIMENSION for dim, _ in me.scope.classes):
        return False
    placed = {}
    for field, column in zip(fields, cleaned):
        if field == "class_code" or field.startswith(DIMENSION_PREFIX):
            value = column[i]
            placed[field[len(DIMENSION_PREFIX):] if field != "class_code" else MAIN_DIMENSION] = (
                "" if isinstance(value, RuleError) or value is None else value)
    return _new_outside(placed.pop(MAIN_DIMENSION, ""), placed, me)


def check_values(values: dict, classes_apart: bool = False) -> None:
    """check_value of each scope field a card's save sets (before it is written: on
    PostgreSQL the server would refuse the row with an error of its own)."""
    for field in ("class_code", "department", "salesperson"):
        if field in values:
            check_value(field, values[field], classes_apart)
