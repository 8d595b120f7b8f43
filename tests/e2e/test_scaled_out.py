"""The stack on PostgreSQL (tracker store) and Redis (lock store), switched on by DATABASE_URL and REDIS_URL."""

import sqlite3

import psycopg2
import pytest
import redis as redis_client
import requests

from bot.stack import ephemeral
from tests import servers
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.rasa


def _say(cfg, sender: str, text: str) -> list[dict]:
    response = requests.post(
        f"{cfg.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30
    )
    response.raise_for_status()
    return response.json()


def test_conversations_persist_in_postgresql_and_lock_in_redis(tmp_path):
    with servers.postgres(tmp_path / "pg") as database_url, servers.redis(tmp_path / "redis") as redis_url:
        cfg = ephemeral.ephemeral_settings(
            tmp_path / "var", REPO_ROOT / "models", database_url=database_url, redis_url=redis_url
        )
        with ephemeral.build(cfg):
            assert _say(cfg, "pg-user", "xin chào")[0]["text"].startswith("Xin chào")
        # A new Rasa process (as after a restart or on another node) continues the same conversation.
        with ephemeral.build(cfg):
            assert _say(cfg, "pg-user", "cảm ơn")[0]["text"].startswith("Không có gì")
            tracker = requests.get(
                f"{cfg.rasa_url}/conversations/pg-user/tracker", params={"token": cfg.rasa_token}, timeout=10
            ).json()
        user_texts = [e["text"] for e in tracker["events"] if e["event"] == "user"]
        assert user_texts == ["xin chào", "cảm ơn"]
        with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM events WHERE sender_id = %s AND type_name = 'user'", ("pg-user",))
            assert cursor.fetchone()[0] == 2
        stats = redis_client.Redis.from_url(redis_url).info("commandstats")
        assert stats.get("cmdstat_set", {}).get("calls", 0) >= 2  # one lock per message
        assert not (tmp_path / "var" / "tracker.db").exists()  # SQLite was not used


def test_default_tracker_store_is_a_sqlite_file(rasa_server):
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "xin chào")
    database = rasa_server.settings.var_dir / "tracker.db"
    with sqlite3.connect(database) as connection:
        count = connection.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]
    assert count > 0
