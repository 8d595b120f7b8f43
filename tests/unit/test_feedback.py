"""Satisfaction feedback: stored without personal data, reported by channel and procedure."""

import datetime as dt
import subprocess
import sys

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionRecordFeedback
from bot.feedback import FeedbackStore, channel_of, report
from bot.settings import REPO_ROOT
from tests.trackers import make_tracker


def _tracker(sender: str, intent: str, procedure_code=None) -> Tracker:
    return make_tracker("/" + intent, intent, {"procedure_code": procedure_code}, sender=sender)


def test_channel_never_keeps_the_person():
    assert channel_of("telegram:12345") == "telegram"
    assert channel_of("zalo:987") == "zalo"
    assert channel_of("a1b2", "rest") == "rest"


async def test_action_records_and_answers(tmp_path, monkeypatch):
    db = tmp_path / "feedback.sqlite"
    monkeypatch.setenv("FEEDBACK_DB", str(db))
    monkeypatch.setenv("HOTLINE", "1900 0000")
    dispatcher = CollectingDispatcher()
    events = await ActionRecordFeedback().run(
        dispatcher, _tracker("telegram:987654321", "feedback_unsatisfied", "1.001193"), {}
    )
    assert [(e["name"], bool(e["value"])) for e in events] == [("feedback_id", True)]  # for the reason, if given
    assert dispatcher.messages[0]["response"] == "utter_feedback_sorry"
    assert dispatcher.messages[1]["response"] == "utter_survey_ask_reason"
    assert dispatcher.messages[0]["hotline"] == "1900 0000"
    await ActionRecordFeedback().run(CollectingDispatcher(), _tracker("web:x", "feedback_satisfied"), {})
    summary = FeedbackStore(db).summary(dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1))
    assert summary["ratings"] == 2 and summary["satisfied"] == 1
    assert summary["by_channel"] == {"telegram": {"ratings": 1, "satisfied": 0}, "web": {"ratings": 1, "satisfied": 1}}
    assert summary["unsatisfied_procedures"] == [("1.001193", 1)]
    import sqlite3

    with sqlite3.connect(db) as connection:
        # The sender id is not kept (a short id like "42" could also appear inside a timestamp).
        assert "987654321" not in str(connection.execute("SELECT * FROM feedback").fetchall())


def test_report_command(tmp_path):
    db = tmp_path / "f.sqlite"
    store = FeedbackStore(db)
    now = dt.datetime.now(dt.timezone.utc)
    for satisfied in (True, True, True, False):
        store.record("zalo", satisfied, "1.004194", at=now)
    store.record("zalo", False, None, at=now - dt.timedelta(days=60))  # outside the window
    result = subprocess.run(
        [sys.executable, "-m", "bot.feedback", "report", "--days", "30", "--db", str(db)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "75% (3/4 đánh giá)" in result.stdout
    assert "| zalo | 4 | 75% |" in result.stdout
    assert "| 1.004194 | 1 |" in result.stdout


def test_report_with_no_ratings():
    text = report({"ratings": 0, "satisfied": 0, "by_channel": {}, "unsatisfied_procedures": []}, 7)
    assert text.startswith("Mức độ hài lòng, 7 ngày gần nhất: –")


async def test_survey_once_per_episode_and_what_it_follows(tmp_path, monkeypatch):
    from actions.feedback import ActionOfferSurvey, served_in_episode

    monkeypatch.setenv("SURVEY_SCALE", "3")
    asked = {"event": "bot", "metadata": {"utter_action": "utter_survey_ask_3"}}
    lookup = {"event": "bot", "data": {"custom": {"type": "dossier_status"}}, "metadata": {}}
    answer = {"event": "bot", "data": {"custom": {"type": "procedure_answer"}}, "metadata": {}}
    new_episode = {"event": "session_started"}

    def tracker(events):
        return Tracker(
            "web:x", {}, {"intent": {"name": "thank"}, "text": "cảm ơn"}, events, False, None, {}, "action_listen"
        )

    for events, expected in (
        ([answer], ["utter_survey_ask_3"]),
        ([answer, asked], []),
        ([answer, asked, new_episode, lookup], ["utter_survey_ask_3"]),
    ):
        dispatcher = CollectingDispatcher()
        await ActionOfferSurvey().run(dispatcher, tracker(events), {})
        assert [m["response"] for m in dispatcher.messages] == expected
    assert served_in_episode(tracker([answer, new_episode, lookup])) == "lookup"
    assert served_in_episode(tracker([answer, new_episode])) is None


def test_offer_after_a_lookup_or_filing_waits_for_open_questions_and_asks_once_per_episode(monkeypatch):
    """The survey at the end of what the city measures (issue 12): not over a question or choice still open, not
    twice in one conversation episode, not after a rating given unasked; the action's own events count."""
    from rasa_sdk.events import SlotSet

    from actions.feedback import offer_after

    monkeypatch.setenv("SURVEY_SCALE", "5")
    asked = {"event": "bot", "metadata": {"utter_action": "utter_survey_ask_5"}}
    rated = {"event": "user", "parse_data": {"intent": {"name": "feedback_satisfied"}}}
    latest = {"intent": {"name": "check_dossier_status"}, "text": "tra cứu hồ sơ"}

    def offered(slots=None, events=(), active_loop=None, own=()):
        dispatcher = CollectingDispatcher()
        tracker = Tracker("telegram:1", slots or {}, latest, list(events), False, None, active_loop or {}, "x")
        offer_after(dispatcher, tracker, list(own))
        return [m["response"] for m in dispatcher.messages]

    assert offered() == ["utter_survey_ask_5"]
    assert offered(events=[asked]) == offered(events=[rated]) == []
    assert offered(events=[asked, {"event": "session_started"}]) == ["utter_survey_ask_5"]  # a new episode
    for slot, value in (
        ("requested_slot", "complaint_description"),
        ("guide_active", True),
        ("guide_pending", True),
        ("pending_topic", "fee"),
        ("offered_procedures", ["1.001193", "2.000528"]),
        ("feedback_id", "7"),
    ):
        assert offered(slots={slot: value}) == [], slot
    assert offered(active_loop={"name": "complaint_form"}) == []
    assert offered(slots={"guide_active": True}, own=[SlotSet("guide_active", False)]) == ["utter_survey_ask_5"]
    assert offered(slots={"offered_procedures": None}, own=[SlotSet("guide_pending", True)]) == []
