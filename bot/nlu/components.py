"""Custom Rasa 3.6 graph components: Vietnamese normalisation before tokenising, and an input guard.

config.yml places `VietnameseNormalizer` first (the classifier sees folded text, so a question typed with or
without diacritics gives the same features) and `InputGuard` last (it restores the original text for
entity extraction and actions, and routes empty, emoji-only, overlong and foreign-script messages to the
`bad_input` intent, or `other_language` for a script other than Latin).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import vntext
from bot.dossier.codes import ENTITY_REGEX
from bot.nlu import input_check
from bot.privacy.redact import without_identifiers

ORIGINAL_TEXT = "original_text"
INPUT_PROBLEM = "input_problem"
BAD_INPUT_INTENT = "bad_input"
OTHER_LANGUAGE_INTENT = "other_language"


# Every dossier code looks alike to the classifier: what matters is that there is one, not its digits.
_DOSSIER_CODE_RE = re.compile(ENTITY_REGEX, re.IGNORECASE)
DOSSIER_CODE_TOKEN = " qqcodeqq "  # shares no character n-gram with Vietnamese words


def normalized_for_nlu(text: str) -> str:
    """The text the classifier sees: markup stripped, length bounded, personal identifiers and their labels
    removed (bot.privacy), dossier codes replaced by one token, folded (no diacritics, abbreviations expanded)."""
    text = input_check.strip_markup(text[: input_check.MAX_CHARS])
    text = without_identifiers(text)  # "số cccd của tôi là 0791…, tôi muốn hỏi hồ sơ": classify the question
    text = _DOSSIER_CODE_RE.sub(DOSSIER_CODE_TOKEN, text)
    return vntext.fold(text)


def set_intent(message: Message, name: str) -> None:
    """Decide the intent outright (confidence 1, the only one ranked): the classifier's guess is overridden."""
    intent = {"name": name, "confidence": 1.0}
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)


class StatelessComponent(GraphComponent):
    """A component with nothing to configure, train or persist (also bot.privacy.nlu's)."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class VietnameseNormalizer(StatelessComponent):
    """Rewrites TEXT to its folded form; keeps the original for `InputGuard` to restore."""

    def _normalize(self, message: Message) -> None:
        text = message.get(TEXT)
        if text is None or message.get(ORIGINAL_TEXT) is not None:
            return  # not a user text (e.g. a response example), or already done
        if text.startswith("/"):
            return  # a button payload such as /choose_procedure{...}: RegexMessageHandler reads it as is
        message.set(ORIGINAL_TEXT, text)
        message.set(INPUT_PROBLEM, input_check.input_problem(text))
        message.set(TEXT, normalized_for_nlu(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class InputGuard(StatelessComponent):
    """Restores the original text and overrides the intent for messages that cannot be a question."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            original: Optional[str] = message.get(ORIGINAL_TEXT)
            if original is not None:
                message.set(TEXT, original)
            problem = message.get(INPUT_PROBLEM)
            if problem:
                set_intent(message, OTHER_LANGUAGE_INTENT if problem == input_check.FOREIGN else BAD_INPUT_INTENT)
        return messages
