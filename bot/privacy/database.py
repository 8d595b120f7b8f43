"""The conversation events Rasa keeps (tracker store table `events`, SQLite or PostgreSQL): retention, a
person's deletion and export, and the daily totals that outlive both.

Before any event is deleted, its day's figures are folded into `daily_totals` (day in Vietnam time, channel,
conversations, user messages), so `totals()` (live events + folded figures) is the same before and after a purge
or a deletion. Deletions touch whole (day, person) pairs: `purge` removes whole days, `forget` all of one person's
days, which keeps the folded conversation counts additive.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Optional

import sqlalchemy as sa

from bot.feedback import channel_of

VIETNAM = dt.timezone(dt.timedelta(hours=7))  # no daylight saving time

_TOTALS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS daily_totals ("
    " day VARCHAR(10) NOT NULL, channel VARCHAR(64) NOT NULL,"
    " conversations INTEGER NOT NULL, messages INTEGER NOT NULL, PRIMARY KEY (day, channel))"
)


def engine_for(url: str) -> sa.engine.Engine:
    """`url`: an SQLAlchemy URL, a postgresql:// URL or a path to a SQLite file."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(url)


def _ensure_tables(connection) -> bool:
    """Create daily_totals if needed; False when Rasa has not created its `events` table yet."""
    connection.execute(sa.text(_TOTALS_SCHEMA))
    return sa.inspect(connection).has_table("events")


def day_of(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, VIETNAM).date().isoformat()


def _count(rows: Iterable) -> dict[tuple[str, str], tuple[int, int]]:
    """(day, channel) -> (conversations, user messages) for rows of (sender_id, timestamp, data)."""
    senders: dict[tuple[str, str], set] = defaultdict(set)
    messages: dict[tuple[str, str], int] = defaultdict(int)
    for sender_id, timestamp, data in rows:
        try:
            input_channel = json.loads(data or "{}").get("input_channel")
        except ValueError:
            input_channel = None
        key = (day_of(timestamp or 0.0), channel_of(sender_id, input_channel))
        senders[key].add(sender_id)
        messages[key] += 1
    return {key: (len(senders[key]), messages[key]) for key in messages}


def _user_rows(connection, condition: str, params: dict) -> list:
    return connection.execute(
        sa.text(f"SELECT sender_id, timestamp, data FROM events WHERE type_name = 'user' AND {condition}"), params
    ).fetchall()


def _fold(connection, counts: dict[tuple[str, str], tuple[int, int]]) -> None:
    for (day, channel), (conversations, messages) in sorted(counts.items()):
        updated = connection.execute(
            sa.text(
                "UPDATE daily_totals SET conversations = conversations + :c, messages = messages + :m "
                "WHERE day = :day AND channel = :channel"
            ),
            {"c": conversations, "m": messages, "day": day, "channel": channel},
        ).rowcount
        if not updated:
            connection.execute(
                sa.text(
                    "INSERT INTO daily_totals (day, channel, conversations, messages) VALUES (:day, :channel, :c, :m)"
                ),
                {"c": conversations, "m": messages, "day": day, "channel": channel},
            )


def cutoff(older_than_days: int, now: Optional[dt.datetime] = None) -> dt.datetime:
    """Start (Vietnam midnight) of the oldest day kept: events before it are older than the period."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(VIETNAM)
    day = now.date() - dt.timedelta(days=older_than_days)
    return dt.datetime.combine(day, dt.time(0), VIETNAM)


def purge(engine: sa.engine.Engine, older_than_days: int, now: Optional[dt.datetime] = None) -> dict:
    """Delete every event of the days before `cutoff()`; returns what went."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    limit = cutoff(older_than_days, now).timestamp()
    with engine.begin() as connection:
        if not _ensure_tables(connection):
            return {"events": 0, "conversations": 0, "before": dt.datetime.fromtimestamp(limit, VIETNAM).isoformat()}
        _fold(connection, _count(_user_rows(connection, "timestamp < :limit", {"limit": limit})))
        senders = connection.execute(
            sa.text("SELECT count(DISTINCT sender_id) FROM events WHERE timestamp < :limit"), {"limit": limit}
        ).scalar()
        deleted = connection.execute(sa.text("DELETE FROM events WHERE timestamp < :limit"), {"limit": limit}).rowcount
    return {
        "events": deleted,
        "conversations": senders,
        "before": dt.datetime.fromtimestamp(limit, VIETNAM).isoformat(),
    }


def forget(engine: sa.engine.Engine, sender_id: str) -> int:
    """Delete every event of one conversation; returns how many."""
    with engine.begin() as connection:
        if not _ensure_tables(connection):
            return 0
        _fold(connection, _count(_user_rows(connection, "sender_id = :sender", {"sender": sender_id})))
        return connection.execute(
            sa.text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender_id}
        ).rowcount


def events_of(engine: sa.engine.Engine, sender_id: str) -> list[dict]:
    """The stored events of one conversation, oldest first (as stored: already redacted)."""
    with engine.begin() as connection:
        if not _ensure_tables(connection):
            return []
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender_id}
        ).fetchall()
    return [json.loads(data) for (data,) in rows]


def totals(engine: sa.engine.Engine) -> dict[tuple[str, str], tuple[int, int]]:
    """(day, channel) -> (conversations, user messages): live events plus the figures folded before deletions."""
    with engine.begin() as connection:
        result = dict(_count(_user_rows(connection, "1 = 1", {}))) if _ensure_tables(connection) else {}
        for day, channel, conversations, messages in connection.execute(
            sa.text("SELECT day, channel, conversations, messages FROM daily_totals")
        ).fetchall():
            live = result.get((day, channel), (0, 0))
            result[(day, channel)] = (live[0] + conversations, live[1] + messages)
    return result
