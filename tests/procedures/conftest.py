"""Fixtures for the procedure tests: the real shipped catalog, rasa-sdk trackers built in code."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from bot.catalog import load_catalog
from tests import trackers


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture
def without_memory(monkeypatch):
    """The reading of names and texts alone: what earlier askers meant (bot.understanding.memory) left out."""
    from bot.understanding import reading

    monkeypatch.setattr(reading, "_recall", lambda catalog, reading, text, found_only=False: reading)


def make_tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest user message is `text` classified as `intent` (as Rasa would send it)."""
    slots = {
        "procedure_code": None,
        "pending_topic": None,
        "offered_procedures": None,
        "offered_not_in_catalog": None,
        **(slots or {}),
    }
    return trackers.make_tracker(text, intent, slots, entities, confidence=0.99)
