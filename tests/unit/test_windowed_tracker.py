"""WindowedTracker (bot/stack/windowed_tracker.py) against Rasa's own tracker on long conversations.

Conversations of 120 turns are generated from the real domain with every kind of event Rasa writes into a session:
user turns, bot actions and messages, slots, the dossier form (activation, rejection, interruption, end),
fallbacks that undo the turn, follow-up actions, pauses, slot resets, a new session and a restart. After every
turn the windowed tracker drops what is older than its window, as the tracker store does after saving. Its state,
its copies, the states the policies featurize and the trained RulePolicy's predictions must then be exactly Rasa's.
"""

from __future__ import annotations

import glob
import random
import tempfile
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stack.windowed_tracker import WindowedTracker
from tests.conftest import REPO_ROOT

FORM = "dossier_code_form"
VALUES = {
    "procedure_code": ["1.001193", "2.000528", None],
    "guide_active": [True, False, None],
    "guide_pending": [True, False],
    "guide_step": ["intro", "vneid", "upload", None],
    "offered_procedures": [["1.001193", "1.000656"], None],
    "dossier_lookups": [[1.0, 2.0], []],
    "pending_topic": ["fee", None],
}


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


def _user(rng: random.Random, domain: Domain) -> list:
    intent = rng.choice([i for i in domain.intents if not i.startswith("EXTERNAL")])
    text = f"tin nhắn {rng.randrange(10_000)}"
    parse_data = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text}
    events = [UserUttered(text, {"name": intent, "confidence": 0.9}, [], parse_data)]
    if rng.random() < 0.3:
        events.append(SlotSet("dossier_code", f"000.00.12.H29-261102-{rng.randrange(10_000):04d}"))
    return events


def _bot(rng: random.Random, domain: Domain) -> list:
    action = rng.choice([a for a in domain.user_actions if a != FORM])
    events = [ActionExecuted(action), BotUttered(f"trả lời {rng.randrange(100)}")]
    for _ in range(rng.randrange(3)):
        slot = rng.choice(sorted(VALUES))
        events.append(SlotSet(slot, rng.choice(VALUES[slot])))
    return events


