"""Client of the one-stop-shop dossier API (DESIGN.md), used by the dossier actions and the notifier.

Timeouts per attempt, retries with exponential backoff on connection errors and 5xx (not on read timeouts:
a slow service only gets slower when asked three times), an overall time budget, a circuit breaker, and
strict parsing of the answer into `Dossier`. Never logs a full dossier code; never keeps the phone digits.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable

import requests

from bot.dossier.codes import is_canonical, mask_code
from bot.dossier.settings import DossierSettings
from bot.dossier.status import RETURN_METHODS, Status, days_late, is_overdue, now_vn

logger = logging.getLogger(__name__)


class DossierError(Exception):
    """Base class of every error the client raises."""


class DossierNotFound(DossierError):
    pass


class DossierUnavailable(DossierError):
    """The service cannot answer now (down, slow, 5xx, auth refused, circuit open)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DossierBadResponse(DossierUnavailable):
    """The service answered something that does not follow the contract."""


@dataclass(frozen=True)
class Dossier:
    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    status: Status
    received_at: dt.datetime
    due_at: dt.datetime
    completed_at: dt.datetime | None
    return_method: str | None
    note: str | None  # officer's note; shown to citizens only for SUPPLEMENT_REQUIRED
    # applicant_phone_last4 is deliberately not kept: it is never shown to anyone.

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return is_overdue(self.status, self.due_at, now or now_vn())

    def days_late(self, now: dt.datetime | None = None) -> int:
        return days_late(self.due_at, now or now_vn()) if self.is_overdue(now) else 0


@dataclass(frozen=True)
class HistoryEntry:
    status: Status
    at: dt.datetime
    note: str | None


def _text(data: dict, name: str, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise DossierBadResponse(f"field {name!r} missing or not a non-empty string")
    return value.strip()


def _moment(data: dict, name: str, required: bool = True) -> dt.datetime | None:
    value = _text(data, name, required)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise DossierBadResponse(f"field {name!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise DossierBadResponse(f"field {name!r} has no UTC offset")
    return moment


def _status(data: dict) -> Status:
    try:
        return Status(_text(data, "status"))
    except ValueError:
        raise DossierBadResponse("field 'status' has an unknown value") from None


def parse_dossier(data: Any) -> Dossier:
    """Strictly parse a 200 body; DossierBadResponse names the first problem found."""
    if not isinstance(data, dict):
        raise DossierBadResponse("body is not a JSON object")
    code = _text(data, "code")
    if not is_canonical(code or ""):
        raise DossierBadResponse("field 'code' is not a dossier code")
    method = _text(data, "return_method", required=False)
    if method is not None and method not in RETURN_METHODS:
        raise DossierBadResponse("field 'return_method' has an unknown value")
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise DossierBadResponse("field 'note' is not a string")
    return Dossier(
        code=code,
        procedure_code=_text(data, "procedure_code"),
        procedure_name=_text(data, "procedure_name"),
        agency=_text(data, "agency"),
        status=_status(data),
        received_at=_moment(data, "received_at"),
        due_at=_moment(data, "due_at"),
        completed_at=_moment(data, "completed_at", required=False),
        return_method=method,
        note=(note or "").strip() or None,
    )


def parse_history(data: Any) -> list[HistoryEntry]:
    if not isinstance(data, dict) or not isinstance(data.get("history"), list):
        raise DossierBadResponse("history body is not {'history': [...]}")
    entries = []
    for item in data["history"]:
        if not isinstance(item, dict):
            raise DossierBadResponse("history entry is not an object")
        note = item.get("note")
        entries.append(
            HistoryEntry(
                status=_status(item),
                at=_moment(item, "at"),
                note=note if isinstance(note, str) and note.strip() else None,
            )
        )
    return entries


class CircuitBreaker:
    """Closed -> open after `threshold` consecutive failures -> half-open after `cooldown` (one trial call)."""

    def __init__(self, threshold: int, cooldown: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half-open" if self._clock() - self._opened_at >= self.cooldown else "open"

    def allow(self) -> bool:
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half-open" and not self._trial_running:
                self._trial_running = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures, self._opened_at, self._trial_running = 0, None, False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial_running or self._failures >= self.threshold:
                self._opened_at = self._clock()
            self._trial_running = False


class DossierClient:
    def __init__(
        self, settings: DossierSettings, session: requests.Session | None = None, breaker: CircuitBreaker | None = None
    ) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self.breaker = breaker or CircuitBreaker(settings.breaker_threshold, settings.breaker_cooldown)

    def get_dossier(self, code: str) -> Dossier:
        """Current status of a dossier. Raises DossierNotFound or DossierUnavailable (incl. bad responses)."""
        return parse_dossier(self._get(code, ""))

    def get_history(self, code: str) -> list[HistoryEntry]:
        return parse_history(self._get(code, "/history"))

    def _get(self, code: str, suffix: str) -> Any:
        if not is_canonical(code):
            raise ValueError("pass a canonical dossier code (bot.dossier.codes.parse_code)")
        if not self.breaker.allow():
            raise DossierUnavailable("circuit open")
        try:
            data = self._get_with_retries(code, suffix)
        except DossierNotFound:
            self.breaker.record_success()  # the service answered
            raise
        except DossierUnavailable:
            self.breaker.record_failure()
            raise
        self.breaker.record_success()
        return data

    def _get_with_retries(self, code: str, suffix: str) -> Any:
        s = self.settings
        url = f"{s.api_url}/dossiers/{urllib.parse.quote(code, safe='')}{suffix}"
        headers = {"Accept": "application/json"}
        if s.api_token:
            headers["Authorization"] = f"Bearer {s.api_token}"
        deadline = time.monotonic() + s.total_budget
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            timeout = (min(s.connect_timeout, max(remaining, 0.05)), min(s.read_timeout, max(remaining, 0.05)))
            try:
                response = self.session.get(url, headers=headers, timeout=timeout)
            except requests.exceptions.ReadTimeout:
                logger.warning("dossier API slow (read timeout) for %s", mask_code(code))
                raise DossierUnavailable("timeout") from None
            except requests.exceptions.RequestException as exc:  # connection refused/reset, connect timeout
                failure = f"connection: {type(exc).__name__}"
            else:
                if response.status_code == 404:
                    raise DossierNotFound(code)
                if response.status_code in (401, 403):
                    logger.error("dossier API refused our token (HTTP %s)", response.status_code)
                    raise DossierUnavailable(f"http {response.status_code}")
                if response.status_code < 500:
                    if response.status_code != 200:
                        raise DossierBadResponse(f"http {response.status_code}")
                    try:
                        return response.json()
                    except ValueError:
                        logger.error("dossier API sent malformed JSON for %s", mask_code(code))
                        raise DossierBadResponse("malformed JSON") from None
                failure = f"http {response.status_code}"
            backoff = s.backoff * (2**attempt)
            if attempt >= s.retries or time.monotonic() + backoff + 0.1 >= deadline:
                logger.warning("dossier API unavailable for %s: %s", mask_code(code), failure)
                raise DossierUnavailable(failure)
            attempt += 1
            time.sleep(backoff)
