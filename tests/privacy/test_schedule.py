"""The running stack purges once a day; log lines are redacted like storage."""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading

from bot.privacy import database, logs
from bot.privacy.__main__ import schedule
from bot.privacy.settings import PrivacySettings
from bot.settings import StackSettings
from bot.stack.plan import services
from tests.privacy.conftest import store_for
from tests.privacy.test_storage import _conversation


def test_make_run_starts_the_daily_purge(tmp_path):
    cfg = StackSettings(
        var_dir=tmp_path,
        models_dir=tmp_path,
        rasa_port=1,
        actions_port=2,
        dossier_port=3,
        web_port=4,
        host="127.0.0.1",
        rasa_token="t",
        database_url="postgresql://db/x",
        redis_url="",
        dossier_api_url="",
        dossier_db_url="",
        telegram_token="",
        zalo_app_id="",
    )
    plan = {s.name: s for s in services(cfg, tmp_path / "m.tar.gz", "e.yml", "c.yml")}
    retention = plan["privacy-retention"]
    assert retention.argv[-3:] == ["-m", "bot.privacy", "schedule"] or retention.argv[-2:] == [
        "bot.privacy",
        "schedule",
    ]
    assert retention.env["DATABASE_URL"] == "postgresql://db/x" and retention.env["VAR_DIR"] == str(tmp_path)


async def test_schedule_purges_at_start_and_stops_on_request(tmp_path, domain):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = store_for(url, domain)
    old = (dt.datetime.now() - dt.timedelta(days=100)).timestamp()
    await store.save(_conversation("web:old", [("a", old)]))
    await store.save(_conversation("web:new", [("a", dt.datetime.now().timestamp())]))
    stop = threading.Event()
    settings = PrivacySettings(
        retention_days=90, purge_interval=3600, events_url=url, subscriptions_db=tmp_path / "subs.sqlite"
    )
    worker = threading.Thread(target=schedule, args=(settings, stop))
    worker.start()
    engine = database.engine_for(url)
    for _ in range(200):
        if not database.events_of(engine, "web:old"):
            break
        threading.Event().wait(0.05)
    stop.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert database.events_of(engine, "web:old") == [] and database.events_of(engine, "web:new") != []


def test_log_lines_are_redacted():
    stream = io.StringIO()
    logger = logging.getLogger("test.privacy.logs")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logs.install(logger)
    logs.install(logger)  # once only
    assert len(handler.filters) == 1
    logger.warning("user %s wrote %r", "zalo:1", "cccd 079123456789 sđt 0912345678 hồ sơ 000.00.12.H29-261102-0002")
    assert stream.getvalue() == "user zalo:1 wrote 'cccd [CCCD] sđt [SĐT] hồ sơ 000.00.12.H29-261102-0002'\n"
