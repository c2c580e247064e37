"""Bringing an older archive up to this version: the columns its tables lack, then each later
version's own step, in order, inside the schema transaction (db.schema.prepare).

A new column is added with its default written into the DDL (ALTER TABLE .. ADD COLUMN ..
DEFAULT): both databases add such a column without rewriting the table, where peewee's
migrator adds it nullable, fills it with an UPDATE and (SQLite) copies the whole table to make
it NOT NULL. A version's step fills what a default cannot (a value computed from the row).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

import peewee
from peewee import SQL, Entity, NodeList

from db.core import bulk, models
from db.values import collation


def _subrecords_from_card(store) -> None:
    """7: the card's single fields (联系人, 电话, 手机, Email, 地址, 邮编, 发货地址, 开户银行,
    银行账号) become the default contact, office and ship-to addresses and bank account; the
    customer row keeps them as the defaults' copy. A card with a 税号 gets its default invoice
    details made from it (name, tax id, address and phone, bank and account)."""
    from db.archive import subrecords

    with contextlib.ExitStack() as loading:
        # New tables filled with up to a million rows each: their indexes (and PostgreSQL's
        # foreign keys) are built once after the load instead of row by row.
        for model in subrecords.MODELS.values():
            loading.enter_context(bulk.indexes_rebuilt(model._meta.table_name, True))
        subrecords.seed_from_card(fresh=True)
        subrecords.invoices_from_card(fresh=True)


def sort_keys(store) -> set[str]:
    """Version 6: every customer's name_key and short_key, which the name sorts page by, and
    the name indexes they replace dropped. The keys are made in Python (pypinyin's table):
    on SQLite by a function the UPDATE calls, on PostgreSQL streamed to a temporary table an
    UPDATE .. FROM reads, with the table's indexes rebuilt after it rather than kept row by row
    (every row is rewritten)."""
    db, table = models.database, models.Customer._meta.table_name
    for old in ("short_name", "name"):
        db.execute_sql(f"DROP INDEX IF EXISTS {table}_{old}_code_class_code_stop_date")
    if store.dialect == "sqlite":
        db.connection().create_function("kehu_sort_key", 1, collation.key, deterministic=True)
        with bulk.indexes_rebuilt(table, large=True):
            db.execute_sql(f"UPDATE {table} SET name_key = kehu_sort_key(name), "
                           "short_key = kehu_sort_key(short_name)")
        return set()
    key, names, texts = collation.key, ["id", "name_key", "short_key"], ["name_key", "short_key"]
    shape = f"SELECT id, name_key, short_key FROM {table}"
    with bulk.indexes_rebuilt(table, large=True):
        last = 0
        while True:  # a chunk of ids at a time: memory stays flat at a million customers
            chunk = db.execute_sql(f"SELECT id, name, short_name FROM {table} WHERE id > %s "
                                   "ORDER BY id LIMIT 100000", (last,)).fetchall()
            if not chunk:
                break
            last = chunk[-1][0]
            with bulk.temp_table("sort_keys", shape, names, [(i, key(n), key(s)) for i, n, s in chunk], texts):
                db.execute_sql(f"UPDATE {table} c SET name_key = k.name_key, short_key = k.short_key "
                               "FROM sort_keys k WHERE c.id = k.id")
    return {table}


def _completeness(store) -> set[str]:
    """12: every customer's 完整度 from its fields, one UPDATE (db.archive.completeness); the
    class order's index of before, which lacked it, dropped. The UPDATE writes nearly every
    row: the indexes it would keep in step row by row are built once after it instead (on
    SQLite the two that hold the score; on PostgreSQL, where a
    changed indexed column rewrites every index entry of the row, all of them)."""
    from db.archive import completeness

    db, table = models.database, models.Customer._meta.table_name
    db.execute_sql(f"DROP INDEX IF EXISTS {table}_class_code_code_stop_date")
    if store.dialect != "sqlite":
        with bulk.indexes_rebuilt(table, large=True):
            completeness.refresh()
        return {table}
    holding = [(name, sql) for name, sql in db.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql LIKE ?",
        (table, "%completeness%")).fetchall()]
    for name, _ in holding:
        db.execute_sql(f'DROP INDEX "{name}"')
    completeness.refresh()
    for _, sql in holding:
        db.execute_sql(sql)
    return {table}


def region_codes(store) -> set[str]:
    """13: customer.region_code (GB/T 2260) matched from the 所属地区 text, once per distinct
    text (db.archive.region_codes). Texts that match nothing keep no code: the health check
    lists them."""
    from db.archive import region_codes as fill

    # The code's index made once after the fill rather than kept up row by row through it.
    index = "customer_region_code_stop_date_region"
    models.database.execute_sql(f"DROP INDEX IF EXISTS {index}")
    fill.fill_from_texts()
    models.Customer._schema.create_indexes(safe=True)
    return set()


def membership_indexes(store) -> set[str]:
    """14: membership's indexes of the customer and of the dimension alone dropped: the
    unique (customer, dimension) and (dimension, class, customer) lead with them."""
    for name in ("membership_customer_id", "membership_dimension_id"):
        models.database.execute_sql(f"DROP INDEX IF EXISTS {name}")
    return set()


# (version, step): run on an archive older than `version`, after the columns are added; a step
# returns the tables whose every row it rewrote. A version whose change is only new tables,
# columns or indexes needs no step.
STEPS: list[tuple[int, Callable[[object], None]]] = [(6, sort_keys), (7, _subrecords_from_card),
                                                    (12, _completeness), (13, region_codes),
                                                    (14, membership_indexes)]


def run_steps(store, found: int) -> set[str]:
    """The steps of every version after `found`, once the tables and indexes are complete;
    returns the tables they rewrote (for `vacuum`, after the commit)."""
    rewritten: set[str] = set()
    for version, step in STEPS:
        if found < version:
            rewritten |= step(store) or set()
    return rewritten


def vacuum(store, tables: set[str]) -> None:
    """PostgreSQL, after the upgrade's commit (VACUUM cannot run in a transaction): a table
    whose every row an UPDATE rewrote holds as many dead rows as live ones, and lists and
    counts read the heap beside each index entry until the visibility map is set again (a
    page sorted by short name took 790 ms at 1,000,000 customers, 1.5 ms after). A failed
    VACUUM is left to autovacuum: the upgrade itself has landed."""
    if store.dialect == "sqlite" or not tables:
        return
    with contextlib.suppress(peewee.DatabaseError):
        models.database.execute_sql(f"VACUUM ANALYZE {', '.join(sorted(tables))}")


def add_missing_columns(store) -> None:
    """Add every model field whose column an existing table lacks (before create_tables, whose
    new indexes may be on them)."""
    db = models.database
    for model in models.ALL_MODELS:
        table = model._meta.table_name
        if not db.table_exists(table):
            continue  # a new table: create_tables makes it whole
        have = {column.name for column in db.get_columns(table)}
        for field in model._meta.sorted_fields:
            if field.column_name not in have:
                db.execute(_add_column(store, table, field))


def _add_column(store, table: str, field) -> NodeList:
    ctx = models.database.get_sql_context()
    parts = [SQL("ALTER TABLE"), Entity(table), SQL("ADD COLUMN"), field.ddl(ctx)]
    if not field.null and not _default_in_ddl(field):
        default = field.default() if callable(field.default) else field.default
        if default is None:
            raise ValueError(f"{table}.{field.column_name}: a new NOT NULL column needs a default")
        parts.append(SQL(f"DEFAULT {_literal(store, field.db_value(default))}"))
    return NodeList(parts)


def _default_in_ddl(field) -> bool:
    """Whether the field's own constraints already give the column its DEFAULT."""
    ctx = models.database.get_sql_context()
    return any("DEFAULT" in ctx.sql(c).query()[0].upper() for c in field.constraints or ())


def _literal(store, value) -> str:
    """A constant as SQL text: DDL takes no bound parameters."""
    if isinstance(value, bool):
        return ("1" if value else "0") if store.dialect == "sqlite" else ("true" if value else "false")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return "'" + str(value).replace("'", "''") + "'"
