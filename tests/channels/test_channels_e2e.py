"""End-to-end channel tests with the real Rasa server (the lead's session fixture `rasa_server`).

- Telegram: the bridge polls a fake Bot API on 127.0.0.1 and talks to the real Rasa REST channel; it must send
  the same text the REST channel gives for the same conversation.
- Zalo: Rasa runs with bot.channels.zalo.ZaloInput enabled and ZALO_API_BASE pointing at a fake Zalo API that the
  fixture exposes as `rasa_server.zalo_api` (tests/conftest.py, tests.fakes.zalo_api.start_for_rasa).
Run: .venv/bin/python -m pytest tests/channels -m rasa -q
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import List

import aiohttp
import pytest

from tests.channels.conftest import (
    all_sent_before_command,
    bridge_settings,
    running_bridge,
    zalo_answers_so_far,
    zalo_event,
    zalo_headers,
)

GREETING = "xin chào"
PROCEDURE_QUESTION = "làm giấy khai sinh cần giấy tờ gì"


def rest_texts(rasa_server, sender: str, text: str) -> List[str]:
    return [m["text"] for m in rasa_server.rest(sender, text) if m.get("text")]


@pytest.mark.rasa
@pytest.mark.asyncio
async def test_telegram_bridge_answers_like_the_rest_channel(rasa_server, fake_telegram):
    ref = f"e2e-rest-{uuid.uuid4().hex[:8]}"
    expected_greeting = await asyncio.to_thread(rest_texts, rasa_server, ref, GREETING)
    expected_answer = await asyncio.to_thread(rest_texts, rasa_server, ref, PROCEDURE_QUESTION)
    assert expected_greeting and expected_answer
    # Greetings may have several response variations: collect a few to compare against.
    greeting_variants = {tuple(expected_greeting)}
    for _ in range(4):
        greeting_variants.add(
            tuple(await asyncio.to_thread(rest_texts, rasa_server, f"e2e-var-{uuid.uuid4().hex[:8]}", GREETING))
        )
    chat_id = 424242000 + int(time.time()) % 1000
    settings = bridge_settings(fake_telegram, rasa_server.url, rasa_timeout=60.0)
    async with running_bridge(settings):
        fake_telegram.text_update(chat_id, GREETING)
        await all_sent_before_command(fake_telegram, chat_id)  # the whole answer, and nothing more, is there
        greeting = fake_telegram.sent_texts(chat_id)
        fake_telegram.text_update(chat_id, PROCEDURE_QUESTION)
        await all_sent_before_command(fake_telegram, chat_id)
        sent = fake_telegram.sent_texts(chat_id)
    assert tuple(greeting) in greeting_variants
    assert sent[len(greeting) :] == expected_answer
    assert not any(text.lstrip().startswith("{") for text in sent)  # no raw custom payloads


@pytest.mark.rasa
@pytest.mark.asyncio
async def test_zalo_channel_in_rasa_answers_signed_webhooks_only(rasa_server):
    fake = getattr(rasa_server, "zalo_api", None)
    if fake is None:
        pytest.skip("rasa_server was started without the Zalo channel (see tests/conftest.py)")
    url = f"{rasa_server.url}/webhooks/zalo/webhook"
    expected = await asyncio.to_thread(rest_texts, rasa_server, f"e2e-rest-{uuid.uuid4().hex[:8]}", PROCEDURE_QUESTION)
    user = f"99{int(time.time() * 1000)}"

    async with aiohttp.ClientSession() as session:
        forged = zalo_event(user, PROCEDURE_QUESTION)
        async with session.post(url, data=forged, headers=zalo_headers(forged, "wrong-key")) as response:
            assert response.status in (401, 403)
        # The same question, signed: the channel answers one user's messages in order, so once everything up to a
        # later marker has arrived, an answer to the forged one would be there too.
        body = zalo_event(user, PROCEDURE_QUESTION)
        async with session.post(url, data=body, headers=zalo_headers(body)) as response:
            assert response.status == 200
        sent = await zalo_answers_so_far(session, url, fake, user)
    said = [e.get("text") for e in rasa_server.tracker(f"zalo:{user}")["events"] if e.get("event") == "user"]
    assert said == [PROCEDURE_QUESTION]  # the forged one never reached Rasa
    joined = "\n".join(sent)
    for text in expected:  # Zalo may append a numbered button list or split at 2,000 characters
        assert text in joined or all(part in joined for part in text.split("\n"))
    assert joined.count(expected[0].split("\n")[0]) == 1  # answered once
    assert not any(text.lstrip().startswith("{") for text in sent)
