"""Notifier: polls the reference service, tells a fake Rasa HTTP API on 127.0.0.1 exactly once per change."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.dossier.client import DossierClient
from bot.dossier.notifier import INTENT, Notifier
from bot.dossier.store import DossierStore
from bot.dossier.subscriptions import SubscriptionStore
from tests.dossier.conftest import PROCESSING, RECEIVED, free_port


class FakeRasa:
    """Records POST /conversations/{sender}/trigger_intent calls; can refuse with a status code."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.refuse_with: int | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                parts = urllib.parse.urlsplit(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = fake.refuse_with or 200
                if status == 200:
                    fake.calls.append({"path": parts.path, "query": urllib.parse.parse_qs(parts.query), "body": body})
                data = b'{"tracker": {}, "messages": []}'
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def rasa():
    fake = FakeRasa()
    yield fake
    fake.close()


@pytest.fixture
def setup(service_url, fast_settings, db_path, tmp_path, rasa):
    subs = SubscriptionStore(tmp_path / "subs.sqlite")
    notifier = Notifier(subs, DossierClient(fast_settings(service_url)), rasa.url, "rasa-token")
    return notifier, subs, DossierStore(f"sqlite:///{db_path}")


def test_one_notification_per_change_per_conversation(setup, rasa):
    notifier, subs, store = setup
    subs.subscribe("zalo:12345", "zalo", PROCESSING, "PROCESSING")
    subs.subscribe("web-7", "rest", PROCESSING, "PROCESSING")
    subs.subscribe("web-7", "rest", RECEIVED, "RECEIVED")
    assert notifier.run_once() == 0 and rasa.calls == []  # nothing changed yet

    store.update(PROCESSING, status="SUPPLEMENT_REQUIRED", note="Bổ sung ảnh 4x6")
    assert notifier.run_once() == 2
    assert notifier.run_once() == 0  # same status: no repeat
    paths = sorted(c["path"] for c in rasa.calls)
    assert paths == ["/conversations/web-7/trigger_intent", "/conversations/zalo:12345/trigger_intent"]
    for call in rasa.calls:
        assert call["query"] == {"output_channel": ["latest"], "token": ["rasa-token"]}
        assert call["body"] == {"name": INTENT, "entities": {"dossier_code": PROCESSING}}

    store.update(PROCESSING, status="COMPLETED")
    assert notifier.run_once() == 2 and notifier.run_once() == 0
    assert len(rasa.calls) == 4
    assert [s.code for s in subs.all()] == [RECEIVED]  # final status ends the subscription


def test_rasa_down_or_refusing_means_retry_next_round(setup, rasa):
    notifier, subs, store = setup
    subs.subscribe("web-7", "rest", PROCESSING, "PROCESSING")
    store.update(PROCESSING, status="SUPPLEMENT_REQUIRED")
    rasa.refuse_with = 401
    assert notifier.run_once() == 0
    rasa.refuse_with = None
    down = Notifier(subs, notifier.client, f"http://127.0.0.1:{free_port()}", "rasa-token")
    assert down.run_once() == 0
    assert notifier.run_once() == 1 and notifier.run_once() == 0
    assert len(rasa.calls) == 1


def test_dossier_service_down_keeps_subscriptions(tmp_path, fast_settings, rasa):
    subs = SubscriptionStore(tmp_path / "subs.sqlite")
    subs.subscribe("web-7", "rest", PROCESSING, "PROCESSING")
    notifier = Notifier(subs, DossierClient(fast_settings(f"http://127.0.0.1:{free_port()}")), rasa.url)
    assert notifier.run_once() == 0 and len(subs.all()) == 1 and rasa.calls == []
