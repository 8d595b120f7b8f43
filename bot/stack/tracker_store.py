"""The SQL tracker store the stack configures for PostgreSQL: Rasa's own, with connections checked before use.

Rasa 3.6 keeps a pool of PostgreSQL connections and never tests them. After PostgreSQL restarts, each pooled
connection fails once, and Rasa's fail-safe wrapper then treats the conversation as new: the person's context is
gone and the turn is not saved (the event count no longer matches). With `pool_pre_ping` a dead connection is
replaced before use, and a read that still fails (the database just came back) is tried again once, so a restart
of PostgreSQL costs at most the turns sent while it was down.
Used through its subclass bot.tracker_store.RedactingSQLTrackerStore, which bot/stack/rasa_config.py configures.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional, Text

import sqlalchemy as sa
import sqlalchemy.exc
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        try:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        except sqlalchemy.exc.OperationalError as error:
            logger.warning("tracker store read failed, trying again once: %s", error)
            await asyncio.sleep(1.0)
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
