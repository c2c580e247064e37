"""Creating the tables on first open, and checking the schema version on every open."""
from __future__ import annotations

from db.core import models
from db.core.errors import StoreError
from db.core.models import MAIN_DIMENSION, READABLE_SINCE, SCHEMA_VERSION, Dimension, SchemaInfo

MAIN_DIMENSION_NAMES = ("客户分类", "Customer classes")


def stored_version(store) -> int | None:
    if not models.database.table_exists(SchemaInfo._meta.table_name):
        return None
    row = SchemaInfo.get_or_none(SchemaInfo.key == "schema_version")
    if row is None:
        return None
    try:
        return int(row.value)
    except (TypeError, ValueError):
        raise StoreError("store.bad_version", path=store.url, found=str(row.value)[:40]) from None


def prepare(store, notice=None) -> None:
    """Create a new archive's tables, or check an existing one can be used by this version
    (and upgrade it: `notice(key, **values)`, when given, is told before a long step)."""
    found = stored_version(store)
    if found is not None and found > SCHEMA_VERSION:
        raise StoreError("store.newer_schema", found=found, supported=SCHEMA_VERSION)
    if found == SCHEMA_VERSION:
        return
    if found is None and _has_foreign_tables():
        raise StoreError("store.not_kehu", path=store.url)
    if store.read_only:
        if found is not None and found >= READABLE_SINCE:
            return  # what it lacks (an index) makes reads slower, not wrong
        if found is not None:  # an older archive: only a writable open can upgrade it
            raise StoreError("store.read_only_old", found=found, supported=SCHEMA_VERSION)
        raise StoreError("store.read_only_new")
    # Only a new or older archive needs these: an open of a current one (every start of the
    # app and of the shell) does without importing them.
    from db.core import dialect
    from db import upgrades
    from db.archive import dimensions, duplicates, search

    with store.writing():
        if found is not None and notice is not None and found < 6:
            # every row rewritten and its indexes rebuilt: the names' sort keys (6), the
            # pieces column (PostgreSQL, 5), every name's pieces (SQLite, 3): long at 1M
            notice("store.upgrading_index", path=store.url)
        elif found is not None and found < 7 and notice is not None:
            notice("store.upgrading_subrecords", path=store.url)  # a million of each kind written
        if found is not None:
            upgrades.add_missing_columns(store)
        models.database.create_tables(models.ALL_MODELS, safe=True)
        dialect.install(store)
        duplicates.install_indexes(store)  # version 7: the duplicate check's look-ups
        if found is not None and found < 3 and store.dialect == "sqlite":
            search.rebuild()  # version 2's locate index kept a copy of every name
        rewritten = upgrades.run_steps(store, found) if found is not None else set()
        if found is not None and store.dialect != "sqlite":
            from db.archive import server

            server.resync()  # the operators' grants and policies cover the tables just made
        # INSERT .. ON CONFLICT: peewee's replace() is SQLite-only
        SchemaInfo.insert(key="schema_version", value=str(SCHEMA_VERSION)).on_conflict(
            conflict_target=[SchemaInfo.key], update={SchemaInfo.value: str(SCHEMA_VERSION)}).execute()
        if not Dimension.select().where(Dimension.code == MAIN_DIMENSION).exists():
            Dimension.create(
                code=MAIN_DIMENSION,
                name_zh=MAIN_DIMENSION_NAMES[0],
                name_en=MAIN_DIMENSION_NAMES[1],
                scheme="2-3-4",
                criteria="客户性质\n行业\n",
                position=0,
            )
        dimensions.ensure_derived()
    upgrades.vacuum(store, rewritten)


def _has_foreign_tables() -> bool:
    """True when the database already holds tables that are not ours (not a kehu archive)."""
    ours = {m._meta.table_name for m in models.ALL_MODELS}
    tables = set(models.database.get_tables())
    return bool(tables) and not (tables & ours)
