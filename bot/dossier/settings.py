"""Settings of the dossier feature (client, actions, notifier), read from the environment when asked.

Nothing is read at import: call DossierSettings.from_env(). Every variable is documented in
.env.example.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot import portal

REPO_ROOT = Path(__file__).resolve().parents[2]


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _path(name: str, default: str) -> Path:
    raw = os.environ.get(name) or default
    if raw.startswith(("postgresql://", "postgres://")):
        return raw  # type: ignore[return-value] - a database URL (bot/sqldb.py)
    path = Path(raw)
    return path if path.is_absolute() else REPO_ROOT / path


@dataclass(frozen=True)
class DossierSettings:
    api_url: str = "http://127.0.0.1:8081"
    api_token: str | None = None
    connect_timeout: float = 1.0  # seconds per attempt
    read_timeout: float = 2.5  # seconds per attempt
    retries: int = 2  # extra attempts on connection errors and 5xx
    backoff: float = 0.3  # seconds, doubled after each retry
    total_budget: float = 8.0  # hard cap for one lookup including retries (< 10 s promised to users)
    breaker_threshold: int = 3  # consecutive failed lookups that open the circuit
    breaker_cooldown: float = 30.0  # seconds before one trial call (half-open)
    hotline: str = field(default_factory=portal.hotline)  # bot/data/portal.yml, or HOTLINE
    rate_limit_count: int = 5  # lookups per conversation ...
    rate_limit_window: float = 600.0  # ... per this many seconds
    operator_sender_ids: frozenset[str] = field(default_factory=frozenset)
    operator_token: str | None = None
    subscriptions_db: Path = REPO_ROOT / "var" / "dossier_subscriptions.sqlite"
    max_subscriptions: int = 5  # per conversation
    limits_db: Path = REPO_ROOT / "var" / "lookup_limits.sqlite"  # bot/dossier/limits.py when REDIS_URL is unset

    @classmethod
    def from_env(cls) -> "DossierSettings":
        ids = os.environ.get("OPERATOR_SENDER_IDS", "")
        return cls(
            api_url=(os.environ.get("DOSSIER_API_URL") or cls.api_url).rstrip("/"),
            api_token=os.environ.get("DOSSIER_API_TOKEN") or None,
            connect_timeout=_float("DOSSIER_CONNECT_TIMEOUT", cls.connect_timeout),
            read_timeout=_float("DOSSIER_READ_TIMEOUT", cls.read_timeout),
            retries=_int("DOSSIER_RETRIES", cls.retries),
            backoff=_float("DOSSIER_BACKOFF", cls.backoff),
            total_budget=_float("DOSSIER_TOTAL_BUDGET", cls.total_budget),
            breaker_threshold=_int("DOSSIER_BREAKER_THRESHOLD", cls.breaker_threshold),
            breaker_cooldown=_float("DOSSIER_BREAKER_COOLDOWN", cls.breaker_cooldown),
            hotline=portal.hotline(),
            rate_limit_count=_int("DOSSIER_RATE_LIMIT_COUNT", cls.rate_limit_count),
            rate_limit_window=_float("DOSSIER_RATE_LIMIT_WINDOW", cls.rate_limit_window),
            operator_sender_ids=frozenset(s.strip() for s in ids.split(",") if s.strip()),
            operator_token=os.environ.get("OPERATOR_TOKEN") or None,
            subscriptions_db=_path("DOSSIER_SUBSCRIPTIONS_DB", "var/dossier_subscriptions.sqlite"),
            max_subscriptions=_int("DOSSIER_MAX_SUBSCRIPTIONS", cls.max_subscriptions),
            limits_db=_path("DOSSIER_LIMITS_DB", "var/lookup_limits.sqlite"),
        )
