"""Telegram bridge against a fake Bot API and a fake Rasa REST server (real HTTP on 127.0.0.1, no Rasa needed).

Run: .venv/bin/python -m pytest tests/channels/test_telegram_bridge.py -q
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.channels.common import message, split_text, utf16_len
from bot.channels.telegram_bridge import ButtonMap, normalize_api_base
from tests.channels.conftest import (
    MARKER,
    TOKEN,
    all_sent_before_marker,
    bridge_settings,
    free_port,
    running_bridge,
    wait_until,
)
from tests.fakes.rasa_rest import DOSSIER_TEXT, PROCEDURE_TEXT

ROOT = Path(__file__).resolve().parents[2]


def keyboard_of(call) -> list:
    return json.loads(call.params["reply_markup"])["inline_keyboard"]


@pytest.mark.asyncio
async def test_procedure_question_and_dossier_lookup(fake_telegram, fake_rasa):
    async with running_bridge(bridge_settings(fake_telegram, fake_rasa.url)):
        fake_telegram.text_update(501, "làm giấy khai sinh cần giấy tờ gì")
        await wait_until(lambda: len(fake_telegram.sent_texts(501)) >= 1)
        fake_telegram.text_update(501, "tra cứu hồ sơ 000.00.12.H29-261120-0001")
        await wait_until(lambda: len(fake_telegram.sent_texts(501)) >= 2)
        await all_sent_before_marker(fake_telegram, 501)  # a raw custom payload would arrive right after the text
    assert fake_telegram.sent_texts(501) == [PROCEDURE_TEXT, DOSSIER_TEXT]
    first = fake_rasa.messages()[0]
    assert first["sender"] == "telegram:501"
    assert first["message"] == "làm giấy khai sinh cần giấy tờ gì"
    assert first["metadata"]["chat_id"] == 501 and first["metadata"]["channel"] == "telegram"
    assert not any("procedure_answer" in t or "dossier_status" in t for t in fake_telegram.sent_texts())


@pytest.mark.asyncio
async def test_start_and_help_send_intents(fake_telegram, fake_rasa):
    async with running_bridge(bridge_settings(fake_telegram, fake_rasa.url)):
        fake_telegram.text_update(502, "/start")
        fake_telegram.text_update(502, "/help")
        await wait_until(lambda: len(fake_telegram.sent_texts(502)) >= 2)
    assert [m["message"] for m in fake_rasa.messages()] == ["/greet", "/ask_capabilities"]
    assert fake_telegram.sent_texts(502) == [
        "Xin chào! Tôi là trợ lý dịch vụ công.",
        "Tôi có thể hướng dẫn thủ tục và tra cứu hồ sơ.",
    ]


@pytest.mark.asyncio
async def test_buttons_become_inline_keyboard_and_callback_goes_to_rasa(fake_telegram, fake_rasa):
    long_payload = '/choose_procedure{"procedure_code":"1.001022","topic":"documents"}'
    assert len(("p:" + long_payload).encode()) > 64  # must travel through the mapping
    async with running_bridge(bridge_settings(fake_telegram, fake_rasa.url)):
        fake_telegram.text_update(503, "đăng ký kết hôn")
        [question] = await fake_telegram.await_method("sendMessage")
        rows = keyboard_of(question)
        assert [row[0]["text"] for row in rows] == [
            "Đăng ký kết hôn trong nước",
            "Đăng ký kết hôn có yếu tố nước ngoài",
        ]
        assert all(len(row[0]["callback_data"].encode()) <= 64 for row in rows)
        update = fake_telegram.callback_update(503, rows[1][0]["callback_data"])
        await wait_until(lambda: len(fake_telegram.sent_texts(503)) >= 2)
        answers = await fake_telegram.await_method("answerCallbackQuery")
    assert answers[0].params["callback_query_id"] == update["callback_query"]["id"]
    assert fake_rasa.messages()[-1]["message"] == long_payload
    assert fake_rasa.messages()[-1]["sender"] == "telegram:503"
    assert fake_telegram.sent_texts(503)[-1].startswith("Thủ tục đăng ký kết hôn có yếu tố nước ngoài")
    assert not any("procedure_choices" in t for t in fake_telegram.sent_texts())


@pytest.mark.asyncio
async def test_unknown_callback_data_is_answered_without_calling_rasa(fake_telegram, fake_rasa):
    async with running_bridge(bridge_settings(fake_telegram, fake_rasa.url)):
        fake_telegram.callback_update(504, "k:lost-after-restart")
        [answer] = await fake_telegram.await_method("answerCallbackQuery")
    assert answer.params.get("text") == message("button_expired")
    assert fake_rasa.messages() == []


@pytest.mark.asyncio
async def test_long_answer_is_split_at_line_boundaries(fake_telegram, fake_rasa):
    full = fake_rasa.canned["câu trả lời dài"][0]["text"]
    assert len(full) > 4096
    async with running_bridge(bridge_settings(fake_telegram, fake_rasa.url)):
        fake_telegram.text_update(505, "câu trả lời dài")
        await wait_until(lambda: "\n".join(fake_telegram.sent_texts(505)) == full)
    parts = fake_telegram.sent_texts(505)
    assert len(parts) >= 2
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert all(p.startswith("Dòng thông tin") for p in parts)  # every part starts at a line start


@pytest.mark.asyncio
async def test_non_text_content_gets_polite_replies_and_groups_stay_quiet(fake_telegram, fake_rasa):
    t = fake_telegram
    async with running_bridge(bridge_settings(t, fake_rasa.url)):
        t.add_update(
            {"message": t.message(506, photo=[{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}])}
        )
        t.add_update(
            {
                "message": t.message(
                    506,
                    sticker={
                        "file_id": "s1",
                        "file_unique_id": "u2",
                        "width": 512,
                        "height": 512,
                        "is_animated": False,
                        "is_video": False,
                        "type": "regular",
                    },
                )
            }
        )
        t.add_update({"message": t.message(506, voice={"file_id": "v1", "file_unique_id": "u3", "duration": 2})})
        t.add_update({"message": t.message(506, location={"latitude": 10.77, "longitude": 106.7})})
        edited = t.message(506, "sửa lại câu hỏi")
        edited["edit_date"] = edited["date"] + 5
        t.add_update({"edited_message": edited})
        t.text_update(-1001, "xin chào mọi người", kind="group")
        t.text_update(-1002, "/start", kind="supergroup")
        t.text_update(506, "/lenhla")
        t.text_update(506, "xin chào")
        await wait_until(lambda: len(t.sent_texts(506)) >= 7)
        await all_sent_before_marker(t, 506)
    unsupported = message("unsupported_content")
    assert t.sent_texts(506) == [unsupported] * 4 + [
        message("edited_message"),
        message("unknown_command"),
        "Xin chào! Tôi là trợ lý dịch vụ công.",
    ]
    assert t.sent_texts(-1001) == []
    assert t.sent_texts(-1002) == [message("group_not_supported")]
    assert [m["message"] for m in fake_rasa.messages()] == ["xin chào", MARKER]


@pytest.mark.asyncio
async def test_chats_run_concurrently_and_each_chat_keeps_its_order(fake_telegram, fake_rasa):
    fake_rasa.delays = {"chậm": 1.0}
    async with running_bridge(bridge_settings(fake_telegram, fake_rasa.url)):
        fake_telegram.text_update(601, "chậm")
        fake_telegram.text_update(601, "nhanh")
        fake_telegram.text_update(602, "nhanh")
        started = time.monotonic()
        await wait_until(lambda: len(fake_telegram.sent_texts()) >= 3)
        elapsed = time.monotonic() - started
    order = [(int(c.params["chat_id"]), c.params["text"]) for c in fake_telegram.calls("sendMessage")]
    # Chat 602 was not held up by chat 601's slow answer; chat 601 kept its order.
    assert order.index((602, "Bạn vừa nói: nhanh")) < order.index((601, "Bạn vừa nói: chậm"))
    assert [text for chat, text in order if chat == 601] == ["Bạn vừa nói: chậm", "Bạn vừa nói: nhanh"]
    assert elapsed < 5


@pytest.mark.asyncio
async def test_rasa_down_gives_polite_message_after_bounded_retries(fake_telegram):
    dead = f"http://127.0.0.1:{free_port()}"
    async with running_bridge(bridge_settings(fake_telegram, dead)):
        fake_telegram.text_update(701, "xin chào")
        await wait_until(lambda: fake_telegram.sent_texts(701) == [message("rasa_down")])
        fake_telegram.text_update(701, "còn đó không")  # the bridge is still alive
        await wait_until(lambda: len(fake_telegram.sent_texts(701)) == 2)


@pytest.mark.asyncio
async def test_rasa_error_is_retried(fake_telegram, fake_rasa):
    fake_rasa.fail_times = 1
    async with running_bridge(bridge_settings(fake_telegram, fake_rasa.url)):
        fake_telegram.text_update(702, "xin chào")
        await wait_until(lambda: len(fake_telegram.sent_texts(702)) == 1)
    assert fake_telegram.sent_texts(702) == ["Xin chào! Tôi là trợ lý dịch vụ công."]
    assert len(fake_rasa.matching(lambda r: r.method == "POST")) == 2


@pytest.mark.asyncio
async def test_webhook_mode_checks_the_secret_token(fake_telegram, fake_rasa):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    settings = bridge_settings(
        fake_telegram, fake_rasa.url, webhook_url=url, webhook_secret="s3cret-Token_1", webhook_port=port
    )
    update = {"update_id": 99, "message": fake_telegram.message(801, "làm giấy khai sinh cần giấy tờ gì")}
    async with running_bridge(settings):
        [hook] = await fake_telegram.await_method("setWebhook")
        assert hook.params["url"] == url and hook.params["secret_token"] == "s3cret-Token_1"
        async with httpx.AsyncClient(trust_env=False) as client:
            forged = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            missing = await client.post(url, json=update)
            assert forged.status_code == missing.status_code == 403
            good = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
            assert good.status_code == 200
        await wait_until(lambda: fake_telegram.sent_texts(801) == [PROCEDURE_TEXT])
    assert len(fake_rasa.messages()) == 1
    assert fake_telegram.calls("getUpdates") == []


def test_module_entry_point_relays_and_stops_on_sigterm(fake_telegram, fake_rasa):
    health_port = free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": fake_telegram.url,
        "RASA_URL": fake_rasa.url,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_HEALTH_PORT": str(health_port),
    }
    env.pop("TELEGRAM_WEBHOOK_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.channels.telegram_bridge"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        fake_telegram.text_update(901, "tra cứu hồ sơ 000.00.12.H29-261120-0001")
        fake_telegram.wait_for_method("sendMessage", timeout=60)
        assert fake_telegram.sent_texts(901) == [DOSSIER_TEXT]
        assert httpx.get(f"http://127.0.0.1:{health_port}/health", trust_env=False).json() == {"status": "ok"}
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0].decode()
    assert proc.returncode == 0, output
    assert TOKEN not in output  # the token must not leak into logs


def test_split_text_prefers_line_boundaries():
    text = "a" * 10 + "\n" + "b" * 10 + "\n" + "c" * 25
    assert split_text(text, 22) == ["a" * 10 + "\n" + "b" * 10, "c" * 22, "c" * 3]
    assert split_text("một hai ba bốn", 8) == ["một hai", "ba bốn"]
    assert split_text("", 10) == []
    assert split_text("ngắn", 10) == ["ngắn"]


def test_button_map_and_api_base():
    buttons = ButtonMap()
    short = buttons.encode("/greet")
    long = buttons.encode("/choose" + "x" * 100)
    assert short == "p:/greet" and buttons.decode(short) == "/greet"
    assert long.startswith("k:") and len(long) <= 64 and buttons.decode(long) == "/choose" + "x" * 100
    assert buttons.decode("k:unknown") is None and buttons.decode("garbage") is None
    assert normalize_api_base("http://127.0.0.1:8081") == "http://127.0.0.1:8081/bot"
    assert normalize_api_base("https://api.telegram.org/bot") == "https://api.telegram.org/bot"
