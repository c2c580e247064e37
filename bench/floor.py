"""The floor of a store measurement: the very statements the store ran, run again through the
raw driver (sqlite3 for SQLite, psycopg2 for PostgreSQL) with nothing of kehu around them.

`recorded(call)` runs a store call once and keeps every (sql, params) it sent to the
database; `Raw(target).time(statements)` replays them on a connection of its own, fetching
every row as the store does. The gap between the two is what kehu adds (peewee, the rows
made into objects); the floor itself is what the database costs on this machine.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from typing import Callable


def is_url(target: str) -> bool:
    return "://" in str(target)


@contextmanager
def _recording(statements: list[tuple[str, tuple]]):
    """Every statement the current store's peewee database executes, appended to
    `statements` (peewee sends all of them, queries and raw SQL, through execute_sql)."""
    from db.core import models

    database = models.database.obj  # the Proxy's database: the proxy refuses attributes
    original = database.execute_sql

    def execute_sql(sql, params=None, *args, **kwargs):
        statements.append((sql, tuple(params or ())))
        return original(sql, params, *args, **kwargs)

    database.execute_sql = execute_sql
    try:
        yield
    finally:
        del database.execute_sql  # the instance attribute goes: the method shows again


def recorded(call: Callable[[], object]) -> tuple[object, list[tuple[str, tuple]]]:
    """`call()`'s value and the statements it ran, in order."""
    statements: list[tuple[str, tuple]] = []
    with _recording(statements):
        value = call()
    return value, statements


class Raw:
    """A raw driver connection to the benchmark archive, read-only where the driver allows."""

    def __init__(self, target: str) -> None:
        self.postgres = is_url(target)
        if self.postgres:
            import psycopg2

            self.connection = psycopg2.connect(target)
            self.connection.set_session(readonly=True, autocommit=True)
        else:
            self.connection = sqlite3.connect(f"file:{target}?mode=ro", uri=True)

    def run(self, statements: list[tuple[str, tuple]]) -> int:
        """Run `statements`, fetching every row; the number of rows fetched."""
        rows = 0
        if self.postgres:
            with self.connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    if cursor.description is not None:
                        rows += len(cursor.fetchall())
            return rows
        for sql, params in statements:
            rows += len(self.connection.execute(sql, params).fetchall())
        return rows

    def time(self, statements: list[tuple[str, tuple]]) -> float:
        began = time.perf_counter()
        self.run(statements)
        return time.perf_counter() - began

    def close(self) -> None:
        self.connection.close()
