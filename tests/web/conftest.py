"""Fixtures for the web chat page tests: a fake Rasa REST server, the bot.web server, headless Chromium.

The fake Rasa is a real HTTP server on 127.0.0.1 with canned answers; it can be stopped and restarted on the
same port to play "Rasa is down". Browser tests are skipped only when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

from bot.web.config import WebSettings
from bot.web.server import WebChatServer, make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

CARDS = [
    {"type": "procedure_answer", "procedure_code": "1.001193", "topic": "documents"},
    {"type": "procedure_choices", "procedure_codes": ["1.001193", "2.000528"]},
    {"type": "dossier_status", "code": "000.00.12.H29-261120-0001", "status": "PROCESSING", "overdue": True},
    {"type": "dossier_status", "code": "000.00.12.H29-261120-0002", "status": "COMPLETED", "overdue": False},
    {"type": "something_new", "value": 1},
]
CHOOSE_PAYLOAD = '/choose_procedure{"procedure_code":"1.001193"}'


def canned_answer(message: str) -> List[Dict[str, Any]]:
    """What the fake Rasa says to each test message."""
    if message in ("/ask_capabilities", "nút"):
        return [
            {
                "text": "Tôi có thể giúp bạn tra cứu thủ tục và hồ sơ.\nBạn muốn hỏi về thủ tục nào?",
                "buttons": [
                    {"title": "Đăng ký khai sinh", "payload": CHOOSE_PAYLOAD},
                    {"title": "Tra cứu hồ sơ", "payload": "/check_dossier"},
                ],
            }
        ]
    if message == "thẻ":
        return [{"text": "Thành phần hồ sơ gồm tờ khai và giấy chứng sinh."}] + [{"custom": c} for c in CARDS]
    if message == "liên kết":
        return [{"text": "Dòng một\nXem https://dichvucong.gov.vn/p/home. Hết **quan trọng**"}]
    if message.startswith("tra cứu hồ sơ "):  # what the /tong-dai console sends for an operator's lookup
        code = message.rsplit(" ", 1)[-1]
        return [
            {"text": f"Hồ sơ {code}: Đang giải quyết, trễ hạn 2 ngày."},
            {"text": "[Cán bộ] Ghi chú: chờ xác minh <b>nơi cư trú</b>."},
            {"custom": {"type": "dossier_status", "code": code, "status": "PROCESSING", "overdue": True}},
        ]
    return [{"text": "Bạn hỏi: " + message}]


class FakeRasa:
    """Real HTTP server imitating POST /webhooks/rest/webhook of Rasa; records what it receives."""

    def __init__(self) -> None:
        with socket.socket() as s:  # reserve a port we can restart on
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: List[Dict[str, Any]] = []
        self.delay = 0.0
        self.status = 200
        self._server: Optional[ThreadingHTTPServer] = None

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self._reply(200, b"Hello from Rasa: fake", "text/plain")

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.received.append(body)
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.status != 200:
                    self._reply(fake.status, b'{"error": "boom"}', "application/json")
                    return
                answer = [dict(m, recipient_id=body["sender"]) for m in canned_answer(body["message"])]
                self._reply(200, json.dumps(answer, ensure_ascii=False).encode(), "application/json")

            def _reply(self, status: int, data: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def messages(self) -> List[str]:
        return [b["message"] for b in self.received]


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    fake.start()
    yield fake
    fake.stop()


def start_web(rasa_url: str, **overrides: Any) -> WebChatServer:
    settings = WebSettings(host="127.0.0.1", port=0, rasa_url=rasa_url, **overrides)
    server = make_server(settings)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture
def web_factory() -> Iterator[Callable[..., str]]:
    servers: List[WebChatServer] = []

    def factory(rasa_url: str, **overrides: Any) -> str:
        server = start_web(rasa_url, **overrides)
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield factory
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def web_url(fake_rasa: FakeRasa, web_factory: Callable[..., str]) -> str:
    return web_factory(fake_rasa.url, rasa_timeout=3.0)


# ---- browser -----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            "headless browser tests need /usr/bin/chromium and /usr/bin/chromedriver (apt: chromium chromium-driver)"
        )
    # Never let Selenium Manager look anything up on the network.
    os.environ.setdefault("SE_OFFLINE", "true")
    os.environ.setdefault("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        "--lang=vi-VN",
        "--window-size=1280,800",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(20)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def set_viewport(driver: Any, width: int, height: int, mobile: bool = False) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {
            "width": width,
            "height": height,
            "deviceScaleFactor": 1,
            "mobile": mobile,
        },
    )


@pytest.fixture
def open_page(driver: Any) -> Iterator[Callable[[str], Any]]:
    """Open the chat page in a fresh tab state (new sessionStorage) and wait until app.js started."""
    from selenium.webdriver.support.ui import WebDriverWait

    def opener(url: str) -> Any:
        driver.get("about:blank")
        driver.get(url)
        driver.execute_script("window.sessionStorage.clear();")
        driver.get(url)
        WebDriverWait(driver, 10).until(
            lambda d: d.execute_script("return document.documentElement.dataset.ready === '1'")
        )
        return driver

    set_viewport(driver, 1280, 800)
    yield opener
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def pytest_configure(config: pytest.Config) -> None:
    # The root pytest.ini (lead) registers it too; harmless if both do.
    config.addinivalue_line("markers", "rasa: end-to-end test needing the real Rasa server (rasa_server fixture)")
