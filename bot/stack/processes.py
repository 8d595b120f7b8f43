"""Run the services of the assistant as child processes, wait until each is ready, stop them all.

Used by `make run` (bot/run.py) and by the end-to-end test fixtures, so both start the stack the same way.
Each child runs in a session (and process group) of its own, with default signal dispositions and no blocked
signals whatever the parent inherited, and gets SIGTERM if the thread that started it dies (Linux). `stop()`
sends SIGTERM to every group, waits a grace period, then SIGKILLs what is left and reaps everything.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Optional


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
    ready: Optional[Callable[[], bool]] = None  # replaces the port/health check (e.g. "PostgreSQL accepts logins")


DEFAULT_STOP_GRACE = 8.0  # seconds between SIGTERM and SIGKILL (STOP_GRACE); the supervisor promises 15 s in all
_RESET_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
_PR_SET_PDEATHSIG = 1


def _load_prctl():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()  # looked up before any fork: the child only calls it


def _child_setup(parent_death_signal: bool) -> None:
    """Runs in the child between fork and exec: nothing here may take a lock or import."""
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    for signum in _RESET_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)  # an inherited SIG_IGN would survive exec otherwise
    if parent_death_signal and _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


# Ports for the services a stack starts: below the kernel's ephemeral range (32768-60999 by default), so an
# outgoing connection cannot take one between choosing it and starting the service, and never twice per process.
_PORTS = range(20000, 32000)
_given: set[int] = set()


def free_port() -> int:
    for _ in range(200):
        port = random.choice(_PORTS)
        if port in _given:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port
    with socket.socket() as sock:  # the range is crowded: any port the kernel gives
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
        # A session of its own: Ctrl-C in the terminal reaches the supervisor only, which stops every group.
        # The parent-death signal is tied to the starting thread, so only the main thread asks for it.
        on_parent_death = threading.current_thread() is threading.main_thread()
        # Stop signals wait until the child is recorded, so a Ctrl-C at that moment cannot orphan it.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _RESET_SIGNALS)
        try:
            process = subprocess.Popen(
                service.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=lambda: _child_setup(on_parent_death),
            )
            self.running.append((service, process, log))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self._wait_ready(service, process)

    def _wait_ready(self, service: Service, process: subprocess.Popen) -> None:
        if service.port is None and service.ready is None:
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
            if service.ready is not None:
                if service.ready():
                    return
            elif port_open(service.host, service.port) and (service.health_path is None or _http_ok(url)):
                return
            time.sleep(0.3)
        raise ServiceFailed(
            f"{service.name} not ready after {service.ready_timeout:.0f} s:\n{log_tail(self.log_path(service))}"
        )

    def kill(self, name: str, signum: int = signal.SIGKILL) -> None:
        """Fault injection and restarts: signal one service's process group and reap it (it stays listed)."""
        for service, process, _ in self.running:
            if service.name == name and process.poll() is None:
                _signal_group(process.pid, signum)
                process.wait()

    def restart(self, name: str) -> None:
        """Start a service that was killed (or exited) again, with the same settings and port."""
        for entry in list(self.running):
            service, process, log = entry
            if service.name == name:
                if process.poll() is None:
                    raise ServiceFailed(f"{name} is still running")
                log.close()
                self.running.remove(entry)
                self._start_one(service)
                return
        raise KeyError(name)

    def dead(self) -> list[Service]:
        return [service for service, process, _ in self.running if process.poll() is not None]

    def stop(self, grace: float | None = None) -> None:
        """SIGTERM to every process group (last started first), wait up to `grace` seconds in all (STOP_GRACE),
        then SIGKILL every group (a leader that exited may have left children behind) and reap. Idempotent."""
        if grace is None:
            grace = float(os.environ.get("STOP_GRACE") or DEFAULT_STOP_GRACE)
        running = list(reversed(self.running))
        for _, process, _ in running:
            if process.poll() is None:
                _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for _, process, _ in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for _, process, log in running:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
            log.close()
        self.running.clear()


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def python_module(module: str, *args: str) -> list[str]:
    """argv running a module with this interpreter (the project's venv)."""
    return [sys.executable, "-m", module, *args]
