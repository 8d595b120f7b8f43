"""Fake Telegram Bot API on 127.0.0.1: serves getMe / getUpdates (long polling) / sendMessage /
answerCallbackQuery / setWebhook / deleteWebhook / sendChatAction / sendPhoto and records every call.

Point python-telegram-bot at it with base_url=f"{fake.url}/bot" (TELEGRAM_API_BASE). Tests queue updates with
add_update() or the helpers text_update() / callback_update(), then wait_for_method("sendMessage").
Chats in `blocked_chats` get 403 "bot was blocked by the user" on sendMessage / sendPhoto, as Telegram answers.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

from tests.fakes.base import Recorded, RecordingServer

BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "Trợ lý DVC",
    "username": "dvc_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class FakeTelegramApi(RecordingServer):
    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        super().__init__()
        self.token = token
        self._updates: List[Dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._updates_cond = threading.Condition()
        self.webhook: Dict[str, Any] = {}
        self.blocked_chats: set = set()

    # ----- building updates -----
    def add_update(self, update: Dict[str, Any]) -> Dict[str, Any]:
        with self._updates_cond:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._updates_cond.notify_all()
        return update

    @staticmethod
    def chat(chat_id: int, kind: str = "private") -> Dict[str, Any]:
        if kind == "private":
            return {"id": chat_id, "type": "private", "first_name": "Dân"}
        return {"id": chat_id, "type": kind, "title": "Nhóm thử"}

    @staticmethod
    def user(user_id: int) -> Dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Dân", "language_code": "vi"}

    def message(self, chat_id: int, text: Optional[str] = None, kind: str = "private", **extra: Any) -> Dict[str, Any]:
        msg: Dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, kind),
            "from": self.user(abs(chat_id)),
        }
        if text is not None:
            msg["text"] = text
            if text.startswith("/"):
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        msg.update(extra)
        return msg

    def text_update(self, chat_id: int, text: str, kind: str = "private") -> Dict[str, Any]:
        return self.add_update({"message": self.message(chat_id, text, kind)})

    def callback_update(self, chat_id: int, data: str) -> Dict[str, Any]:
        previous = self.message(chat_id, "câu hỏi trước")
        previous["from"] = BOT_USER
        query = {
            "id": f"cbq-{next(self._message_ids)}",
            "from": self.user(chat_id),
            "chat_instance": "ci-1",
            "data": data,
            "message": previous,
        }
        return self.add_update({"callback_query": query})

    # ----- inspecting calls -----
    def calls(self, method: str) -> List[Recorded]:
        return self.matching(lambda r: r.path.rsplit("/", 1)[-1].split("?")[0] == method)

    def wait_for_method(self, method: str, count: int = 1, timeout: float = 10.0) -> List[Recorded]:
        return self.wait_for(lambda r: r.path.rsplit("/", 1)[-1].split("?")[0] == method, count, timeout)

    async def await_method(self, method: str, count: int = 1, timeout: float = 10.0) -> List[Recorded]:
        return await self.await_for(lambda r: r.path.rsplit("/", 1)[-1].split("?")[0] == method, count, timeout)

    def sent_texts(self, chat_id: Optional[int] = None) -> List[str]:
        return [
            r.params["text"]
            for r in self.calls("sendMessage")
            if chat_id is None or str(r.params.get("chat_id")) == str(chat_id)
        ]

    def forget_marker(self, chat_id: int, marker: str) -> None:
        """Drop the replies to a marker message tests sent to wait on (see all_sent_before_marker)."""
        with self._cond:
            self.requests[:] = [
                r
                for r in self.requests
                if not (str(r.params.get("chat_id")) == str(chat_id) and marker in str(r.params.get("text")))
            ]

    # ----- serving -----
    def handle(self, request: Recorded) -> Tuple[int, Any]:
        path = request.path.split("?")[0]
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        method = path[len(prefix) :]
        params = request.params
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        if method in ("sendMessage", "sendPhoto"):
            chat_id = int(params.get("chat_id", 0))
            if chat_id in self.blocked_chats:
                return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            result = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "from": BOT_USER,
                "chat": self.chat(chat_id),
            }
            if "text" in params:
                result["text"] = params["text"]
            if "reply_markup" in params:
                result["reply_markup"] = json.loads(params["reply_markup"])
            return 200, {"ok": True, "result": result}
        if method == "setWebhook":
            self.webhook = dict(params)
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        if method == "deleteWebhook":
            self.webhook = {}
            return 200, {"ok": True, "result": True}
        # answerCallbackQuery, sendChatAction, editMessageReplyMarkup, ...
        return 200, {"ok": True, "result": True}

    def _get_updates(self, params: Dict[str, Any]) -> List[Dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)  # short waits keep test shutdown fast
        deadline = time.monotonic() + timeout
        with self._updates_cond:
            while True:
                # Telegram forgets updates below the confirmed offset.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or time.monotonic() >= deadline:
                    return list(self._updates)
                self._updates_cond.wait(max(0.0, deadline - time.monotonic()))
