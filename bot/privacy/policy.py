"""Rasa policy (config.yml): before anything else in a turn whose message carries personal identifiers, run
`action_personal_data_notice` ("not needed, not kept"), then let the other policies answer the rest.

The action undoes itself for the dialogue state (it returns ActionReverted; its message stays sent and logged),
so rules and forms continue exactly as if the message had come without identifiers. The prediction is a
"no user" one with a priority above RulePolicy's, so it also comes before an active form's next step.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.nlu import PERSONAL_DATA

NOTICE_ACTION = "action_personal_data_notice"
# Slots that ask for a contact with the person's consent (issue 12, complaint call-back): no "not kept" notice.
CONSENTED_SLOTS = frozenset({"complaint_contact"})


def answered_slot(tracker: DialogueStateTracker) -> Optional[Text]:
    """The slot a form was asking for when the latest message came (None when none was)."""
    seen_user = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            seen_user = True
        elif seen_user and isinstance(event, SlotSet) and event.key == "requested_slot":
            return event.value
    return None


def needs_notice(tracker: DialogueStateTracker) -> bool:
    """The latest message carries identifiers and the notice has not run since (unless a contact was asked for)."""
    if answered_slot(tracker) in CONSENTED_SLOTS:
        return False
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name == NOTICE_ACTION:
            return False
        if isinstance(event, UserUttered):
            return bool(event.parse_data.get(PERSONAL_DATA))
    return False


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class PersonalDataNoticePolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7}  # above RulePolicy (6)

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if NOTICE_ACTION in domain.action_names_or_texts and needs_notice(tracker):
            probabilities[domain.index_for_action(NOTICE_ACTION)] = 1.0
            return self._prediction(probabilities, is_no_user_prediction=True)
        return self._prediction(probabilities)
