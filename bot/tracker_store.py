"""The tracker store the assistant runs with: Rasa's SQLTrackerStore (SQLite or PostgreSQL) that never stores a
personal identifier. Configured in endpoints.yml as `type: bot.tracker_store.RedactingSQLTrackerStore`.

The NLU and the actions see the message as typed during the turn; what is written to the `events` table (and
streamed to an event broker, if one is configured) has CCCD, phone, e-mail, account and card numbers replaced by
placeholders (bot/privacy/redact.py), and so are the Rasa server's log lines. A turn that ran the in-chat deletion deletes the whole conversation.
"""
from __future__ import annotations

from typing import Iterator, List, Text

from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import database, events, logs
from bot.stack.tracker_store import ResilientSQLTrackerStore


class RedactingSQLTrackerStore(ResilientSQLTrackerStore):
    """Redacting (issue 16) on top of the store that survives PostgreSQL restarts (issue 11, bot/stack)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        logs.install()  # the Rasa server's log handlers (var/log/rasa.log), e.g. at DEBUG level

    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator:
        return iter(events.redacted_all(super()._additional_events(session, tracker)))

    async def _stream_new_events(self, event_broker: EventBroker, new_events: List[Event], sender_id: Text) -> None:
        await super()._stream_new_events(event_broker, events.redacted_all(new_events), sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if events.forget_requested(tracker.events):
            database.forget(self.engine, tracker.sender_id)
