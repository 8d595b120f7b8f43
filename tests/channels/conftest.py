"""Fixtures for the channel tests: fake Telegram / Zalo / Rasa servers on 127.0.0.1 and a running bridge."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import time
import uuid
from typing import AsyncIterator, Iterator

import pytest

from bot.channels.common import message
from bot.channels.telegram_bridge import Settings, serve
from bot.channels.zalo import compute_signature
from bot.stack.processes import free_port  # noqa: F401 (the channel tests import it from here)
from tests.fakes.rasa_rest import FakeRasaRest
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.zalo_api import E2E_APP_ID, E2E_OA_SECRET_KEY

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi(TOKEN) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasaRest]:
    with FakeRasaRest() as server:
        yield server  # type: ignore[misc]


def bridge_settings(fake_telegram: FakeTelegramApi, rasa_url: str, **overrides) -> Settings:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": f"{fake_telegram.url}/bot",
            "RASA_URL": rasa_url,
            "RASA_RETRIES": "2",
            "RASA_RETRY_DELAY": "0.05",
            "RASA_TIMEOUT": "10",
            "TELEGRAM_POLL_TIMEOUT": "1",
        }
    )
    return dataclasses.replace(settings, **overrides)


@contextlib.asynccontextmanager
async def running_bridge(settings: Settings) -> AsyncIterator[None]:
    """Run the bridge (same code path as `python -m bot.channels.telegram_bridge`) inside the test loop."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


MARKER = "đánh dấu kết thúc"
UNKNOWN_COMMAND = "/danh_dau_ket_thuc"  # no such command: the bridge answers it itself, without Rasa


async def all_sent_before_marker(
    fake_telegram, chat_id: int, marker: str = MARKER, reply: str | None = None, timeout: float = 10.0
) -> None:
    """Wait on an event instead of sleeping: the bridge answers one chat's updates in order, so once the reply to a
    marker message has arrived, everything the earlier updates caused has arrived too. The marker's replies (those
    containing `reply`, by default the marker itself, as the fake Rasa echoes it) are then taken out of the chat's
    record, so tests compare only what they sent."""
    reply = reply or marker
    before = len(fake_telegram.sent_texts(chat_id))
    fake_telegram.text_update(chat_id, marker)
    await wait_until(lambda: any(reply in text for text in fake_telegram.sent_texts(chat_id)[before:]), timeout)
    fake_telegram.forget_marker(chat_id, reply)


async def all_sent_before_command(fake_telegram, chat_id: int, timeout: float = 120.0) -> None:
    """The same with the real Rasa behind the bridge: the marker is an unknown command, answered by the bridge in
    the chat's order without reaching Rasa, so the conversation is not changed by it."""
    await all_sent_before_marker(fake_telegram, chat_id, UNKNOWN_COMMAND, message("unknown_command"), timeout)


# ---- Zalo webhooks to the real Rasa server (its Zalo channel talks to the fake OA API `rasa_server.zalo_api`) ----
def zalo_event(user: str, text: str = "", name: str = "user_send_text") -> bytes:
    """A webhook body from `user`: a text message, or (no text) an event such as user_send_sticker."""
    message_part = {"text": text, "msg_id": uuid.uuid4().hex} if text else {"msg_id": uuid.uuid4().hex}
    event = {
        "app_id": E2E_APP_ID,
        "event_name": name,
        "sender": {"id": user},
        "recipient": {"id": "1"},
        "timestamp": str(int(time.time() * 1000)),
        "message": message_part,
    }
    return json.dumps(event, ensure_ascii=False).encode()


def zalo_headers(body: bytes, key: str = E2E_OA_SECRET_KEY) -> dict:
    """Signed as Zalo signs (with another key: a forged event)."""
    timestamp = json.loads(body)["timestamp"]
    return {
        "X-ZEvent-Signature": compute_signature(E2E_APP_ID, body, timestamp, key),
        "Content-Type": "application/json",
    }


async def zalo_answers_so_far(session, url: str, fake_zalo, user: str, timeout: float = 120.0) -> list[str]:
    """Everything sent to a Zalo user for their messages so far, waiting on an event instead of sleeping: the channel
    answers one user's messages in order, a sticker included ("text only", without Rasa), so once the reply to a
    sticker sent now has arrived, the answers to every earlier message have too. The stickers' replies are left out."""
    text_only = message("unsupported_content")
    before = fake_zalo.sent_texts(user).count(text_only)
    sticker = zalo_event(user, name="user_send_sticker")
    async with session.post(url, data=sticker, headers=zalo_headers(sticker)) as response:
        assert response.status == 200
    await wait_until(lambda: fake_zalo.sent_texts(user).count(text_only) > before, timeout)
    return [text for text in fake_zalo.sent_texts(user) if text != text_only]
