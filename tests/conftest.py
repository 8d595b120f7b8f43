"""Shared fixtures. `rasa_server` starts the real stack (reference dossier service, action server, Rasa server
with the trained model) once per test session on free ports, the same way `make run` does (bot.stack)."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import requests

from bot import settings as settings_module
from bot.stack import rasa_config
from bot.stack.plan import latest_model, services
from bot.stack.processes import Stack, free_port

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RasaServer:
    url: str
    token: str
    settings: settings_module.StackSettings
    stack: Stack

    def rest(self, sender: str, text: str, metadata: dict | None = None, timeout: float = 30) -> list[dict]:
        body = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=timeout)
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = requests.get(f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=10)
        response.raise_for_status()
        return response.json()

    @staticmethod
    def new_sender() -> str:
        return f"test:{uuid.uuid4().hex[:12]}"


def _settings_for_tests(var_dir: Path) -> settings_module.StackSettings:
    base = settings_module.load()
    return replace(
        base,
        var_dir=var_dir,
        models_dir=REPO_ROOT / "models",
        rasa_port=free_port(),
        actions_port=free_port(),
        dossier_port=free_port(),
        web_port=free_port(),
        host="127.0.0.1",
        rasa_token=uuid.uuid4().hex,
        database_url="",
        redis_url="",
        dossier_api_url="",
        telegram_token="",
        extra_env={"HOTLINE": os.environ.get("HOTLINE", "")} if os.environ.get("HOTLINE") else {},
    )


@pytest.fixture(scope="session")
def rasa_server(tmp_path_factory) -> RasaServer:
    model = latest_model(REPO_ROOT / "models")
    if model is None:
        pytest.fail("No trained model in models/: `make test` trains one before pytest (or run `make train`).")
    var_dir = tmp_path_factory.mktemp("stack")
    cfg = _settings_for_tests(var_dir)
    endpoints, credentials = rasa_config.write(cfg)
    plan = [s for s in services(cfg, model, endpoints, credentials) if s.name != "web"]
    stack = Stack(plan, var_dir / "log")
    stack.start()
    try:
        yield RasaServer(url=cfg.rasa_url, token=cfg.rasa_token, settings=cfg, stack=stack)
    finally:
        stack.stop()
