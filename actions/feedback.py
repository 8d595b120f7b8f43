"""Satisfaction survey: asks once per conversation episode, records a rating and an optional reason (no personal
data), answers it. Storage and scales: bot/feedback.py.

When it is asked (issue 12): after thanks or goodbye (action_offer_survey, by rule), and at the end of what the
city measures, a finished guided filing (actions/online_guide.py) and a citizen's dossier lookup
(actions/dossier.py), through `offer_after`: never while the conversation waits for an answer to a question or a
choice, and never twice in one conversation episode (nor after a rating given unasked)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import feedback as survey
from bot import portal
from bot.feedback import FeedbackStore, channel_of, default_target

ASK_RESPONSES = ("utter_survey_ask_5", "utter_survey_ask_3")
RATING_INTENTS = ("feedback_satisfied", "feedback_unsatisfied", "feedback_rating")
# Slots set while the assistant waits for an answer: a form's slot, the walkthrough (running, or waiting for the
# procedure), a topic waiting for its procedure, a choice of procedures, the reason of a low rating.
WAITING_SLOTS = (
    "requested_slot",
    "guide_active",
    "guide_pending",
    "pending_topic",
    "offered_procedures",
    "feedback_id",
)
# What an episode served, from the payloads of its answers (latest wins): what the rating is about.
SERVED = {"procedure_answer": "answer", "dossier_status": "lookup", "online_guide": "filing"}


def episode(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The events since the conversation's latest session start."""
    events = list(tracker.events)
    starts = [i for i, e in enumerate(events) if e.get("event") == "session_started"]
    return events[starts[-1] :] if starts else events


def asked_in_episode(tracker: Tracker) -> bool:
    return any(
        e.get("event") == "bot" and (e.get("metadata") or {}).get("utter_action") in ASK_RESPONSES
        for e in episode(tracker)
    )


def rated_in_episode(tracker: Tracker) -> bool:
    return any(
        e.get("event") == "user" and ((e.get("parse_data") or {}).get("intent") or {}).get("name") in RATING_INTENTS
        for e in episode(tracker)
    )


def waiting_for_an_answer(tracker: Tracker, events: List[Dict[Text, Any]]) -> bool:
    """A form runs or a question or choice is open, once the action's own `events` are applied."""
    slots = dict(tracker.slots)
    for event in events:
        if event.get("event") == "slot":
            slots[event.get("name")] = event.get("value")
    return bool((tracker.active_loop or {}).get("name")) or any(slots.get(name) for name in WAITING_SLOTS)


def offer(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """The city's survey question (SURVEY_SCALE levels), unless this episode already asked it or has a rating."""
    if asked_in_episode(tracker) or rated_in_episode(tracker):
        return False
    dispatcher.utter_message(response=f"utter_survey_ask_{survey.scale()}")
    return True


def offer_after(dispatcher: CollectingDispatcher, tracker: Tracker, events: List[Dict[Text, Any]]) -> bool:
    """After a finished guided filing or a dossier lookup (its answer already sent, its `events` about to be
    returned): the survey question, unless the conversation waits for an answer."""
    return not waiting_for_an_answer(tracker, events) and offer(dispatcher, tracker)


def served_in_episode(tracker: Tracker) -> Optional[str]:
    served = None
    for e in episode(tracker):
        custom = (e.get("data") or {}).get("custom") if e.get("event") == "bot" else None
        if isinstance(custom, dict) and custom.get("type") in SERVED:
            served = SERVED[custom["type"]]
    return served


class ActionOfferSurvey(Action):
    """After thanks or goodbye: the city's satisfaction question, at most once per conversation episode."""

    def name(self) -> Text:
        return "action_offer_survey"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        offer(dispatcher, tracker)
        return []


def _rating(tracker: Tracker, scale: int) -> int:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "feedback_satisfied":
        return survey.satisfied_level(scale)
    if intent == "feedback_unsatisfied":
        return survey.satisfied_level(scale) - 2 if scale == 5 else 1
    for value in tracker.get_latest_entity_values("rating"):
        rating = survey.rating_in(str(value), scale)
        if rating:
            return rating
    return survey.rating_in(tracker.latest_message.get("text"), scale) or survey.satisfied_level(scale)


class ActionRecordFeedback(Action):
    def name(self) -> Text:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        scale = survey.scale()
        rating = _rating(tracker, scale)
        satisfied = rating >= survey.satisfied_level(scale)
        row = FeedbackStore(default_target()).record(
            channel_of(tracker.sender_id, tracker.get_latest_input_channel()),
            satisfied,
            tracker.get_slot("procedure_code"),
            rating=rating,
            scale_=scale,
            follows=served_in_episode(tracker),
        )
        if satisfied:
            dispatcher.utter_message(response="utter_feedback_thanks")
            return []
        dispatcher.utter_message(response="utter_feedback_sorry", hotline=portal.hotline())
        dispatcher.utter_message(response="utter_survey_ask_reason")
        return [SlotSet("feedback_id", str(row))]


class ActionRecordFeedbackReason(Action):
    def name(self) -> Text:
        return "action_record_feedback_reason"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        row = tracker.get_slot("feedback_id")
        reason = next(tracker.get_latest_entity_values("feedback_reason"), None)
        reason = (
            reason if reason in survey.survey()["reasons"] else survey.reason_in(tracker.latest_message.get("text"))
        )
        if row and reason:
            FeedbackStore(default_target()).set_reason(int(row), reason)
            dispatcher.utter_message(response="utter_feedback_reason_thanks")
        else:
            dispatcher.utter_message(response="utter_feedback_thanks")
        return [SlotSet("feedback_id", None)]
