"""Unanswered questions: every not-found, not-in-catalog, fallback, low-confidence and "Chưa hài lòng" turn, kept
without personal data, grouped for a reviewer (`python -m bot.review`).

`collect()` copies such turns from the tracker store (already redacted: CCCD, phone, e-mail … replaced) into the
`unanswered` table of the operations database, with dossier codes masked too, once per turn (so the questions
outlive the tracker store's retention period). For a "Chưa hài lòng" the question kept is the one asked before
it. `groups()` puts similar questions together (same folded words, or most of them); a reviewer's decision
applies to a whole group and is written back to the data files by bot/ops/review.py.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa

from bot.dossier.codes import ENTITY_REGEX
from bot.ops import events
from bot.privacy import redact
from bot.vntext import fold

NEW, ATTACHED, OUT_OF_SCOPE = "new", "attached", "out_of_scope"
SIMILAR = 0.5  # share of common words (Jaccard) for two questions to be one group
_CODE_RE = re.compile(ENTITY_REGEX, re.IGNORECASE)
_REFERENCE_RE = re.compile(r"(?<![A-Za-z0-9])PA[- ]?[A-Za-z0-9]{6}(?![A-Za-z0-9])", re.IGNORECASE)

metadata = sa.MetaData()
unanswered = sa.Table(
    "unanswered",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("turn_key", sa.String(64), nullable=False, unique=True),  # conversation hash + time: once per turn
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column(
        "kind", sa.String(16), nullable=False
    ),  # not_found, not_in_catalog, fallback, low_confidence, unsatisfied
    sa.Column("text", sa.Text, nullable=False),  # identifiers and codes masked
    sa.Column("words", sa.Text, nullable=False),  # folded, for grouping
    sa.Column("status", sa.String(16), nullable=False, default=NEW),
    sa.Column("procedure_code", sa.String(32)),
    sa.Column("topic", sa.String(32)),
    sa.Column("reviewed_at", sa.String(32)),
)


def clean(text: str) -> str:
    """No personal data: identifiers (again, in case), dossier codes and complaint references masked."""
    text = redact.redact(text or "") or ""
    text = _CODE_RE.sub("[MÃ HỒ SƠ]", text)
    return _REFERENCE_RE.sub("[MÃ PHẢN ÁNH]", text).strip()[:500]


def words_of(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(re.sub(r"\[[^\]]*\]", " ", text))))


def _turn_key(turn: events.Turn) -> str:
    import hashlib

    return hashlib.sha256(f"{turn.sender_id}|{turn.at:.6f}".encode()).hexdigest()[:40]


class UnansweredStore:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine, tables=[unanswered])

    def collect(self, tracker_engine: sa.engine.Engine, since: Optional[float] = None) -> int:
        """Copy the turns to review from the tracker store; returns how many were new."""
        rows, previous = [], {}
        for turn in events.turns(tracker_engine, since=since):
            kind = events.review_kind(turn)
            asked = turn
            if kind is None and events.is_unsatisfied(turn) and turn.sender_id in previous:
                kind, asked = "unsatisfied", previous[turn.sender_id]
            if events.outcome(turn) != events.OTHER:
                previous[turn.sender_id] = turn
            text = clean(asked.text)
            if kind is None or not text or text.startswith("/"):
                continue
            rows.append(
                dict(
                    turn_key=_turn_key(turn),
                    channel=turn.channel,
                    kind=kind,
                    text=text,
                    words=words_of(text),
                    status=NEW,
                    at=dt.datetime.fromtimestamp(turn.at, dt.timezone.utc).isoformat(timespec="seconds"),
                )
            )
        added = 0
        with self.engine.begin() as connection:
            known = {k for (k,) in connection.execute(sa.select(unanswered.c.turn_key))}
            for row in rows:
                if row["turn_key"] not in known:
                    connection.execute(unanswered.insert().values(**row))
                    known.add(row["turn_key"])
                    added += 1
        return added

    def rows(self, status: Optional[str] = NEW, since: Optional[str] = None) -> list[dict]:
        query = unanswered.select().order_by(unanswered.c.id)
        if status:
            query = query.where(unanswered.c.status == status)
        if since:
            query = query.where(unanswered.c.at >= since)
        with self.engine.begin() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def decide(
        self, ids: list[int], status: str, procedure_code: Optional[str] = None, topic: Optional[str] = None
    ) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                unanswered.update()
                .where(unanswered.c.id.in_(ids))
                .values(
                    status=status,
                    procedure_code=procedure_code,
                    topic=topic,
                    reviewed_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                )
            )


@dataclass
class Group:
    number: int  # 1-based, by size: what the reviewer types
    texts: list[str]
    ids: list[int]
    kinds: dict[str, int]

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def example(self) -> str:
        return max(set(self.texts), key=self.texts.count)


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= SIMILAR


def groups(rows: list[dict]) -> list[Group]:
    """Similar questions together, largest group first (greedy, by word sets)."""
    clusters: list[tuple[set[str], list[dict]]] = []
    for row in rows:
        words = set(row["words"].split())
        for seed, members in clusters:
            if _similar(words, seed):
                members.append(row)
                break
        else:
            clusters.append((words, [row]))
    clusters.sort(key=lambda c: (-len(c[1]), c[1][0]["id"]))
    result = []
    for number, (_, members) in enumerate(clusters, 1):
        kinds: dict[str, int] = {}
        for m in members:
            kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
        result.append(Group(number, [m["text"] for m in members], [m["id"] for m in members], kinds))
    return result
