"""Shared fixtures. `rasa_server` starts the real stack (reference dossier service, action server, Rasa server
with the trained model) once per test session on free ports, the same way `make run` does (bot.stack)."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from bot import settings as settings_module
from bot.stack import ephemeral
from bot.stack.plan import latest_model
from bot.stack.processes import Stack
from tests.fakes.zalo_api import start_for_rasa

REPO_ROOT = Path(__file__).resolve().parent.parent
# Tests answer from the shipped catalog only: a developer's `python -m bot.catalog add` (var/catalog/local.jsonl)
# must not change them. Inherited by the stacks the tests start.
os.environ["CATALOG_LOCAL_PATH"] = str(REPO_ROOT / "tests" / "catalog" / "no-local-additions.jsonl")
OPERATOR_TOKEN = "test-operator-token"  # what a hotline operator's web page sends as message metadata


@dataclass
class RasaServer:
    url: str
    token: str
    settings: settings_module.StackSettings
    stack: Stack
    zalo_api: Any = None  # the fake Zalo OA API the Zalo channel of this Rasa server talks to

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
    zalo_api, zalo_env = start_for_rasa(str(tmp_path_factory.mktemp("zalo") / "zalo_tokens.json"))
    cfg = ephemeral.ephemeral_settings(
        tmp_path_factory.mktemp("stack"),
        REPO_ROOT / "models",
        zalo_app_id=zalo_env["ZALO_APP_ID"],
        extra_env={**zalo_env, "OPERATOR_TOKEN": OPERATOR_TOKEN},
        # Another implementation of the dossier API contract instead of the reference service (see README).
        dossier_api_url=os.environ.get("E2E_DOSSIER_API_URL", ""),
    )
    stack = ephemeral.build(cfg)
    try:
        stack.start()
        yield RasaServer(url=cfg.rasa_url, token=cfg.rasa_token, settings=cfg, stack=stack, zalo_api=zalo_api)
    finally:
        stack.stop()
        zalo_api.stop()
