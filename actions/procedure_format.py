"""Rasa-specific bits of the procedure answers: intent → topic, follow-up and choice buttons.

Every text of a record comes from the one renderer, bot/catalog/render.py (`render.answer(record, topic)` gives
the domain responses and their variables); how a message is read is bot.understanding. Nothing here imports Rasa:
`.venv/bin/python -m pytest tests/procedures -q -m "not rasa"`.
"""

from __future__ import annotations

from typing import Any, Sequence

from bot.catalog import render
from bot.understanding.topics import TOPICS

INTENT_TOPIC = {f"ask_{topic}": topic for topic in TOPICS}
# Follow-up buttons offered after an answer, in this order, without the topic just answered.
FOLLOW_UP_ORDER = ("documents", "fee", "processing_time", "agency", "steps", "online", "overview")
MAX_FOLLOW_UPS = 5
MAX_CHOICES = 5


def topic_for_intent(intent: str | None) -> str | None:
    return INTENT_TOPIC.get(intent or "")


def follow_up_buttons(topic: str) -> list[dict[str, str]]:
    """Buttons for other topics of the same procedure, then the guided online filing."""
    titles = render.texts()["buttons"]
    buttons = [{"title": titles[t], "payload": f"/ask_{t}"} for t in FOLLOW_UP_ORDER if t != topic][:MAX_FOLLOW_UPS]
    buttons.append({"title": titles["online_guide"], "payload": "/start_online_guide"})
    return buttons


def choice_buttons(hits: Sequence[Any]) -> list[dict[str, str]]:
    """One button per candidate procedure (name as title), at most MAX_CHOICES."""
    return [
        {"title": render.shorten(h.name, 120), "payload": '/choose_procedure{"procedure_code":"%s"}' % h.code}
        for h in list(hits)[:MAX_CHOICES]
    ]
