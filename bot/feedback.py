"""Satisfaction feedback: what people say about the service, kept without personal data.

The action server records one row per rating (channel, satisfied or not, the procedure under discussion);
`python -m bot.feedback report [--days 30] [--db PATH]` prints the satisfaction rate by channel and the
procedures with the most unsatisfied ratings, for the ward and the city. Storage: SQLite file FEEDBACK_DB
(default var/feedback.sqlite).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ContextManager, Optional

from bot import sqldb
from bot.settings import REPO_ROOT

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id {serial},
    at TEXT NOT NULL,               -- UTC, ISO 8601
    channel TEXT NOT NULL,          -- web, telegram, zalo, rest ...
    satisfied INTEGER NOT NULL,     -- 1 or 0
    procedure_code TEXT             -- procedure under discussion, if any
)"""


def default_path() -> Path | str:
    """FEEDBACK_DB: a SQLite file (default var/feedback.sqlite) or a postgresql:// URL (the cluster's database)."""
    raw = os.environ.get("FEEDBACK_DB") or str(Path(os.environ.get("VAR_DIR") or REPO_ROOT / "var") / "feedback.sqlite")
    if sqldb.is_postgres(raw):
        return raw
    path = Path(raw)
    return path if path.is_absolute() else REPO_ROOT / path


def channel_of(sender_id: str, input_channel: Optional[str] = None) -> str:
    """The channel only, never the person: 'telegram:123' -> 'telegram'."""
    if sender_id and ":" in sender_id:
        return sender_id.split(":", 1)[0]
    return input_channel or "rest"


@dataclass
class FeedbackStore:
    path: Path | str  # SQLite file or postgresql:// URL

    def _connect(self) -> ContextManager[Any]:
        return sqldb.connect(self.path, [_SCHEMA])

    def record(self, channel: str, satisfied: bool, procedure_code: Optional[str] = None,
               at: Optional[dt.datetime] = None) -> None:
        at = at or dt.datetime.now(dt.timezone.utc)
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO feedback (at, channel, satisfied, procedure_code) VALUES (?, ?, ?, ?)",
                (at.isoformat(timespec="seconds"), channel, int(satisfied), procedure_code),
            )

    def summary(self, since: dt.datetime) -> dict:
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT channel, count(*), sum(satisfied) FROM feedback WHERE at >= ? GROUP BY channel ORDER BY channel",
                (since.isoformat(timespec="seconds"),),
            ).fetchall()
            worst = connection.execute(
                "SELECT procedure_code, count(*) FROM feedback WHERE at >= ? AND satisfied = 0 "
                "AND procedure_code IS NOT NULL GROUP BY procedure_code ORDER BY count(*) DESC, procedure_code LIMIT 10",
                (since.isoformat(timespec="seconds"),),
            ).fetchall()
        by_channel = {channel: {"ratings": n, "satisfied": int(ok or 0)} for channel, n, ok in rows}
        total = sum(v["ratings"] for v in by_channel.values())
        satisfied = sum(v["satisfied"] for v in by_channel.values())
        return {"ratings": total, "satisfied": satisfied, "by_channel": by_channel, "unsatisfied_procedures": worst}


def report(summary: dict, days: int) -> str:
    def share(ok: int, n: int) -> str:
        return f"{ok / n:.0%}" if n else "–"

    lines = [f"Mức độ hài lòng, {days} ngày gần nhất: {share(summary['satisfied'], summary['ratings'])} "
             f"({summary['satisfied']}/{summary['ratings']} đánh giá)", "", "| kênh | đánh giá | hài lòng |",
             "|---|---:|---:|"]
    for channel, v in summary["by_channel"].items():
        lines.append(f"| {channel} | {v['ratings']} | {share(v['satisfied'], v['ratings'])} |")
    if summary["unsatisfied_procedures"]:
        lines += ["", "Thủ tục có nhiều đánh giá chưa hài lòng nhất:", "| mã thủ tục | chưa hài lòng |", "|---|---:|"]
        lines += [f"| {code} | {n} |" for code, n in summary["unsatisfied_procedures"]]
    return "\n".join(lines)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.feedback", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="satisfaction by channel and the procedures people are least happy with")
    rep.add_argument("--days", type=int, default=30)
    rep.add_argument("--db", type=Path, default=None)
    args = parser.parse_args(argv)
    store = FeedbackStore(args.db or default_path())
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=args.days)
    print(report(store.summary(since), args.days))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
