"""Reference one-stop-shop dossier service (the dossier API of DESIGN.md), stdlib HTTP server.

Run:  python -m bot.dossier.service
Env:  DOSSIER_SERVICE_HOST (127.0.0.1), DOSSIER_SERVICE_PORT (8081), DOSSIER_API_TOKEN (optional bearer token),
      DOSSIER_DB_URL (sqlite file var/dossier_service.sqlite under the repo root, or postgresql://...),
      DOSSIER_SEED_DEMO (1: seed/re-base the demo dossiers on start; 0 to disable).
Endpoints: GET /dossiers/{code}, GET /dossiers/{code}/history (extension), GET /openapi.yaml, GET /health.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bot.dossier.codes import is_canonical, mask_code
from bot.dossier.store import DossierStore

logger = logging.getLogger(__name__)
OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")
_ROUTE_RE = re.compile(r"^/dossiers/(?P<code>[^/]+)(?P<history>/history)?/?$")


class DossierHandler(BaseHTTPRequestHandler):
    server: "DossierServer"
    protocol_version = "HTTP/1.1"
    # Headers and body in one segment, no Nagle: otherwise keep-alive clients wait ~40 ms per request.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        path = urllib.parse.urlsplit(self.path).path
        if path == "/health":
            return self._json(HTTPStatus.OK, {"status": "ok"})
        if path == "/openapi.yaml":
            return self._send(HTTPStatus.OK, OPENAPI_FILE.read_bytes(), "application/yaml")
        match = _ROUTE_RE.match(path)
        if not match:
            return self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})
        if not self._authorized():
            return self._json(
                HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"}, {"WWW-Authenticate": 'Bearer realm="dossiers"'}
            )
        code = urllib.parse.unquote(match["code"]).strip().upper()
        if not is_canonical(code):
            return self._json(HTTPStatus.BAD_REQUEST, {"error": "invalid_code"})
        try:
            if match["history"]:
                history = self.server.store.history(code)
                if history is None:
                    return self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})
                return self._json(HTTPStatus.OK, {"code": code, "history": history})
            dossier = self.server.store.get(code)
        except Exception:  # storage down: answer 500 like a real backend would
            logger.exception("storage error")
            return self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal"})
        if dossier is None:
            return self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})
        return self._json(HTTPStatus.OK, dossier)

    def _authorized(self) -> bool:
        token = self.server.token
        if not token:
            return True
        header = self.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())

    def _json(self, status: HTTPStatus, body: object, headers: dict | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._send(status, data, "application/json; charset=utf-8", headers)

    def _send(self, status: HTTPStatus, data: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt: str, *args: object) -> None:
        # Access log without full dossier codes.
        text = re.sub(r"/dossiers/([^/ ]+)", lambda m: "/dossiers/" + mask_code(urllib.parse.unquote(m[1])), fmt % args)
        logger.info("%s %s", self.address_string(), text)


class DossierServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: DossierStore, token: str | None = None) -> None:
        super().__init__(address, DossierHandler)
        self.store = store
        self.token = token or None


def make_server(
    store: DossierStore, host: str = "127.0.0.1", port: int = 0, token: str | None = None, seed_demo: bool = True
) -> DossierServer:
    """Create tables (and demo data) and bind; call serve_forever() on the result."""
    store.init(seed_demo=seed_demo)
    return DossierServer((host, port), store, token)


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(name)s %(message)s")
    store = DossierStore.from_env()
    server = make_server(
        store,
        host=os.environ.get("DOSSIER_SERVICE_HOST", "127.0.0.1"),
        port=int(os.environ.get("DOSSIER_SERVICE_PORT", "8081")),
        token=os.environ.get("DOSSIER_API_TOKEN") or None,
        seed_demo=os.environ.get("DOSSIER_SEED_DEMO", "1") != "0",
    )
    host, port = server.server_address[:2]
    logger.info("dossier service on http://%s:%s (%s)", host, port, "postgresql" if store.is_postgres else store.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
