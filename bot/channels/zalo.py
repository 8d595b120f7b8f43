"""Zalo Official Account input channel for Rasa 3.6: POST /webhooks/zalo/webhook.

Enable it in credentials.yml with `bot.channels.zalo.ZaloInput:` (empty: settings come from the environment,
see ZaloSettings) and start Rasa as usual (`rasa run --credentials credentials.yml`).

Webhook security (https://hainh.me/zalo-api-php-webhook-callback-official-account.html, summarising
developers.zalo.me "Webhook"): header `X-ZEvent-Signature: mac=<hex>` where
hex = SHA-256(app_id + raw JSON body + body["timestamp"] + OA secret key) — the OA secret key, not the app
secret. Zalo wants 200 within 2 seconds, otherwise it re-sends the event, so we answer at once and let Rasa work
in a background task; each message.msg_id is handled once (bounded in-memory de-dup store).
Other user_send_* events (image, sticker, audio, location...) get a polite "text only" reply, in order with the
answers to that user's text messages; other events (follow, user_seen_message...) are acknowledged and logged.
Forged events get 401, stale or future-dated ones 403, and neither reaches Rasa.

Buttons: Zalo CS text messages have no quick replies we can rely on (button templates with `oa.query.show`
exist for template/transaction messages: https://docs.etelecom.vn/api-etelecom-english/api-integration/
zalo-cloud/zalo-cloud-api/send-transaction-message), so buttons become a numbered list and the user's next
message "2" is mapped back to the second payload.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Set, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import BoundedStore, KeyedLocks, is_skipped_custom, message, split_text
from bot.channels.shared_state import RedisStore, shared_store
from bot.channels.zalo_api import TokenStore, ZaloApi

logger = logging.getLogger(__name__)

ZALO_TEXT_LIMIT = 2000  # characters per CS text message
SENDER_PREFIX = "zalo:"
SIGNATURE_HEADER = "X-ZEvent-Signature"
DEFAULT_TOKEN_FILE = Path(__file__).resolve().parents[2] / "var" / "zalo_tokens.json"
_CHOICE_RE = re.compile(r"^\s*(?:số|so|chọn|chon)?\s*(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)

# credentials.yml key -> environment variable
_KEYS = {
    "app_id": "ZALO_APP_ID",
    "app_secret": "ZALO_APP_SECRET",
    "oa_secret_key": "ZALO_OA_SECRET_KEY",
    "access_token": "ZALO_ACCESS_TOKEN",
    "refresh_token": "ZALO_REFRESH_TOKEN",
    "api_base": "ZALO_API_BASE",
    "oauth_base": "ZALO_OAUTH_BASE",
    "token_file": "ZALO_TOKEN_FILE",
    "max_event_age": "ZALO_MAX_EVENT_AGE_SECONDS",
}


@dataclass(frozen=True)
class ZaloSettings:
    app_id: str = ""
    app_secret: str = ""
    oa_secret_key: str = ""
    access_token: str = ""
    refresh_token: str = ""
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"
    token_file: str = str(DEFAULT_TOKEN_FILE)
    max_event_age: float = 300.0

    @classmethod
    def load(
        cls, credentials: Optional[Mapping[str, Any]] = None, env: Mapping[str, str] = os.environ
    ) -> "ZaloSettings":
        """credentials.yml values first, then the environment, then the defaults."""
        credentials = credentials or {}
        values: Dict[str, Any] = {}
        for key, variable in _KEYS.items():
            value = credentials.get(key)
            if value in (None, ""):
                value = env.get(variable, "")
            if value not in (None, ""):
                values[key] = value
        if "max_event_age" in values:
            values["max_event_age"] = float(values["max_event_age"])
        return cls(**{k: (str(v) if k != "max_event_age" else v) for k, v in values.items()})


def compute_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The value Zalo puts in X-ZEvent-Signature for this body."""
    digest = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode())
    return "mac=" + digest.hexdigest()


def signature_valid(header: str, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> bool:
    if not (header and app_id and oa_secret_key and timestamp):
        return False
    expected = compute_signature(app_id, raw_body, timestamp, oa_secret_key)[len("mac=") :]
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:].strip()
    return hmac.compare_digest(given.lower(), expected)


def choice_payload(text: str, buttons: Optional[List[str]]) -> Optional[str]:
    """'2' (or 'số 2') -> second button payload, when the last bot message offered buttons."""
    if not buttons:
        return None
    match = _CHOICE_RE.match(text)
    if not match:
        return None
    index = int(match.group(1))
    return buttons[index - 1] if 1 <= index <= len(buttons) else None


class ZaloOutput(OutputChannel):
    """Sends Rasa's answers as Zalo CS text messages (split at 2,000 characters, buttons numbered)."""

    @classmethod
    def name(cls) -> Text:
        return "zalo"

    def __init__(self, api: ZaloApi, button_memory: "BoundedStore[str, List[str]] | RedisStore") -> None:
        self.api = api
        self.button_memory = button_memory

    @staticmethod
    def user_id(recipient_id: Text) -> str:
        recipient = str(recipient_id)
        return recipient[len(SENDER_PREFIX) :] if recipient.startswith(SENDER_PREFIX) else recipient

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        user_id = self.user_id(recipient_id)
        for chunk in split_text(text, ZALO_TEXT_LIMIT):
            try:
                await self.api.send_text(user_id, chunk)
            except Exception as error:  # API or network failure: log it, never kill the conversation task
                logger.error("Zalo send to %s failed: %s", user_id, error)
                return

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        payloads = [str(b.get("payload") or b.get("title") or "") for b in buttons]
        self.button_memory.put(self.user_id(recipient_id), payloads)
        lines = [text, "", message("buttons_hint")] if text else [message("buttons_hint")]
        lines += [f"{n}. {b.get('title') or b.get('payload')}" for n, b in enumerate(buttons, start=1)]
        await self.send_text_message(recipient_id, "\n".join(lines))

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[str, Any], **kwargs: Any) -> None:
        # Structured payloads are for the web page; the text already carries the facts. Never show raw JSON.
        if not is_skipped_custom({"custom": json_message}):
            logger.debug("Zalo channel drops a custom payload of type %r", json_message.get("type"))


