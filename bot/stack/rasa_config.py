"""Builds the Rasa endpoints and credentials files from the settings (pure functions, unit-tested).

Rasa reads `${VAR}` in these files but fails on unset variables, so optional parts (PostgreSQL, Redis, Zalo)
are written only when their variables are set.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlparse

import yaml

from bot.settings import StackSettings

# Rasa's SQL tracker store, loading a conversation once per node and keeping its recent turns
# (bot/stack/fast_tracker.py), surviving database restarts, and replacing personal identifiers before saving
# (issue 16, bot/privacy/).
TRACKER_STORE_TYPE = "bot.tracker_store.RedactingSQLTrackerStore"


def tracker_store(settings: StackSettings) -> dict[str, Any]:
    if not settings.database_url:
        return {"type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": str(settings.var_dir / "tracker.db")}
    url = urlparse(settings.database_url)
    if url.scheme not in ("postgresql", "postgres"):
        raise SystemExit(f"DATABASE_URL must be a postgresql:// URL, got scheme {url.scheme!r}")
    return {
        "type": TRACKER_STORE_TYPE,
        "dialect": "postgresql",
        "url": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "db": url.path.lstrip("/") or "rasa",
        "username": unquote(url.username or ""),
        "password": unquote(url.password or ""),
    }


def lock_store(settings: StackSettings) -> dict[str, Any] | None:
    if not settings.redis_url:
        return None
    url = urlparse(settings.redis_url)
    if url.scheme != "redis":
        raise SystemExit(f"REDIS_URL must be a redis:// URL, got scheme {url.scheme!r}")
    store: dict[str, Any] = {
        "type": "redis",
        "url": url.hostname or "127.0.0.1",
        "port": url.port or 6379,
        "db": int(url.path.lstrip("/") or 0),
        "key_prefix": "trolydvc",  # Rasa takes only a letters-and-digits prefix (it ignored "tro_ly_dvc")
    }
    if url.password:
        store["password"] = unquote(url.password)
    return store


def action_endpoint(settings: StackSettings) -> dict[str, Any]:
    """Rasa sends the shared token as a header on every action call (EndpointConfig `headers`)."""
    endpoint: dict[str, Any] = {"url": settings.actions_url}
    if settings.actions_token:
        endpoint["headers"] = {"Authorization": f"Bearer {settings.actions_token}"}
    return endpoint


def endpoints(settings: StackSettings) -> dict[str, Any]:
    config: dict[str, Any] = {
        # Only actions marked `send_domain` in domain.yml get the domain with each call, not every action.
        "action_endpoint": {**action_endpoint(settings), "enable_selective_domain": True},
        "tracker_store": tracker_store(settings),
    }
    lock = lock_store(settings)
    if lock:
        config["lock_store"] = lock
    return config


def credentials(settings: StackSettings) -> dict[str, Any]:
    config: dict[str, Any] = {"rest": None}
    if settings.zalo_app_id:
        # The Zalo channel reads its keys from the environment itself; see bot/channels/zalo.py.
        config["bot.channels.zalo.ZaloInput"] = None
    return config


def write(settings: StackSettings) -> tuple[str, str]:
    """Write var/endpoints.yml and var/credentials.yml (mode 600: they hold tokens); return their paths."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in (("endpoints.yml", endpoints(settings)), ("credentials.yml", credentials(settings))):
        path = settings.var_dir / name
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(str(path))
    return paths[0], paths[1]
