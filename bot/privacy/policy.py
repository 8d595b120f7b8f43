"""Rasa policy (config.yml) for the two privacy messages that are not answers to an intent:

- before anything else in a turn whose message carries personal identifiers: `action_personal_data_notice`
  ("not needed, not kept"), then the other policies answer the rest;
- after the first answer a new person gets (slot `privacy_notice` is "pending", set by action_session_start):
  `action_first_privacy_notice`, so the first message of a conversation is still the answer.

Both actions undo themselves for the dialogue state (they return ActionReverted; their message stays sent and
logged), so rules and forms continue exactly as if they had not run. The predictions are "no user" ones with a
priority above RulePolicy's, so they also come before an active form's next step. Story replay (`rasa test`)
runs no session start and carries no identifier flags, so it never sees them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import FIRST_NOTICE_ACTION, NOTICE_SLOT, PERSONAL_DATA
from bot.privacy import PERSONAL_DATA_NOTICE_ACTION as NOTICE_ACTION

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


def needs_personal_data_notice(tracker: DialogueStateTracker) -> bool:
    """The latest message carries identifiers and the notice has not run since (unless a contact was asked for)."""
    if answered_slot(tracker) in CONSENTED_SLOTS:
        return False
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name == NOTICE_ACTION:
            return False
        if isinstance(event, UserUttered):
            return bool(event.parse_data.get(PERSONAL_DATA))
    return False


def needs_first_notice(tracker: DialogueStateTracker) -> bool:
    """A new person's notice is due and the bot has just answered something."""
    return tracker.get_slot(NOTICE_SLOT) == "pending" and tracker.latest_action_name not in (None, ACTION_LISTEN_NAME)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class PersonalDataNoticePolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7}  # above RulePolicy (6)

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        for action, due in ((NOTICE_ACTION, needs_personal_data_notice), (FIRST_NOTICE_ACTION, needs_first_notice)):
            if action in domain.action_names_or_texts and due(tracker):
                probabilities[domain.index_for_action(action)] = 1.0
                return self._prediction(probabilities, is_no_user_prediction=True)
        return self._prediction(probabilities)
