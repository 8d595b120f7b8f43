"""Subscriptions "báo cho tôi khi có kết quả": which conversation wants news of which dossier (SQLite file, or
PostgreSQL when DOSSIER_SUBSCRIPTIONS_DB is a postgresql:// URL, as in the cluster).

Written by the dossier actions, read and updated by the notifier (python -m bot.dossier.notifier).
`last_status` is the status the conversation was last told; the notifier sends only when it differs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ContextManager

from bot import sqldb

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dossier_subscriptions (
    sender_id TEXT NOT NULL, channel TEXT, code TEXT NOT NULL, last_status TEXT NOT NULL,
    created_at TEXT NOT NULL, notified_at TEXT, PRIMARY KEY (sender_id, code))
"""


@dataclass(frozen=True)
class Subscription:
    sender_id: str
    channel: str | None
    code: str
    last_status: str


class SubscriptionStore:
    def __init__(self, path: str | Path) -> None:
        self.path = path if sqldb.is_postgres(path) else Path(path)

    def _connect(self) -> ContextManager[Any]:
        return sqldb.connect(self.path, [_SCHEMA])

    def subscribe(self, sender_id: str, channel: str | None, code: str, status: str) -> bool:
        """True when new; an existing subscription keeps its last_status."""
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO dossier_subscriptions (sender_id, channel, code, last_status, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (sender_id, channel, code, status, now),
            )
            return cur.rowcount == 1

    def unsubscribe(self, sender_id: str, code: str | None = None) -> int:
        """Remove one subscription, or all of the conversation when code is None; returns how many."""
        with self._connect() as conn:
            if code is None:
                cur = conn.execute("DELETE FROM dossier_subscriptions WHERE sender_id = ?", (sender_id,))
            else:
                cur = conn.execute(
                    "DELETE FROM dossier_subscriptions WHERE sender_id = ? AND code = ?", (sender_id, code)
                )
            return cur.rowcount

    def for_sender(self, sender_id: str) -> list[Subscription]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT sender_id, channel, code, last_status FROM dossier_subscriptions "
                "WHERE sender_id = ? ORDER BY created_at",
                (sender_id,),
            ).fetchall()
        return [Subscription(*row) for row in rows]

    def all(self) -> list[Subscription]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT sender_id, channel, code, last_status FROM dossier_subscriptions ORDER BY code, sender_id"
            ).fetchall()
        return [Subscription(*row) for row in rows]

    def mark_notified(self, sender_id: str, code: str, status: str) -> None:
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        with self._connect() as conn:
            conn.execute(
                "UPDATE dossier_subscriptions SET last_status = ?, notified_at = ? WHERE sender_id = ? AND code = ?",
                (status, now, sender_id, code),
            )
