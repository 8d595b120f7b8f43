"""Issue 16 over the real stack: REST, Telegram (bridge + fake Bot API), Zalo (signed webhooks + fake OA API).

A message with a CCCD, a phone number and an e-mail is answered with "not needed, not kept" and the rest of the
question, and afterwards none of the three is found in any file under the stack's var/ (SQLite tracker store,
subscriptions, feedback, logs) nor in the PostgreSQL tracker store.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
import uuid
from pathlib import Path

import aiohttp
import psycopg2
import pytest
import requests

from bot.privacy import database
from bot.stack import ephemeral
from tests import servers
from tests.channels.conftest import (
    all_sent_before_command,
    bridge_settings,
    running_bridge,
    wait_until,
    zalo_answers_so_far,
    zalo_event,
    zalo_headers,
)
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.rasa

NOT_KEPT = "Mình không cần số CCCD, số điện thoại và địa chỉ email của bạn và không lưu lại"
ASK_CODE = "Bạn vui lòng cho biết mã hồ sơ"
NOTICE = "Quyền riêng tư: Trợ lý lưu nội dung trò chuyện"


def personal_message() -> tuple[str, list[str]]:
    """The issue's message with identifiers unique to this test; returns it and the strings to look for."""
    cccd = "079" + "".join(random.choices("0123456789", k=9))
    phone = "09" + "".join(random.choices("0123456789", k=8))
    email = f"an.{uuid.uuid4().hex[:10]}@gmail.com"
    typed_phone = f"{phone[:4]}.{phone[4:7]}.{phone[7:]}"
    text = (
        f"số cccd của tôi là {cccd[:3]} {cccd[3:6]} {cccd[6:9]} {cccd[9:]}, sđt {typed_phone}, "
        f"email {email}, tôi muốn hỏi hồ sơ"
    )
    return text, [cccd, cccd[3:], phone, phone[1:], typed_phone, email, email.split("@")[0]]


def found_in_files(folder: Path, needles: list[str]) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path}: {n}" for n in needles if n.encode() in data]
    return hits


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages if m.get("text")]


def _assert_answered(answer: list[str], first_time: bool = True) -> None:
    """Not kept, then the rest of the question answered (which dossier?), then, to a new person, the notice."""
    assert answer[0].startswith(NOT_KEPT), answer
    assert answer[1].startswith(ASK_CODE), answer
    if first_time:
        assert answer[2].startswith("\U0001f512 " + NOTICE) and "90 ngày" in answer[2] and len(answer) == 3


def test_rest_not_kept_then_the_answer_then_the_notice(rasa_server):
    sender = rasa_server.new_sender()
    text, needles = personal_message()
    answer = texts(rasa_server.rest(sender, text))
    _assert_answered(answer)
    # The conversation goes on: the form asked for the code and takes it.
    follow = texts(rasa_server.rest(sender, "000.00.12.H29-261102-0002"))
    assert NOTICE not in "\n".join(follow) and "000.00.12.H29-261102-0002" in "\n".join(follow)
    assert found_in_files(rasa_server.settings.var_dir, needles) == []
    with sqlite3.connect(rasa_server.settings.var_dir / "tracker.db") as connection:
        stored = [
            json.loads(d)
            for (d,) in connection.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
            )
        ]
    assert stored[0]["text"].startswith("số cccd của tôi là [CCCD], sđt [SĐT], email [EMAIL]")
    assert stored[0]["parse_data"]["personal_data"] == ["CCCD", "SĐT", "EMAIL"]
    assert stored[1]["text"] == "000.00.12.H29-261102-0002"  # dossier codes are kept


def test_identifiers_while_a_form_waits_for_the_code(rasa_server):
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "tra cứu hồ sơ")
    answer = texts(rasa_server.rest(sender, "sđt của tôi 0912 345 678"))
    assert answer[0].startswith("Mình không cần số điện thoại của bạn")
    assert "Mình chưa thấy mã hồ sơ" in answer[1] and answer[-1].startswith(ASK_CODE)  # the form goes on


@pytest.mark.asyncio
async def test_telegram(rasa_server, fake_telegram):
    text, needles = personal_message()
    chat_id = 525252000 + int(time.time()) % 1000
    async with running_bridge(bridge_settings(fake_telegram, rasa_server.url, rasa_timeout=60.0)):
        fake_telegram.text_update(chat_id, text)
        await all_sent_before_command(fake_telegram, chat_id)  # the whole answer, and nothing more, is there
        sent = fake_telegram.sent_texts(chat_id)
    _assert_answered(sent)
    assert found_in_files(rasa_server.settings.var_dir, needles) == []


@pytest.mark.asyncio
async def test_zalo(rasa_server):
    fake = rasa_server.zalo_api
    text, needles = personal_message()
    user = f"77{int(time.time() * 1000)}"
    url = f"{rasa_server.url}/webhooks/zalo/webhook"
    async with aiohttp.ClientSession() as session:
        body = zalo_event(user, text)
        async with session.post(url, data=body, headers=zalo_headers(body)) as response:
            assert response.status == 200
        sent = await zalo_answers_so_far(session, url, fake, user)
    _assert_answered(sent)
    assert found_in_files(rasa_server.settings.var_dir, needles) == []


