"""HTTP server for the web chat page: static files, /config.json, /healthz and a relay to Rasa REST.

Run: python -m bot.web   (WEB_HOST, WEB_PORT, RASA_URL, RASA_TIMEOUT, WEB_MAX_BODY, WEB_PROCEDURE_URL)

The relay only forwards {"sender", "message", "metadata": {"operator_token"}} so the page cannot reach
other Rasa endpoints, and only accepts sender ids starting with "web:" so it cannot write into
conversations of other channels.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import urllib.error
import urllib.request
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit

from bot.privacy.notice import notice_text
from bot.privacy.settings import PrivacySettings
from bot.web.config import WebSettings

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
STRINGS_FILE = PACKAGE_DIR / "strings.vi.json"
WEBHOOK_PATH = "/webhooks/rest/webhook"

SENDER_RE = re.compile(r"^web:[A-Za-z0-9_-]{8,64}$")
STATIC_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)+$")
MAX_TOKEN_CHARS = 512
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
SECURITY_HEADERS = {
    # Everything is local: no inline script, no third-party origins.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


@lru_cache(maxsize=1)
def load_strings() -> Dict[str, Any]:
    with STRINGS_FILE.open(encoding="utf-8") as f:
        return json.load(f)


class RelayError(Exception):
    """Rasa could not answer; `code` is a key of strings.vi.json "errors"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def relay_to_rasa(settings: WebSettings, body: Dict[str, Any]) -> bytes:
    """POST one message to the Rasa REST channel and return its JSON list, re-encoded."""
    request = urllib.request.Request(
        settings.rasa_url + WEBHOOK_PATH,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.rasa_timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        logger.warning("Rasa answered HTTP %s", exc.code)
        raise RelayError("rasa_error") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (socket.timeout, TimeoutError)):
            raise RelayError("rasa_timeout") from exc
        logger.warning("Rasa unreachable at %s: %s", settings.rasa_url, exc.reason)
        raise RelayError("rasa_unreachable") from exc
    except (socket.timeout, TimeoutError) as exc:
        raise RelayError("rasa_timeout") from exc
    except OSError as exc:  # connection reset mid-response and the like
        logger.warning("Rasa connection failed: %s", exc)
        raise RelayError("rasa_unreachable") from exc
    try:
        messages = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RelayError("rasa_error") from exc
    if not isinstance(messages, list):
        raise RelayError("rasa_error")
    return json.dumps(messages, ensure_ascii=False).encode("utf-8")


def rasa_is_up(settings: WebSettings) -> bool:
    try:
        with urllib.request.urlopen(settings.rasa_url + "/", timeout=3) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def validate_message(payload: Any, settings: WebSettings) -> Tuple[Optional[Dict[str, Any]], str]:
    """Return (body to forward, "") or (None, error code)."""
    if not isinstance(payload, dict):
        return None, "bad_request"
    sender, message = payload.get("sender"), payload.get("message")
    if not isinstance(sender, str) or not SENDER_RE.match(sender):
        return None, "bad_request"
    if not isinstance(message, str) or not message.strip():
        return None, "bad_request"
    if len(message) > settings.max_message_chars:
        return None, "payload_too_large"
    body: Dict[str, Any] = {"sender": sender, "message": message}
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return None, "bad_request"
    token = (metadata or {}).get("operator_token")
    if token is not None:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            return None, "bad_request"
        if token:
            body["metadata"] = {"operator_token": token}
    return body, ""


class WebChatHandler(BaseHTTPRequestHandler):
    server: "WebChatServer"
    protocol_version = "HTTP/1.1"
    server_version = "TroLyDVC-Web"
    sys_version = ""

    # -- responses ---------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, data: Any, close: bool = False) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._send(status, body, CONTENT_TYPES[".json"], close=close)

    def _send_error_json(self, status: int, code: str, close: bool = False) -> None:
        message = load_strings()["errors"].get(code, code)
        self._send_json(status, {"error": code, "message": message}, close=close)

    # -- routing -----------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        parts = urlsplit(self.path)
        path = parts.path
        if path == "/healthz":
            self._healthz(parts.query)
        elif path == "/config.json":
            self._send_json(HTTPStatus.OK, self._page_config())
        elif path in ("/", "/index.html"):
            self._static("index.html")
        elif path.startswith("/static/"):
            self._static(path[len("/static/"):])
        elif path == WEBHOOK_PATH:
            self._send_error_json(HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")
        else:
            self._send_error_json(HTTPStatus.NOT_FOUND, "not_found")

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        if urlsplit(self.path).path != WEBHOOK_PATH:
            self._send_error_json(HTTPStatus.NOT_FOUND, "not_found", close=True)
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None or not length_header.isdigit():
            # Also covers chunked bodies: we do not stream-parse them.
            self._send_error_json(HTTPStatus.LENGTH_REQUIRED, "length_required", close=True)
            return
        length = int(length_header)
        if length > self.server.settings.max_body:
            self._send_error_json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", close=True)
            return
        raw = self.rfile.read(length)
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._send_error_json(HTTPStatus.BAD_REQUEST, "bad_request")
            return
        body, error = validate_message(payload, self.server.settings)
        if body is None:
            status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE if error == "payload_too_large" else HTTPStatus.BAD_REQUEST
            self._send_error_json(status, error)
            return
        try:
            answer = relay_to_rasa(self.server.settings, body)
        except RelayError as exc:
            self._send_error_json(HTTPStatus.BAD_GATEWAY, exc.code)
            return
        self._send(HTTPStatus.OK, answer, CONTENT_TYPES[".json"])

    # -- endpoints ---------------------------------------------------------
    def _healthz(self, query: str) -> None:
        if "rasa=1" not in query.split("&"):
            self._send_json(HTTPStatus.OK, {"status": "ok"})
        elif rasa_is_up(self.server.settings):
            self._send_json(HTTPStatus.OK, {"status": "ok", "rasa": "ok"})
        else:
            self._send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "degraded", "rasa": "unreachable"})

    def _page_config(self) -> Dict[str, Any]:
        settings = self.server.settings
        return {
            "strings": load_strings(),
            "procedure_url": settings.procedure_url,
            "max_message_chars": settings.max_message_chars,
            # The chat's privacy notice (domain.yml utter_privacy_notice), shown under "Quyền riêng tư".
            "privacy_notice": notice_text(PrivacySettings.from_env().retention_days),
        }

    def _static(self, name: str) -> None:
        # Flat directory and a strict name pattern: no traversal possible.
        file = STATIC_DIR / name
        content_type = CONTENT_TYPES.get(file.suffix)
        if not STATIC_NAME_RE.match(name) or content_type is None or not file.is_file():
            self._send_error_json(HTTPStatus.NOT_FOUND, "not_found")
            return
        self._send(HTTPStatus.OK, file.read_bytes(), content_type)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        # Request line and status only; message bodies (citizens' data) are never logged.
        logger.info("%s %s", self.address_string(), format % args)


class WebChatServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        super().__init__((settings.host, settings.port), WebChatHandler)


def make_server(settings: WebSettings) -> WebChatServer:
    """Bind (port 0 picks a free one, see `server.server_address`); call serve_forever() to run."""
    return WebChatServer(settings)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = WebSettings.from_env()
    server = make_server(settings)
    host, port = server.server_address[:2]
    logger.info("Web chat page on http://%s:%s/ relaying to %s", host, port, settings.rasa_url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
