"""Actions for conversation basics: answering messages that cannot be a question."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.nlu import input_check

_RESPONSES = {
    input_check.EMPTY: "utter_bad_input_empty",
    input_check.NO_TEXT: "utter_bad_input_no_text",
    input_check.TOO_LONG: "utter_bad_input_too_long",
    input_check.MARKUP_ONLY: "utter_bad_input_markup",
    input_check.FOREIGN: "utter_other_language",
}


class ActionHandleBadInput(Action):
    """Tells the person, politely and specifically, why the message could not be read.

    Returns no events, so slots such as the procedure under discussion are kept.
    """

    def name(self) -> Text:
        return "action_handle_bad_input"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        problem = input_check.input_problem(text) or input_check.NO_TEXT
        dispatcher.utter_message(response=_RESPONSES[problem], length=len(text), max_length=input_check.MAX_CHARS)
        return []
