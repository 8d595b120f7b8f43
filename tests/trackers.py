"""rasa-sdk trackers built in code, for the action tests of every part (one place; the parts add their defaults).

    from tests.trackers import make_tracker
    tracker = make_tracker("còn lệ phí thì sao", "ask_fee", slots={"procedure_code": "1.001193"})

The latest message is `text` classified as `intent` (with `entities`, `metadata`, `intent_ranking` as Rasa would
send them); `with_events=True` also records it as the last user event after an action_listen, as a real tracker
has it (the dossier actions read the channel and metadata from there).
"""

from __future__ import annotations

from typing import Any, Iterable

from rasa_sdk import Tracker


def make_tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    sender: str = "test-user",
    metadata: dict[str, Any] | None = None,
    active_loop: dict[str, Any] | None = None,
    intent_ranking: list[dict[str, Any]] | None = None,
    confidence: float = 1.0,
    with_events: bool = False,
    extra_events: Iterable[dict[str, Any]] = (),
) -> Tracker:
    latest: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }
    if metadata is not None or with_events:
        latest["metadata"] = metadata or {}
    if intent_ranking is not None:
        latest["intent_ranking"] = intent_ranking
    events: list[dict[str, Any]] = []
    if with_events:
        events = [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": text, "parse_data": latest, "input_channel": "rest", "metadata": metadata or {}},
        ]
    events += list(extra_events)
    return Tracker(sender, dict(slots or {}), latest, events, False, None, active_loop or {}, "action_listen")
