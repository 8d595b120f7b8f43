"""FastSQLTrackerStore (bot/stack/fast_tracker.py) against Rasa's SQLTrackerStore on the same table.

Real SQLite files, and a throw-away PostgreSQL server (tests/servers.py). Two stores on one database stand for two
Rasa nodes; Rasa's own store reading the table is the reference for what a conversation's state must be.
"""

from __future__ import annotations

import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stack.fast_tracker import FastSQLTrackerStore
from bot.stack.windowed_tracker import WindowedTracker
from tests import servers
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory):
    with servers.postgres(tmp_path_factory.mktemp("pg")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """Keyword arguments for both stores: a SQLite file, or an empty `events` table on PostgreSQL."""
    if request.param == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    from urllib.parse import urlparse

    import psycopg2

    url = request.getfixturevalue("postgres_url")
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS events")
    parsed = urlparse(url)
    return {
        "dialect": "postgresql",
        "host": parsed.hostname,
        "port": parsed.port,
        "db": parsed.path.lstrip("/"),
        "username": parsed.username or "",
        "password": parsed.password or "",
    }


async def _turn(store, sender: str, number: int, extra: list | None = None) -> DialogueStateTracker:
    """One turn as Rasa's processor plays it: get or create the tracker, add the turn's events, save."""
    tracker = await store.get_or_create_tracker(sender)
    text = f"câu hỏi {number}"
    tracker.update(
        UserUttered(
            text,
            {"name": "ask_fee", "confidence": 0.9},
            [],
            {"intent": {"name": "ask_fee", "confidence": 0.9}, "entities": [], "text": text},
        )
    )
    for event in [
        ActionExecuted("action_answer_procedure"),
        BotUttered(f"trả lời {number}"),
        SlotSet("procedure_code", f"1.{number:06d}"),
        *(extra or []),
        ActionExecuted("action_listen"),
    ]:
        tracker.update(event)
    await store.save(tracker)
    return tracker


async def _reference(domain, database, sender):
    return await SQLTrackerStore(domain, **database).retrieve(sender)


def _same(mine: DialogueStateTracker, rasas: DialogueStateTracker) -> None:
    assert mine.current_state() == rasas.current_state()
    assert [e for e in mine.applied_events()] == rasas.applied_events()[-len(mine.applied_events()) :]


async def test_rows_are_those_of_rasas_store(domain, database, tmp_path):
    fast = FastSQLTrackerStore(domain, **database)
    for number in range(12):
        await _turn(fast, "a", number)
    # The same turns through Rasa's store into another SQLite file.
    rasa = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "reference.db"))
    for number in range(12):
        await _turn(rasa, "a", number)
    columns = "type_name, intent_name, action_name"
    with fast.engine.connect() as connection:
        mine = [tuple(row) for row in connection.exec_driver_sql(f"SELECT {columns} FROM events ORDER BY id")]
    with sqlite3.connect(tmp_path / "reference.db") as connection:
        rasas = connection.execute(f"SELECT {columns} FROM events ORDER BY id").fetchall()
    assert mine == rasas and len(mine) == 1 + 12 * 5
    _same(await fast.retrieve("a"), await _reference(domain, database, "a"))


async def test_a_conversation_is_loaded_once_and_kept_small(domain, database):
    store = FastSQLTrackerStore(domain, window_turns=3, **database)
    first = await _turn(store, "a", 0)
    for number in range(1, 30):
        assert await _turn(store, "a", number) is first  # the same tracker, not read again
    assert isinstance(first, WindowedTracker) and first.dropped > 0
    assert sum(isinstance(e, UserUttered) for e in first.events) <= 3
    _same(await store.retrieve("a"), await _reference(domain, database, "a"))


async def test_two_nodes_take_turns_on_one_conversation(domain, database):
    node_a, node_b = FastSQLTrackerStore(domain, **database), FastSQLTrackerStore(domain, **database)
    kept = await _turn(node_a, "a", 0)
    for number in range(1, 16):
        node = node_a if number % 2 == 0 else node_b
        tracker = await _turn(node, "a", number)
        if node is node_a:
            assert tracker is kept  # node A applied node B's turn to the tracker it had
        _same(tracker, await _reference(domain, database, "a"))
    assert [e.text for e in (await node_b.retrieve("a")).events if isinstance(e, UserUttered)][-1] == "câu hỏi 15"


async def test_deleted_rows_and_new_sessions_elsewhere_are_read_from_the_table(domain, database):
    node_a, node_b = FastSQLTrackerStore(domain, **database), FastSQLTrackerStore(domain, **database)
    for number in range(4):
        await _turn(node_a, "a", number)
    with node_b.engine.begin() as connection:  # e.g. `python -m bot.privacy forget a`
        connection.exec_driver_sql("DELETE FROM events WHERE sender_id = 'a'")
    assert await node_a.retrieve("a") is None
    await _turn(node_a, "a", 10)
    # Node B starts a new session for the same conversation.
    tracker = await node_b.retrieve("a")
    for event in [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("procedure_code", "9.9"),
        ActionExecuted("action_listen"),
    ]:
        tracker.update(event)
    await node_b.save(tracker)
    mine = await node_a.retrieve("a")
    _same(mine, await _reference(domain, database, "a"))
    assert mine.get_slot("procedure_code") == "9.9" and not any(isinstance(e, UserUttered) for e in mine.events)


async def test_a_tracker_changed_after_saving_is_not_handed_out_again(domain, database):
    store = FastSQLTrackerStore(domain, **database)
    tracker = await _turn(store, "a", 0)
    tracker.update(SlotSet("procedure_code", "never saved"))
    again = await store.retrieve("a")
    assert again is not tracker and again.get_slot("procedure_code") == "1.000000"


async def test_a_tracker_is_handed_out_once(domain, database):
    store = FastSQLTrackerStore(domain, **database)
    await _turn(store, "a", 0)
    first, second = await store.retrieve("a"), await store.retrieve("a")
    assert first is not second and first.current_state() == second.current_state()


async def test_a_store_that_rewrites_events_is_not_cached(domain, database):
    class Masking(FastSQLTrackerStore):
        def stored_event_data(self, event):
            data = super().stored_event_data(event)
            return {**data, "text": "[ẩn]"} if data.get("event") == "user" else data

    store = Masking(domain, **database)
    tracker = await _turn(store, "a", 0)
    again = await store.retrieve("a")
    assert again is not tracker
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["[ẩn]"]


async def test_a_replaced_tracker_is_saved_as_rasa_does(domain, database):
    store = FastSQLTrackerStore(domain, **database)
    await _turn(store, "a", 0)
    replaced = DialogueStateTracker.from_events("a", list((await store.retrieve("a")).events), domain.slots)
    replaced.update(SlotSet("procedure_code", "from the HTTP API"))
    await store.save(replaced)
    assert (await store.retrieve("a")).get_slot("procedure_code") == "from the HTTP API"


async def test_the_cache_holds_at_most_cache_size_conversations(domain, database):
    store = FastSQLTrackerStore(domain, cache_size=2, **database)
    kept = {sender: await _turn(store, sender, 0) for sender in "abc"}
    assert await store.retrieve("a") is not kept["a"]  # the oldest went out
    assert await store.retrieve("c") is kept["c"]


def test_sqlite_writes_ahead(domain, tmp_path):
    store = FastSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
