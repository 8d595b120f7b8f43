"""Privacy actions (issue 16): the notice, "not needed, not kept", and deletion on request.

What is stored is redacted by the tracker store (bot/tracker_store.py); these actions only talk to the person.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActionReverted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.privacy import notice, rights
from bot.privacy.nlu import PERSONAL_DATA
from bot.privacy.settings import PrivacySettings

NOTICE_SLOT = "privacy_notice_shown"


def _retention_days() -> int:
    return PrivacySettings.from_env().retention_days


class ActionSessionStart(Action):
    """Rasa's session start (slots carried over), plus the privacy notice the first time someone writes."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SessionStarted()]
        if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
            events += [SlotSet(name, value) for name, value in tracker.slots.items()
                       if value is not None and name != "requested_slot"]
        if not tracker.get_slot(NOTICE_SLOT):
            dispatcher.utter_message(response=notice.NOTICE_RESPONSE, retention_days=_retention_days())
            events.append(SlotSet(NOTICE_SLOT, True))
        return events + [ActionExecuted("action_listen")]


class ActionPrivacyNotice(Action):
    def name(self) -> Text:
        return "action_privacy_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response=notice.NOTICE_RESPONSE, retention_days=_retention_days())
        return [SlotSet(NOTICE_SLOT, True)]


class ActionPersonalDataNotice(Action):
    """Run by PersonalDataNoticePolicy before the answer; reverts itself so the dialogue goes on unchanged."""

    def name(self) -> Text:
        return "action_personal_data_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kinds = tracker.latest_message.get(PERSONAL_DATA) or []
        dispatcher.utter_message(response="utter_personal_data_not_kept", kinds=notice.kinds_phrase(kinds))
        return [ActionReverted()]


class ActionForgetMe(Action):
    """Deletes the person's subscriptions; the tracker store deletes the conversation when it saves this turn."""

    def name(self) -> Text:
        return "action_forget_me"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        removed = rights.forget_subscriptions(PrivacySettings.from_env(), tracker.sender_id)
        dispatcher.utter_message(response="utter_data_deleted", subscriptions=removed)
        return []


class ActionCancelDataDeletion(Action):
    def name(self) -> Text:
        return "action_cancel_data_deletion"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_data_deletion_cancelled", retention_days=_retention_days())
        return []
