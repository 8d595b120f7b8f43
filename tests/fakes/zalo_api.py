"""Fake Zalo OA API (openapi + oauth on one 127.0.0.1 server) that records calls.

- POST /v3.0/oa/message/cs: checks the `access_token` header; an unknown or expired token gets HTTP 200 with
  {"error": -216} like the real API; a valid one gets {"error": 0, "data": {...}}.
- POST /v4/oa/access_token: form refresh_token/app_id/grant_type + header secret_key; issues a new pair and
  invalidates the used refresh token (single-use like Zalo's). `refresh_delay` widens race windows.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any, Dict, List, Optional, Set, Tuple

from tests.fakes.base import Recorded, RecordingServer


class FakeZaloApi(RecordingServer):
    def __init__(self, app_id: str, app_secret: str, access_token: str, refresh_token: str) -> None:
        super().__init__()
        self.app_id = app_id
        self.app_secret = app_secret
        self.valid_tokens: Set[str] = {access_token}
        self.refresh_token = refresh_token
        self.refresh_delay = 0.0
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def expire(self, token: str) -> None:
        with self._lock:
            self.valid_tokens.discard(token)

    def sent_texts(self, user_id: str = "") -> List[str]:
        return [
            r.params["message"]["text"]
            for r in self.cs_calls(ok=True)
            if not user_id or r.params["recipient"]["user_id"] == user_id
        ]

    def cs_calls(self, ok: Optional[bool] = None) -> List[Recorded]:
        calls = self.matching(lambda r: r.path == "/v3.0/oa/message/cs")
        if ok is None:
            return calls
        return [r for r in calls if getattr(r, "ok", False) == ok]

    def refresh_calls(self) -> List[Recorded]:
        return self.matching(lambda r: r.path == "/v4/oa/access_token")

    def handle(self, request: Recorded) -> Tuple[int, Any]:
        if request.path == "/v3.0/oa/message/cs":
            with self._lock:
                ok = request.headers.get("access_token") in self.valid_tokens
            request.ok = ok  # type: ignore[attr-defined]
            if not ok:
                return 200, {"error": -216, "message": "Access token is invalid"}
            return 200, {
                "error": 0,
                "message": "Success",
                "data": {"message_id": f"m{next(self._counter)}", "user_id": request.params["recipient"]["user_id"]},
            }
        if request.path == "/v4/oa/access_token":
            time.sleep(self.refresh_delay)
            params = request.params
            with self._lock:
                if (
                    request.headers.get("secret_key") != self.app_secret
                    or params.get("app_id") != self.app_id
                    or params.get("grant_type") != "refresh_token"
                    or params.get("refresh_token") != self.refresh_token
                ):
                    return 200, {
                        "error": -14014,
                        "error_name": "Invalid parameter",
                        "error_description": "Invalid refresh token",
                    }
                n = next(self._counter)
                access, refresh = f"access-{n}", f"refresh-{n}"
                self.valid_tokens = {access}
                self.refresh_token = refresh
            return 200, {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}
        return 404, {"error": 404, "message": "not found"}


# ----- wiring for the end-to-end test with a real Rasa server (used by the lead's rasa_server fixture) -----
E2E_APP_ID = "1111222233334444555"
E2E_APP_SECRET = "e2e-app-secret"
E2E_OA_SECRET_KEY = "e2e-oa-secret-key"


def start_for_rasa(token_file: str) -> Tuple["FakeZaloApi", Dict[str, str]]:
    """Start a fake Zalo API and return it with the environment the Rasa process needs for bot.channels.zalo.

    credentials.yml must also contain the line `bot.channels.zalo.ZaloInput:` (settings then come from env).
    """
    fake = FakeZaloApi(E2E_APP_ID, E2E_APP_SECRET, "e2e-access-0", "e2e-refresh-0").start()
    env = {
        "ZALO_APP_ID": E2E_APP_ID,
        "ZALO_APP_SECRET": E2E_APP_SECRET,
        "ZALO_OA_SECRET_KEY": E2E_OA_SECRET_KEY,
        "ZALO_ACCESS_TOKEN": "e2e-access-0",
        "ZALO_REFRESH_TOKEN": "e2e-refresh-0",
        "ZALO_API_BASE": fake.url,
        "ZALO_OAUTH_BASE": fake.url,
        "ZALO_TOKEN_FILE": token_file,
    }
    return fake, env  # type: ignore[return-value]
