"""Zalo OA channel: the real Sanic blueprint served over HTTP on 127.0.0.1, a fake Zalo OA API, canned answers.

on_new_message plays Rasa: it answers through message.output_channel.send_response() with the canned bot
messages of tests/fakes/rasa_rest.py, exactly as Rasa's agent would.
Run: .venv/bin/python -m pytest tests/channels/test_zalo_channel.py -q
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import stat
import time
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional

import aiohttp
import pytest
from sanic import Sanic

from bot.channels.common import message
from bot.channels.zalo import ZaloInput, ZaloSettings, compute_signature
from tests.channels.conftest import free_port
from tests.fakes.rasa_rest import CANNED, DOSSIER_TEXT, PROCEDURE_TEXT
from tests.fakes.zalo_api import FakeZaloApi

APP_ID = "1234567890123456789"
APP_SECRET = "app-secret-xyz"
OA_SECRET = "oa-secret-key-abc"
USER = "5566778899001122334"


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch):
    """Several Sanic apps start in one process here; test mode makes Sanic's start-up rewrite repeatable."""
    monkeypatch.setattr(Sanic, "test_mode", True)


@pytest.fixture
def fake_zalo():
    with FakeZaloApi(APP_ID, APP_SECRET, "access-0", "refresh-0") as server:
        yield server


def settings_for(fake_zalo: FakeZaloApi, tmp_path: Path, **overrides: Any) -> ZaloSettings:
    env = {
        "ZALO_APP_ID": APP_ID,
        "ZALO_APP_SECRET": APP_SECRET,
        "ZALO_OA_SECRET_KEY": OA_SECRET,
        "ZALO_ACCESS_TOKEN": "access-0",
        "ZALO_REFRESH_TOKEN": "refresh-0",
        "ZALO_API_BASE": fake_zalo.url,
        "ZALO_OAUTH_BASE": fake_zalo.url,
        "ZALO_TOKEN_FILE": str(tmp_path / "var" / "zalo_tokens.json"),
        "ZALO_MAX_EVENT_AGE_SECONDS": "300",
    }
    return ZaloSettings.load(overrides or None, env=env)


