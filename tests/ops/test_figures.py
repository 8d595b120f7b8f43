"""The report's figures from hand-made tracker events, the same on SQLite and PostgreSQL (tracker store and
operations tables in one database, as with DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from bot.feedback import FeedbackStore
from bot.ops.complaints import ComplaintStore
from bot.ops.db import engine
from bot.ops.figures import figures
from bot.ops.report import render

NOW = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.timezone.utc)
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def user(sender, at, text, intent, confidence=0.9, external=False):
    data = {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}},
        "metadata": {"is_external": True} if external else {},
    }
    return dict(sender_id=sender, type_name="user", timestamp=at, intent_name=intent, data=json.dumps(data))


def bot(sender, at, utter=None, custom=None):
    data = {
        "event": "bot",
        "text": "…",
        "metadata": {"utter_action": utter} if utter else {},
        "data": {"custom": custom},
    }
    return dict(sender_id=sender, type_name="bot", timestamp=at, intent_name=None, data=json.dumps(data))


def test_figures_on_sqlite_and_postgresql(ops_url):
    db = engine(ops_url)
    EVENTS.metadata.create_all(db)
    day = NOW.timestamp() - 86400 * 3
    rows = [
        user("web:a", day, "khai sinh cần gì", "ask_documents"),
        bot(
            "web:a",
            day + 1,
            "utter_procedure_documents",
            {"type": "procedure_answer", "procedure_code": "1.001193", "topic": "documents"},
        ),
        user("web:a", day + 2, "cấp giấy chứng nhận quyền sử dụng đất", "ask_overview", 0.4),
        bot(
            "web:a", day + 3, "utter_procedure_choices", {"type": "procedure_choices", "procedure_codes": ["1.012753"]}
        ),
        user("telegram:1", day + 10, "giấy cho bé mới đẻ", "ask_overview"),
        bot("telegram:1", day + 11, "utter_procedure_not_found"),
        user("telegram:1", day + 12, "kkk", "nlu_fallback", 0.2),
        bot("telegram:1", day + 13, "utter_default"),
        user("telegram:1", day + 14, "EXTERNAL: x", "EXTERNAL_dossier_status_changed", 1.0, external=True),
        bot(
            "telegram:1",
            day + 15,
            None,
            {"type": "dossier_status", "code": "c", "status": "PROCESSING", "overdue": True, "agency": "UBND phường A"},
        ),
        user("zalo:9", NOW.timestamp() - 60, "tra cứu hồ sơ", "check_dossier_status"),
        bot(
            "zalo:9",
            NOW.timestamp() - 59,
            None,
            {
                "type": "dossier_status",
                "code": "c",
                "status": "PROCESSING",
                "overdue": False,
                "agency": "UBND phường A",
            },
        ),
        user("zalo:9", NOW.timestamp() - 50, "hướng dẫn nộp", "start_online_guide"),
        bot(
            "zalo:9",
            NOW.timestamp() - 49,
            None,
            {"type": "online_guide", "procedure_code": "1.001193", "step": "intro"},
        ),
        user("zalo:9", NOW.timestamp() - 40, "danh sách", "guide_checklist"),
        bot(
            "zalo:9",
            NOW.timestamp() - 39,
            None,
            {"type": "online_guide", "procedure_code": "1.001193", "step": "checklist"},
        ),
        user("web:old", NOW.timestamp() - 86400 * 40, "cũ quá", "greet"),  # outside the 30 days
    ]
    with db.begin() as connection:
        connection.execute(EVENTS.insert(), rows)
    FeedbackStore(db).record("web", True, "1.001193", at=NOW - dt.timedelta(days=1), rating=5, scale_=5)
    FeedbackStore(db).record("zalo", False, "1.001193", at=NOW - dt.timedelta(days=2), rating=2, scale_=5)
    complaints = ComplaintStore(db)
    complaints.create(
        sender_id="web:a",
        channel="web",
        category="late_dossier",
        description="<b>chậm</b>",
        created_at=(NOW - dt.timedelta(days=5)).isoformat(),
    )
    handled = complaints.create(
        sender_id="web:b",
        channel="web",
        category="other",
        description="x",
        created_at=(NOW - dt.timedelta(days=1)).isoformat(),
    )
    complaints.handle(handled.reference, "xong")

    data = figures(db, db, days=30, now=NOW, catalog_levels={"1.001193": "full"})
    assert data["conversations"] == {"2026-11-27": {"telegram": 1, "web": 1}, "2026-11-30": {"zalo": 1}}
    assert data["procedures"] == [("1.001193", 1)] and data["topics"] == [("documents", 1)]
    assert data["outcomes"] == {"answered": 4, "choices": 1, "not_found": 1, "fallback": 1}  # external turn left out
    assert data["guide"] == {"started": 1, "checklist": 1}
    assert data["online_levels"] == {"full": 1, "partial": 0, "none": 0}
    assert data["dossier_agencies"] == [["UBND phường A", 1, 0]]  # the notification is not a lookup turn
    assert [text for text, _ in data["unanswered_groups"]] == [
        "giấy cho bé mới đẻ",
        "kkk",
        "cấp giấy chứng nhận quyền sử dụng đất",
    ]
    assert data["satisfaction"]["by_channel"] == [["web", 1, 1], ["zalo", 1, 0]]
    assert data["complaints"]["by_status"] == {"open": 1, "handled": 1}
    assert data["complaints"]["open_ages"] == [0, 0, 1, 0, 0]
    page = render(data, NOW)
    assert "&lt;b&gt;chậm&lt;/b&gt;" in page and "<b>chậm" not in page
