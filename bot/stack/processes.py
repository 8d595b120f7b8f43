"""Run the services of the assistant as child processes, wait until each is ready, stop them all.

Used by `make run` (bot/run.py) and by the end-to-end test fixtures, so both start the stack the same way.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Optional


class ServiceFailed(RuntimeError):
    """A service exited or did not become ready; the message carries the end of its log."""


@dataclass
class Service:
    name: str
    argv: list[str]
    port: Optional[int]  # None: a worker without a port, ready once it has stayed up for a moment
    host: str = "127.0.0.1"
    health_path: Optional[str] = None  # GET path that answers 200 once ready; None: port open is enough
    ready_timeout: float = 60.0
    env: dict[str, str] = field(default_factory=dict)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= response.status < 300
    except OSError:
        return False


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Stack:
    """Starts services in order; `stop()` (or leaving the `with` block) ends every one of them."""

    def __init__(self, services: list[Service], log_dir: Path, base_env: Optional[dict[str, str]] = None):
        self.services = services
        self.log_dir = log_dir
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.running: list[tuple[Service, subprocess.Popen, IO]] = []

    def __enter__(self) -> "Stack":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_path(self, service: Service) -> Path:
        return self.log_dir / f"{service.name}.log"

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            for service in self.services:
                self._start_one(service)
        except BaseException:
            self.stop()
            raise

    def _start_one(self, service: Service) -> None:
        if service.port is not None and port_open(service.host, service.port):
            raise ServiceFailed(f"{service.name}: port {service.port} is already in use")
        log = open(self.log_path(service), "ab")
        env = {**self.base_env, **service.env}
        # A session of its own: Ctrl-C in the terminal reaches the supervisor only, which stops children in order.
        process = subprocess.Popen(
            service.argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        self.running.append((service, process, log))
        self._wait_ready(service, process)

    def _wait_ready(self, service: Service, process: subprocess.Popen) -> None:
        if service.port is None:
            time.sleep(1.0)
            if process.poll() is not None:
                raise ServiceFailed(
                    f"{service.name} exited with code {process.returncode}:\n{log_tail(self.log_path(service))}"
                )
            return
        deadline = time.monotonic() + service.ready_timeout
        url = f"http://{service.host}:{service.port}{service.health_path or ''}"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServiceFailed(
                    f"{service.name} exited with code {process.returncode}:\n{log_tail(self.log_path(service))}"
                )
            if port_open(service.host, service.port) and (service.health_path is None or _http_ok(url)):
                return
            time.sleep(0.3)
        raise ServiceFailed(
            f"{service.name} not ready after {service.ready_timeout:.0f} s:\n{log_tail(self.log_path(service))}"
        )

    def dead(self) -> list[Service]:
        return [service for service, process, _ in self.running if process.poll() is not None]

    def stop(self, timeout: float = 10.0) -> None:
        for service, process, log in reversed(self.running):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            log.close()
        self.running.clear()


def python_module(module: str, *args: str) -> list[str]:
    """argv running a module with this interpreter (the project's venv)."""
    return [sys.executable, "-m", module, *args]
