"""The action server: rasa-sdk's Sanic app on the host we choose, open only to the Rasa servers.

rasa-sdk 3.6's own `run()` binds every interface (SANIC_HOST, default 0.0.0.0) and accepts anyone; this entry
builds the same app with `rasa_sdk.endpoint.create_app`, binds `--host` (ACTIONS_HOST, else BIND_HOST, else
127.0.0.1) and refuses every call but `GET /health` unless it carries the shared token:
`Authorization: Bearer <ACTIONS_TOKEN>` (what `make run` writes into Rasa's `action_endpoint.headers`) or
`?token=<ACTIONS_TOKEN>` (Rasa's `action_endpoint.token`). Without ACTIONS_TOKEN only loopback callers are served.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import logging
import os

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response

logger = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _presented_token(request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.args.get("token", "")


def allowed(request, token: str | None) -> bool:
    """A call from a Rasa server: the right token, or, when no token is configured, a loopback peer."""
    if request.path in OPEN_PATHS:
        return True
    if token:
        return hmac.compare_digest(_presented_token(request).encode(), token.encode())
    return _is_loopback(request.ip or "")


def guard(app: Sanic, token: str | None) -> None:
    @app.middleware("request")
    async def _only_rasa(request):
        if not allowed(request, token):
            logger.warning("refused a call to %s from %s", request.path, request.ip)
            return response.json({"error": "unauthorized"}, status=401)
        return None


def build_app(actions: str, token: str | None, cors=None, auto_reload: bool = False) -> Sanic:
    app = create_app(actions, cors_origins=cors, auto_reload=auto_reload)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    guard(app, token)
    return app


def argument_parser() -> argparse.ArgumentParser:
    parser = create_argument_parser()
    parser.add_argument(
        "--host",
        default=os.environ.get("ACTIONS_HOST") or os.environ.get("BIND_HOST") or "127.0.0.1",
        help="address to bind (ACTIONS_HOST, else BIND_HOST, else 127.0.0.1)",
    )
    return parser


def serve(args: argparse.Namespace) -> None:
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    token = os.environ.get("ACTIONS_TOKEN") or None
    app = build_app(args.actions or "actions", token, cors=args.cors, auto_reload=args.auto_reload)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info(
        "Action server on %s:%s (%s)", args.host, args.port, "token required" if token else "loopback callers only"
    )
    app.run(args.host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())
