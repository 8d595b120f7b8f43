"""`python -m bot.privacy purge | forget | export | totals` on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from bot.dossier.subscriptions import SubscriptionStore
from bot.privacy import database
from bot.privacy.__main__ import main
from tests.conftest import REPO_ROOT
from tests.privacy.conftest import store_for
from tests.privacy.test_storage import _conversation

CODE = "000.00.12.H29-261102-0002"


@pytest.fixture
def env(database_url, tmp_path, monkeypatch):
    """The environment `make run` gives: VAR_DIR, and DATABASE_URL for PostgreSQL."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", "" if database_url.startswith("sqlite") else database_url)
    monkeypatch.delenv("DOSSIER_SUBSCRIPTIONS_DB", raising=False)
    monkeypatch.delenv("PRIVACY_RETENTION_DAYS", raising=False)
    url = database_url if not database_url.startswith("sqlite") else f"sqlite:///{tmp_path / 'var' / 'tracker.db'}"
    (tmp_path / "var").mkdir()
    return {"url": url, "subscriptions": SubscriptionStore(tmp_path / "var" / "dossier_subscriptions.sqlite")}


async def _two_people(env, domain, when: float):
    store = store_for(env["url"], domain)
    await store.save(_conversation("telegram:1", [("số cccd 079123456789, hồ sơ đến đâu", when), ("cảm ơn", when)]))
    await store.save(_conversation("zalo:2", [("xin chào", when)]))
    env["subscriptions"].subscribe("telegram:1", "telegram", CODE, "PROCESSING")
    env["subscriptions"].subscribe("zalo:2", "zalo", CODE, "PROCESSING")
    for sender, contact in (("telegram:1", "0912345678"), ("zalo:2", "0987654321")):
        _complaints().create(
            sender_id=sender,
            channel=sender.split(":")[0],
            category="late_dossier",
            description="hồ sơ trễ hạn",
            contact=contact,
        )


def _complaints():
    from bot.ops.complaints import ComplaintStore
    from bot.ops.db import ops_engine

    return ComplaintStore(ops_engine())


async def test_forget_and_export(env, domain, capsys, tmp_path):
    await _two_people(env, domain, dt.datetime.now().timestamp())
    engine = database.engine_for(env["url"])
    before = database.totals(engine)
    out = tmp_path / "telegram-1.json"
    assert main(["export", "telegram:1", "--out", str(out)]) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [e["text"] for e in exported["conversation_events"] if e["event"] == "user"] == [
        "số cccd [CCCD], hồ sơ đến đâu",
        "cảm ơn",
    ]
    assert exported["dossier_subscriptions"][0]["code"] == CODE and exported["retention_days"] == 90
    assert [c["contact"] for c in exported["complaints"]] == ["0912345678"]  # theirs, given with consent
    assert "079123456789" not in out.read_text(encoding="utf-8")

    capsys.readouterr()
    assert main(["forget", "telegram:1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {
        "sender_id": "telegram:1",
        "events": 11,
        "dossier_subscriptions": 1,
        "complaints_contact_deleted": 1,
    }
    assert _complaints().of_sender("telegram:1") == []  # unlinked from the person, contact gone
    assert sorted(c.contact or "" for c in _complaints().list()) == ["", "0987654321"]  # the other person's stays
    assert database.events_of(engine, "telegram:1") == [] and env["subscriptions"].for_sender("telegram:1") == []
    assert len(database.events_of(engine, "zalo:2")) == 7 and len(env["subscriptions"].for_sender("zalo:2")) == 1
    assert database.totals(engine) == before
    main(["totals"])
    rows = json.loads(capsys.readouterr().out)
    assert {(r["channel"], r["conversations"], r["messages"]) for r in rows} == {("telegram", 1, 2), ("zalo", 1, 1)}


async def test_purge_uses_the_retention_period(env, domain, capsys, monkeypatch):
    await _two_people(env, domain, (dt.datetime.now() - dt.timedelta(days=40)).timestamp())
    engine = database.engine_for(env["url"])
    before = database.totals(engine)
    assert main(["purge"]) == 0  # 90 days by default: nothing that old
    assert json.loads(capsys.readouterr().out)["events"] == 0
    monkeypatch.setenv("PRIVACY_RETENTION_DAYS", "30")
    assert main(["purge"]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == 18
    assert database.events_of(engine, "zalo:2") == [] and database.totals(engine) == before
    # Subscriptions are the person's standing request: they end with the dossier or on request, not by age.
    assert len(env["subscriptions"].for_sender("zalo:2")) == 1


def test_the_real_command_rejects_a_bad_period(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.privacy", "purge"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path), "PRIVACY_RETENTION_DAYS": "ba tháng"},
    )
    assert result.returncode != 0 and "PRIVACY_RETENTION_DAYS must be a number of days" in result.stderr
