"""Telegram bridge: relays messages between Telegram (python-telegram-bot v22) and Rasa's REST channel.

Run:  TELEGRAM_BOT_TOKEN=123:abc python -m bot.channels.telegram_bridge
Long polling by default; when TELEGRAM_WEBHOOK_URL is set, the bridge registers that URL with Telegram
(setWebhook with TELEGRAM_WEBHOOK_SECRET as secret_token) and listens on
TELEGRAM_WEBHOOK_LISTEN:TELEGRAM_WEBHOOK_PORT (path taken from the URL) with a small aiohttp server,
because PTB's own run_webhook needs tornado (the [webhooks] extra), which we do not install.

Settings (environment): TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE (PTB base_url, default
https://api.telegram.org/bot), TELEGRAM_FILE_API_BASE, TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET,
TELEGRAM_WEBHOOK_LISTEN, TELEGRAM_WEBHOOK_PORT, TELEGRAM_POLL_TIMEOUT, TELEGRAM_MAX_CONCURRENT,
TELEGRAM_START_MESSAGE, TELEGRAM_HELP_MESSAGE, TELEGRAM_HEALTH_PORT, TELEGRAM_NOTIFY_WAIT,
RASA_URL, RASA_TOKEN, RASA_TIMEOUT, RASA_RETRIES, RASA_RETRY_DELAY (see .env.example).

Local side server (only when TELEGRAM_HEALTH_PORT is set, bound to 127.0.0.1):
  GET  /health   200 once the bridge is running (for the process supervisor).
  POST /notify   push Rasa messages into a chat outside a user turn (the dossier notifier uses it, because
                 Rasa's trigger_intent returns the answers of REST-channel conversations in its HTTP response).
                 Header `Authorization: Bearer <RASA_TOKEN>`; body {"sender": "telegram:<chat_id>",
                 "messages": [<Rasa REST messages>]}. Rendered like any answer (split, inline keyboards, custom
                 payloads skipped) while holding the chat's lock, so it never interleaves with a reply in flight.
                 200 {"sent": n} | 400 bad body or sender | 401 token missing/wrong (or RASA_TOKEN unset)
                 | 502 {"sent": n} Telegram failed after n messages | 503 the chat stayed busy (nothing sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import re
import secrets
import signal
from dataclasses import dataclass, field
from typing import Any, Awaitable, Dict, List, Mapping, Optional
from urllib.parse import urlparse

from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.common import KeyedLocks, is_skipped_custom, message, split_text, utf16_len
from bot.channels.rasa_client import RasaRestClient, RasaUnavailable
from bot.channels.shared_state import shared_store
from bot.privacy import PRIVACY_COMMANDS

logger = logging.getLogger(__name__)

TELEGRAM_TEXT_LIMIT = 4096  # sendMessage text: 1-4096 characters (Bot API docs)
CALLBACK_DATA_LIMIT = 64  # InlineKeyboardButton.callback_data: 1-64 bytes (Bot API docs)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # sent by Telegram when setWebhook had secret_token
NOTIFY_SENDER = re.compile(r"telegram:(-?\d+)")  # the sender ids this bridge gives Rasa


@dataclass(frozen=True)
class Settings:
    token: str
    api_base: str = "https://api.telegram.org/bot"
    file_api_base: str = "https://api.telegram.org/file/bot"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout: float = 30.0
    rasa_retries: int = 3
    rasa_retry_delay: float = 1.0
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    poll_timeout: int = 30
    max_concurrent: int = 64
    start_message: str = "/greet"
    help_message: str = "/ask_capabilities"
    health_port: int = 0  # when set, GET http://127.0.0.1:<port>/health answers 200 (for the process supervisor)
    notify_token: str = field(default="", repr=False)  # RASA_TOKEN: bearer token of POST /notify; empty refuses all
    notify_wait: float = 20.0  # how long /notify waits for a busy chat before answering 503

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Settings":
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise SystemExit("TELEGRAM_BOT_TOKEN is not set: get one from @BotFather (see the README).")
        api_base = normalize_api_base(env.get("TELEGRAM_API_BASE", "") or cls.api_base)
        file_base = env.get("TELEGRAM_FILE_API_BASE", "") or default_file_base(api_base)
        return cls(
            token=token,
            api_base=api_base,
            file_api_base=file_base,
            rasa_url=env.get("RASA_URL", "") or cls.rasa_url,
            rasa_timeout=float(env.get("RASA_TIMEOUT", cls.rasa_timeout)),
            rasa_retries=int(env.get("RASA_RETRIES", cls.rasa_retries)),
            rasa_retry_delay=float(env.get("RASA_RETRY_DELAY", cls.rasa_retry_delay)),
            webhook_url=env.get("TELEGRAM_WEBHOOK_URL", "").strip(),
            webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", "").strip(),
            webhook_listen=env.get("TELEGRAM_WEBHOOK_LISTEN", "") or cls.webhook_listen,
            webhook_port=int(env.get("TELEGRAM_WEBHOOK_PORT", cls.webhook_port)),
            poll_timeout=int(env.get("TELEGRAM_POLL_TIMEOUT", cls.poll_timeout)),
            max_concurrent=int(env.get("TELEGRAM_MAX_CONCURRENT", cls.max_concurrent)),
            start_message=env.get("TELEGRAM_START_MESSAGE", "") or cls.start_message,
            help_message=env.get("TELEGRAM_HELP_MESSAGE", "") or cls.help_message,
            health_port=int(env.get("TELEGRAM_HEALTH_PORT", "") or 0),
            notify_token=env.get("RASA_TOKEN", "").strip(),
            notify_wait=float(env.get("TELEGRAM_NOTIFY_WAIT", "") or cls.notify_wait),
        )


def normalize_api_base(value: str) -> str:
    """PTB appends the token to base_url: accept 'http://host:port' as well as 'http://host:port/bot'."""
    value = value.rstrip("/")
    if "{token}" in value or value.endswith("/bot"):
        return value
    return value + "/bot"


def default_file_base(api_base: str) -> str:
    if api_base.endswith("/bot"):
        return api_base[: -len("/bot")] + "/file/bot"
    return api_base


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent updates across chats, strictly ordered within one chat (asyncio locks are FIFO)."""

    def __init__(self, max_concurrent_updates: int, locks: Optional[KeyedLocks] = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks = locks if locks is not None else KeyedLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self._locks.hold(chat.id):
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class ButtonMap:
    """callback_data for a Rasa button payload. Short payloads travel inline ('p:'), long ones by key ('k:')."""

    def __init__(self, max_items: int = 20000) -> None:
        # Shared by every bridge process through Redis when REDIS_URL is set (bot/channels/shared_state.py).
        self._store = shared_store("telegram:buttons", max_items)

    def encode(self, payload: str) -> str:
        inline = "p:" + payload
        if len(inline.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            return inline
        key = "k:" + secrets.token_urlsafe(12)
        self._store.put(key, payload)
        return key

    def decode(self, data: Optional[str]) -> Optional[str]:
        if not data:
            return None
        if data.startswith("p:"):
            return data[2:]
        if data.startswith("k:"):
            return self._store.get(data)
        return None


class DeliveryFailed(TelegramError):
    """Telegram refused or failed part of an answer; `sent` messages had gone out before."""

    def __init__(self, sent: int, error: TelegramError) -> None:
        super().__init__(f"{error.message} (after {sent} message(s))")
        self.sent = sent


class TelegramBridge:
    """Telegram handlers that forward to Rasa and render Rasa's answers."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rasa = RasaRestClient(
            settings.rasa_url,
            timeout=settings.rasa_timeout,
            attempts=settings.rasa_retries,
            retry_delay=settings.rasa_retry_delay,
            input_channel="telegram",
        )
        self.buttons = ButtonMap()
        # Shared by the update processor and /notify: one chat's messages never interleave.
        self.chat_locks = KeyedLocks()

    # ----- wiring -----
    def build_application(self) -> Application:
        s = self.settings
        application = (
            Application.builder()
            .token(s.token)
            .base_url(s.api_base)
            .base_file_url(s.file_api_base)
            .concurrent_updates(ChatOrderedProcessor(s.max_concurrent, self.chat_locks))
            .post_init(self._post_init)
            .post_shutdown(self._post_shutdown)
            .build()
        )
        private = filters.ChatType.PRIVATE
        application.add_handler(TypeHandler(Update, self.on_non_private), group=-1)
        application.add_handler(CommandHandler("start", self.on_start, filters=private))
        application.add_handler(CommandHandler("help", self.on_help, filters=private))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(MessageHandler(filters.UpdateType.EDITED & private, self.on_edited))
        application.add_handler(MessageHandler(filters.COMMAND & private, self.on_unknown_command))
        application.add_handler(MessageHandler(filters.TEXT & private, self.on_text))
        application.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, self.on_unsupported))
        application.add_error_handler(self.on_error)
        return application

    async def _post_init(self, application: Application) -> None:
        await self.rasa.start()

    async def _post_shutdown(self, application: Application) -> None:
        await self.rasa.close()

    # ----- handlers -----
    async def on_non_private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Groups and channels: answer /start or /help with a pointer to the private chat, ignore the rest."""
        chat = update.effective_chat
        if chat is None or chat.type == ChatType.PRIVATE:
            return
        msg = update.message
        if msg is not None and msg.text and msg.text.split()[0].split("@")[0] in ("/start", "/help"):
            await msg.reply_text(message("group_not_supported"))
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.relay(update, context, self.settings.start_message)

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.relay(update, context, self.settings.help_message)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await self.relay(update, context, update.message.text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        payload = self.buttons.decode(query.data)
        # Always answer the callback query, or the client shows a spinner until it times out.
        if payload is None:
            await query.answer(message("button_expired"))
            return
        await query.answer()
        await self.relay(update, context, payload)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.edited_message is not None
        await context.bot.send_message(update.edited_message.chat_id, message("edited_message"))

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        if (update.message.text or "/").split()[0].split("@")[0].lower() in PRIVACY_COMMANDS:
            await self.relay(update, context, update.message.text)  # "/quyen-rieng-tu": the privacy notice
            return
        await update.message.reply_text(message("unknown_command"))

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, message("unsupported_content"))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("Error while handling a Telegram update", exc_info=context.error)

    # ----- relaying -----
    async def relay(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        chat = update.effective_chat
        if chat is None:  # e.g. a button under an inline-mode message: nowhere to answer
            return
        user = update.effective_user
        metadata: Dict[str, Any] = {"channel": "telegram", "chat_id": chat.id}
        if user is not None:
            metadata["user_id"] = user.id
            if user.language_code:
                metadata["language_code"] = user.language_code
        try:
            await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
        except TelegramError as error:  # cosmetic; never block the answer on it
            logger.debug("sendChatAction failed: %s", error)
        try:
            responses = await self.rasa.send(f"telegram:{chat.id}", text, metadata)
        except RasaUnavailable:
            await context.bot.send_message(chat.id, message("rasa_down"))
            return
        await self.send_responses(context.bot, chat.id, responses)

    async def send_responses(self, bot: Bot, chat_id: int, responses: List[Dict[str, Any]]) -> int:
        """Render Rasa messages into the chat; returns how many Telegram messages were sent.

        Raises DeliveryFailed (a TelegramError) with the count sent before Telegram failed.
        """
        sent = 0
        for response in responses:
            if is_skipped_custom(response) or ("custom" in response and not response.get("text")):
                continue
            text = str(response.get("text") or "")
            buttons = response.get("buttons") or response.get("quick_replies") or []
            markup = self.keyboard(buttons) if buttons else None
            chunks = split_text(text, TELEGRAM_TEXT_LIMIT, utf16_len)
            if not chunks and markup is not None:
                chunks = ["…"]
            try:
                for index, chunk in enumerate(chunks):
                    last = index == len(chunks) - 1
                    await bot.send_message(chat_id, chunk, reply_markup=markup if last else None)
                    sent += 1
                image = response.get("image")
                if image:
                    try:
                        await bot.send_photo(chat_id, image)
                    except TelegramError as error:
                        logger.warning("sendPhoto failed (%s), sending the link instead", error)
                        await bot.send_message(chat_id, str(image))
                    sent += 1
            except TelegramError as error:
                raise DeliveryFailed(sent, error) from error
        return sent

    def keyboard(self, buttons: List[Dict[str, Any]]) -> InlineKeyboardMarkup:
        rows = []
        for button in buttons:
            title = str(button.get("title") or button.get("payload") or "?")
            url = button.get("url")
            if url:
                rows.append([InlineKeyboardButton(title, url=str(url))])
            else:
                payload = str(button.get("payload") or title)
                rows.append([InlineKeyboardButton(title, callback_data=self.buttons.encode(payload))])
        return InlineKeyboardMarkup(rows)


# ----- running -----
async def _serve_webhook(application: Application, settings: Settings, stop: asyncio.Event) -> None:
    """Receive updates over HTTPS (behind a reverse proxy) and hand them to the application queue."""
    path = urlparse(settings.webhook_url).path or "/"
    secret = settings.webhook_secret

    async def receive(request: web.Request) -> web.Response:
        if secret and not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
        except ValueError:
            return web.Response(status=400, text="bad request")
        update = Update.de_json(data, application.bot)
        if update is not None:
            await application.update_queue.put(update)
        return web.Response(text="ok")

    web_app = web.Application()
    web_app.router.add_post(path, receive)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_listen, settings.webhook_port)
    await site.start()
    try:
        await application.bot.set_webhook(
            settings.webhook_url, secret_token=secret or None, allowed_updates=Update.ALL_TYPES
        )
        logger.info(
            "Webhook set to %s, listening on %s:%s%s",
            settings.webhook_url,
            settings.webhook_listen,
            settings.webhook_port,
            path,
        )
        await stop.wait()
    finally:
        await runner.cleanup()


def _authorized(request: web.Request, token: str) -> bool:
    if not token:  # no shared secret configured: nobody may push
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode("utf-8"), f"Bearer {token}".encode("utf-8"))


def _notify_handler(bridge: TelegramBridge, bot: Bot):
    settings = bridge.settings

    async def notify(request: web.Request) -> web.Response:
        if not _authorized(request, settings.notify_token):
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            data = await request.json()
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"error": "body must be JSON"}, status=400)
        if not isinstance(data, dict):
            return web.json_response({"error": "body must be an object"}, status=400)
        match = NOTIFY_SENDER.fullmatch(str(data.get("sender") or ""))
        if match is None:
            return web.json_response({"error": "sender must be telegram:<chat id>"}, status=400)
        messages = data.get("messages")
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            return web.json_response({"error": "messages must be a list of objects"}, status=400)
        chat_id = int(match.group(1))
        async with contextlib.AsyncExitStack() as held:
            try:
                await asyncio.wait_for(held.enter_async_context(bridge.chat_locks.hold(chat_id)), settings.notify_wait)
            except asyncio.TimeoutError:
                # Nothing was sent, so the caller can safely retry later.
                return web.json_response({"error": "chat busy", "sent": 0}, status=503)
            try:
                sent = await bridge.send_responses(bot, chat_id, messages)
            except DeliveryFailed as error:
                logger.warning("Pushing a notification to Telegram failed: %s", error)
                return web.json_response({"error": "telegram failed", "sent": error.sent}, status=502)
        return web.json_response({"sent": sent})

    return notify


