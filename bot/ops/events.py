"""The tracker store's events as turns: what each person asked and what the assistant did about it.

Reads Rasa's `events` table (SQLite or PostgreSQL, already redacted by bot/tracker_store.py) with SQLAlchemy
Core. A turn is one user message and the bot messages that followed it, with the `utter_action` of each and the
custom payloads (DESIGN.md). `outcome()` is the one place that decides how a turn went; the report and the
unanswered-question review both use it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Iterator, Optional

import sqlalchemy as sa

from bot.feedback import channel_of
from bot.privacy.database import VIETNAM

ANSWERED, CHOICES, NOT_FOUND, FALLBACK, OTHER = "answered", "choices", "not_found", "fallback", "other"
OUTCOMES = (ANSWERED, CHOICES, NOT_FOUND, FALLBACK)
LOW_CONFIDENCE = 0.5  # an answered question whose intent was below this is kept for review too
NOT_FOUND_RESPONSES = {"utter_procedure_not_found", "utter_procedure_not_in_catalog", "utter_guide_not_found"}
FALLBACK_RESPONSES = {"utter_default"}
ANSWER_PAYLOADS = {"procedure_answer", "dossier_status", "online_guide", "complaint_receipt", "complaint_status"}


@dataclass
class Turn:
    sender_id: str
    at: float  # unix time of the user message
    text: str
    intent: Optional[str]
    confidence: float
    responses: list[str] = field(default_factory=list)  # utter_action of each bot message
    payloads: list[dict] = field(default_factory=list)

    @property
    def channel(self) -> str:
        return channel_of(self.sender_id)

    @property
    def day(self) -> str:
        return dt.datetime.fromtimestamp(self.at, VIETNAM).date().isoformat()

    def payloads_of(self, kind: str) -> list[dict]:
        return [p for p in self.payloads if p.get("type") == kind]


def outcome(turn: Turn) -> str:
    """answered, choices, not_found, fallback (the four shares of the report), or other (greetings, ratings…)."""
    kinds = {p.get("type") for p in turn.payloads}
    responses = set(turn.responses)
    if responses & NOT_FOUND_RESPONSES:
        return NOT_FOUND
    if kinds & ANSWER_PAYLOADS or any(r.startswith("utter_faq_") for r in responses):
        return ANSWERED
    if "procedure_choices" in kinds:
        return CHOICES
    if responses & FALLBACK_RESPONSES:  # not a bare nlu_fallback intent: a form may have taken the message
        return FALLBACK
    return OTHER


def review_kind(turn: Turn) -> Optional[str]:
    """Why a turn goes to the unanswered-question review (None when it does not)."""
    result = outcome(turn)
    if result == NOT_FOUND:
        return "not_in_catalog" if "utter_procedure_not_in_catalog" in turn.responses else "not_found"
    if result == FALLBACK:
        return "fallback"
    if result in (ANSWERED, CHOICES) and turn.confidence < LOW_CONFIDENCE:
        return "low_confidence"
    return None


def is_unsatisfied(turn: Turn) -> bool:
    """A "Chưa hài lòng" or a low survey rating (the assistant apologised)."""
    return turn.intent == "feedback_unsatisfied" or "utter_feedback_sorry" in turn.responses


def turns(
    engine: sa.engine.Engine,
    since: Optional[float] = None,
    until: Optional[float] = None,
    sender_ids: Optional[list[str]] = None,
) -> Iterator[Turn]:
    """Every turn whose user message is in [since, until), grouped by conversation, in order."""
    if not sa.inspect(engine).has_table("events"):
        return
    query = "SELECT sender_id, type_name, timestamp, intent_name, data FROM events WHERE type_name IN ('user', 'bot')"
    params: dict = {}
    if since is not None:
        query += " AND timestamp >= :since"
        params["since"] = since
    if until is not None:
        query += " AND timestamp < :until"
        params["until"] = until
    query += " ORDER BY sender_id, id"
    with engine.connect() as connection:
        rows = connection.execute(sa.text(query), params)
        current: Optional[Turn] = None
        for sender_id, type_name, timestamp, intent_name, data in rows:
            if sender_ids is not None and sender_id not in sender_ids:
                continue
            event = json.loads(data or "{}")
            if type_name == "user":
                if current is not None:
                    yield current
                current = None
                if (event.get("metadata") or {}).get("is_external") or (intent_name or "").startswith("EXTERNAL_"):
                    continue  # a notification, not something the person said
                intent = (event.get("parse_data") or {}).get("intent") or {}
                current = Turn(
                    sender_id,
                    float(timestamp or 0),
                    event.get("text") or "",
                    intent.get("name"),
                    float(intent.get("confidence") or 0.0),
                )
            elif current is not None and current.sender_id == sender_id:
                current.responses.append((event.get("metadata") or {}).get("utter_action") or "")
                custom = (event.get("data") or {}).get("custom")
                if isinstance(custom, dict):
                    current.payloads.append(custom)
        if current is not None:
            yield current