def test_notice_on_request_and_only_once_otherwise(rasa_server):
    sender = rasa_server.new_sender()
    first = texts(rasa_server.rest(sender, "xin chào"))
    assert first[0].startswith("Xin chào") and first[1].startswith("\U0001f512 " + NOTICE) and len(first) == 2
    assert NOTICE not in "\n".join(texts(rasa_server.rest(sender, "cảm ơn")))
    for asked in ("/quyen-rieng-tu", "dữ liệu của tôi được dùng thế nào"):
        assert texts(rasa_server.rest(sender, asked))[0].startswith("\U0001f512 " + NOTICE)


def test_delete_my_data_in_the_chat(rasa_server):
    sender = rasa_server.new_sender()
    other = rasa_server.new_sender()
    rasa_server.rest(other, "xin chào")
    rasa_server.rest(sender, "tra cứu hồ sơ 000.00.12.H29-261102-0002")
    assert "theo dõi" in "\n".join(texts(rasa_server.rest(sender, "báo cho tôi khi có kết quả"))).lower()
    asked = rasa_server.rest(sender, "xóa dữ liệu của tôi")
    assert [b["title"] for b in asked[0]["buttons"]] == ["Có, xóa", "Không"]
    kept = texts(rasa_server.rest(sender, "không"))  # typed answer: nothing deleted
    assert kept[0].startswith("Đã hủy")
    rasa_server.rest(sender, "xóa dữ liệu của tôi")
    done = texts(rasa_server.rest(sender, "/affirm"))  # the "Có, xóa" button
    assert done[0].startswith("Đã xóa nội dung trò chuyện của bạn và 1 đăng ký theo dõi hồ sơ")
    engine = database.engine_for(str(rasa_server.settings.var_dir / "tracker.db"))
    assert database.events_of(engine, sender) == [] and database.events_of(engine, other) != []
    with sqlite3.connect(rasa_server.settings.var_dir / "dossier_subscriptions.sqlite") as connection:
        assert (
            connection.execute("SELECT count(*) FROM dossier_subscriptions WHERE sender_id = ?", (sender,)).fetchone()[
                0
            ]
            == 0
        )
    again = texts(rasa_server.rest(sender, "xin chào"))  # a fresh start, notice included
    assert again[0].startswith("Xin chào") and NOTICE in again[1]


def test_postgresql_tracker_store_keeps_no_identifier(tmp_path):
    text, needles = personal_message()
    with servers.postgres(tmp_path / "pg") as database_url:
        cfg = ephemeral.ephemeral_settings(tmp_path / "var", REPO_ROOT / "models", database_url=database_url)
        with ephemeral.build(cfg):
            response = requests.post(
                f"{cfg.rasa_url}/webhooks/rest/webhook", json={"sender": "pg-person", "message": text}, timeout=60
            )
            _assert_answered(texts(response.json()))
        with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
            tables = [name for (name,) in cursor.fetchall()]
            assert "events" in tables
            dump = []
            for table in tables:
                cursor.execute(f'SELECT * FROM "{table}"')
                dump += [str(row) for row in cursor.fetchall()]
            cursor.execute("SELECT count(*) FROM events WHERE sender_id = 'pg-person'")
            assert cursor.fetchone()[0] > 0
        joined = "\n".join(dump)
        assert [n for n in needles if n in joined] == []
        assert found_in_files(tmp_path / "var", needles) == []


def test_the_stack_runs_the_retention_purge(rasa_server):
    log = rasa_server.settings.var_dir / "log" / "privacy-retention.log"
    deadline = time.monotonic() + 60
    while "retention purge:" not in (log.read_text(errors="replace") if log.exists() else ""):
        assert time.monotonic() < deadline, f"no purge logged in {log}"
        time.sleep(0.2)


@pytest.mark.asyncio
async def test_telegram_privacy_command(rasa_server, fake_telegram):
    """Telegram treats "/quyen-rieng-tu" as a command (it sees "/quyen"); the bridge passes it on."""
    chat_id = 535353000 + int(time.time()) % 1000
    async with running_bridge(bridge_settings(fake_telegram, rasa_server.url, rasa_timeout=60.0)):
        fake_telegram.text_update(chat_id, "/quyen-rieng-tu")
        fake_telegram.text_update(chat_id, "/lenh_la")  # unknown: the bridge answers it itself, after the notice
        await wait_until(lambda: any("chưa hiểu lệnh này" in t for t in fake_telegram.sent_texts(chat_id)), 120)
        sent = fake_telegram.sent_texts(chat_id)
    assert len(sent) == 2 and sent[0].startswith("\U0001f512 " + NOTICE) and "chưa hiểu lệnh này" in sent[1]
