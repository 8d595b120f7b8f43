"""The tracker store the assistant runs with: FastSQLTrackerStore (bot/stack/fast_tracker.py: SQLite or PostgreSQL,
flat cost per turn, resilient to database restarts) that never stores a personal identifier.
Configured by bot/stack/rasa_config.py (and endpoints.yml) as `type: bot.tracker_store.RedactingSQLTrackerStore`.

The NLU and the actions see the message as typed during the turn; what is written to the `events` table (and
streamed to an event broker, if one is configured) has CCCD, phone, e-mail, account and card numbers replaced by
placeholders (bot/privacy/redact.py), and so are the Rasa server's log lines. A turn that ran the in-chat deletion
deletes the whole conversation.
"""

from __future__ import annotations

from typing import Iterator, List, Text

from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import database, events, logs
from bot.privacy.redact import redact_data
from bot.stack.fast_tracker import FastSQLTrackerStore


class RedactingSQLTrackerStore(FastSQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        logs.install()  # the Rasa server's log handlers (var/log/rasa.log), e.g. at DEBUG level

    def stored_event_data(self, event: Event) -> dict:
        """What the fast path writes: every string of the event with identifiers replaced."""
        return redact_data(event.as_dict())

    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator:
        """What Rasa's own save path writes (trackers replaced through the HTTP API)."""
        return iter(events.redacted_all(super()._additional_events(session, tracker)))

    async def _stream_new_events(self, event_broker: EventBroker, new_events: List[Event], sender_id: Text) -> None:
        await super()._stream_new_events(event_broker, events.redacted_all(new_events), sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if events.forget_requested(tracker.events):
            database.forget(self.engine, tracker.sender_id)
            self._cache.pop(tracker.sender_id, None)
