"""Privacy settings, read from the environment (documented in .env.example)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot import settings as stack_settings

DEFAULT_RETENTION_DAYS = 90


@dataclass(frozen=True)
class PrivacySettings:
    retention_days: int  # conversations older than this are deleted (PRIVACY_RETENTION_DAYS)
    purge_interval: float  # seconds between purges of the running stack (PRIVACY_PURGE_INTERVAL, one day)
    events_url: str  # the tracker store: DATABASE_URL, else VAR_DIR/tracker.db
    subscriptions_db: Path  # DOSSIER_SUBSCRIPTIONS_DB, else VAR_DIR/dossier_subscriptions.sqlite

    @classmethod
    def from_env(cls) -> "PrivacySettings":
        stack = stack_settings.load()
        raw_days = os.environ.get("PRIVACY_RETENTION_DAYS", "").strip() or str(DEFAULT_RETENTION_DAYS)
        try:
            days = int(raw_days)
        except ValueError as exc:
            raise SystemExit(f"PRIVACY_RETENTION_DAYS must be a number of days, got {raw_days!r}") from exc
        if days < 1:
            raise SystemExit(f"PRIVACY_RETENTION_DAYS must be at least 1, got {days}")
        subscriptions = Path(
            os.environ.get("DOSSIER_SUBSCRIPTIONS_DB", "").strip() or stack.var_dir / "dossier_subscriptions.sqlite"
        )
        if not subscriptions.is_absolute():
            subscriptions = stack_settings.REPO_ROOT / subscriptions
        return cls(
            retention_days=days,
            purge_interval=float(os.environ.get("PRIVACY_PURGE_INTERVAL", "").strip() or 86400),
            events_url=stack.database_url or f"sqlite:///{stack.var_dir / 'tracker.db'}",
            subscriptions_db=subscriptions,
        )
