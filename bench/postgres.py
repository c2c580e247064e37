"""The PostgreSQL side of the bench: scratch databases beside the benchmark's, and the
benchmark archive there, copied from the SQLite one (`kehu copy`) when it is missing or was
built from other code.
"""
from __future__ import annotations

import subprocess
from urllib.parse import urlsplit, urlunsplit

# The SchemaInfo key both archives carry: which generator, data and schema built them.
BUILT_FROM_KEY = "bench_built_from"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str, *statements: str) -> None:
    import psycopg2

    connection = psycopg2.connect(_with_database(url, "postgres"))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    finally:
        connection.close()


def scratch(url: str, suffix: str) -> str:
    """The URL of an empty database named after the benchmark's with `suffix`, made anew."""
    made = _with_database(url, f"{urlsplit(url).path.lstrip('/')}_{suffix}")
    _recreate(made)
    return made


def _recreate(url: str) -> None:
    """Drop the database `url` names (whoever is connected) and create it empty."""
    name = urlsplit(url).path.lstrip("/")
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop(url: str) -> None:
    _admin(url, f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


def built_from(url: str) -> str | None:
    """The fingerprint the archive at `url` was built from; None when it holds no archive."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('schema_info') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return None
            cursor.execute("SELECT value FROM schema_info WHERE key = %s", (BUILT_FROM_KEY,))
            row = cursor.fetchone()
            return row[0] if row else ""
    finally:
        connection.close()


def ensure_archive(url: str, source, fingerprint: str, kehu: list[str]) -> None:
    """Make `url` hold the benchmark archive built from `fingerprint`: kept when it does,
    otherwise the database is made anew and the SQLite archive `source` copied into it."""
    if built_from(url) == fingerprint:
        return
    _recreate(url)
    print(f"copying {source} to {url} (once) ...", flush=True)
    subprocess.run([*kehu, "copy", str(source), url], check=True)


def server_version(url: str) -> str:
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0].split()[0]
    finally:
        connection.close()


def size_mb(url: str) -> int:
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return round(cursor.fetchone()[0] / 1e6)
    finally:
        connection.close()
