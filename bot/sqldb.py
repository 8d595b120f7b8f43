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


class _PostgresConnection:
    def __init__(self, url: str) -> None:
        import psycopg2  # only with a PostgreSQL URL

        self._conn = psycopg2.connect(url, connect_timeout=5)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cursor = self._conn.cursor()
        cursor.execute(sql.replace("?", "%s"), tuple(params))
        return cursor

    def commit(self) -> None:
        self._conn.commit()

    def rollback(self) -> None:
        self._conn.rollback()

    def close(self) -> None:
        self._conn.close()


@contextlib.contextmanager
def connect(target: str | Path, schema: Sequence[str] = ()) -> Iterator[Any]:
    """A connection (`execute(sql, params)` returns a cursor) committed on success; `schema` statements run first."""
    if is_postgres(target):
        conn: Any = _PostgresConnection(str(target))
        serial = "SERIAL PRIMARY KEY"
    else:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10)
        serial = "INTEGER PRIMARY KEY"
    try:
        for statement in schema:
            conn.execute(statement.replace("{serial}", serial))
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
