"""PostgreSQL for the tests: `pg_store`, a fresh archive on the server KEHU_TEST_PG_URL names.

`.ci/run` starts a throw-away server (.ci/postgres.sh) and sets KEHU_TEST_PG_URL; without
it every test using these fixtures is skipped, so `make test` alone needs no server.
Each test gets an empty `public` schema (dropped and made again), so tests never see each
other's rows. Import the fixtures into a test module: `from tests.pg import pg_store`.
"""
from __future__ import annotations

import os

import pytest

import db
from db.core import session as store_module

PG_URL = os.environ.get("KEHU_TEST_PG_URL", "")
needs_pg = pytest.mark.skipif(not PG_URL, reason="KEHU_TEST_PG_URL is not set (.ci/run sets it)")


def admin_sql(sql: str, url: str = PG_URL) -> None:
    """Run `sql` on its own autocommit connection (DDL the store must not be inside)."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def fresh_schema(url: str = PG_URL) -> None:
    if store_module._current is not None:
        store_module._current.close()
    admin_sql("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public", url)


@pytest.fixture
def pg_url():
    if not PG_URL:
        pytest.skip("KEHU_TEST_PG_URL is not set (.ci/run sets it)")
    fresh_schema()
    yield PG_URL
    if store_module._current is not None:
        store_module._current.close()


@pytest.fixture
def pg_store(pg_url):
    opened = db.open_store(pg_url)
    yield opened
    opened.close()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request, tmp_path):
    """A fresh archive on SQLite and, where KEHU_TEST_PG_URL is set, on PostgreSQL: a test
    of a rule both databases must keep alike (import it with pg_store and pg_url)."""
    if request.param == "sqlite":
        opened = db.open_store(str(tmp_path / "t.db"))
        yield opened
        opened.close()
    else:
        yield request.getfixturevalue("pg_store")
