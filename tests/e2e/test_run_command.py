"""`python -m bot.run` (what `make run` calls): everything comes up on 127.0.0.1 only, a second run says so, and
SIGINT or SIGTERM to the supervisor alone frees every port, even when it was started from a script with SIGINT
and SIGTERM ignored (`cmd &` in a non-interactive shell ignores SIGINT; `trap '' TERM` adds SIGTERM)."""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from bot.stack.processes import free_port, port_open
from tests import procinfo
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.rasa

# Like a deployment script: the supervisor starts in the background of a non-interactive shell.
WRAPPER = 'trap "" TERM; "$@" & echo $! > "$PID_FILE"; wait $!'


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


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_run_binds_loopback_and_a_signal_to_the_supervisor_frees_every_port(tmp_path, stop_signal):
    ports = {name: free_port() for name in ("RASA_PORT", "ACTIONS_PORT", "DOSSIER_SERVICE_PORT", "WEB_PORT")}
    pid_file = tmp_path / "supervisor.pid"
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "VAR_DIR": str(tmp_path / "var"),
        "PID_FILE": str(pid_file),
    }
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "DOSSIER_API_URL",
        "DOSSIER_DB_URL",
        "TELEGRAM_BOT_TOKEN",
        "ZALO_APP_ID",
        "BIND_HOST",
        "WEB_HOST",
        "ACTIONS_HOST",
    ):
        env.pop(name, None)
    shell = subprocess.Popen(
        ["bash", "-c", WRAPPER, "wrapper", sys.executable, "-m", "bot.run"],
        cwd=REPO_ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    children: set[int] = set()
    try:
        output = _wait_for_line(shell, "Press Ctrl-C to stop.", timeout=240)
        supervisor = int(pid_file.read_text())
        ignored = int(
            next(line for line in open(f"/proc/{supervisor}/status") if line.startswith("SigIgn:")).split()[1], 16
        )
        assert ignored & (1 << (signal.SIGINT - 1)) == 0  # the supervisor re-installed its own handler
        assert f"http://127.0.0.1:{ports['WEB_PORT']}/" in output
        answer = requests.post(
            f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
            json={"sender": "run-test", "message": "xin chao"},
            timeout=30,
        ).json()
        assert answer[0]["text"].startswith("Xin chào")
        assert requests.get(f"http://127.0.0.1:{ports['WEB_PORT']}/", timeout=10).status_code == 200

        children = procinfo.descendants(supervisor)
        listening = procinfo.listening(children | {supervisor})
        assert {port for _, port in listening} >= set(ports.values())
        assert all(procinfo.is_loopback(host) for host, _ in listening), listening

        if stop_signal == signal.SIGINT:
            second = subprocess.run(
                [sys.executable, "-m", "bot.run"], cwd=REPO_ROOT, env=env, text=True, capture_output=True, timeout=60
            )
            assert second.returncode == 1
            assert "already running" in second.stdout

        os.kill(supervisor, stop_signal)
        deadline = time.monotonic() + 15  # the promise: every port free within 15 s (polled, bounded)
        while any(port_open("127.0.0.1", p) for p in ports.values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in ports.values() if port_open("127.0.0.1", p)]
        assert shell.wait(timeout=15) == 0  # the supervisor's exit code, through `wait $!`
        assert not [pid for pid in children if procinfo.alive(pid)]
        assert not (tmp_path / "var" / "run.pid").exists()
    finally:
        if shell.poll() is None:
            shell.kill()
        for pid in children:
            if procinfo.alive(pid):
                os.kill(pid, signal.SIGKILL)
