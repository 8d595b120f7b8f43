"""Fixtures for the channel tests: fake Telegram / Zalo / Rasa servers on 127.0.0.1 and a running bridge."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from typing import AsyncIterator, Iterator

import pytest

from bot.channels.telegram_bridge import Settings, serve
from bot.stack.processes import free_port  # noqa: F401 (the channel tests import it from here)
from tests.fakes.rasa_rest import FakeRasaRest
from tests.fakes.telegram_api import FakeTelegramApi

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


async def all_sent_before_marker(fake_telegram, chat_id: int) -> None:
    """Wait on an event instead of sleeping: the bridge answers one chat's updates in order, so once the reply to a
    marker message has arrived, everything the earlier updates caused has arrived too. The marker and its reply
    are then taken out of the chat's record, so tests compare only what they sent."""
    before = len(fake_telegram.sent_texts(chat_id))
    fake_telegram.text_update(chat_id, MARKER)
    await wait_until(lambda: any(MARKER in text for text in fake_telegram.sent_texts(chat_id)[before:]))
    fake_telegram.forget_marker(chat_id, MARKER)
