"""The scaled-out stack (bot/stack/cluster.py) once per module: nginx in front of 2 Rasa servers and 2 action
servers, PostgreSQL tracker store and Redis lock store run by the stack itself, on free 127.0.0.1 ports."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
import requests

from bot.settings import StackSettings
from bot.stack import ephemeral
from bot.stack.cluster import cluster_services
from bot.stack.local_db import postgres_bindir
from bot.stack.plan import latest_model
from bot.stack.processes import Stack
from tests.conftest import REPO_ROOT
from tests.servers import _missing


@dataclass
class Cluster:
    cfg: StackSettings
    stack: Stack

    def say(self, sender: str, text: str, url: str | None = None, timeout: float = 90) -> requests.Response:
        return requests.post(
            f"{url or self.cfg.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=timeout,
        )

    def node_url(self, name: str) -> str:
        service = next(s for s in self.stack.services if s.name == name)
        return f"http://127.0.0.1:{service.port}"

    def user_texts(self, sender: str) -> list[str]:
        """What the tracker store (PostgreSQL) holds for one conversation, in order."""
        with psycopg2.connect(self.cfg.database_url) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id", (sender,))
            import json

            return [json.loads(row[0])["text"] for row in cursor.fetchall()]

    @staticmethod
    def new_sender() -> str:
        return f"cluster:{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Cluster:
    if postgres_bindir() is None:
        _missing("PostgreSQL server (initdb, postgres)")
    for binary in ("redis-server", "nginx"):
        if not (shutil.which(binary) or Path(f"/usr/sbin/{binary}").exists()):
            _missing(binary)
    model = latest_model(REPO_ROOT / "models")
    if model is None:
        pytest.fail("No trained model in models/: run `make train`.")
    cfg = ephemeral.ephemeral_settings(tmp_path_factory.mktemp("cluster"), REPO_ROOT / "models")
    plan, cfg = cluster_services(cfg, model, skip=("web", "dossier-notifier"))
    stack = Stack(plan, cfg.var_dir / "log")
    stack.start()
    try:
        yield Cluster(cfg, stack)
    finally:
        stack.stop()
