"""Every figure of the report, computed from the tracker store's events and the operations tables (pure reads;
the same SQL on SQLite and PostgreSQL). `figures()` returns plain dicts and lists so tests compare them with
direct SQL counts and the report only draws them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Optional

import sqlalchemy as sa

from bot.feedback import FeedbackStore, feedback
from bot.ops import events
from bot.ops.complaints import HANDLED, OPEN, ComplaintStore, categories
from bot.ops.unanswered import UnansweredStore, groups
from bot.privacy.database import VIETNAM

AGE_BUCKETS = ((0, 1), (1, 3), (3, 7), (7, 30), (30, None))  # days an open complaint has waited


def window(days: int, now: Optional[dt.datetime] = None) -> tuple[dt.datetime, dt.datetime, list[str]]:
    """(start, end, the Vietnam days in between): the last `days` days, today included."""
    end = (now or dt.datetime.now(dt.timezone.utc)).astimezone(VIETNAM)
    first = end.date() - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(0), VIETNAM)
    return start, end, [(first + dt.timedelta(days=i)).isoformat() for i in range(days)]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def conversation_figures(turns: list[events.Turn], catalog_levels: dict[str, str]) -> dict:
    per_day: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    procedures, topics, outcomes = Counter(), Counter(), Counter()
    guide_started, guide_done = set(), set()
    agencies: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # agency -> [lookups, overdue]
    asked = set()
    for turn in turns:
        per_day[turn.day][turn.channel].add(turn.sender_id)
        result = events.outcome(turn)
        if result in events.OUTCOMES:
            outcomes[result] += 1
        for payload in turn.payloads_of("procedure_answer"):
            procedures[payload["procedure_code"]] += 1
            topics[payload["topic"]] += 1
            asked.add(payload["procedure_code"])
        for payload in turn.payloads_of("online_guide"):
            guide_started.add(turn.sender_id)
            if payload.get("step") == "checklist":
                guide_done.add(turn.sender_id)
        for payload in turn.payloads_of("dossier_status"):
            counts = agencies[payload.get("agency") or "?"]
            counts[0] += 1
            counts[1] += int(bool(payload.get("overdue")))
    levels = Counter(catalog_levels.get(code, "none") for code in asked)
    return {
        "conversations": {day: {ch: len(s) for ch, s in sorted(chs.items())} for day, chs in sorted(per_day.items())},
        "procedures": procedures.most_common(10),
        "topics": topics.most_common(),
        "outcomes": {name: outcomes.get(name, 0) for name in events.OUTCOMES},
        "guide": {"started": len(guide_started), "checklist": len(guide_done & guide_started)},
        "online_levels": {level: levels.get(level, 0) for level in ("full", "partial", "none")},
        "dossier_agencies": sorted(([a, c[0], c[1]] for a, c in agencies.items()), key=lambda r: (-r[1], r[0])),
    }


def satisfaction_figures(ops_engine: sa.engine.Engine, start: dt.datetime, end: dt.datetime) -> dict:
    FeedbackStore(ops_engine)  # creates / upgrades the table
    with ops_engine.connect() as connection:
        rows = connection.execute(
            sa.select(feedback.c.channel, feedback.c.procedure_code, feedback.c.satisfied).where(
                feedback.c.at >= _iso(start), feedback.c.at <= _iso(end)
            )
        ).fetchall()
    by_channel: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_procedure: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for channel, code, satisfied in rows:
        for table, key in ((by_channel, channel), (by_procedure, code)):
            if key:
                table[key][0] += 1
                table[key][1] += int(satisfied)
    return {
        "by_channel": sorted([k, n, ok] for k, (n, ok) in by_channel.items()),
        "by_procedure": sorted(([k, n, ok] for k, (n, ok) in by_procedure.items()), key=lambda r: (-r[1], r[0]))[:10],
    }


def complaint_figures(store: ComplaintStore, start: dt.datetime, end: dt.datetime) -> dict:
    rows = [c for c in store.list(since=_iso(start), limit=100_000) if c.created_at <= _iso(end)]
    by_category = Counter(c.category for c in rows)
    ages = Counter()
    for c in rows:
        if c.status == OPEN:
            waited = (end - dt.datetime.fromisoformat(c.created_at)).total_seconds() / 86400
            ages[next(i for i, (low, high) in enumerate(AGE_BUCKETS) if high is None or waited < high)] += 1
    return {
        "by_category": [[code, by_category.get(code, 0)] for code in categories()],
        "by_status": {OPEN: sum(c.status == OPEN for c in rows), HANDLED: sum(c.status == HANDLED for c in rows)},
        "open_ages": [ages.get(i, 0) for i in range(len(AGE_BUCKETS))],
        "latest": [c.public() for c in rows[:10]],
    }


def with_folded(
    per_day: dict[str, dict[str, int]], tracker_engine: sa.engine.Engine, day_list: list[str]
) -> dict[str, dict[str, int]]:
    """Conversations per day and channel plus those whose events were deleted (retention purge, a person's
    deletion): bot/privacy folds them into `daily_totals` first, so the totals survive (Decree 13, issue 16)."""
    with tracker_engine.begin() as connection:
        if not sa.inspect(connection).has_table("daily_totals"):
            return per_day
        rows = connection.execute(
            sa.text("SELECT day, channel, conversations FROM daily_totals WHERE day >= :first AND day <= :last"),
            {"first": day_list[0], "last": day_list[-1]},
        ).fetchall()
    merged = {day: dict(channels) for day, channels in per_day.items()}
    for day, channel, count in rows:
        merged.setdefault(day, {})[channel] = merged.get(day, {}).get(channel, 0) + int(count)
    return {day: dict(sorted(channels.items())) for day, channels in sorted(merged.items())}


def figures(
    tracker_engine: sa.engine.Engine,
    ops_engine: sa.engine.Engine,
    days: int = 30,
    now: Optional[dt.datetime] = None,
    catalog_levels: Optional[dict[str, str]] = None,
) -> dict:
    start, end, day_list = window(days, now)
    turns = list(events.turns(tracker_engine, since=start.timestamp(), until=end.timestamp() + 1))
    if catalog_levels is None:
        from bot.catalog import read_records

        catalog_levels = {r["code"]: (r.get("online") or {}).get("level", "none") for r in read_records()}
    unanswered = UnansweredStore(ops_engine)
    unanswered.collect(tracker_engine, since=start.timestamp())
    top_groups = [[g.example, g.count] for g in groups(unanswered.rows(since=_iso(start)))[:10]]
    conversations = conversation_figures(turns, catalog_levels)
    conversations["conversations"] = with_folded(conversations["conversations"], tracker_engine, day_list)
    return {
        "days": day_list,
        "start": start.isoformat(),
        "end": end.isoformat(),
        **conversations,
        "unanswered_groups": top_groups,
        "satisfaction": satisfaction_figures(ops_engine, start, end),
        "complaints": complaint_figures(ComplaintStore(ops_engine), start, end),
    }
