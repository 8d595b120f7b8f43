"""The web app on Sanic: the chat page and its relay to Rasa REST, the procedure pages, the hotline console.

Run: python -m bot.web   (WEB_HOST, WEB_PORT, RASA_URL, RASA_TIMEOUT, WEB_MAX_BODY, WEB_PROCEDURE_URL, OPERATOR_TOKEN)

    /                      chat page (static/index.html + app.js), /config.json, /healthz, /static/<file>
    POST /webhooks/rest/webhook   relay to Rasa (below)
    /thu-tuc, /thu-tuc/<code>     procedure search and pages (bot/web/pages.py)
    /tong-dai                     hotline console behind OPERATOR_TOKEN (bot/web/console.py)

The relay only forwards {"sender", "message", "metadata": {"operator_token"}} so the page cannot reach
other Rasa endpoints, and only accepts sender ids starting with "web:" so it cannot write into
conversations of other channels. It adds the browser's address as metadata "client_ip" (never taken from the
page), so the dossier lookup limits count per client, not per sender id the page invents (bot/dossier/limits.py).
Nothing a person typed is logged: the access log has method, path (never the query string) and status only.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import socket
import threading
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from sanic import Sanic, response
from sanic.exceptions import MethodNotSupported, NotFound, PayloadTooLarge, SanicException
from sanic.request import Request

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
    # Everything is local: no inline script or style, no third-party origins.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}
_app_numbers = itertools.count(1)


@lru_cache(maxsize=1)
def load_strings() -> Dict[str, Any]:
    with STRINGS_FILE.open(encoding="utf-8") as f:
        return json.load(f)


class RelayError(Exception):
    """Rasa could not answer; `code` is a key of strings.vi.json "errors"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def relay_to_rasa(settings: WebSettings, body: Dict[str, Any]) -> list:
    """POST one message to the Rasa REST channel and return its JSON list (blocking; run in a thread)."""
    request = urllib.request.Request(
        settings.rasa_url + WEBHOOK_PATH,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.rasa_timeout) as answer:
            raw = answer.read()
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
    return messages


async def relay(settings: WebSettings, body: Dict[str, Any]) -> list:
    return await asyncio.get_running_loop().run_in_executor(None, relay_to_rasa, settings, body)


def rasa_is_up(settings: WebSettings) -> bool:
    try:
        with urllib.request.urlopen(settings.rasa_url + "/", timeout=3) as answer:
            return answer.status == 200
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


def client_ip(peer: str, forwarded_for: Optional[str], trusted_proxies: frozenset) -> str:
    """The browser's address: the peer, or the last hop a trusted reverse proxy appended to X-Forwarded-For."""
    if peer in trusted_proxies and forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return peer


# ---------------------------------------------------------------- responses


def json_response(status: int, data: Any) -> response.HTTPResponse:
    return response.raw(
        json.dumps(data, ensure_ascii=False).encode("utf-8"), status=status, content_type=CONTENT_TYPES[".json"]
    )


def error_json(status: int, code: str) -> response.HTTPResponse:
    return json_response(status, {"error": code, "message": load_strings()["errors"].get(code, code)})


def wants_html(request: Request) -> bool:
    """A browser navigating (Accept lists text/html) gets the HTML 404 page; scripts and fetch() get JSON."""
    return "text/html" in request.headers.get("accept", "") or request.path.startswith(
        ("/thu-tuc", "/tong-dai", "/bao-cao")
    )


# ---------------------------------------------------------------- the app


class WebApp(Sanic):
    """Sanic, started possibly more than once per process (tests start one per test): its start-up rewrite of its
    own HTTP methods ("touchup") must then begin from the originals, which Sanic keeps in test mode only."""

    test_mode = True


