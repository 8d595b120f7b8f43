"""End-to-end: a Telegram user files a complaint; an operator marks it handled with
`python -m bot.ops.complaints handle`; the citizen gets the notice in the Telegram chat (fake Bot API), once.

Real Rasa server + action server (session fixture `rasa_server`), the real bridge code against the fake Bot API.
Run: .venv/bin/python -m pytest tests/channels/test_complaint_notice_e2e.py -q -m rasa
"""

from __future__ import annotations

import json
import random
import time

import pytest

from bot.ops.complaints import ComplaintStore
from bot.ops.db import engine
from tests.channels.conftest import all_sent_before_command, bridge_settings, free_port, running_bridge
from tests.channels.test_notify_e2e import run_module
from tests.privacy.test_e2e import found_in_files


@pytest.mark.rasa
@pytest.mark.asyncio
async def test_telegram_citizen_is_told_when_the_complaint_is_handled(rasa_server, fake_telegram):
    ops_db = str(rasa_server.settings.var_dir / "ops.sqlite")
    chat_id = 616000000 + int(time.time()) % 100000
    side_port = free_port()
    settings = bridge_settings(
        fake_telegram, rasa_server.url, rasa_timeout=60.0, health_port=side_port, notify_token=rasa_server.token
    )
    phone = "03" + "".join(random.choices("0123456789", k=8))
    env = {
        "RASA_URL": rasa_server.url,
        "RASA_TOKEN": rasa_server.token,
        "TELEGRAM_BRIDGE_URL": f"http://127.0.0.1:{side_port}",
    }
    async with running_bridge(settings):
        for text in (
            "tôi muốn phản ánh cán bộ hướng dẫn không rõ",
            "Không có mã hồ sơ",
            "Cán bộ bảo tôi nộp bản sao nhưng lên lại bắt bản chính",
            "Đồng ý",
            f"sđt {phone}",
        ):
            fake_telegram.text_update(chat_id, text)
            await all_sent_before_command(fake_telegram, chat_id)  # the whole answer, before the next message
        sent = fake_telegram.sent_texts(chat_id)
        receipt = next(t for t in sent if "Mã phản ánh" in t)
        reference = receipt.split("Mã phản ánh: ")[1].split()[0]
        stored = ComplaintStore(engine(ops_db)).get(reference)
        assert stored.category == "wrong_guidance" and stored.contact == phone and stored.channel == "telegram"
        before = len(sent)

        out = json.loads(
            await run_module(
                "bot.ops.complaints",
                "--db",
                ops_db,
                "handle",
                reference,
                "--note",
                "Phường đã nhắc cán bộ, bạn chỉ cần bản sao.",
                env=env,
            )
        )
        assert out["notified"] is True and out["pending_notices"] == 0
        told = "\n".join(fake_telegram.sent_texts(chat_id)[before:])
        tracker = rasa_server.tracker(f"telegram:{chat_id}")  # the citizen's own conversation got it
        assert any(e.get("name") == "action_complaint_handled" for e in tracker["events"])
        assert reference in told and "đã được xử lý" in told and "chỉ cần bản sao" in told
        assert json.loads(await run_module("bot.ops.complaints", "--db", ops_db, "notify", env=env)) == {
            "delivered": 0,
            "pending": 0,
        }
        await all_sent_before_command(fake_telegram, chat_id)  # anything still on its way to the chat is there
    assert "\n".join(fake_telegram.sent_texts(chat_id)[before:]) == told  # told once
    every_answer = "\n".join(fake_telegram.sent_texts(chat_id))
    assert phone not in every_answer.replace(" ", "").replace(".", "")
    assert found_in_files(rasa_server.settings.var_dir / "log", [phone, phone[1:]]) == []
