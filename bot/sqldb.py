"""One connection helper for the small tables the assistant keeps itself (dossier subscriptions, satisfaction
feedback): a SQLite file by default, PostgreSQL when given a postgresql:// URL (several hosts share it).

Statements are written once with `?` placeholders and portable SQL (`ON CONFLICT DO NOTHING`, `{serial}` for an
auto-increment key in CREATE TABLE); the PostgreSQL connection rewrites the placeholders for psycopg2.
A connection is opened per operation: these tables see a few writes per conversation.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any, Iterator, Sequence


def is_postgres(target: str | Path) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


@contextlib.contextmanager
def transaction(target: str | Path) -> Iterator[Any]:
    """A plain DB-API connection (psycopg2 or sqlite3 with foreign keys on): committed on success, rolled back
    on error, closed in any case."""
    if is_postgres(target):
        import psycopg2  # only with a PostgreSQL URL

        conn = psycopg2.connect(str(target), connect_timeout=5)
    else:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10)
        conn.execute("PRAGMA foreign_keys = ON")
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


class _PostgresConnection:
    """`execute(sql, params)` on a psycopg2 connection, with sqlite3's `?` placeholders."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cursor = self._conn.cursor()
        cursor.execute(sql.replace("?", "%s"), tuple(params))
        return cursor


@contextlib.contextmanager
def connect(target: str | Path, schema: Sequence[str] = ()) -> Iterator[Any]:
    """A connection whose `execute(sql, params)` returns a cursor, in one transaction; `schema` statements run
    first."""
    postgres = is_postgres(target)
    with transaction(target) as raw:
        conn = _PostgresConnection(raw) if postgres else raw
        for statement in schema:
            conn.execute(statement.replace("{serial}", "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"))
        yield conn
