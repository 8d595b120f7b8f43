"""Privacy actions (issue 16): the notice, "not needed, not kept", and deletion on request.

What is stored is redacted by the tracker store (bot/tracker_store.py); these actions only talk to the person.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActionReverted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.privacy import (
    FIRST_NOTICE_ACTION,
    FORGET_ACTION,
    NOTICE_SLOT,
    PERSONAL_DATA,
    PERSONAL_DATA_NOTICE_ACTION,
    notice,
    rights,
)
from bot.privacy.settings import PrivacySettings


def _retention_days() -> int:
    return PrivacySettings.from_env().retention_days


class ActionSessionStart(Action):
    """Rasa's session start (slots carried over); for a new person, the privacy notice becomes due (it is sent
    after the first answer, by PersonalDataNoticePolicy and action_first_privacy_notice)."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SessionStarted()]
        if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
            events += [
                SlotSet(name, value)
                for name, value in tracker.slots.items()
                if value is not None and name != "requested_slot"
            ]
        if not tracker.get_slot(NOTICE_SLOT):
            events.append(SlotSet(NOTICE_SLOT, "pending"))
        return events + [ActionExecuted("action_listen")]


class ActionPrivacyNotice(Action):
    """On request: "/quyen-rieng-tu", "dữ liệu của tôi được dùng thế nào"."""

    def name(self) -> Text:
        return "action_privacy_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response=notice.NOTICE_RESPONSE, retention_days=_retention_days())
        return [SlotSet(NOTICE_SLOT, "shown")]


class ActionFirstPrivacyNotice(Action):
    """Run by PersonalDataNoticePolicy after a new person's first answer; reverts itself for the dialogue."""

    def name(self) -> Text:
        return FIRST_NOTICE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response=notice.NOTICE_RESPONSE, retention_days=_retention_days())
        return [ActionReverted(), SlotSet(NOTICE_SLOT, "shown")]


class ActionPersonalDataNotice(Action):
    """Run by PersonalDataNoticePolicy before the answer; reverts itself so the dialogue goes on unchanged."""

    def name(self) -> Text:
        return PERSONAL_DATA_NOTICE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kinds = tracker.latest_message.get(PERSONAL_DATA) or []
        dispatcher.utter_message(response="utter_personal_data_not_kept", kinds=notice.kinds_phrase(kinds))
        return [ActionReverted()]


class ActionForgetMe(Action):
    """Deletes the person's subscriptions; the tracker store deletes the conversation when it saves this turn."""

    def name(self) -> Text:
        return FORGET_ACTION

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
