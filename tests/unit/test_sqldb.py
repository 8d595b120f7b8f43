"""Subscriptions and feedback on PostgreSQL (bot/sqldb.py), as in the cluster; SQLite is covered elsewhere."""

import datetime as dt

from bot.dossier.subscriptions import SubscriptionStore
from bot.feedback import FeedbackStore
from tests import servers

CODE = "000.00.12.H29-261102-0002"


def test_subscriptions_and_feedback_in_postgresql(tmp_path):
    with servers.postgres(tmp_path / "pg") as url:
        writer, reader = SubscriptionStore(url), SubscriptionStore(url)  # two processes, one database
        assert writer.subscribe("zalo:1", "zalo", CODE, "PROCESSING") is True
        assert writer.subscribe("zalo:1", "zalo", CODE, "RECEIVED") is False  # kept as it was
        assert [(s.sender_id, s.code, s.last_status) for s in reader.all()] == [("zalo:1", CODE, "PROCESSING")]
        reader.mark_notified("zalo:1", CODE, "COMPLETED")
        assert writer.for_sender("zalo:1")[0].last_status == "COMPLETED"
        assert writer.unsubscribe("zalo:1") == 1 and reader.all() == []

        feedback = FeedbackStore(url)
        feedback.record("web", True, "1.001193")
        feedback.record("zalo", False, "1.001193")
        summary = FeedbackStore(url).summary(dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1))
        assert summary["ratings"] == 2 and summary["satisfied"] == 1
        assert summary["unsatisfied_procedures"] == [("1.001193", 1)]
