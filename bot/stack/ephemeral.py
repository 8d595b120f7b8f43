"""A throw-away stack on free ports with its state in one folder: for end-to-end tests and the benchmark."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Optional

from bot import settings as settings_module
from bot.stack import rasa_config
from bot.stack.plan import latest_model, services
from bot.stack.processes import Stack, free_port


def ephemeral_settings(var_dir: Path, models_dir: Path, **overrides) -> settings_module.StackSettings:
    base = settings_module.load()
    values = dict(
        var_dir=var_dir,
        models_dir=models_dir,
        rasa_port=free_port(),
        actions_port=free_port(),
        dossier_port=free_port(),
        web_port=free_port(),
        host="127.0.0.1",
        rasa_token=uuid.uuid4().hex,
        actions_token=uuid.uuid4().hex,
        database_url="",
        redis_url="",
        dossier_api_url="",
        dossier_db_url="",
        telegram_token="",
        zalo_app_id="",
    )
    values.update(overrides)
    return replace(base, **values)


def build(cfg: settings_module.StackSettings, skip: Iterable[str] = ("web",), model: Optional[Path] = None) -> Stack:
    """The stack `make run` would start for these settings, minus the services named in `skip`."""
    model = model or latest_model(cfg.models_dir)
    if model is None:
        raise FileNotFoundError(f"No trained model in {cfg.models_dir}: run `make train`.")
    endpoints, credentials = rasa_config.write(cfg)
    plan = [s for s in services(cfg, model, endpoints, credentials) if s.name not in set(skip)]
    return Stack(plan, cfg.var_dir / "log")
