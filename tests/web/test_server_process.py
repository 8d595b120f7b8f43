"""Runs the documented command `python -m bot.web` as a real process, configured by environment variables."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import requests

from bot.stack.processes import free_port
from tests.web.conftest import FakeRasa

REPO = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def run_web_module(rasa_url: str, **env: str) -> Iterator[str]:
    port = free_port()
    full_env = dict(os.environ, WEB_HOST="127.0.0.1", WEB_PORT=str(port), RASA_URL=rasa_url, **env)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.web"],
        cwd=REPO,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise AssertionError("bot.web exited: " + (process.stdout.read() if process.stdout else ""))
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("bot.web did not start within 15 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def test_python_m_bot_web_serves_and_relays(fake_rasa: FakeRasa) -> None:
    with run_web_module(fake_rasa.url, RASA_TIMEOUT="5") as url:
        assert "Trợ lý Dịch vụ công" in requests.get(url + "/", timeout=5).text
        answer = requests.post(
            url + "/webhooks/rest/webhook", timeout=10, json={"sender": "web:abcdef12-3456", "message": "xin chào"}
        )
        assert answer.status_code == 200
        assert answer.json()[0]["text"] == "Bạn hỏi: xin chào"
        assert requests.get(url + "/healthz?rasa=1", timeout=5).json()["rasa"] == "ok"
