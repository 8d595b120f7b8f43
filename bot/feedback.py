"""Satisfaction survey: what people say about the service, kept without personal data.

The action server records one row per rating: time, channel (web, telegram, zalo ...), the rating on the city's
scale (SURVEY_SCALE: 5 levels, Rất hài lòng … Rất không hài lòng, or 3 levels), `satisfied` (the top levels),
an optional reason code after a low rating (bot/ops/data/survey.yml), the procedure under discussion and what
the rating follows in the conversation (`follows`: answer, lookup, filing). Never the person's id or text.
Storage: FEEDBACK_DB when set (SQLite path or database URL), else the operations database (bot/ops/db.py: SQLite
var/ops.sqlite, or PostgreSQL with DATABASE_URL). `python -m bot.feedback report [--days 30] [--db PATH]` prints
the satisfaction rate by channel and the procedures with the most unsatisfied ratings; `python -m bot.report`
draws the full report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import re
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
import yaml

SURVEY_FILE = Path(__file__).with_name("ops") / "data" / "survey.yml"

metadata = sa.MetaData()
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),  # UTC, ISO 8601
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("satisfied", sa.Integer, nullable=False),  # 1 or 0
    sa.Column("procedure_code", sa.String(32)),
    sa.Column("rating", sa.Integer),  # 1..scale
    sa.Column("scale", sa.Integer),  # 3 or 5
    sa.Column("reason", sa.String(32)),
    sa.Column("follows", sa.String(16)),  # answer, lookup, filing (what the episode served before the rating)
)
_ADDED = ("rating INTEGER", "scale INTEGER", "reason VARCHAR(32)", "follows VARCHAR(16)")  # columns of this version


@functools.lru_cache(maxsize=1)
def survey() -> dict:
    return yaml.safe_load(SURVEY_FILE.read_text(encoding="utf-8"))


def scale() -> int:
    raw = (os.environ.get("SURVEY_SCALE") or "5").strip()
    return 3 if raw == "3" else 5


def satisfied_level(scale_: int) -> int:
    """The lowest rating that counts as satisfied: 4 of 5, 3 of 3."""
    return scale_ - 1 if scale_ == 5 else scale_


def rating_in(text: Optional[str], scale_: int) -> Optional[int]:
    """A typed rating ("5 sao", "4"), within the scale."""
    match = re.search(r"(?<!\d)([1-5])(?!\d)", text or "")
    return int(match.group(1)) if match and int(match.group(1)) <= scale_ else None


def reason_in(text: Optional[str]) -> Optional[str]:
    from bot.vntext import fold

    folded = fold(text or "")
    for code, spec in survey()["reasons"].items():
        if code == folded or any(re.search(rf"(?<!\w){re.escape(cue)}(?!\w)", folded) for cue in spec["cues"]):
            return code
    return None


def default_target() -> str:
    from bot.ops.db import ops_url

    return (os.environ.get("FEEDBACK_DB") or "").strip() or ops_url()


def channel_of(sender_id: str, input_channel: Optional[str] = None) -> str:
    """The channel only, never the person: 'telegram:123' -> 'telegram'."""
    if sender_id and ":" in sender_id:
        return sender_id.split(":", 1)[0]
    return input_channel or "rest"


class FeedbackStore:
    def __init__(self, target) -> None:
        from bot.ops.db import engine

        self.engine = target if isinstance(target, sa.engine.Engine) else engine(str(target))
        metadata.create_all(self.engine, tables=[feedback])
        present = {c["name"] for c in sa.inspect(self.engine).get_columns("feedback")}
        with self.engine.begin() as connection:  # a table of the first version: add the new columns
            for column in _ADDED:
                if column.split()[0] not in present:
                    connection.execute(sa.text(f"ALTER TABLE feedback ADD COLUMN {column}"))

    def record(
        self,
        channel: str,
        satisfied: bool,
        procedure_code: Optional[str] = None,
        at: Optional[dt.datetime] = None,
        rating: Optional[int] = None,
        scale_: Optional[int] = None,
        follows: Optional[str] = None,
    ) -> int:
        at = at or dt.datetime.now(dt.timezone.utc)
        with self.engine.begin() as connection:
            result = connection.execute(
                feedback.insert().values(
                    at=at.isoformat(timespec="seconds"),
                    channel=channel,
                    satisfied=int(satisfied),
                    procedure_code=procedure_code,
                    rating=rating,
                    scale=scale_,
                    follows=follows,
                )
            )
            return int(result.inserted_primary_key[0])

    def set_reason(self, row_id: int, reason: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(feedback.update().where(feedback.c.id == row_id).values(reason=reason))

    def summary(self, since: dt.datetime) -> dict:
        since_text = since.isoformat(timespec="seconds")
        with self.engine.begin() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT channel, count(*), sum(satisfied) FROM feedback WHERE at >= :since "
                    "GROUP BY channel ORDER BY channel"
                ),
                {"since": since_text},
            ).fetchall()
            worst = connection.execute(
                sa.text(
                    "SELECT procedure_code, count(*) FROM feedback WHERE at >= :since AND satisfied = 0 "
                    "AND procedure_code IS NOT NULL GROUP BY procedure_code ORDER BY count(*) DESC, procedure_code "
                    "LIMIT 10"
                ),
                {"since": since_text},
            ).fetchall()
        by_channel = {channel: {"ratings": n, "satisfied": int(ok or 0)} for channel, n, ok in rows}
        total = sum(v["ratings"] for v in by_channel.values())
        satisfied = sum(v["satisfied"] for v in by_channel.values())
        return {
            "ratings": total,
            "satisfied": satisfied,
            "by_channel": by_channel,
            "unsatisfied_procedures": [tuple(row) for row in worst],
        }


def report(summary: dict, days: int) -> str:
    def share(ok: int, n: int) -> str:
        return f"{ok / n:.0%}" if n else "–"

    lines = [
        f"Mức độ hài lòng, {days} ngày gần nhất: {share(summary['satisfied'], summary['ratings'])} "
        f"({summary['satisfied']}/{summary['ratings']} đánh giá)",
        "",
        "| kênh | đánh giá | hài lòng |",
        "|---|---:|---:|",
    ]
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
    rep.add_argument("--db", default=None)
    args = parser.parse_args(argv)
    store = FeedbackStore(args.db or default_target())
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=args.days)
    print(report(store.summary(since), args.days))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
