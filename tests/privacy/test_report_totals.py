"""The dashboard's conversation counts survive the retention purge and a person's deletion (issue 16 with 12)."""

from __future__ import annotations

import datetime as dt

from bot.ops.figures import figures
from bot.privacy import database
from tests.privacy.conftest import store_for
from tests.privacy.test_storage import _conversation


async def test_report_totals_unchanged_by_purge_and_forget(database_url, domain, tmp_path):
    now = dt.datetime.now(dt.timezone.utc)
    old, recent = (now - dt.timedelta(days=40)).timestamp(), (now - dt.timedelta(days=2)).timestamp()
    store = store_for(database_url, domain)
    await store.save(_conversation("telegram:1", [("đăng ký khai sinh", old), ("cảm ơn", old)]))
    await store.save(_conversation("zalo:2", [("xin chào", old)]))
    await store.save(_conversation("zalo:3", [("tạm trú ở đâu", recent)]))
    engine = database.engine_for(database_url)
    ops = database.engine_for(f"sqlite:///{tmp_path / 'ops.sqlite'}")

    def conversations() -> dict:
        return figures(engine, ops, days=60, now=now, catalog_levels={})["conversations"]

    before = conversations()
    assert sum(n for channels in before.values() for n in channels.values()) == 3
    database.purge(engine, 30, now)
    database.forget(engine, "zalo:3")
    assert database.events_of(engine, "telegram:1") == [] and database.events_of(engine, "zalo:3") == []
    assert conversations() == before
