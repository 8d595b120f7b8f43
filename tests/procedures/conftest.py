"""Fixtures for the procedure tests: the real shipped catalog, rasa-sdk trackers built in code."""
from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from bot.catalog import load_catalog


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


def make_tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest user message is `text` classified as `intent` (as Rasa would send it)."""
    return Tracker(
        sender_id="test-user",
        slots={"procedure_code": None, "pending_topic": None, "offered_procedures": None, **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
