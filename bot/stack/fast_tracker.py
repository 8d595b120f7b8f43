"""Rasa's SQL tracker store (SQLite or PostgreSQL) without the per-turn cost that grows with the conversation.

`FastSQLTrackerStore` writes the same `events` rows as Rasa's `SQLTrackerStore` (other nodes, tools and tests read
them as before). What changes is the work per turn:
- retrieve: the tracker this node saved last for the conversation is checked against the table with one indexed
  query (number and last id of the conversation's rows). Unchanged → used as it is. Rows appended by another node
  → only those are read and applied. Anything else (rows deleted, a new session elsewhere, never seen here) →
  loaded from the table as Rasa does.
- save: inserts the events added since the tracker was loaded or saved (Rasa first counts the session's rows).
- trackers are `WindowedTracker`s: only the last `window_turns` user turns stay in memory
  (bot/stack/windowed_tracker.py), so copying and featurizing a tracker costs the same at any length.
- PostgreSQL: connections checked before use and a failed read tried again once, so a database restart costs
  at most the turns sent while it was down (the cluster's fault test).
- SQLite: write-ahead log with synchronous=NORMAL, so a commit does not block the server's only thread on a disk
  flush (a crash of the server loses nothing; a power cut can lose the last turns), and one pooled connection.

A tracker is handed out once (taken from the cache) and comes back when saved, so two holders never share one.
At most `cache_size` conversations are kept, least recently used out first. A subclass that stores events
differently (e.g. redacted) overrides `stored_event_data`; a conversation whose stored rows differ from its events
is then not cached, so the next turn reads what the table holds, as with Rasa's store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.stack.windowed_tracker import DEFAULT_WINDOW_TURNS, WindowedTracker

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 1000
_TABLE = SQLTrackerStore.SQLEvent.__tablename__
# The per-turn statements go straight to the driver (SQLAlchemy's statement handling cost more than SQLite itself);
# {p} is the driver's parameter mark.
_ROWS_OF = "SELECT count(id), max(id) FROM " + _TABLE + " WHERE sender_id = {p}"
_ROWS_AFTER = "SELECT data FROM " + _TABLE + " WHERE sender_id = {p} AND id > {p} ORDER BY id"
_INSERT = (
    "INSERT INTO " + _TABLE + " (sender_id, type_name, timestamp, intent_name, action_name, data)"
    " VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
)
_INDEX = "ix_events_sender_id_id"


class FastSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain=None,
        dialect: str = "sqlite",
        host: Optional[str] = None,
        port: Optional[int] = None,
        db: str = "rasa.db",
        username: Optional[str] = None,
        password: Optional[str] = None,
        event_broker=None,
        login_db: Optional[str] = None,
        query: Optional[dict] = None,
        window_turns: int = DEFAULT_WINDOW_TURNS,
        cache_size: int = DEFAULT_CACHE_SIZE,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, dialect, host, port, db, username, password, event_broker, login_db, query, **kwargs)
        self.window_turns = int(window_turns)
        self.cache_size = int(cache_size)
        # sender id -> (tracker as saved, number of the sender's rows, last row id)
        self._cache: OrderedDict[str, tuple[WindowedTracker, int, int]] = OrderedDict()
        if self.engine.dialect.name == "sqlite":
            self._use_sqlite_wal()
        else:
            self._check_connections_before_use()
            self._create_index()
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        self._sql = {
            name: sql.format(p=mark)
            for name, sql in (("rows_of", _ROWS_OF), ("rows_after", _ROWS_AFTER), ("insert", _INSERT))
        }

    @contextlib.contextmanager
    def _driver(self):
        """A pooled driver connection and its cursor (rolled back if not committed when it goes back)."""
        connection = self.engine.raw_connection()
        try:
            yield connection, connection.cursor()
        finally:
            connection.close()

    # --- database set-up -----------------------------------------------------------------------------------------
    def _use_sqlite_wal(self) -> None:
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url,
            poolclass=sa.pool.QueuePool,
            pool_size=1,
            max_overflow=4,
            connect_args={"check_same_thread": False},  # the server's event loop thread is the only user
        )

        @sa.event.listens_for(self.engine, "connect")
        def _pragmas(connection, _record) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _check_connections_before_use(self) -> None:
        """Rasa keeps a pool of PostgreSQL connections and never tests them: after PostgreSQL restarts, each pooled
        connection would fail once and Rasa would treat the conversation as new (context lost, turn not saved).
        With `pool_pre_ping` a dead connection is replaced before use."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _create_index(self) -> None:
        """(sender_id, id): the per-turn check reads only the index (SQLite's sender_id index already has the id)."""
        try:
            with self.engine.begin() as connection:
                connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {_INDEX} ON {_TABLE} (sender_id, id)")
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError) as error:
            logger.debug(f"Index {_INDEX} not created (another node may be creating it): {error}")

    # --- Rasa's interface ------------------------------------------------------------------------------------------
    def init_tracker(self, sender_id: str) -> WindowedTracker:
        return WindowedTracker(sender_id, self.domain.slots, window_turns=self.window_turns)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        try:
            return self._retrieve_once(sender_id)
        except (sa.exc.OperationalError, self.engine.dialect.dbapi.OperationalError) as error:
            # The database just came back (a restart): the read is tried again once, then the error stands.
            logger.warning("tracker store read failed, trying again once: %s", error)
            await asyncio.sleep(1.0)
            return self._retrieve_once(sender_id)

    def _retrieve_once(self, sender_id: str) -> Optional[DialogueStateTracker]:
        cached = self._cache.pop(sender_id, None)
        with self._driver() as (_, cursor):
            cursor.execute(self._sql["rows_of"], (sender_id,))
            count, last_id = cursor.fetchone()
            tracker = self._from_cache(cursor, sender_id, cached, count, last_id) if cached else None
        if tracker is None and count:
            with self.session_scope() as session:
                tracker = self._load(session, sender_id)
        if tracker is not None:
            tracker.saved = tracker.total_events
            tracker.trim()
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not isinstance(tracker, WindowedTracker):  # e.g. a tracker replaced through the HTTP API
            self._cache.pop(tracker.sender_id, None)
            await super().save(tracker)
            return
        new_events = tracker.unsaved_events()
        datas = [self.stored_event_data(event) for event in new_events]
        redacting = type(self).stored_event_data is not FastSQLTrackerStore.stored_event_data
        as_is = not redacting or all(data == event.as_dict() for data, event in zip(datas, new_events))
        rows = [self._row(tracker.sender_id, event, data) for event, data in zip(new_events, datas)]
        with self._driver() as (connection, cursor):
            if rows:
                cursor.executemany(self._sql["insert"], rows)
            cursor.execute(self._sql["rows_of"], (tracker.sender_id,))
            count, last_id = cursor.fetchone()
            connection.commit()
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        tracker.saved = tracker.total_events
        tracker.trim()
        if as_is:
            self._remember(tracker, count, last_id)
        else:
            self._cache.pop(tracker.sender_id, None)

    def stored_event_data(self, event: Event) -> dict:
        """What is stored for an event (a redacting store overrides this)."""
        return event.as_dict()

    # --- helpers ---------------------------------------------------------------------------------------------------
    def _remember(self, tracker: WindowedTracker, count: int, last_id: int) -> None:
        self._cache[tracker.sender_id] = (tracker, count, last_id)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    @staticmethod
    def _row(sender_id: str, event: Event, data: dict) -> tuple:
        intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
        return sender_id, event.type_name, data.get("timestamp"), intent, data.get("name"), json.dumps(data)

    def _from_cache(self, cursor, sender_id: str, cached, count: int, last_id: Optional[int]):
        tracker, cached_count, cached_last = cached
        if tracker.total_events != tracker.saved:  # changed after it was saved: not what the table holds
            return None
        if (count, last_id) == (cached_count, cached_last):
            return tracker
        if last_id is None or count <= cached_count or last_id <= cached_last:
            return None  # rows were deleted
        cursor.execute(self._sql["rows_after"], (sender_id, cached_last))
        rows = cursor.fetchall()
        if len(rows) != count - cached_count:
            return None  # rows were deleted as well as added
        events = deserialise_events([json.loads(data) for (data,) in rows])
        if any(isinstance(event, SessionStarted) for event in events):
            return None  # a new session: Rasa loads from its start
        for event in events:  # turns another node answered
            tracker.update(event)
        return tracker

    def _load(self, session, sender_id: str) -> Optional[WindowedTracker]:
        rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        if not rows or not self.domain:
            return None
        tracker = self.init_tracker(sender_id)
        for event in deserialise_events([json.loads(row.data) for row in rows]):
            tracker.update(event)
        return tracker
