"""Rasa events as they are persisted: redacted copies, and the marker of an in-chat deletion request."""

from __future__ import annotations

from typing import Iterable

from rasa.shared.core.events import ActionExecuted, Event, UserUttered

from bot.privacy import FORGET_ACTION
from bot.privacy.redact import redact_data


def redacted(event: Event) -> Event:
    """A copy of the event with every identifier in its texts, entities, slots and metadata replaced."""
    return Event.from_parameters(redact_data(event.as_dict()))


def redacted_all(events: Iterable[Event]) -> list[Event]:
    return [redacted(event) for event in events]


def forget_requested(events: Iterable[Event]) -> bool:
    """True when the person's latest turn ran the deletion action."""
    latest_turn: list[Event] = []
    for event in events:
        if isinstance(event, UserUttered):
            latest_turn = []
        latest_turn.append(event)
    return any(isinstance(e, ActionExecuted) and e.action_name == FORGET_ACTION for e in latest_turn)
