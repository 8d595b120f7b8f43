"""Fixtures for the dossier tests: the real reference service on 127.0.0.1, fault servers, client settings."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

import pytest

from bot.dossier.client import DossierClient
from bot.dossier.settings import DossierSettings
from bot.dossier.testing import running_service
from bot.stack.processes import free_port  # noqa: F401 - used by the dossier tests through this module

# Demo codes (bot/dossier/demo.py).
RECEIVED = "000.00.12.H29-261102-0001"
PROCESSING = "000.00.12.H29-261102-0002"
SUPPLEMENT = "000.00.12.H29-261102-0003"
COMPLETED = "000.00.12.H29-261102-0004"
RETURNED = "000.00.12.H29-261102-0005"
REJECTED = "000.00.12.H29-261102-0006"
WITHDRAWN = "000.00.12.H29-261102-0007"
OVERDUE_PROCESSING = "000.00.12.H29-261102-0008"
OVERDUE_RECEIVED = "000.00.12.H29-261102-0009"
OVERDUE_SUPPLEMENT = "000.00.12.H29-261102-0010"
UNKNOWN = "000.00.12.H29-261102-0999"


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "dossiers.sqlite"


@pytest.fixture
def service_url(db_path) -> Iterator[str]:
    with running_service(db_path) as url:
        yield url


@pytest.fixture
def fast_settings(tmp_path) -> Callable[..., DossierSettings]:
    """Settings with short timeouts so fault tests stay fast; override any field."""

    def make(api_url: str, **overrides) -> DossierSettings:
        base = DossierSettings(
            api_url=api_url,
            connect_timeout=0.5,
            read_timeout=0.5,
            retries=2,
            backoff=0.05,
            total_budget=3.0,
            breaker_threshold=3,
            breaker_cooldown=0.5,
            subscriptions_db=tmp_path / "subscriptions.sqlite",
            limits_db=tmp_path / "lookup_limits.sqlite",
        )
        return replace(base, **overrides)

    return make


@pytest.fixture
def client(service_url, fast_settings) -> DossierClient:
    return DossierClient(fast_settings(service_url))


class FaultServer:
    """An HTTP server on 127.0.0.1 that misbehaves on purpose; counts the requests it got."""

    def __init__(self, behaviour: str, delay: float = 0.0) -> None:
        self.behaviour = behaviour
        self.delay = delay
        self.hits = 0
        fault = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                fault.hits += 1
                if fault.delay:
                    time.sleep(fault.delay)
                status, body = fault.answer()
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self) -> tuple[int, str]:
        if self.behaviour == "not_found":
            return 404, '{"error": "not_found"}'
        if self.behaviour == "500":
            return 500, '{"error": "internal"}'
        if self.behaviour == "malformed":
            return 200, '{"code": "000.00.12.H29-261102-0002", "status": '
        if self.behaviour == "missing_field":
            return 200, json.dumps({"code": PROCESSING, "status": "PROCESSING"})
        return 200, "{}"

    def __enter__(self) -> "FaultServer":
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fault_server():
    servers = []

    def start(behaviour: str, delay: float = 0.0) -> FaultServer:
        server = FaultServer(behaviour, delay).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()
