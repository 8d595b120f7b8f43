"""What reaches the tracker store (SQLite and PostgreSQL): no identifier; purge and forget keep the totals."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import database
from tests.privacy.conftest import store_for

IDENTIFIERS = ["079123456789", "0912345678", "0912.345.678", "an.nguyen@gmail.com", "4111 1111 1111 1111"]
MESSAGE = "số cccd của tôi là 079123456789, sđt 0912345678, mail an.nguyen@gmail.com, tôi muốn hỏi hồ sơ"
CODE = "000.00.12.H29-261102-0002"


def _user(text: str, at: float, channel: str = "rest", intent: str = "check_dossier_status") -> UserUttered:
    parse = {
        "intent": {"name": intent, "confidence": 1.0},
        "text": text,
        "entities": [{"entity": "dossier_code", "value": text, "start": 0, "end": len(text)}],
    }
    return UserUttered(text, parse["intent"], parse["entities"], parse, timestamp=at, input_channel=channel)


def _conversation(sender: str, turns: list[tuple[str, float]], channel: str = "rest") -> DialogueStateTracker:
    events = [
        ActionExecuted("action_session_start", timestamp=turns[0][1]),
        SessionStarted(timestamp=turns[0][1]),
        ActionExecuted("action_listen", timestamp=turns[0][1]),
    ]
    for text, at in turns:
        events += [
            _user(text, at, channel),
            BotUttered(f"Bạn vừa gửi: {text}", timestamp=at),
            SlotSet("dossier_code", text, timestamp=at),
            ActionExecuted("action_listen", timestamp=at),
        ]
    return DialogueStateTracker.from_events(sender, events)


def _rows(url: str) -> list[tuple]:
    with sa.create_engine(url).connect() as connection:
        return connection.execute(sa.text("SELECT sender_id, type_name, data FROM events ORDER BY id")).fetchall()


async def test_no_identifier_is_stored_but_dossier_codes_are(database_url, domain):
    store = store_for(database_url, domain)
    now = dt.datetime.now().timestamp()
    await store.save(_conversation("telegram:42", [(MESSAGE, now), (f"hồ sơ {CODE} thẻ 4111 1111 1111 1111", now)]))
    rows = _rows(database_url)
    assert len(rows) == 11
    dump = "\n".join(json.dumps(json.loads(data), ensure_ascii=False) for _, _, data in rows)
    for identifier in IDENTIFIERS:
        assert identifier not in dump
    assert "[CCCD]" in dump and "[SĐT]" in dump and "[EMAIL]" in dump and "[THẺ]" in dump
    assert CODE in dump  # dossier codes are not personal data: they stay usable
    tracker = await store.retrieve("telegram:42")
    texts = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert texts[0] == "số cccd của tôi là [CCCD], sđt [SĐT], mail [EMAIL], tôi muốn hỏi hồ sơ"
    assert tracker.get_slot("dossier_code") == f"hồ sơ {CODE} thẻ [THẺ]"
    # The next turn appends after what is stored (the count of stored events is unchanged by redaction).
    tracker.update(_user("cảm ơn", now))
    await store.save(tracker)
    assert len(_rows(database_url)) == 12


async def test_a_turn_that_ran_the_deletion_deletes_the_conversation(database_url, domain):
    store = store_for(database_url, domain)
    now = dt.datetime.now().timestamp()
    await store.save(_conversation("web:a", [("xin chào", now)]))
    await store.save(_conversation("web:b", [("xin chào", now)]))
    tracker = await store.retrieve("web:a")
    tracker.update(_user("có", now, intent="affirm"))
    tracker.update(ActionExecuted("action_forget_me", timestamp=now))
    tracker.update(BotUttered("Đã xóa", timestamp=now))
    await store.save(tracker)
    assert {sender for sender, _, _ in _rows(database_url)} == {"web:b"}
    assert await store.retrieve("web:a") is None  # the next message starts a fresh conversation
    engine = database.engine_for(database_url)
    assert sum(m for (day, channel), (c, m) in database.totals(engine).items()) == 3  # still counted


async def test_purge_and_forget_keep_the_totals(database_url, domain):
    store = store_for(database_url, domain)
    engine = database.engine_for(database_url)
    now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=database.VIETNAM)
    old, recent = (now - dt.timedelta(days=120)).timestamp(), (now - dt.timedelta(days=3)).timestamp()
    await store.save(_conversation("telegram:1", [("a", old), ("b", old + 60), ("c", recent)], channel="rest"))
    await store.save(_conversation("zalo:2", [("a", old)], channel="zalo"))
    await store.save(_conversation("web:3", [("a", recent), ("b", recent + 1)]))
    await store.save(_conversation("web:4", [("a", old), ("b", recent)]))
    before = database.totals(engine)
    old_day = database.day_of(old)
    assert before[(old_day, "telegram")] == (1, 2) and before[(old_day, "zalo")] == (1, 1)
    assert before[(old_day, "web")] == (1, 1) and before[(database.day_of(recent), "web")] == (2, 3)

    result = database.purge(engine, 90, now=now)
    assert result["conversations"] == 3  # telegram:1, zalo:2 and web:4 had events of the old day
    assert database.totals(engine) == before
    kept = {sender: database.events_of(engine, sender) for sender in ("telegram:1", "web:3", "web:4")}
    assert [e["text"] for e in kept["telegram:1"] if e["event"] == "user"] == ["c"]
    assert [e["text"] for e in kept["web:3"] if e["event"] == "user"] == ["a", "b"]  # untouched
    assert all(e["timestamp"] >= recent for events in kept.values() for e in events)
    assert database.events_of(engine, "zalo:2") == []  # only old events: all gone

    web4 = database.events_of(engine, "web:4")
    web3 = database.events_of(engine, "web:3")
    assert database.forget(engine, "web:3") == len(web3)
    assert database.events_of(engine, "web:3") == [] and database.events_of(engine, "web:4") == web4
    assert database.totals(engine) == before
    # Purging again changes nothing: figures are folded once.
    database.purge(engine, 90, now=now)
    assert database.totals(engine) == before


def test_cutoff_is_a_vietnam_midnight():
    now = dt.datetime(2026, 11, 30, 1, 30, tzinfo=dt.timezone.utc)  # 08:30 in Vietnam
    assert database.cutoff(90, now) == dt.datetime(2026, 9, 1, 0, 0, tzinfo=database.VIETNAM)
