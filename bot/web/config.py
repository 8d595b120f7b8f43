"""Settings of the web app (bot/web), read from environment variables.

WEB_HOST (127.0.0.1), WEB_PORT (8080), RASA_URL (http://127.0.0.1:5005), RASA_TIMEOUT seconds (15),
WEB_MAX_BODY bytes (32768), WEB_PROCEDURE_URL link template with {code} for procedure cards,
WEB_TRUSTED_PROXIES comma-separated addresses of reverse proxies whose X-Forwarded-For is believed (none).
The hotline console /tong-dai: OPERATOR_TOKEN (unset: the console is off), DOSSIER_SUBSCRIPTIONS_DB (the dossier
actions' subscriptions, var/dossier_subscriptions.sqlite).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SUBSCRIPTIONS_DB = "var/dossier_subscriptions.sqlite"

# The procedure page of this web app (every topic, print, Zalo copy, and the record's own portal link).
DEFAULT_PROCEDURE_URL = "/thu-tuc/{code}"


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout: float = 15.0
    # 5,000 chars even fully \u-escaped (6 bytes each) plus sender and metadata fit in 32 KB.
    max_body: int = 32 * 1024
    max_message_chars: int = 5000
    procedure_url: str = DEFAULT_PROCEDURE_URL
    operator_token: str = ""
    subscriptions_db: str = str(REPO_ROOT / DEFAULT_SUBSCRIPTIONS_DB)
    trusted_proxies: frozenset = frozenset()  # peers whose X-Forwarded-For names the real client

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "WebSettings":
        env = os.environ if env is None else env
        return cls(
            host=env.get("WEB_HOST", cls.host),
            port=int(env.get("WEB_PORT", cls.port)),
            rasa_url=env.get("RASA_URL", cls.rasa_url).rstrip("/"),
            rasa_timeout=float(env.get("RASA_TIMEOUT", cls.rasa_timeout)),
            max_body=int(env.get("WEB_MAX_BODY", cls.max_body)),
            procedure_url=env.get("WEB_PROCEDURE_URL", cls.procedure_url),
            operator_token=env.get("OPERATOR_TOKEN", ""),
            subscriptions_db=_db(env.get("DOSSIER_SUBSCRIPTIONS_DB") or DEFAULT_SUBSCRIPTIONS_DB),
            trusted_proxies=frozenset(p.strip() for p in env.get("WEB_TRUSTED_PROXIES", "").split(",") if p.strip()),
        )


def _db(raw: str) -> str:
    """A database URL as given; a relative file path from the repository root (as the dossier actions read it)."""
    if "://" in raw or Path(raw).is_absolute():
        return raw
    return str(REPO_ROOT / raw)
