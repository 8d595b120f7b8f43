"""Shared fixtures. `rasa_server` starts the real stack (reference dossier service, action server, Rasa server
with the trained model) once per test session on free ports, the same way `make run` does (bot.stack)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot import settings as settings_module
from bot.stack import ephemeral
from bot.stack.plan import latest_model
from bot.stack.processes import Stack

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


@pytest.fixture(scope="session")
def rasa_server(tmp_path_factory) -> RasaServer:
    if latest_model(REPO_ROOT / "models") is None:
        pytest.fail("No trained model in models/: `make test` trains one before pytest (or run `make train`).")
    cfg = ephemeral.ephemeral_settings(tmp_path_factory.mktemp("stack"), REPO_ROOT / "models")
    stack = ephemeral.build(cfg)
    stack.start()
    try:
        yield RasaServer(url=cfg.rasa_url, token=cfg.rasa_token, settings=cfg, stack=stack)
    finally:
        stack.stop()