def _special(rng: random.Random, state: dict) -> list:
    kind = rng.choice(
        [
            "fallback",
            "form",
            "form",
            "form_reject",
            "interrupt",
            "followup",
            "pause",
            "reset_slots",
            "session",
            "restart",
            "action_reverted",
        ]
    )
    if kind == "fallback":
        return [ActionExecuted("action_default_fallback"), BotUttered("xin lỗi"), UserUtteranceReverted()]
    if kind == "form":
        if state.get("form"):
            state["form"] = False
            return [ActionExecuted(FORM), ActiveLoop(None), SlotSet("requested_slot", None)]
        state["form"] = True
        return [ActionExecuted(FORM), ActiveLoop(FORM), SlotSet("requested_slot", "dossier_code")]
    if kind == "form_reject":
        return [ActionExecutionRejected(FORM), ActionExecuted("action_check_dossier_status")]
    if kind == "interrupt":
        return [LoopInterrupted(True), ActionExecuted("utter_dossier_code_help")]
    if kind == "followup":
        return [FollowupAction("utter_capabilities"), ActionExecuted("utter_capabilities")]
    if kind == "pause":
        return [ConversationPaused(), ConversationResumed()]
    if kind == "reset_slots":
        return [AllSlotsReset()]
    if kind == "action_reverted":
        return [ActionExecuted("utter_greet"), ActionReverted()]
    state["form"] = False
    if kind == "session":
        return [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            SlotSet("procedure_code", "1.001193"),
            ActionExecuted("action_listen"),
        ]
    return [Restarted(), ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def _turns(seed: int, domain: Domain, turns: int = 150, special_rate: float = 0.2) -> list[list]:
    """A conversation as a list of turns, each a list of events ending where Rasa saves the tracker."""
    rng, state = random.Random(seed), {}
    conversation = [[ActionExecuted("action_listen")]]
    for _ in range(turns):
        turn = [*_user(rng, domain)]
        for _ in range(1 + rng.randrange(3)):
            if rng.random() < special_rate:
                turn += _special(rng, state)
                if isinstance(turn[-1], UserUtteranceReverted):
                    break  # after a fallback Rasa listens
            else:
                turn += _bot(rng, domain)
        turn.append(ActionExecuted("action_listen"))
        conversation.append(turn)
    return conversation


def _same_state(windowed: DialogueStateTracker, full: DialogueStateTracker) -> None:
    assert windowed.current_state() == full.current_state()
    assert windowed.is_paused() == full.is_paused()
    assert windowed.active_loop == full.active_loop


def _play(seed: int, domain: Domain, check, turns: int = 120) -> WindowedTracker:
    """Feed the same events to a windowed and a full tracker; `check` after each turn and, every third turn, after
    each event."""
    windowed = WindowedTracker("s", domain.slots, window_turns=3)
    full = DialogueStateTracker("s", domain.slots)
    for number, turn in enumerate(_turns(seed, domain, turns)):
        for event in turn:
            windowed.update(event)
            full.update(event)
            if number % 3 == 0:
                check(windowed, full)
        windowed.saved = windowed.total_events  # what the tracker store does after saving
        windowed.trim()
        check(windowed, full)
    return windowed


@pytest.mark.parametrize("seed", range(5))
def test_state_copies_and_featurized_states_are_rasas(domain, seed):
    def check(windowed, full):
        _same_state(windowed, full)
        _same_state(windowed.copy(), full.copy())
        states = windowed.past_states(domain)
        assert states == full.past_states(domain)[-len(states) :]
        applied = windowed.applied_events()
        assert applied == full.applied_events()[-len(applied) :]

    windowed = _play(seed, domain, check)
    assert windowed.dropped > 0  # the window did drop old turns


def test_the_window_stays_bounded(domain):
    tracker = WindowedTracker("s", domain.slots, window_turns=3)
    for turn in _turns(3, domain, turns=200, special_rate=0.0):
        for event in turn:
            tracker.update(event)
        tracker.saved = tracker.total_events
        tracker.trim()
        assert sum(isinstance(event, UserUttered) for event in tracker.events) <= 3
    assert tracker.dropped > 1000 and len(tracker.events) < 40


def test_unsaved_events_are_never_dropped(domain):
    tracker = WindowedTracker("s", domain.slots, window_turns=1)
    for turn in _turns(1, domain, turns=20):
        for event in turn:
            tracker.update(event)
    tracker.trim()  # nothing saved yet
    assert tracker.dropped == 0 and len(tracker.unsaved_events()) == tracker.total_events
    tracker.saved = 10
    tracker.trim()
    assert tracker.dropped <= 10
    assert len(tracker.unsaved_events()) == tracker.total_events - 10


@pytest.fixture(scope="module")
def rule_policy():
    return trained_rule_policy()


def trained_rule_policy():
    """The RulePolicy of the latest trained model, and its domain."""
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    models = sorted(glob.glob(str(REPO_ROOT / "models" / "*.tar.gz")))
    if not models:
        pytest.fail("No trained model in models/: `make test` trains one before pytest (or run `make train`).")
    storage, metadata = LocalModelStorage.from_model_archive(Path(tempfile.mkdtemp()), Path(models[-1]))
    name = next(n for n in metadata.predict_schema.nodes if "RulePolicy" in n)
    node = metadata.predict_schema.nodes[name]
    config = {**RulePolicy.get_default_config(), **node.config}
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)
    return RulePolicy.load(config, storage, node.resource, context), metadata.domain


@pytest.mark.rasa
@pytest.mark.parametrize("seed", range(3))
def test_trained_rule_policy_predicts_the_same(rule_policy, seed):
    policy, domain = rule_policy

    def check(windowed, full):
        mine = policy.predict_action_probabilities(windowed, domain)
        rasas = policy.predict_action_probabilities(full, domain)
        assert (mine.probabilities, mine.events, mine.optional_events, mine.hide_rule_turn, mine.action_metadata) == (
            rasas.probabilities,
            rasas.events,
            rasas.optional_events,
            rasas.hide_rule_turn,
            rasas.action_metadata,
        )

    _play(seed, domain, check)


@pytest.mark.rasa
def test_window_covers_the_longest_rule(rule_policy):
    """A user turn is at least two states (listen, then an action): the default window must hold every rule."""
    import json

    from bot.stack.windowed_tracker import DEFAULT_WINDOW_TURNS

    policy, _ = rule_policy
    longest = max(
        len(json.loads(key)) for lookup in policy.lookup.values() if isinstance(lookup, dict) for key in lookup
    )
    assert longest <= 2 * (DEFAULT_WINDOW_TURNS - 1), "raise DEFAULT_WINDOW_TURNS for these longer rules"