class ZaloInput(InputChannel):
    """Receives Zalo OA webhooks, verifies them, and hands user_send_text events to Rasa in the background."""

    @classmethod
    def name(cls) -> Text:
        return "zalo"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "ZaloInput":
        return cls(ZaloSettings.load(credentials))

    def __init__(
        self, settings: Optional[ZaloSettings] = None, dedup_size: int = 10000, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings or ZaloSettings.load()
        self.clock = clock
        s = self.settings
        self.api = ZaloApi(
            s.api_base,
            s.oauth_base,
            s.app_id,
            s.app_secret,
            TokenStore(Path(s.token_file), s.access_token, s.refresh_token),
        )
        # Shared by every Rasa server through Redis when REDIS_URL is set (bot/channels/shared_state.py).
        self.seen = shared_store("zalo:seen", dedup_size, ttl=24 * 3600)
        self.button_memory = shared_store("zalo:buttons", 50000, ttl=24 * 3600)
        self.user_locks = KeyedLocks()
        self._tasks: Set[asyncio.Task] = set()
        if not (s.app_id and s.oa_secret_key):
            logger.error("Zalo channel: ZALO_APP_ID / ZALO_OA_SECRET_KEY missing, every webhook will be refused")

    def get_output_channel(self) -> OutputChannel:
        return ZaloOutput(self.api, self.button_memory)

    async def wait_idle(self) -> None:
        """Wait until background conversations finish (used by tests and at shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def check_event(self, raw_body: bytes, signature: str) -> tuple[int, Optional[Dict[str, Any]]]:
        """(status, event): 400 unreadable, 401 bad signature, 403 stale, 200 fine."""
        try:
            event = json.loads(raw_body)
        except ValueError:
            return 400, None
        if not isinstance(event, dict):
            return 400, None
        timestamp = str(event.get("timestamp") or "")
        if not signature_valid(signature, self.settings.app_id, raw_body, timestamp, self.settings.oa_secret_key):
            return 401, None
        try:
            sent_at = int(timestamp) / 1000.0  # Zalo timestamps are in milliseconds
        except ValueError:
            return 403, None
        if abs(self.clock() - sent_at) > self.settings.max_event_age:
            return 403, None
        return 200, event

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        zalo_webhook = Blueprint(f"zalo_webhook_{id(self)}", module.__name__ if module else None)

        @zalo_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @zalo_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            status, event = self.check_event(request.body or b"", request.headers.get(SIGNATURE_HEADER, ""))
            if event is None:
                logger.warning("Zalo webhook refused with %s from %s", status, request.ip)
                return response.json(
                    {"error": {400: "bad request", 401: "bad signature", 403: "stale event"}[status]}, status=status
                )
            name = str(event.get("event_name") or "")
            msg = event.get("message") or {}
            user_id = str((event.get("sender") or {}).get("id") or "")
            msg_id = str(msg.get("msg_id") or "")
            is_text = name == "user_send_text" and isinstance(msg.get("text"), str)
            # Images, stickers, voice, location... from a user get a polite "text only" reply.
            is_other_user_message = name.startswith("user_send_") and not is_text
            if not user_id or not (is_text or is_other_user_message):
                logger.info("Zalo event %s acknowledged, not handled", name)
                return response.json({"status": "ignored"})
            if msg_id and not self.seen.add_if_absent(msg_id, True):
                logger.info("Zalo message %s delivered again, skipped", msg_id)
                return response.json({"status": "duplicate"})
            if is_text:
                metadata = {
                    "channel": "zalo",
                    "user_id": user_id,
                    "msg_id": msg_id,
                    "oa_id": str((event.get("recipient") or {}).get("id") or ""),
                }
                work = self._handle(on_new_message, user_id, msg["text"], metadata)
            else:
                work = self._reply_text_only(user_id)
            task = asyncio.ensure_future(work)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.json({"status": "accepted"})

        @zalo_webhook.listener("after_server_stop")
        async def close_client(*_: Any) -> None:
            await self.api.close()

        return zalo_webhook

    async def _reply_text_only(self, user_id: str) -> None:
        """The polite "text only" reply, after the answers to this user's earlier messages (in their order)."""
        async with self.user_locks.hold(user_id):
            await self.get_output_channel().send_text_message(SENDER_PREFIX + user_id, message("unsupported_content"))

    async def _handle(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], user_id: str, text: str, metadata: Dict[str, Any]
    ) -> None:
        async with self.user_locks.hold(user_id):  # one user's messages in order
            buttons = self.button_memory.get(user_id)
            self.button_memory.put(user_id, [])  # a number only means a button right after the buttons
            payload = choice_payload(text, buttons)
            user_message = UserMessage(
                payload or text,
                self.get_output_channel(),
                SENDER_PREFIX + user_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            try:
                await on_new_message(user_message)
            except Exception:
                logger.exception("Rasa failed on a Zalo message from %s", user_id)
                await self.get_output_channel().send_text_message(SENDER_PREFIX + user_id, message("rasa_down"))
