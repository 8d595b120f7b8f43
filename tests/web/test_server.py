"""HTTP tests of the bot.web server (no browser): static files, health, relay, limits and Rasa failures."""

from __future__ import annotations

import json
import socket
from typing import Callable

import requests

from bot.web.config import WebSettings
from tests.web.conftest import FakeRasa

SENDER = "web:0f8c2a4e-1b7d-4c3e-9a6f-5d2e1c0b9a87"


def post(url: str, body: object, **kwargs: object) -> requests.Response:
    return requests.post(url + "/webhooks/rest/webhook", json=body, timeout=10, **kwargs)


def test_page_and_assets_are_served_with_strict_headers(web_url: str) -> None:
    page = requests.get(web_url + "/", timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Trợ lý Dịch vụ công" in page.text and "Nhập câu hỏi…" in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    for name, ctype in (("app.js", "text/javascript"), ("style.css", "text/css"), ("favicon.svg", "image/svg+xml")):
        asset = requests.get(f"{web_url}/static/{name}", timeout=5)
        assert asset.status_code == 200 and asset.headers["Content-Type"].startswith(ctype)


def test_no_path_traversal_or_unknown_files(web_url: str) -> None:
    for path in (
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/static/strings.vi.json",
        "/static/",
        "/server.py",
        "/static/nope.js",
    ):
        response = requests.get(web_url + path, timeout=5)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"


def test_config_carries_vietnamese_strings(web_url: str) -> None:
    config = requests.get(web_url + "/config.json", timeout=5).json()
    assert config["max_message_chars"] == 5000
    assert config["strings"]["procedure_card"]["topics"]["fee"] == "Phí, lệ phí"
    assert config["strings"]["dossier_card"]["overdue"] == "Trễ hạn"
    assert "{code}" in config["procedure_url"]


def test_healthz(web_url: str, fake_rasa: FakeRasa) -> None:
    assert requests.get(web_url + "/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(web_url + "/healthz?rasa=1", timeout=5).json() == {"status": "ok", "rasa": "ok"}
    fake_rasa.stop()
    deep = requests.get(web_url + "/healthz?rasa=1", timeout=10)
    assert deep.status_code == 503 and deep.json()["rasa"] == "unreachable"
    assert requests.get(web_url + "/healthz", timeout=5).status_code == 200


def test_relay_forwards_only_known_fields(web_url: str, fake_rasa: FakeRasa) -> None:
    response = post(
        web_url,
        {
            "sender": SENDER,
            "message": "xin chào",
            "metadata": {"operator_token": "tok-1", "role": "admin", "client_ip": "10.9.8.7"},
            "extra": 1,
        },
    )
    assert response.status_code == 200
    assert response.json() == [{"text": "Bạn hỏi: xin chào", "recipient_id": SENDER}]
    # The client address is the relay's to say, never the page's.
    assert fake_rasa.received == [
        {"sender": SENDER, "message": "xin chào", "metadata": {"operator_token": "tok-1", "client_ip": "127.0.0.1"}}
    ]

    post(web_url, {"sender": SENDER, "message": "thẻ"}, headers={"X-Forwarded-For": "203.0.113.5"})
    assert fake_rasa.received[-1] == {"sender": SENDER, "message": "thẻ", "metadata": {"client_ip": "127.0.0.1"}}


def test_client_address_from_a_trusted_proxy_only() -> None:
    from bot.web.server import client_ip

    assert client_ip("127.0.0.1", "203.0.113.5", frozenset()) == "127.0.0.1"
    assert client_ip("10.0.0.2", "198.51.100.1, 203.0.113.5", frozenset({"10.0.0.2"})) == "203.0.113.5"
    assert client_ip("10.0.0.2", None, frozenset({"10.0.0.2"})) == "10.0.0.2"


def test_relay_rejects_bad_requests(web_url: str, fake_rasa: FakeRasa) -> None:
    bad_bodies = [
        {"sender": "tg:12345678", "message": "hi"},  # another channel's conversation
        {"sender": "web:short", "message": "hi"},
        {"sender": SENDER, "message": "   "},
        {"sender": SENDER, "message": 5},
        {"sender": SENDER, "message": "hi", "metadata": "x"},
        {"sender": SENDER, "message": "hi", "metadata": {"operator_token": 7}},
        ["not", "an", "object"],
    ]
    for body in bad_bodies:
        response = post(web_url, body)
        assert response.status_code == 400, body
        assert response.json()["error"] == "bad_request"
    broken = requests.post(
        web_url + "/webhooks/rest/webhook", data=b"{nope", timeout=5, headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert requests.get(web_url + "/webhooks/rest/webhook", timeout=5).status_code == 405
    assert requests.post(web_url + "/model/parse", json={}, timeout=5).status_code == 404
    assert fake_rasa.received == []


def test_body_limit_gives_413_json(web_url: str, fake_rasa: FakeRasa) -> None:
    response = post(web_url, {"sender": SENDER, "message": "a" * 40_000})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert "quá dài" in response.json()["message"]
    # Under the byte limit but over the character limit the page enforces.
    response = post(web_url, {"sender": SENDER, "message": "a" * 5001})
    assert response.status_code == 413
    # The longest allowed message fits however the client encodes it.
    assert post(web_url, {"sender": SENDER, "message": "ệ" * 5000}).status_code == 200
    raw = json.dumps({"sender": SENDER, "message": "ệ" * 5000}, ensure_ascii=False).encode("utf-8")
    assert requests.post(web_url + "/webhooks/rest/webhook", data=raw, timeout=10).status_code == 200
    assert fake_rasa.messages() == ["ệ" * 5000, "ệ" * 5000]


def test_missing_content_length_gives_411(web_url: str) -> None:
    host, port = web_url.rsplit(":", 1)
    with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as conn:
        conn.sendall(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        )
        head = conn.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 411")


def test_rasa_down_gives_polite_502(web_url: str, fake_rasa: FakeRasa) -> None:
    fake_rasa.stop()
    response = post(web_url, {"sender": SENDER, "message": "xin chào"})
    assert response.status_code == 502
    body = response.json()
    assert body["error"] == "rasa_unreachable"
    assert "Thử lại" in body["message"]


def test_slow_rasa_times_out_with_502(fake_rasa: FakeRasa, web_factory: Callable[..., str]) -> None:
    url = web_factory(fake_rasa.url, rasa_timeout=0.5)
    fake_rasa.delay = 1.5
    response = post(url, {"sender": SENDER, "message": "chậm"})
    assert response.status_code == 502
    assert response.json()["error"] == "rasa_timeout"


def test_rasa_error_status_gives_502(web_url: str, fake_rasa: FakeRasa) -> None:
    fake_rasa.status = 500
    response = post(web_url, {"sender": SENDER, "message": "xin chào"})
    assert response.status_code == 502 and response.json()["error"] == "rasa_error"


def test_settings_from_env() -> None:
    defaults = WebSettings.from_env({})
    assert (defaults.host, defaults.port, defaults.rasa_url, defaults.rasa_timeout) == (
        "127.0.0.1",
        8080,
        "http://127.0.0.1:5005",
        15.0,
    )
    assert defaults.max_body == 32 * 1024
    custom = WebSettings.from_env(
        {
            "WEB_HOST": "0.0.0.0",
            "WEB_PORT": "9000",
            "RASA_URL": "http://rasa:5005/",
            "RASA_TIMEOUT": "5",
            "WEB_MAX_BODY": "1000",
        }
    )
    assert (custom.host, custom.port, custom.rasa_url, custom.rasa_timeout, custom.max_body) == (
        "0.0.0.0",
        9000,
        "http://rasa:5005",
        5.0,
        1000,
    )


def test_strings_file_is_valid_json() -> None:
    from bot.web.server import STRINGS_FILE

    strings = json.loads(STRINGS_FILE.read_text(encoding="utf-8"))
    from bot.understanding.topics import TOPICS

    assert set(strings["procedure_card"]["topics"]) == set(TOPICS)
    assert set(strings["dossier_card"]["statuses"]) == {
        "RECEIVED",
        "PROCESSING",
        "SUPPLEMENT_REQUIRED",
        "COMPLETED",
        "RETURNED",
        "REJECTED",
        "WITHDRAWN",
    }