async def _start_side_server(bridge: TelegramBridge, bot: Bot) -> web.AppRunner:
    """GET /health and POST /notify on 127.0.0.1:TELEGRAM_HEALTH_PORT, started once the application runs."""

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    side_app = web.Application(client_max_size=1024 * 1024)
    side_app.router.add_get("/health", health)
    side_app.router.add_post("/notify", _notify_handler(bridge, bot))
    runner = web.AppRunner(side_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", bridge.settings.health_port).start()
    return runner


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run the bridge until `stop` is set (polling, or webhook when TELEGRAM_WEBHOOK_URL is set)."""
    if settings.webhook_url and not settings.webhook_secret:
        logger.warning("TELEGRAM_WEBHOOK_URL without TELEGRAM_WEBHOOK_SECRET: anyone may post fake updates")
    if settings.health_port and not settings.notify_token:
        logger.warning("RASA_TOKEN is not set: POST /notify refuses every request (no dossier notifications)")
    bridge = TelegramBridge(settings)
    application = bridge.build_application()
    async with application:
        await application.start()
        # After start: /notify must not reach an uninitialised bot, and /health means "running".
        side = await _start_side_server(bridge, application.bot) if settings.health_port else None
        try:
            await _run(application, settings, stop)
        finally:
            if side is not None:
                await side.cleanup()
            await application.stop()


async def _run(application: Application, settings: Settings, stop: asyncio.Event) -> None:
    if settings.webhook_url:
        await _serve_webhook(application, settings, stop)
        return
    assert application.updater is not None
    # A leftover webhook makes getUpdates fail with 409; polling wins when no URL is configured.
    await application.bot.delete_webhook()
    await application.updater.start_polling(
        timeout=settings.poll_timeout, poll_interval=0.0, allowed_updates=Update.ALL_TYPES
    )
    logger.info("Polling Telegram for updates (Rasa at %s)", settings.rasa_url)
    await stop.wait()
    await application.updater.stop()


def main() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it would log every URL, token included
    settings = Settings.from_env()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    asyncio.run(run())


if __name__ == "__main__":
    main()