class CannedRasa:
    """Stands in for Rasa's agent.handle_message."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.received: List[Any] = []
        self.delay = delay
        self.fail = fail

    async def __call__(self, user_message: Any) -> None:
        self.received.append(user_message)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("model crashed")
        answers = CANNED.get(user_message.text, [{"text": f"Bạn vừa nói: {user_message.text}"}])
        for answer in answers:  # REST-shaped canned answers: drop recipient_id as Rasa's dispatcher would
            bot_message = {k: v for k, v in answer.items() if k != "recipient_id"}
            await user_message.output_channel.send_response(user_message.sender_id, bot_message)


@contextlib.asynccontextmanager
async def serve_channel(channel: ZaloInput, rasa: CannedRasa) -> AsyncIterator[str]:
    """Serve the channel blueprint with Sanic 21.12 in this loop, under /webhooks/zalo like rasa run does."""
    app = Sanic(f"zalo_test_{uuid.uuid4().hex}")
    app.blueprint(channel.blueprint(rasa), url_prefix="/webhooks/zalo")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.start_serving()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/zalo/webhook"
    finally:
        await channel.wait_idle()
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


def text_event(
    text: str,
    msg_id: Optional[str] = None,
    user: str = USER,
    timestamp: Optional[int] = None,
    event_name: str = "user_send_text",
) -> Dict[str, Any]:
    return {
        "app_id": APP_ID,
        "user_id_by_app": "9988",
        "event_name": event_name,
        "timestamp": str(timestamp if timestamp is not None else int(time.time() * 1000)),
        "sender": {"id": user},
        "recipient": {"id": "4455"},
        "message": {"text": text, "msg_id": msg_id or uuid.uuid4().hex},
    }


async def post_event(
    url: str,
    event: Dict[str, Any],
    secret: str = OA_SECRET,
    signature: Optional[str] = None,
    raw: Optional[bytes] = None,
) -> aiohttp.ClientResponse:
    body = raw if raw is not None else json.dumps(event, ensure_ascii=False).encode()
    sig = signature if signature is not None else compute_signature(APP_ID, body, event["timestamp"], secret)
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, data=body, headers={"X-ZEvent-Signature": sig, "Content-Type": "application/json"}
        ) as response:
            await response.read()
            return response


@pytest.mark.asyncio
async def test_procedure_question_and_dossier_lookup_are_answered(fake_zalo, tmp_path):
    channel, rasa = ZaloInput(settings_for(fake_zalo, tmp_path)), CannedRasa()
    async with serve_channel(channel, rasa) as url:
        r1 = await post_event(url, text_event("làm giấy khai sinh cần giấy tờ gì"))
        r2 = await post_event(url, text_event("tra cứu hồ sơ 000.00.12.H29-261120-0001"))
        assert r1.status == r2.status == 200
        await fake_zalo.await_for(lambda r: r.path == "/v3.0/oa/message/cs", count=2)
        await channel.wait_idle()
    assert fake_zalo.sent_texts(USER) == [PROCEDURE_TEXT, DOSSIER_TEXT]  # no raw custom JSON
    call = fake_zalo.cs_calls()[0]
    assert call.headers["access_token"] == "access-0"
    assert call.params == {"recipient": {"user_id": USER}, "message": {"text": PROCEDURE_TEXT}}
    first = rasa.received[0]
    assert first.sender_id == f"zalo:{USER}" and first.input_channel == "zalo"
    assert first.metadata["user_id"] == USER


@pytest.mark.asyncio
async def test_forged_signature_is_refused_and_nothing_is_sent(fake_zalo, tmp_path):
    channel, rasa = ZaloInput(settings_for(fake_zalo, tmp_path)), CannedRasa()
    async with serve_channel(channel, rasa) as url:
        event = text_event("xin chào")
        wrong_key = await post_event(url, event, secret="not-the-oa-secret")
        garbage = await post_event(url, event, signature="mac=" + "0" * 64)
        missing = await post_event(url, event, signature="")
        body = json.dumps(event).encode()
        tampered = await post_event(
            url,
            event,
            raw=body.replace(b"xin", b"bye"),
            signature=compute_signature(APP_ID, body, event["timestamp"], OA_SECRET),
        )
        assert wrong_key.status == garbage.status == missing.status == tampered.status == 401
        await channel.wait_idle()  # nothing in flight: anything accepted would have reached Rasa by now
    assert rasa.received == [] and fake_zalo.requests == []


@pytest.mark.asyncio
async def test_stale_or_future_timestamp_is_refused(fake_zalo, tmp_path):
    channel, rasa = ZaloInput(settings_for(fake_zalo, tmp_path)), CannedRasa()
    now_ms = int(time.time() * 1000)
    async with serve_channel(channel, rasa) as url:
        stale = await post_event(url, text_event("xin chào", timestamp=now_ms - 301_000))
        future = await post_event(url, text_event("xin chào", timestamp=now_ms + 3_600_000))
        fresh = await post_event(url, text_event("xin chào", timestamp=now_ms - 5_000))
        assert stale.status == future.status == 403
        assert fresh.status == 200
        await channel.wait_idle()
    assert [m.text for m in rasa.received] == ["xin chào"]


@pytest.mark.asyncio
async def test_duplicate_delivery_is_answered_once(fake_zalo, tmp_path):
    channel, rasa = ZaloInput(settings_for(fake_zalo, tmp_path)), CannedRasa()
    async with serve_channel(channel, rasa) as url:
        event = text_event("xin chào", msg_id="dup-1")
        results = await asyncio.gather(*[post_event(url, event) for _ in range(3)])
        assert all(r.status == 200 for r in results)
        await channel.wait_idle()
    assert len(rasa.received) == 1
    assert fake_zalo.sent_texts(USER) == ["Xin chào! Tôi là trợ lý dịch vụ công."]


@pytest.mark.asyncio
async def test_webhook_is_answered_at_once_while_rasa_works(fake_zalo, tmp_path):
    channel, rasa = ZaloInput(settings_for(fake_zalo, tmp_path)), CannedRasa(delay=1.5)
    async with serve_channel(channel, rasa) as url:
        started = time.monotonic()
        response = await post_event(url, text_event("xin chào"))
        assert response.status == 200 and time.monotonic() - started < 1.0
        assert fake_zalo.sent_texts() == []
        await channel.wait_idle()
    assert fake_zalo.sent_texts(USER) == ["Xin chào! Tôi là trợ lý dịch vụ công."]


@pytest.mark.asyncio
async def test_buttons_are_numbered_and_a_number_picks_the_payload(fake_zalo, tmp_path):
    channel, rasa = ZaloInput(settings_for(fake_zalo, tmp_path)), CannedRasa()
    async with serve_channel(channel, rasa) as url:
        await post_event(url, text_event("đăng ký kết hôn"))
        await channel.wait_idle()
        await post_event(url, text_event("2"))
        await channel.wait_idle()
        await post_event(url, text_event("2"))  # no buttons pending any more: plain text
        await channel.wait_idle()
    question = fake_zalo.sent_texts(USER)[0]
    assert question.startswith("Anh/chị muốn hỏi thủ tục nào?")
    assert "1. Đăng ký kết hôn trong nước" in question
    assert "2. Đăng ký kết hôn có yếu tố nước ngoài" in question
    assert "procedure_choices" not in question
    assert [m.text for m in rasa.received] == [
        "đăng ký kết hôn",
        '/choose_procedure{"procedure_code":"1.001022","topic":"documents"}',
        "2",
    ]
    assert fake_zalo.sent_texts(USER)[1].startswith("Thủ tục đăng ký kết hôn có yếu tố nước ngoài")


@pytest.mark.asyncio
async def test_long_answer_is_split_under_2000_characters(fake_zalo, tmp_path):
    channel, rasa = ZaloInput(settings_for(fake_zalo, tmp_path)), CannedRasa()
    full = CANNED["câu trả lời dài"][0]["text"]
    async with serve_channel(channel, rasa) as url:
        await post_event(url, text_event("câu trả lời dài"))
        await channel.wait_idle()
    parts = fake_zalo.sent_texts(USER)
    assert len(parts) >= 3 and all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == full


@pytest.mark.asyncio
async def test_expired_token_is_refreshed_once_under_concurrent_sends(fake_zalo, tmp_path):
    settings = settings_for(fake_zalo, tmp_path)
    fake_zalo.expire("access-0")
    fake_zalo.refresh_delay = 0.3  # all five sends see -216 before the refresh completes
    channel, rasa = ZaloInput(settings), CannedRasa()
    users = [f"77000{n}" for n in range(5)]
    async with serve_channel(channel, rasa) as url:
        await asyncio.gather(*[post_event(url, text_event("xin chào", user=u)) for u in users])
        await channel.wait_idle()
    assert len(fake_zalo.refresh_calls()) == 1
    refresh = fake_zalo.refresh_calls()[0]
    assert refresh.headers["secret_key"] == APP_SECRET
    assert refresh.params == {"refresh_token": "refresh-0", "app_id": APP_ID, "grant_type": "refresh_token"}
    assert sorted(r.params["recipient"]["user_id"] for r in fake_zalo.cs_calls(ok=True)) == sorted(users)
    assert {r.headers["access_token"] for r in fake_zalo.cs_calls(ok=True)} == {fake_zalo.valid_tokens.pop()}
    token_file = Path(settings.token_file)
    saved = json.loads(token_file.read_text())
    assert saved["access_token"].startswith("access-") and saved["refresh_token"].startswith("refresh-")
    assert saved["refresh_token"] == fake_zalo.refresh_token
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    leftovers = [p.name for p in token_file.parent.iterdir() if p.name.startswith(".zalo_tokens.")]
    assert leftovers == []  # the temp file was renamed over the token file, none left behind

    # A restarted channel keeps the refreshed pair instead of the (used) one from the environment.
    restarted = ZaloInput(settings)
    assert restarted.api.tokens.access_token == saved["access_token"]


@pytest.mark.asyncio
async def test_failed_refresh_and_rasa_errors_do_not_crash_the_channel(fake_zalo, tmp_path):
    fake_zalo.expire("access-0")
    fake_zalo.refresh_token = "somebody-else-used-it"
    channel, rasa = ZaloInput(settings_for(fake_zalo, tmp_path)), CannedRasa()
    async with serve_channel(channel, rasa) as url:
        assert (await post_event(url, text_event("xin chào"))).status == 200
        await channel.wait_idle()
        assert fake_zalo.sent_texts() == [] and len(fake_zalo.refresh_calls()) == 1
        fake_zalo.valid_tokens = {"access-0"}  # operator fixed it
        rasa.fail = True
        assert (await post_event(url, text_event("xin chào"))).status == 200
        await channel.wait_idle()
    assert fake_zalo.sent_texts(USER) == [message("rasa_down")]


@pytest.mark.asyncio
async def test_other_events_and_bad_bodies(fake_zalo, tmp_path):
    channel, rasa = ZaloInput(settings_for(fake_zalo, tmp_path)), CannedRasa()
    async with serve_channel(channel, rasa) as url:
        follow = await post_event(url, text_event("", event_name="follow"))
        image_event = text_event("", event_name="user_send_image", msg_id="img-1")
        image_event["message"].pop("text")
        image = await post_event(url, image_event)
        image_again = await post_event(url, image_event)
        bad = await post_event(url, {"timestamp": "1"}, raw=b"not json")
        assert follow.status == image.status == image_again.status == 200
        assert bad.status == 400
        async with aiohttp.ClientSession() as session:
            async with session.get(url.rsplit("/", 1)[0] + "/") as health:
                assert health.status == 200
        await channel.wait_idle()
    assert rasa.received == []
    assert fake_zalo.sent_texts(USER) == [message("unsupported_content")]


@pytest.mark.asyncio
async def test_text_only_reply_comes_after_the_answers_to_earlier_messages(fake_zalo, tmp_path):
    channel, rasa = ZaloInput(settings_for(fake_zalo, tmp_path)), CannedRasa(delay=0.5)  # a slow model
    async with serve_channel(channel, rasa) as url:
        assert (await post_event(url, text_event("xin chào"))).status == 200
        sticker = text_event("", event_name="user_send_sticker")
        sticker["message"].pop("text")
        assert (await post_event(url, sticker)).status == 200
        await channel.wait_idle()
    assert fake_zalo.sent_texts(USER) == ["Xin chào! Tôi là trợ lý dịch vụ công.", message("unsupported_content")]


@pytest.mark.asyncio
async def test_a_second_process_reuses_the_pair_refreshed_by_the_first(fake_zalo, tmp_path):
    settings = settings_for(fake_zalo, tmp_path)
    first, second = ZaloInput(settings).api, ZaloInput(settings).api  # two replicas, one token file
    assert second.tokens.access_token == "access-0"  # cached before the first replica refreshes
    fake_zalo.expire("access-0")
    try:
        await first.send_text(USER, "một")
        await second.send_text(USER, "hai")  # gets -216 with its stale token, finds the new pair in the file
    finally:
        await first.close()
        await second.close()
    assert len(fake_zalo.refresh_calls()) == 1
    assert fake_zalo.sent_texts(USER) == ["một", "hai"]


def test_settings_come_from_credentials_then_environment(tmp_path):
    env = {"ZALO_APP_ID": "env-app", "ZALO_OA_SECRET_KEY": "env-oa", "ZALO_MAX_EVENT_AGE_SECONDS": "60"}
    from_env = ZaloSettings.load(None, env=env)
    assert (from_env.app_id, from_env.oa_secret_key, from_env.max_event_age) == ("env-app", "env-oa", 60.0)
    assert from_env.api_base == "https://openapi.zalo.me" and from_env.oauth_base == "https://oauth.zaloapp.com"
    mixed = ZaloSettings.load({"app_id": "cred-app", "oa_secret_key": None}, env=env)
    assert (mixed.app_id, mixed.oa_secret_key) == ("cred-app", "env-oa")
    assert ZaloInput.from_credentials(None).name() == "zalo"
