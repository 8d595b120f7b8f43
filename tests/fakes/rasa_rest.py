"""Fake Rasa REST channel (POST /webhooks/rest/webhook) on 127.0.0.1 with canned answers, for unit-level tests.

Answers come from CANNED (message text -> list of bot messages, shaped like Rasa's CollectingOutputChannel output);
`delays` makes given texts slow (to test per-chat ordering); `fail_times` answers 500 that many times first.

Also the HTTP API's POST /conversations/{sender}/trigger_intent?output_channel=...&token=... (used by the dossier
notifier): answers like Rasa does for a conversation whose channel cannot push, {"tracker": {...}, "messages":
[...]}, with `trigger_answers[intent name]` (default TRIGGER_TEXT); 401 when `token` is set and the query's token
differs; `trigger_refuse_with` answers that status instead. Calls are in triggers().
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from typing import Any, Dict, List, Optional, Tuple

from tests.fakes.base import Recorded, RecordingServer

PROCEDURE_TEXT = (
    "Thủ tục đăng ký khai sinh cần các giấy tờ sau:\n"
    "1. Tờ khai đăng ký khai sinh theo mẫu.\n"
    "2. Giấy chứng sinh (bản chính).\n"
    "Lệ phí: miễn phí nếu đăng ký đúng hạn."
)
DOSSIER_TEXT = (
    "Hồ sơ 000.00.12.H29-261120-0001 (Thủ tục đăng ký khai sinh) đang được xử lý tại UBND phường Bến Thành, "
    "hạn trả kết quả 25/11/2026."
)
TRIGGER_TEXT = "Hồ sơ 000.00.12.H29-261102-0002 mà anh/chị theo dõi vừa được cập nhật:"
TRIGGER_STATUS_TEXT = "Hồ sơ 000.00.12.H29-261102-0002 (Thủ tục đăng ký kết hôn) đã có kết quả."
LONG_LINE = "Dòng thông tin chi tiết về thủ tục hành chính số {n}: nộp hồ sơ tại bộ phận một cửa."

CANNED: Dict[str, List[Dict[str, Any]]] = {
    "/greet": [{"recipient_id": "x", "text": "Xin chào! Tôi là trợ lý dịch vụ công."}],
    "xin chào": [{"recipient_id": "x", "text": "Xin chào! Tôi là trợ lý dịch vụ công."}],
    "/ask_capabilities": [{"recipient_id": "x", "text": "Tôi có thể hướng dẫn thủ tục và tra cứu hồ sơ."}],
    "làm giấy khai sinh cần giấy tờ gì": [
        {"recipient_id": "x", "text": PROCEDURE_TEXT},
        {
            "recipient_id": "x",
            "custom": {"type": "procedure_answer", "procedure_code": "1.001193", "topic": "documents"},
        },
    ],
    "tra cứu hồ sơ 000.00.12.H29-261120-0001": [
        {"recipient_id": "x", "text": DOSSIER_TEXT},
        {
            "recipient_id": "x",
            "custom": {
                "type": "dossier_status",
                "code": "000.00.12.H29-261120-0001",
                "status": "PROCESSING",
                "overdue": False,
            },
        },
    ],
    "đăng ký kết hôn": [
        {
            "recipient_id": "x",
            "text": "Anh/chị muốn hỏi thủ tục nào?",
            "buttons": [
                {"title": "Đăng ký kết hôn trong nước", "payload": '/choose_procedure{"procedure_code":"1.000894"}'},
                {
                    "title": "Đăng ký kết hôn có yếu tố nước ngoài",
                    "payload": '/choose_procedure{"procedure_code":"1.001022","topic":"documents"}',
                },
            ],
        },
        {"recipient_id": "x", "custom": {"type": "procedure_choices", "procedure_codes": ["1.000894", "1.001022"]}},
    ],
    '/choose_procedure{"procedure_code":"1.001022","topic":"documents"}': [
        {
            "recipient_id": "x",
            "text": "Thủ tục đăng ký kết hôn có yếu tố nước ngoài cần: tờ khai, giấy xác nhận tình trạng hôn nhân.",
        },
    ],
    '/choose_procedure{"procedure_code":"1.000894"}': [
        {"recipient_id": "x", "text": "Thủ tục đăng ký kết hôn trong nước cần: tờ khai, giấy tờ tùy thân."},
    ],
    "câu trả lời dài": [{"recipient_id": "x", "text": "\n".join(LONG_LINE.format(n=n) for n in range(1, 121))}],
}


class FakeRasaRest(RecordingServer):
    def __init__(self) -> None:
        super().__init__()
        self.canned = dict(CANNED)
        self.delays: Dict[str, float] = {}
        self.fail_times = 0
        self.token: Optional[str] = None
        self.trigger_answers: Dict[str, List[Dict[str, Any]]] = {}
        self.trigger_refuse_with: Optional[int] = None
        self._triggers: List[Dict[str, Any]] = []
        self._lock = threading.Lock()

    def messages(self) -> List[Dict[str, Any]]:
        return [r.params for r in self.matching(lambda r: r.path.startswith("/webhooks/rest/webhook"))]

    def triggers(self) -> List[Dict[str, Any]]:
        """Accepted trigger_intent calls: {"sender", "query", "body"}."""
        with self._lock:
            return list(self._triggers)

    @staticmethod
    def _trigger_sender(request: Recorded) -> Optional[str]:
        parts = urllib.parse.urlsplit(request.path).path.split("/")
        if len(parts) == 4 and parts[1] == "conversations" and parts[3] == "trigger_intent":
            return urllib.parse.unquote(parts[2])
        return None

    def _handle_trigger(self, request: Recorded, sender: str) -> Tuple[int, Any]:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.path).query))
        body = json.loads(request.body or b"{}")
        if self.token is not None and query.get("token") != self.token:
            return 401, {"version": "3.6.21", "status": "failure", "reason": "NotAuthenticated", "code": 401}
        if self.trigger_refuse_with:
            return self.trigger_refuse_with, {"status": "failure", "code": self.trigger_refuse_with}
        with self._lock:
            self._triggers.append({"sender": sender, "query": query, "body": body})
        name = str(body.get("name", ""))
        answers = self.trigger_answers.get(name) or [{"text": TRIGGER_TEXT}, {"text": TRIGGER_STATUS_TEXT}]
        return 200, {
            "tracker": {"sender_id": sender, "latest_message": {"intent": {"name": name}}},
            "messages": [{"recipient_id": sender, **answer} for answer in answers],
        }

    def handle(self, request: Recorded) -> Tuple[int, Any]:
        if request.method == "GET":
            return 200, {"status": "ok"}
        sender = self._trigger_sender(request)
        if sender is not None:
            return self._handle_trigger(request, sender)
        with self._lock:
            if self.fail_times > 0:
                self.fail_times -= 1
                return 500, {"error": "boom"}
        text = str(request.params.get("message", ""))
        time.sleep(self.delays.get(text, 0.0))
        answers = self.canned.get(text, [{"recipient_id": "x", "text": f"Bạn vừa nói: {text}"}])
        sender = request.params.get("sender", "")
        return 200, [{**answer, "recipient_id": sender} for answer in answers]
