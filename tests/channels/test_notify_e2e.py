"""End-to-end: a Telegram user subscribes to a dossier and is told of its status change in the Telegram chat.

Real Rasa server, action server and reference dossier service (the session fixture `rasa_server`), the real
bridge code in the test loop against the fake Bot API, `python -m bot.dossier.cli` to change the status and
`python -m bot.dossier.notifier --once` for the notifier rounds.
Run: .venv/bin/python -m pytest tests/channels/test_notify_e2e.py -q -m rasa
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.dossier.subscriptions import SubscriptionStore
from tests.channels.conftest import all_sent_before_command, bridge_settings, free_port, running_bridge

ROOT = Path(__file__).resolve().parents[2]


async def run_module(*args: str, env: dict[str, str] | None = None) -> str:
    """Run `python -m ...` from the repository; return stdout, fail with its output when it fails."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        *args,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, f"{args}: {out.decode()}\n{err.decode()}"
    return out.decode()


@pytest.mark.rasa
@pytest.mark.asyncio
async def test_telegram_subscriber_is_told_of_the_status_change_once(rasa_server, fake_telegram):
    domain = httpx.get(
        f"{rasa_server.url}/domain",
        params={"token": rasa_server.token},
        headers={"Accept": "application/json"},
        timeout=10,
        trust_env=False,
    ).json()
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])}
    missing = {"subscribe_dossier", "EXTERNAL_dossier_status_changed"} - intents
    if missing:
        pytest.fail(f"the model in models/ was trained without {sorted(missing)}: train it again (make train)")
    cfg = rasa_server.settings
    api_url = cfg.dossier_api_url or cfg.reference_dossier_url
    service_db = str(cfg.var_dir / "dossier_service.sqlite")
    subscriptions_db = cfg.var_dir / "dossier_subscriptions.sqlite"
    # A dossier of this test's own (added like an integrator would), so no other test's demo data changes.
    code = f"000.00.12.H29-261102-{random.randint(5000, 9899):04d}"
    due = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10)).isoformat(timespec="seconds")
    await run_module(
        "bot.dossier.cli",
        "--db",
        service_db,
        "add",
        code,
        "--status",
        "PROCESSING",
        "--procedure-code",
        "1.000894",
        "--procedure-name",
        "Thủ tục đăng ký kết hôn",
        "--agency",
        "UBND phường Bến Thành",
        "--due",
        due,
        "--return-method",
        "IN_PERSON",
    )

    chat_id = 515000000 + int(time.time()) % 100000
    sender = f"telegram:{chat_id}"
    side_port = free_port()
    settings = bridge_settings(
        fake_telegram, rasa_server.url, rasa_timeout=60.0, health_port=side_port, notify_token=rasa_server.token
    )
    notifier_env = {
        "RASA_URL": rasa_server.url,
        "RASA_TOKEN": rasa_server.token,
        "DOSSIER_API_URL": api_url,
        "DOSSIER_SUBSCRIPTIONS_DB": str(subscriptions_db),
        "TELEGRAM_BRIDGE_URL": f"http://127.0.0.1:{side_port}",
    }
    async with running_bridge(settings):
        fake_telegram.text_update(chat_id, f"báo cho tôi khi có kết quả hồ sơ {code}")
        await all_sent_before_command(fake_telegram, chat_id)  # the whole answer to the subscription is there
        subscribed = fake_telegram.sent_texts(chat_id)
        assert "Đã đăng ký" in subscribed[0] and code in subscribed[0], subscribed
        assert [(s.code, s.last_status) for s in SubscriptionStore(subscriptions_db).for_sender(sender)] == [
            (code, "PROCESSING")
        ]
        async with httpx.AsyncClient(trust_env=False) as client:  # the side server is up once the bridge runs
            assert (await client.get(f"http://127.0.0.1:{side_port}/health")).status_code == 200

        before = len(fake_telegram.sent_texts(chat_id))

        await run_module("bot.dossier.cli", "--db", service_db, "update", code, "--status", "COMPLETED")
        # The round returns once the bridge has answered /notify, so everything it sent is recorded by then.
        await run_module("bot.dossier.notifier", "--once", env=notifier_env)
        told = fake_telegram.sent_texts(chat_id)[before:]
        joined = "\n".join(told)
        assert code in joined and "vừa được cập nhật" in joined and "đã có kết quả" in joined, told
        assert not any(text.lstrip().startswith("{") for text in told)  # no raw custom payload

        # As above, the round returns once the bridge has answered /notify: nothing to wait for.
        await run_module("bot.dossier.notifier", "--once", env=notifier_env)
    assert fake_telegram.sent_texts(chat_id)[before:] == told  # the second round sent nothing more
    assert SubscriptionStore(subscriptions_db).for_sender(sender) == []  # a final status ends the subscription
