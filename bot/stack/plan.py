"""Which services make up the assistant for given settings, in start order."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from bot.settings import StackSettings
from bot.stack.processes import Service, free_port, python_module


def latest_model(models_dir: Path) -> Optional[Path]:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def child_env(settings: StackSettings) -> dict[str, str]:
    """Environment shared by every child: where the others are."""
    return {
        "DOSSIER_API_URL": settings.dossier_api_url or settings.reference_dossier_url,
        "RASA_URL": settings.rasa_url,
        "RASA_TOKEN": settings.rasa_token,
        # The tracker store's database, read by the operations report and the privacy tools (empty: SQLite in VAR_DIR).
        "DATABASE_URL": settings.database_url,
        "VAR_DIR": str(settings.var_dir),
        # Shared by the action server (subscribe) and the notifier (deliver); in PostgreSQL when DATABASE_URL is set.
        "DOSSIER_SUBSCRIPTIONS_DB": os.environ.get("DOSSIER_SUBSCRIPTIONS_DB")
        or settings.database_url
        or str(settings.var_dir / "dossier_subscriptions.sqlite"),
        # Survey answers live with the other operations tables (bot/ops/db.py: DATABASE_URL or var/ops.sqlite)
        # unless FEEDBACK_DB names another database.
        "FEEDBACK_DB": os.environ.get("FEEDBACK_DB", ""),
        # Channel state and lookup limits go to Redis when it is configured (shared by every process).
        "REDIS_URL": settings.redis_url,
        # Lookup limits, shared by the action server processes (bot/dossier/limits.py; Redis when REDIS_URL).
        "DOSSIER_LIMITS_DB": os.environ.get("DOSSIER_LIMITS_DB") or str(settings.var_dir / "lookup_limits.sqlite"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        **settings.extra_env,
    }


def services(settings: StackSettings, model: Path, endpoints: str, credentials: str) -> list[Service]:
    env = child_env(settings)
    plan: list[Service] = []
    if settings.uses_reference_dossier_service:
        plan.append(
            Service(
                "dossier-service",
                python_module("bot.dossier.service"),
                port=settings.dossier_port,
                host=settings.host,
                env={
                    **env,
                    "DOSSIER_SERVICE_PORT": str(settings.dossier_port),
                    "DOSSIER_SERVICE_HOST": settings.host,
                    "DOSSIER_DB_URL": settings.dossier_db_url or str(settings.var_dir / "dossier_service.sqlite"),
                },
            )
        )
    plan.append(
        Service(
            "action-server",
            python_module(
                "actions", "--actions", "actions", "--port", str(settings.actions_port), "--host", settings.host
            ),
            port=settings.actions_port,
            host=settings.host,
            health_path="/health",
            ready_timeout=120,
            env={**env, "ACTIONS_TOKEN": settings.actions_token},
        )
    )
    plan.append(
        Service(
            "rasa",
            python_module(
                "bot.stack.rasa_patches",
                "run",  # rasa's CLI with the patches of bot/stack/rasa_patches.py
                "--model",
                str(model),
                "--interface",
                settings.host,
                "--port",
                str(settings.rasa_port),
                "--enable-api",
                f"--auth-token={settings.rasa_token}",  # one word: a token may start with "-"
                "--endpoints",
                endpoints,
                "--credentials",
                credentials,
            ),
            port=settings.rasa_port,
            host=settings.host,
            health_path="/",
            ready_timeout=300,
            env=env,
        )
    )
    plan.append(
        Service(
            "web",
            python_module("bot.web"),
            port=settings.web_port,
            host=settings.host,
            health_path="/healthz",
            env={**env, "WEB_PORT": str(settings.web_port), "WEB_HOST": settings.host},
        )
    )
    notifier_env = dict(env)
    if settings.telegram_token:
        # Before the notifier: Telegram notifications go through the bridge's POST /notify on this port.
        health_port = free_port()
        plan.append(
            Service(
                "telegram-bridge",
                python_module("bot.channels.telegram_bridge"),
                port=health_port,
                health_path="/health",
                env={**env, "TELEGRAM_BOT_TOKEN": settings.telegram_token, "TELEGRAM_HEALTH_PORT": str(health_port)},
            )
        )
        notifier_env["TELEGRAM_BRIDGE_URL"] = f"http://127.0.0.1:{health_port}"
    # Polls the dossier API (reference or the province's) for subscribed conversations, tells them of changes.
    plan.append(Service("dossier-notifier", python_module("bot.dossier.notifier"), port=None, env=notifier_env))
    # Deletes conversations older than PRIVACY_RETENTION_DAYS, at start and once a day (bot/privacy, issue 16).
    plan.append(
        Service(
            "privacy-retention",
            python_module("bot.privacy", "schedule"),
            port=None,
            env={**env, "DATABASE_URL": settings.database_url},
        )
    )
    return plan
