"""Client for the Zalo Official Account API v3 (customer-service messages) with access-token refresh.

Facts used (sources):
- Send: POST {ZALO_API_BASE}/v3.0/oa/message/cs, header `access_token`, JSON
  {"recipient": {"user_id": ...}, "message": {"text": ...}} (Zalo OA API v3 "tin tư vấn"; same shape in public
  clients, e.g. github.com/daihoangnguyen-duancongty/homenest-webcare-fork backend/test/test-zalo-message.js).
  Zalo answers HTTP 200 even on failure, with `error` != 0 in the JSON body. -216 = access token invalid or
  expired (Zalo OA error-code table; taken from the issue, our search did not surface the table itself).
- Refresh: POST {ZALO_OAUTH_BASE}/v4/oa/access_token, application/x-www-form-urlencoded refresh_token, app_id,
  grant_type=refresh_token, header secret_key = application secret key; the answer carries a new access_token
  and a new refresh_token; a refresh token is single-use and valid 3 months, an access token about 25 hours
  (https://www.hexasync.vn/zalo-oa-api-huong-dan-cach-lay-access-token-tu-refresh-token/).
Because refresh tokens are single-use, refreshes are serialised by an asyncio lock and the new pair is written
atomically (temp file + fsync + os.replace) before it is used.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Optional

import aiohttp

logger = logging.getLogger(__name__)

TOKEN_EXPIRED_ERROR = -216


class ZaloApiError(Exception):
    def __init__(self, code: Any, text: str) -> None:
        super().__init__(f"Zalo API error {code}: {text}")
        self.code = code


class TokenStore:
    """The current access/refresh token pair, persisted in a JSON file.

    The file wins over the environment, except when the operator puts a new refresh token in the environment
    (detected by remembering which environment refresh token the file was seeded from).
    """

    def __init__(self, path: Path, access_token: str, refresh_token: str) -> None:
        self.path = Path(path)
        self._env_access = access_token
        self._env_refresh = refresh_token
        self._data: Optional[Dict[str, Any]] = None
        self._lock: Optional[asyncio.Lock] = None

    def _load(self) -> Dict[str, Any]:
        if self._data is None:
            data: Dict[str, Any] = {}
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                pass
            except (OSError, ValueError) as error:
                logger.error("Cannot read Zalo token file %s: %s", self.path, error)
            if not data.get("access_token") or data.get("seed_refresh_token") != self._env_refresh:
                data = {
                    "access_token": self._env_access,
                    "refresh_token": self._env_refresh,
                    "seed_refresh_token": self._env_refresh,
                    "updated_at": None,
                }
            self._data = data
        return self._data

    @property
    def access_token(self) -> str:
        return str(self._load().get("access_token") or "")

    @property
    def refresh_token(self) -> str:
        return str(self._load().get("refresh_token") or "")

    def reload(self) -> None:
        """Forget the cached pair: another process may have refreshed it in the file."""
        self._data = None

    async def acquire_file_lock(self) -> int:
        """Exclusive lock shared by every process using this token file (Rasa replicas on one host)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(str(self.path) + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)  # waiting must not block the event loop
        return fd

    @staticmethod
    def release_file_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    @property
    def lock(self) -> asyncio.Lock:
        if self._lock is None:  # created inside the running loop, never at import time
            self._lock = asyncio.Lock()
        return self._lock

    def update(self, access_token: str, refresh_token: str, expires_in: Any = None) -> None:
        data = dict(self._load())
        data.update(
            access_token=access_token,
            refresh_token=refresh_token or data.get("refresh_token"),
            updated_at=int(time.time()),
            expires_in=expires_in,
        )
        self._write(data)
        self._data = data

    def _write(self, data: Dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".zalo_tokens.", dir=str(self.path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)  # atomic: readers see the old or the new pair, never half a file
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


class ZaloApi:
    """Sends text messages; on error -216 refreshes the token once (one refresh at a time) and re-sends."""

    def __init__(
        self, api_base: str, oauth_base: str, app_id: str, app_secret: str, tokens: TokenStore, timeout: float = 15.0
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self.app_id = app_id
        self.app_secret = app_secret
        self.tokens = tokens
        self.timeout = timeout
        self._session: Optional[aiohttp.ClientSession] = None
        self.refresh_count = 0

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send_text(self, user_id: str, text: str) -> Dict[str, Any]:
        body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        for attempt in (1, 2):
            token = self.tokens.access_token
            async with self._client().post(
                f"{self.api_base}/v3.0/oa/message/cs", json=body, headers={"access_token": token}
            ) as response:
                data = await response.json(content_type=None)
            code = data.get("error", -1) if isinstance(data, dict) else -1
            if code == 0:
                return data
            if code == TOKEN_EXPIRED_ERROR and attempt == 1:
                await self.refresh(failed_token=token)
                continue
            raise ZaloApiError(code, str(data.get("message") if isinstance(data, dict) else data))
        raise AssertionError("unreachable")

    async def refresh(self, failed_token: str) -> str:
        """Get a new token pair unless another task already replaced `failed_token` while we waited."""
        async with self.tokens.lock:
            if self.tokens.access_token != failed_token:
                return self.tokens.access_token
            fd = await self.tokens.acquire_file_lock()
            try:
                self.tokens.reload()
                if self.tokens.access_token != failed_token:  # another process refreshed meanwhile
                    return self.tokens.access_token
                return await self._refresh_locked()
            finally:
                self.tokens.release_file_lock(fd)

    async def _refresh_locked(self) -> str:
        form = {"refresh_token": self.tokens.refresh_token, "app_id": self.app_id, "grant_type": "refresh_token"}
        async with self._client().post(
            f"{self.oauth_base}/v4/oa/access_token", data=form, headers={"secret_key": self.app_secret}
        ) as response:
            data = await response.json(content_type=None)
        self.refresh_count += 1
        if not isinstance(data, dict) or not data.get("access_token"):
            raise ZaloApiError(data.get("error") if isinstance(data, dict) else -1, f"token refresh failed: {data!r}")
        self.tokens.update(data["access_token"], data.get("refresh_token", ""), data.get("expires_in"))
        logger.info("Zalo access token refreshed")
        return self.tokens.access_token
