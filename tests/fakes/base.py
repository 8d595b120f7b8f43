"""A recording HTTP server on 127.0.0.1 (stdlib ThreadingHTTPServer in a daemon thread) for fake third-party APIs.

Subclasses implement handle(method, path, headers, body) -> (status, json-able object). Every request is recorded
as a Recorded(method, path, headers, body, params) and tests can wait for a number of matching requests.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes
    params: Dict[str, Any] = field(default_factory=dict)


class RecordingServer:
    """Start with .start() (or as a context manager); .url is http://127.0.0.1:<free port>."""

    def __init__(self) -> None:
        self.requests: List[Recorded] = []
        self._cond = threading.Condition()
        self._httpd: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # --- to override ---
    def handle(self, request: Recorded) -> Tuple[int, Any]:
        raise NotImplementedError

    # --- helpers for tests ---
    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def matching(self, predicate: Callable[[Recorded], bool]) -> List[Recorded]:
        with self._cond:
            return [r for r in self.requests if predicate(r)]

    def wait_for(self, predicate: Callable[[Recorded], bool], count: int = 1, timeout: float = 10.0) -> List[Recorded]:
        """Block until `count` recorded requests match; raise AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [r for r in self.requests if predicate(r)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} matching requests, got {len(found)}: {self.requests!r}")
                self._cond.wait(remaining)

    async def await_for(
        self, predicate: Callable[[Recorded], bool], count: int = 1, timeout: float = 10.0
    ) -> List[Recorded]:
        """wait_for() for async tests: waits in a thread so the event loop keeps running."""
        return await asyncio.to_thread(self.wait_for, predicate, count, timeout)

    def parse_params(self, request: Recorded) -> Dict[str, Any]:
        """JSON body or form/query parameters as a dict (form values stay strings)."""
        params: Dict[str, Any] = dict(parse_qsl(urlsplit(request.path).query))
        content_type = request.headers.get("content-type", "")
        if request.body:
            if "json" in content_type:
                try:
                    loaded = json.loads(request.body)
                    if isinstance(loaded, dict):
                        params.update(loaded)
                except ValueError:
                    pass
            elif "x-www-form-urlencoded" in content_type:
                params.update(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
        return params

    # --- lifecycle ---
    def start(self) -> "RecordingServer":
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                recorded.params = outer.parse_params(recorded)
                status, payload = outer.handle(recorded)
                with outer._cond:
                    outer.requests.append(recorded)
                    outer._cond.notify_all()
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (e.g. a long poll cancelled at shutdown)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "RecordingServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
