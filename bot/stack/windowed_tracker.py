"""A Rasa conversation tracker that keeps only its recent turns in memory, so a turn costs the same at turn 500 as
at turn 5.

Rasa replays a tracker's whole event list many times per turn: to copy it before each action, to build the states
the policies look at, to send it to the action server. `WindowedTracker` keeps the events of the last
`window_turns` user turns (plus any not saved yet) and the exact state before the first of them. Its copies and the
trackers it replays start from that state, so the current state, the slots and the states the policies see for the
kept turns are the same as with every event; only states further back are missing. That is enough when nothing
looks further back than the window: the RulePolicy's longest rule here is 3 states, the MemoizationPolicy has no
stories, a revert (fallback) undoes one turn, and the window never starts while a form is active (Rasa's replay
undoes a form's turns back to its previous execution). tests/unit/test_windowed_tracker.py checks that long
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

DEFAULT_WINDOW_TURNS = 3
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


@dataclass
class WindowStart:
    """The state before the first event kept, both ways Rasa computes a tracker's state."""

    live: TrackerState  # applying every earlier event in turn: what Rasa's copies start from
    replayed: TrackerState  # replaying the earlier applied events (a form's turns undone): Rasa's prior trackers


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
        self.start: Optional[WindowStart] = None  # None: the initial state

    # --- replaying starts from the state before the window ---------------------------------------------------
    def _start(self) -> Optional[WindowStart]:
        # A reset in the window makes what came before irrelevant, as it does for Rasa's own replay.
        if any(isinstance(event, RESETS) for event in self.events):
            return None
        return self.start

    def _empty(self, start: Optional[WindowStart], replayed: bool) -> "WindowedTracker":
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
            (start.replayed if replayed else start.live).restore(tracker)
        return tracker

    def init_copy(self) -> "WindowedTracker":
        """A tracker in the state before the first event kept, without events (Rasa: with the initial values)."""
        return self._empty(self._start(), replayed=True)

    def travel_back_in_time(self, target_time: float) -> "WindowedTracker":
        tracker = self._empty(self._start(), replayed=False)
        for event in self.events:
            if event.timestamp > target_time:
                break
            tracker.update(event)
        return tracker

    def replay_events(self) -> None:
        """Called by reverting events after `_reset()`: start from the state before the window, not the initial."""
        applied = self.applied_events()
        start = self._start()
        if start is not None:
            start.replayed.restore(self)
        for event in applied:
            event.apply_to(self)

    # --- dropping old turns -----------------------------------------------------------------------------------
    def _cuts(self) -> list[int]:
        """Where the window may start: each `action_listen` before a user message, keeping the last
        `window_turns` user messages and every event not saved yet."""
        users = [i for i, event in enumerate(self.events) if isinstance(event, UserUttered)]
        if len(users) <= self.window_turns:
            return []
        last = min(users[-self.window_turns], self.saved - self.dropped)
        return [i - 1 for i in users if 0 < i <= last and isinstance(self.events[i - 1], ActionExecuted)]

    def trim(self) -> None:
        """Drop saved events older than the window, remembering the state they lead to.

        The window never starts inside an active loop (form): Rasa's replay undoes a loop's turns back to its
        previous execution, which must then be in the window.
        """
        cuts = set(self._cuts())
        if not cuts:
            return
        events = list(self.events)
        live = self._empty(self.start, replayed=False)
        chosen, live_state = 0, None
        for index, event in enumerate(events[: max(cuts)]):
            live.update(event)
            if index + 1 in cuts and not live.active_loop_name:
                chosen, live_state = index + 1, TrackerState.of(live)
        if not chosen:
            return
        before = self._empty(self.start, replayed=True)
        before.events.extend(events[:chosen])
        replayed = before.init_copy()
        for event in before.applied_events():
            event.apply_to(replayed)
        for _ in range(chosen):
            self.events.popleft()
        self.start = WindowStart(live=live_state, replayed=TrackerState.of(replayed))
        self.dropped += chosen

    @property
    def total_events(self) -> int:
        """Events of this session, dropped ones included."""
        return self.dropped + len(self.events)

    def unsaved_events(self) -> list[Event]:
        return list(self.events)[self.saved - self.dropped :]
