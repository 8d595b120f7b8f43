"""Settings of the whole stack, read from the environment once, with embedded defaults for one machine.

Every variable is documented in .env.example. Nothing here runs at import time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _port(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a port number, got {raw!r}") from exc


@dataclass(frozen=True)
class StackSettings:
    var_dir: Path
    models_dir: Path
    rasa_port: int
    actions_port: int
    dossier_port: int
    web_port: int
    host: str
    rasa_token: str
    database_url: str  # empty: SQLite tracker store under var_dir
    redis_url: str  # empty: in-memory lock store (one Rasa process)
    dossier_api_url: str  # empty: start the reference service and use it
    dossier_db_url: str  # reference service storage; empty: SQLite file in var_dir
    telegram_token: str
    zalo_app_id: str
    extra_env: dict = field(default_factory=dict)
    actions_token: str = ""  # shared by the Rasa servers and the action server; empty: bot.run makes one per run

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}/webhook"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}/"

    @property
    def reference_dossier_url(self) -> str:
        return f"http://{self.host}:{self.dossier_port}"

    @property
    def uses_reference_dossier_service(self) -> bool:
        return not self.dossier_api_url


def load_dotenv(path: Path = REPO_ROOT / ".env") -> None:
    """Read KEY=value lines of a local .env file into the environment; variables already set win.

    Accepts the format of .env.example: comments, blank lines, trailing ` # comment`, optional quotes, `export`.
    """
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key, value = key.strip().removeprefix("export "), value.strip()
        value = re.split(r"(?:^|\s)#", value, maxsplit=1)[0].strip()  # trailing comment, as in .env.example
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if value:  # an empty value means "use the default", as if the line were absent
            os.environ.setdefault(key, value)


def load() -> StackSettings:
    var_dir = Path(_env("VAR_DIR", str(REPO_ROOT / "var")))
    return StackSettings(
        var_dir=var_dir,
        models_dir=Path(_env("MODELS_DIR", str(REPO_ROOT / "models"))),
        rasa_port=_port("RASA_PORT", 5005),
        actions_port=_port("ACTIONS_PORT", 5055),
        dossier_port=_port("DOSSIER_SERVICE_PORT", 8081),
        web_port=_port("WEB_PORT", 8080),
        host=_env("BIND_HOST", "127.0.0.1"),
        rasa_token=_env("RASA_TOKEN"),
        database_url=_env("DATABASE_URL"),
        redis_url=_env("REDIS_URL"),
        dossier_api_url=_env("DOSSIER_API_URL"),
        dossier_db_url=_env("DOSSIER_DB_URL"),
        telegram_token=_env("TELEGRAM_BOT_TOKEN"),
        zalo_app_id=_env("ZALO_APP_ID"),
        actions_token=_env("ACTIONS_TOKEN"),
    )
