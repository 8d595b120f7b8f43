"""Rasa NLU component (config.yml, after InputGuard): marks messages that carry personal identifiers.

Sets `personal_data` in the parse data to the kinds found (["CCCD", "SĐT"], never the values), which
PersonalDataNoticePolicy reads to say first that they are not needed and not kept. When nothing is left to
understand once the identifiers and their labels are taken out ("sđt của tôi là 0912345678"), or the classifier
is unsure, the intent becomes `share_personal_data`. "/quyen-rieng-tu" (typed as a command) is `ask_privacy`.
The classifier itself never sees identifiers: bot.nlu.components.normalized_for_nlu strips them.
"""

from __future__ import annotations

import re
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import StatelessComponent, set_intent
from bot.privacy import PERSONAL_DATA, PRIVACY_COMMANDS, redact

SHARE_INTENT = "share_personal_data"
PRIVACY_INTENT = "ask_privacy"
_FALLBACK_INTENT = "nlu_fallback"
_LETTERS_RE = re.compile(r"[^\W\d_]{2,}")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PersonalDataFlag(StatelessComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.strip().lower() in PRIVACY_COMMANDS:
                set_intent(message, PRIVACY_INTENT)
                continue
            kinds = redact.kinds(text)
            if not kinds:
                continue
            message.set(PERSONAL_DATA, kinds, add_to_output=True)
            intent = (message.get(INTENT) or {}).get("name")
            if intent == _FALLBACK_INTENT or not _LETTERS_RE.search(redact.without_identifiers(text)):
                set_intent(message, SHARE_INTENT)
        return messages