def make_app(settings: WebSettings) -> Sanic:
    """The Sanic app with every route; one per call (unique name), settings in app.ctx.settings."""
    from bot.web import console, pages, report  # routes of the other pages

    app = WebApp(f"tro_ly_web_{next(_app_numbers)}", configure_logging=False)
    app.config.REQUEST_MAX_SIZE = settings.max_body
    app.config.REQUEST_MAX_HEADER_SIZE = 16384  # Sanic's ceiling: long /thu-tuc?q=… addresses
    app.config.KEEP_ALIVE_TIMEOUT = 15
    app.config.MOTD = False
    app.ctx.settings = settings
    pages.setup(app)
    console.setup(app)
    report.setup(app)

    @app.get("/healthz", name="healthz")
    async def healthz(request: Request) -> response.HTTPResponse:
        if "rasa=1" not in request.query_string.split("&"):
            return json_response(200, {"status": "ok"})
        if await asyncio.get_running_loop().run_in_executor(None, rasa_is_up, settings):
            return json_response(200, {"status": "ok", "rasa": "ok"})
        return json_response(503, {"status": "degraded", "rasa": "unreachable"})

    @app.route("/config.json", methods=["GET", "HEAD"], name="config")
    async def page_config(request: Request) -> response.HTTPResponse:
        return json_response(
            200,
            {
                "strings": load_strings(),
                "procedure_url": settings.procedure_url,
                "max_message_chars": settings.max_message_chars,
                # The chat's privacy notice (domain.yml utter_privacy_notice), shown under "Quyền riêng tư".
                "privacy_notice": notice_text(PrivacySettings.from_env().retention_days),
            },
        )

    @app.route("/", methods=["GET", "HEAD"], name="index")
    async def index(request: Request) -> response.HTTPResponse:
        return static_file("index.html")

    @app.route("/index.html", methods=["GET", "HEAD"], name="index_html")
    async def index_html(request: Request) -> response.HTTPResponse:
        return static_file("index.html")

    @app.route("/static/<name>", methods=["GET", "HEAD"], name="static_file")
    async def static(request: Request, name: str) -> response.HTTPResponse:
        return static_file(name)

    @app.route(WEBHOOK_PATH, methods=["GET", "HEAD"], name="webhook_get")
    async def webhook_get(request: Request) -> response.HTTPResponse:
        return error_json(405, "method_not_allowed")

    @app.post(WEBHOOK_PATH, name="webhook")
    async def webhook(request: Request) -> response.HTTPResponse:
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            # Also covers chunked bodies: the relay takes only sized ones.
            return error_json(411, "length_required")
        if int(length) > settings.max_body:
            return error_json(413, "payload_too_large")
        try:
            payload = json.loads((request.body or b"").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return error_json(400, "bad_request")
        body, error = validate_message(payload, settings)
        if body is None:
            return error_json(413 if error == "payload_too_large" else 400, error)
        body.setdefault("metadata", {})["client_ip"] = client_ip(
            request.ip, request.headers.get("x-forwarded-for"), settings.trusted_proxies
        )
        try:
            answer = await relay(settings, body)
        except RelayError as exc:
            return error_json(502, exc.code)
        return json_response(200, answer)

    @app.exception(NotFound)
    async def not_found(request: Request, exc: Exception) -> response.HTTPResponse:
        if wants_html(request):
            return pages.not_found_page(request)
        return error_json(404, "not_found")

    @app.exception(MethodNotSupported)
    async def not_allowed(request: Request, exc: Exception) -> response.HTTPResponse:
        if request.method == "POST":
            return error_json(404, "not_found")
        return error_json(405, "method_not_allowed")

    @app.exception(PayloadTooLarge)
    async def too_large(request: Request, exc: Exception) -> response.HTTPResponse:
        if request.method == "POST":
            return error_json(413, "payload_too_large")
        # Headers too long to parse (method unknown here): in practice a browser's very long /thu-tuc?q=… address.
        return pages.too_long_page(request)

    @app.exception(SanicException)
    async def other_error(request: Request, exc: SanicException) -> response.HTTPResponse:
        status = getattr(exc, "status_code", 500) or 500
        return error_json(status, "bad_request" if status < 500 else "server_error")

    @app.exception(Exception)
    async def crash(request: Request, exc: Exception) -> response.HTTPResponse:
        logger.error("%s %s failed: %s", request.method, request.path, type(exc).__name__)
        return error_json(500, "server_error")

    @app.on_response
    async def headers(request: Request, resp: response.HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(name, value)
        # Method, path and status only: no query string (questions), no bodies, no tokens.
        logger.info("%s %s %s", request.method, request.path, resp.status)

    return app


def static_file(name: str) -> response.HTTPResponse:
    # Flat directory and a strict name pattern: no traversal possible.
    file = STATIC_DIR / name
    content_type = CONTENT_TYPES.get(file.suffix)
    if not STATIC_NAME_RE.match(name) or content_type is None or not file.is_file():
        return error_json(404, "not_found")
    return response.raw(file.read_bytes(), status=200, content_type=content_type)


# ---------------------------------------------------------------- running it


class WebServer:
    """The app bound to a socket (port 0 picks a free one: see `server_address`), served by `serve_forever()` in
    the calling thread until `shutdown()` from another thread; the interface of the stdlib servers it replaced."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.app = make_app(settings)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((settings.host, settings.port))
        self.socket.listen(100)
        self.server_address = self.socket.getsockname()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._stop: Optional[asyncio.Event] = None
        self._started = threading.Event()
        self._done = threading.Event()

    def serve_forever(self, poll_interval: float = 0.5) -> None:  # noqa: ARG002 (stdlib signature)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._done.set()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await self.app.create_server(sock=self.socket, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        self._started.set()
        try:
            await self._stop.wait()
        finally:
            await server.before_stop()
            await server.close()
            # Idle keep-alive connections close now, busy ones get a moment to finish, then everything closes.
            for connection in list(server.connections):
                connection.close_if_idle()
            for _ in range(50):
                if not server.connections:
                    break
                await asyncio.sleep(0.05)
            for connection in list(server.connections):
                connection.close()
            await server.after_stop()
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def wait_started(self, timeout: float = 10) -> bool:
        return self._started.wait(timeout)

    def shutdown(self) -> None:
        if self._loop is not None and self._stop is not None and not self._done.is_set():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._done.wait(10)

    def server_close(self) -> None:
        self.socket.close()


def make_server(settings: WebSettings) -> WebServer:
    """Bind (port 0 picks a free one, see `server.server_address`); call serve_forever() to run."""
    return WebServer(settings)


WebChatServer = WebServer  # the name the tests and the stack knew


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("sanic.access", "sanic.root", "sanic.error"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = WebSettings.from_env()
    server = make_server(settings)
    host, port = server.server_address[:2]
    logger.info("Web app on http://%s:%s/ relaying to %s", host, port, settings.rasa_url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
