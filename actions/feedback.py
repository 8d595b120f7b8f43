"""Satisfaction feedback: records a rating (no personal data) and answers it."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import portal
from bot.feedback import FeedbackStore, channel_of, default_path


class ActionRecordFeedback(Action):
    def name(self) -> Text:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        satisfied = (tracker.latest_message.get("intent") or {}).get("name") == "feedback_satisfied"
        FeedbackStore(default_path()).record(
            channel_of(tracker.sender_id, tracker.get_latest_input_channel()),
            satisfied,
            tracker.get_slot("procedure_code"),
        )
        if satisfied:
            dispatcher.utter_message(response="utter_feedback_thanks")
        else:
            dispatcher.utter_message(response="utter_feedback_sorry", hotline=portal.hotline())
        return []
