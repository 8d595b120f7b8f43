"""With REDIS_URL, channel state is shared by every process: a Zalo event delivered to two Rasa servers is
answered once, buttons shown by one are picked on the other, Telegram long payloads decode in another bridge."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.common import BoundedStore
from bot.channels.shared_state import RedisStore, shared_store
from bot.channels.telegram_bridge import ButtonMap
from bot.channels.zalo import ZaloInput
from bot.stack.processes import free_port
from tests import servers
from tests.channels.test_zalo_channel import (  # noqa: F401 - fixtures
    USER,
    CannedRasa,
    fake_zalo,
    post_event,
    sanic_test_mode,
    serve_channel,
    settings_for,
    text_event,
)


@pytest.fixture
def redis_url(tmp_path, monkeypatch):
    with servers.redis(tmp_path / "redis") as url:
        monkeypatch.setenv("REDIS_URL", url)
        yield url


def test_in_memory_without_redis(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(shared_store("x", 10), BoundedStore)


@pytest.mark.asyncio
async def test_zalo_state_is_shared_by_two_servers(fake_zalo, tmp_path, redis_url):  # noqa: F811 - fixture
    first, second = ZaloInput(settings_for(fake_zalo, tmp_path)), ZaloInput(settings_for(fake_zalo, tmp_path))
    assert isinstance(first.seen, RedisStore)
    rasa_one, rasa_two = CannedRasa(), CannedRasa()
    async with serve_channel(first, rasa_one) as url_one, serve_channel(second, rasa_two) as url_two:
        event = text_event("xin chào", msg_id="dup-across-nodes")
        results = await asyncio.gather(post_event(url_one, event), post_event(url_two, event))
        assert all(r.status == 200 for r in results)
        await first.wait_idle()
        await second.wait_idle()
        assert len(rasa_one.received) + len(rasa_two.received) == 1
        # Buttons shown through the first server, "2" received by the second.
        await post_event(url_one, text_event("đăng ký kết hôn"))
        await first.wait_idle()
        await post_event(url_two, text_event("2"))
        await second.wait_idle()
    assert rasa_two.received[-1].text.startswith("/choose_procedure")


def test_telegram_long_payloads_decode_in_another_bridge(redis_url):
    payload = '/choose_procedure{"procedure_code":"1.001022","topic":"documents","note":"' + "x" * 80 + '"}'
    data = ButtonMap().encode(payload)
    assert data.startswith("k:")
    assert ButtonMap().decode(data) == payload


def test_redis_down_degrades_without_raising():
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", "down")
    assert store.get("k") is None
    store.put("k", [1])
    assert store.add_if_absent("k", True) is True
