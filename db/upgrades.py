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

from peewee import SQL, Entity, NodeList

from db.core import models



def _subrecords_from_card(store) -> None:
    """7: the card's single fields (联系人, 电话, 手机, Email, 地址, 邮编, 发货地址, 开户银行,
    银行账号) become the default contact, office and ship-to addresses and bank account; the
    customer row keeps them as the defaults' copy."""
    from db.archive import subrecords
    from db.core import bulk

    with contextlib.ExitStack() as loading:
        # New tables filled with up to a million rows each: their indexes (and PostgreSQL's
        # foreign keys) are built once after the load instead of row by row.
        for model in subrecords.MODELS.values():
            loading.enter_context(bulk.indexes_rebuilt(model._meta.table_name, True))
        subrecords.seed_from_card(fresh=True)


# (version, step): run on an archive older than `version`, after the columns are added. A
# version whose change is only new tables, columns or indexes needs no step.
STEPS: list[tuple[int, Callable[[object], None]]] = [(7, _subrecords_from_card)]


def run_steps(store, found: int) -> None:
    """The steps of every version after `found`, once the tables and indexes are complete."""
    for version, step in STEPS:
        if found < version:
            step(store)


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
    if not field.null:
        default = field.default() if callable(field.default) else field.default
        if default is None:
            raise ValueError(f"{table}.{field.column_name}: a new NOT NULL column needs a default")
        parts.append(SQL(f"DEFAULT {_literal(store, field.db_value(default))}"))
    return NodeList(parts)


def _literal(store, value) -> str:
    """A constant as SQL text: DDL takes no bound parameters."""
    if isinstance(value, bool):
        return ("1" if value else "0") if store.dialect == "sqlite" else ("true" if value else "false")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return "'" + str(value).replace("'", "''") + "'"
