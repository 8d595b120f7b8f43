"""`python -m bot.run` (what `make run` calls): everything comes up, a second run says so, Ctrl-C stops all."""
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from bot.stack.processes import free_port, port_open
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.rasa


def _wait_for_line(process: subprocess.Popen, needle: str, timeout: float) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"{needle!r} not printed; output:\n{''.join(seen)}")


def test_run_starts_everything_refuses_a_second_run_and_stops_on_ctrl_c(tmp_path):
    ports = {name: free_port() for name in ("RASA_PORT", "ACTIONS_PORT", "DOSSIER_SERVICE_PORT", "WEB_PORT")}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "VAR_DIR": str(tmp_path / "var")}
    for name in ("DATABASE_URL", "REDIS_URL", "DOSSIER_API_URL", "DOSSIER_DB_URL", "TELEGRAM_BOT_TOKEN", "ZALO_APP_ID"):
        env.pop(name, None)
    first = subprocess.Popen([sys.executable, "-m", "bot.run"], cwd=REPO_ROOT, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output = _wait_for_line(first, "Press Ctrl-C to stop.", timeout=240)
        assert f"http://127.0.0.1:{ports['WEB_PORT']}/" in output
        answer = requests.post(f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
                               json={"sender": "run-test", "message": "xin chao"}, timeout=30).json()
        assert answer[0]["text"].startswith("Xin chào")
        assert requests.get(f"http://127.0.0.1:{ports['WEB_PORT']}/", timeout=10).status_code == 200

        second = subprocess.run([sys.executable, "-m", "bot.run"], cwd=REPO_ROOT, env=env, text=True,
                                capture_output=True, timeout=60)
        assert second.returncode == 1
        assert "already running" in second.stdout

        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=60) == 0
        assert not any(port_open("127.0.0.1", port) for port in ports.values())
        assert not (tmp_path / "var" / "run.pid").exists()
    finally:
        if first.poll() is None:
            first.kill()
