"""Dossier notifications on Telegram: the bridge's POST /notify and the notifier delivering through it.

Real HTTP on 127.0.0.1 only: the bridge runs in the test loop against the fake Bot API, the notifier talks to the
fake Rasa HTTP API (trigger_intent) and the reference dossier service in a thread. No Rasa needed.
Run: .venv/bin/python -m pytest tests/channels/test_notify.py -q
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import AsyncIterator, Iterator

import httpx
import pytest

from bot.dossier.client import DossierClient
from bot.dossier.notifier import INTENT, Notifier
from bot.dossier.settings import DossierSettings
from bot.dossier.store import DossierStore
from bot.dossier.subscriptions import SubscriptionStore
from bot.dossier.testing import running_service
from tests.channels.conftest import all_sent_before_marker, bridge_settings, free_port, running_bridge, wait_until
from tests.fakes.rasa_rest import TRIGGER_STATUS_TEXT, TRIGGER_TEXT

SECRET = "shared-rasa-token"
CODE = "000.00.12.H29-261102-0002"  # PROCESSING in the demo data of a fresh database
BUTTONS = [
    {"title": "Tra cứu hồ sơ khác", "payload": "/check_dossier_status"},
    {"title": "Hủy theo dõi", "payload": "/unsubscribe_dossier"},
]


@contextlib.asynccontextmanager
async def bridge_with_notify(fake_telegram, rasa_url: str, **overrides) -> AsyncIterator[str]:
    """A running bridge with its side server; yields the side server's base URL once /health answers."""
    port = free_port()
    settings = bridge_settings(fake_telegram, rasa_url, health_port=port, **{"notify_token": SECRET, **overrides})
    base = f"http://127.0.0.1:{port}"
    async with running_bridge(settings):
        async with httpx.AsyncClient(trust_env=False) as client:
            deadline = time.monotonic() + 15
            while True:
                try:
                    if (await client.get(f"{base}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError("bridge side server did not come up")
                await asyncio.sleep(0.05)
        yield base


async def post_notify(base: str, body, token: str | None = SECRET) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}".strip()} if token is not None else {}
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        if isinstance(body, (bytes, str)):
            return await client.post(f"{base}/notify", content=body, headers=headers)
        return await client.post(f"{base}/notify", json=body, headers=headers)


def text_message(text: str, **extra) -> dict:
    return {"recipient_id": "telegram:1", "text": text, **extra}


# ----- POST /notify -----
@pytest.mark.asyncio
async def test_notify_refuses_a_missing_or_wrong_token(fake_telegram, fake_rasa):
    body = {"sender": "telegram:701", "messages": [text_message("Hồ sơ đã có kết quả.")]}
    async with bridge_with_notify(fake_telegram, fake_rasa.url) as base:
        assert (await post_notify(base, body, token=None)).status_code == 401
        assert (await post_notify(base, body, token="wrong")).status_code == 401
        assert (await post_notify(base, body, token="")).status_code == 401
        async with httpx.AsyncClient(trust_env=False) as client:  # the token alone, without "Bearer"
            bare = await client.post(f"{base}/notify", json=body, headers={"Authorization": SECRET})
        assert bare.status_code == 401
    # A bridge without RASA_TOKEN pushes nothing, whatever the caller sends.
    async with bridge_with_notify(fake_telegram, fake_rasa.url, notify_token="") as base:
        assert (await post_notify(base, body, token="")).status_code == 401
        assert (await post_notify(base, body, token=SECRET)).status_code == 401
    assert fake_telegram.sent_texts() == []


@pytest.mark.asyncio
async def test_notify_refuses_a_sender_that_is_not_a_telegram_chat(fake_telegram, fake_rasa):
    messages = [text_message("Hồ sơ đã có kết quả.")]
    async with bridge_with_notify(fake_telegram, fake_rasa.url) as base:
        for sender in ("web:abc", "zalo:123", "telegram:", "telegram:12a", "telegram:12 ", "123", None):
            response = await post_notify(base, {"sender": sender, "messages": messages})
            assert response.status_code == 400, sender
        assert (await post_notify(base, {"sender": "telegram:1", "messages": "xin chào"})).status_code == 400
        assert (await post_notify(base, {"sender": "telegram:1", "messages": ["xin chào"]})).status_code == 400
        assert (await post_notify(base, b"{not json")).status_code == 400
        assert (await post_notify(base, [1, 2])).status_code == 400
    assert fake_telegram.sent_texts() == []


@pytest.mark.asyncio
async def test_notify_renders_text_buttons_and_skips_custom_payloads(fake_telegram, fake_rasa):
    long_text = "\n".join(f"Dòng {n}: hồ sơ đã được cập nhật tại bộ phận một cửa." for n in range(1, 151))
    assert len(long_text) > 4096
    messages = [
        text_message("Hồ sơ 000.00.12.H29-261102-0002 mà anh/chị theo dõi vừa được cập nhật:"),
        text_message("Hồ sơ đã có kết quả.", buttons=BUTTONS),
        {
            "recipient_id": "telegram:702",
            "custom": {"type": "dossier_status", "code": CODE, "status": "COMPLETED", "overdue": False},
        },
        text_message(long_text),
    ]
    async with bridge_with_notify(fake_telegram, fake_rasa.url) as base:
        response = await post_notify(base, {"sender": "telegram:702", "messages": messages})
        assert response.status_code == 200
        sent = fake_telegram.sent_texts(702)
        assert response.json() == {"sent": len(sent)}
        assert sent[:2] == [
            "Hồ sơ 000.00.12.H29-261102-0002 mà anh/chị theo dõi vừa được cập nhật:",
            "Hồ sơ đã có kết quả.",
        ]
        assert len(sent) >= 4 and "\n".join(sent[2:]) == long_text  # split at line breaks, nothing lost
        assert not any("dossier_status" in text for text in sent)
        with_keyboard = [c for c in fake_telegram.calls("sendMessage") if "reply_markup" in c.params]
        assert len(with_keyboard) == 1
        rows = json.loads(with_keyboard[0].params["reply_markup"])["inline_keyboard"]
        assert [row[0]["text"] for row in rows] == ["Tra cứu hồ sơ khác", "Hủy theo dõi"]
        # The buttons work like those of a normal answer: a press goes to Rasa as that conversation.
        fake_telegram.callback_update(702, rows[1][0]["callback_data"])
        await wait_until(lambda: len(fake_rasa.messages()) == 1)
    assert fake_rasa.messages()[0]["message"] == "/unsubscribe_dossier"
    assert fake_rasa.messages()[0]["sender"] == "telegram:702"


@pytest.mark.asyncio
async def test_notify_waits_for_the_reply_in_flight_and_keeps_its_own_order(fake_telegram, fake_rasa):
    fake_rasa.delays = {"chậm": 1.0}
    notice = [text_message("Thông báo 1"), text_message("Thông báo 2"), text_message("Thông báo 3")]
    async with bridge_with_notify(fake_telegram, fake_rasa.url) as base:
        fake_telegram.text_update(703, "chậm")
        await fake_telegram.await_method("sendChatAction")  # sent while the chat's lock is held: 703 is busy
        started = time.monotonic()
        busy, other = await asyncio.gather(
            post_notify(base, {"sender": "telegram:703", "messages": notice}),
            post_notify(base, {"sender": "telegram:704", "messages": [text_message("Chat khác")]}),
        )
        assert busy.status_code == other.status_code == 200
        assert busy.json() == {"sent": 3} and other.json() == {"sent": 1}
    order = [(int(c.params["chat_id"]), c.params["text"]) for c in fake_telegram.calls("sendMessage")]
    # The slow answer went out before the notification, which kept its order; chat 704 did not wait.
    assert [text for chat, text in order if chat == 703] == [
        "Bạn vừa nói: chậm",
        "Thông báo 1",
        "Thông báo 2",
        "Thông báo 3",
    ]
    assert order.index((704, "Chat khác")) < order.index((703, "Bạn vừa nói: chậm"))
    assert time.monotonic() - started < 10


@pytest.mark.asyncio
async def test_notify_gives_up_on_a_chat_that_stays_busy_without_sending(fake_telegram, fake_rasa):
    fake_rasa.delays = {"chậm": 1.5}
    async with bridge_with_notify(fake_telegram, fake_rasa.url, notify_wait=0.2) as base:
        fake_telegram.text_update(705, "chậm")
        await fake_telegram.await_method("sendChatAction")
        response = await post_notify(base, {"sender": "telegram:705", "messages": [text_message("Thông báo")]})
        assert response.status_code == 503 and response.json()["sent"] == 0
        await wait_until(lambda: fake_telegram.sent_texts(705) == ["Bạn vừa nói: chậm"])
        await all_sent_before_marker(fake_telegram, 705)
    assert fake_telegram.sent_texts(705) == ["Bạn vừa nói: chậm"]


@pytest.mark.asyncio
async def test_notify_reports_a_telegram_failure(fake_telegram, fake_rasa):
    fake_telegram.blocked_chats.add(706)
    async with bridge_with_notify(fake_telegram, fake_rasa.url) as base:
        response = await post_notify(base, {"sender": "telegram:706", "messages": [text_message("Thông báo")]})
        assert response.status_code == 502 and response.json()["sent"] == 0
        ok = await post_notify(base, {"sender": "telegram:707", "messages": [text_message("Thông báo")]})
        assert ok.status_code == 200  # the bridge goes on
    assert fake_telegram.sent_texts(707) == ["Thông báo"]


# ----- the notifier delivering through the bridge -----
@pytest.fixture
def dossiers(tmp_path) -> Iterator[tuple[str, DossierStore]]:
    db = tmp_path / "dossiers.sqlite"
    with running_service(db) as url:
        yield url, DossierStore(f"sqlite:///{db}")


def make_notifier(tmp_path, dossier_url: str, rasa_url: str, bridge_url: str | None) -> Notifier:
    settings = DossierSettings(
        api_url=dossier_url,
        connect_timeout=0.5,
        read_timeout=2.0,
        retries=1,
        backoff=0.05,
        total_budget=5.0,
        subscriptions_db=tmp_path / "subscriptions.sqlite",
    )
    return Notifier(
        SubscriptionStore(settings.subscriptions_db),
        DossierClient(settings),
        rasa_url,
        SECRET,
        timeout=5.0,
        telegram_bridge_url=bridge_url,
        bridge_timeout=10.0,
    )


def last_status(notifier: Notifier, sender: str) -> str | None:
    found = [s.last_status for s in notifier.subscriptions.for_sender(sender) if s.code == CODE]
    return found[0] if found else None


@pytest.mark.asyncio
async def test_notifier_sends_telegram_notifications_through_the_bridge_once(
    tmp_path, dossiers, fake_telegram, fake_rasa
):
    dossier_url, store = dossiers
    fake_rasa.token = SECRET
    async with bridge_with_notify(fake_telegram, fake_rasa.url) as bridge_url:
        notifier = make_notifier(tmp_path, dossier_url, fake_rasa.url, bridge_url)
        for sender, channel in (("telegram:801", "telegram"), ("zalo:77", "zalo"), ("web:abc", "rest")):
            notifier.subscriptions.subscribe(sender, channel, CODE, "PROCESSING")
        assert await asyncio.to_thread(notifier.run_once) == 0  # nothing changed yet
        store.update(CODE, status="SUPPLEMENT_REQUIRED", note="Bổ sung ảnh 4x6")
        assert await asyncio.to_thread(notifier.run_once) == 3
        assert fake_telegram.sent_texts(801) == [TRIGGER_TEXT, TRIGGER_STATUS_TEXT]
        assert await asyncio.to_thread(notifier.run_once) == 0  # same status: nothing more
        store.update(CODE, status="COMPLETED")
        assert await asyncio.to_thread(notifier.run_once) == 3
        assert await asyncio.to_thread(notifier.run_once) == 0
        await all_sent_before_marker(fake_telegram, 801)
    assert fake_telegram.sent_texts(801) == [TRIGGER_TEXT, TRIGGER_STATUS_TEXT] * 2
    assert fake_telegram.sent_texts() == fake_telegram.sent_texts(801)  # only to the subscribed chat
    triggers = fake_rasa.triggers()
    assert sorted(t["sender"] for t in triggers) == sorted(["telegram:801", "zalo:77", "web:abc"] * 2)
    assert all(t["body"] == {"name": INTENT, "entities": {"dossier_code": CODE}} for t in triggers)
    assert all(t["query"] == {"output_channel": "latest", "token": SECRET} for t in triggers)
    assert notifier.subscriptions.all() == []  # the final status ended every subscription


@pytest.mark.asyncio
async def test_notifier_keeps_telegram_notifications_while_the_bridge_cannot_deliver(
    tmp_path, dossiers, fake_telegram, fake_rasa
):
    dossier_url, store = dossiers
    dead_bridge = f"http://127.0.0.1:{free_port()}"
    notifier = make_notifier(tmp_path, dossier_url, fake_rasa.url, dead_bridge)
    notifier.subscriptions.subscribe("telegram:802", "telegram", CODE, "PROCESSING")
    notifier.subscriptions.subscribe("zalo:78", "zalo", CODE, "PROCESSING")
    store.update(CODE, status="SUPPLEMENT_REQUIRED")

    # Bridge down: Zalo is told, Telegram waits, and Rasa is not asked for it (no undelivered answers).
    assert await asyncio.to_thread(notifier.run_once) == 1
    assert last_status(notifier, "telegram:802") == "PROCESSING"
    assert last_status(notifier, "zalo:78") == "SUPPLEMENT_REQUIRED"
    assert [t["sender"] for t in fake_rasa.triggers()] == ["zalo:78"]
    # No bridge configured at all: the same.
    unset = make_notifier(tmp_path, dossier_url, fake_rasa.url, None)
    assert await asyncio.to_thread(unset.run_once) == 0
    assert last_status(notifier, "telegram:802") == "PROCESSING"

    fake_telegram.blocked_chats.add(802)
    async with bridge_with_notify(fake_telegram, fake_rasa.url) as bridge_url:
        up = make_notifier(tmp_path, dossier_url, fake_rasa.url, bridge_url)
        # Telegram refuses (502 from the bridge): not recorded.
        assert await asyncio.to_thread(up.run_once) == 0
        assert last_status(up, "telegram:802") == "PROCESSING"
        # The bridge refuses our token (401): not recorded.
        wrong = make_notifier(tmp_path, dossier_url, fake_rasa.url, bridge_url)
        wrong.rasa_token = "not-the-token"
        assert await asyncio.to_thread(wrong.run_once) == 0
        assert last_status(up, "telegram:802") == "PROCESSING"
        # Delivered at last: recorded once, then nothing more.
        fake_telegram.blocked_chats.clear()
        assert await asyncio.to_thread(up.run_once) == 1
        assert await asyncio.to_thread(up.run_once) == 0
        await all_sent_before_marker(fake_telegram, 802)
    assert last_status(up, "telegram:802") == "SUPPLEMENT_REQUIRED"
    # The refused attempt stopped at its first message; the delivery brought both.
    assert fake_telegram.sent_texts(802) == [TRIGGER_TEXT, TRIGGER_TEXT, TRIGGER_STATUS_TEXT]


def test_make_run_starts_the_bridge_before_the_notifier_and_tells_it_where(tmp_path):
    from bot.stack.ephemeral import ephemeral_settings
    from bot.stack.plan import services

    cfg = ephemeral_settings(tmp_path, tmp_path, telegram_token="123456:TEST-TOKEN")
    plan = {s.name: s for s in services(cfg, tmp_path / "model.tar.gz", "endpoints.yml", "credentials.yml")}
    names = list(plan)
    assert names.index("telegram-bridge") < names.index("dossier-notifier")
    bridge, notifier = plan["telegram-bridge"], plan["dossier-notifier"]
    assert bridge.env["TELEGRAM_HEALTH_PORT"] == str(bridge.port)
    assert notifier.env["TELEGRAM_BRIDGE_URL"] == f"http://127.0.0.1:{bridge.port}"
    assert notifier.env["RASA_TOKEN"] == bridge.env["RASA_TOKEN"] == cfg.rasa_token  # the /notify secret
    assert "TELEGRAM_BRIDGE_URL" not in plan["rasa"].env

    plain = {
        s.name: s
        for s in services(
            ephemeral_settings(tmp_path, tmp_path), tmp_path / "model.tar.gz", "endpoints.yml", "credentials.yml"
        )
    }
    assert "telegram-bridge" not in plain and "TELEGRAM_BRIDGE_URL" not in plain["dossier-notifier"].env
