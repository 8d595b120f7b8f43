"""A Rasa conversation tracker that keeps only its recent turns in memory, so a turn costs the same at turn 500 as
at turn 5.

Rasa replays a tracker's whole event list many times per turn: to copy it before each action, to build the states
the policies look at, to send it to the action server. `WindowedTracker` keeps the events of the last
`window_turns` user turns (plus any not saved yet) and the exact state before the first of them. Its copies and the
trackers it replays start from that state, so the current state, the slots and the states the policies see for the
kept turns are the same as with every event; only states further back are missing. That is enough when nothing
looks further back than the window: the RulePolicy's longest rule here is 3 states, the MemoizationPolicy has no
stories, and a revert (fallback) undoes one turn. tests/unit/test_windowed_tracker.py checks that long
conversations get the same predictions with and without the window.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from rasa.shared.core.events import ActionExecuted, Event, Restarted, SessionStarted, UserUttered
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker

DEFAULT_WINDOW_TURNS = 5
RESETS = (Restarted, SessionStarted)  # their effect does not depend on any earlier event


@dataclass
class TrackerState:
    """What a tracker's events set (see DialogueStateTracker._reset)."""

    slots: dict[str, Slot]
    paused: bool
    followup_action: Optional[str]
    latest_action: Optional[dict]
    latest_message: Any
    latest_bot_utterance: Any
    active_loop: Any

    @classmethod
    def of(cls, tracker: DialogueStateTracker) -> "TrackerState":
        return cls(
            slots={name: copy.copy(slot) for name, slot in tracker.slots.items()},
            paused=tracker._paused,
            followup_action=tracker.followup_action,
            latest_action=dict(tracker.latest_action) if tracker.latest_action is not None else None,
            latest_message=tracker.latest_message,
            latest_bot_utterance=tracker.latest_bot_utterance,
            active_loop=dataclasses.replace(tracker.active_loop) if tracker.active_loop else tracker.active_loop,
        )

    def restore(self, tracker: DialogueStateTracker) -> None:
        for name, slot in self.slots.items():
            if name in tracker.slots:
                tracker.slots[name].__dict__.update(slot.__dict__)
        tracker._paused = self.paused
        tracker.followup_action = self.followup_action
        tracker.latest_action = dict(self.latest_action) if self.latest_action is not None else None
        tracker.latest_message = self.latest_message
        tracker.latest_bot_utterance = self.latest_bot_utterance
        tracker.active_loop = dataclasses.replace(self.active_loop) if self.active_loop else self.active_loop


class WindowedTracker(DialogueStateTracker):
    def __init__(
        self,
        sender_id: str,
        slots: Optional[Iterable[Slot]],
        max_event_history: Optional[int] = None,
        sender_source: Optional[str] = None,
        is_rule_tracker: bool = False,
        window_turns: int = DEFAULT_WINDOW_TURNS,
    ) -> None:
        super().__init__(sender_id, slots, max_event_history, sender_source, is_rule_tracker)
        self.window_turns = window_turns
        self.dropped = 0  # events of this session before the first one kept
        self.saved = 0  # events of this session in the tracker store (counted from the session's first)
        self.start: Optional[TrackerState] = None  # state before the first event kept; None: the initial state

    # --- replaying starts from the state before the window ---------------------------------------------------
    def _replay_start(self) -> Optional[TrackerState]:
        # A reset in the window makes what came before irrelevant, as it does for Rasa's own replay.
        if any(isinstance(event, RESETS) for event in self.events):
            return None
        return self.start

    def _empty(self, start: Optional[TrackerState]) -> "WindowedTracker":
        tracker = WindowedTracker(
            self.sender_id,
            self.slots.values(),
            self._max_event_history,
            is_rule_tracker=self.is_rule_tracker,
            window_turns=self.window_turns,
        )
        tracker.start = start
        tracker.dropped = tracker.saved = self.dropped
        if start is not None:
            start.restore(tracker)
        return tracker

    def init_copy(self) -> "WindowedTracker":
        """A tracker in the state before the first event kept, without events (Rasa: with the initial values)."""
        return self._empty(self._replay_start())

    def replay_events(self) -> None:
        """Called by reverting events after `_reset()`: start from the state before the window, not the initial."""
        applied = self.applied_events()
        start = self._replay_start()
        if start is not None:
            start.restore(self)
        for event in applied:
            event.apply_to(self)

    # --- dropping old turns -----------------------------------------------------------------------------------
    def _cut(self) -> int:
        """Index of the `action_listen` before the oldest user turn to keep; 0 when nothing can be dropped."""
        users = [i for i, event in enumerate(self.events) if isinstance(event, UserUttered)]
        if len(users) <= self.window_turns:
            return 0
        first_kept = users[-self.window_turns]
        for index in range(first_kept - 1, -1, -1):
            event = self.events[index]
            if isinstance(event, ActionExecuted):
                return index
        return 0

    def trim(self) -> None:
        """Drop saved events older than the window, remembering the state they lead to."""
        cut = min(self._cut(), self.saved - self.dropped)
        if cut <= 0 or not isinstance(self.events[cut], ActionExecuted):
            return
        prefix = self._empty(self.start)
        for event in list(self.events)[:cut]:
            prefix.update(event)
        for _ in range(cut):
            self.events.popleft()
        self.start = TrackerState.of(prefix)
        self.dropped += cut

    @property
    def total_events(self) -> int:
        """Events of this session, dropped ones included."""
        return self.dropped + len(self.events)

    def unsaved_events(self) -> list[Event]:
        return list(self.events)[self.saved - self.dropped:]
