"""The patches the Rasa server runs with (bot/stack/rasa_patches.py): same answers as Rasa's own code."""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AgentUttered,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    ReminderCancelled,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import StackSettings
from bot.stack import rasa_patches
from bot.stack.plan import services
from tests.conftest import REPO_ROOT

rasa_patches.install()  # as the server does at start; idempotent

VALID_EVENTS = [
    UserUttered("xin chào", {"name": "greet", "confidence": 1.0}, [{"entity": "dossier_code", "value": "x"}]),
    ActionExecuted("action_answer_procedure", policy="RulePolicy", confidence=1.0),
    SlotSet("procedure_code", "1.001193"),
    SlotSet("offered_procedures", ["1.001193", "1.000656"]),
    BotUttered("Chào bạn", {"buttons": [{"title": "Tiếp", "payload": "/guide_next"}]}),
    ActiveLoop("dossier_code_form"),
    ActiveLoop(None),
    FollowupAction("utter_greet"),
    Restarted(),
    SessionStarted(),
    AllSlotsReset(),
    ConversationPaused(),
    ConversationResumed(),
    UserUtteranceReverted(),
    ActionReverted(),
    LoopInterrupted(True),
    ActionExecutionRejected("dossier_code_form"),
    EntitiesAdded([{"entity": "dossier_code", "value": "x"}]),
    ReminderCancelled(name="r"),
    AgentUttered("x"),
]
MALFORMED = [
    "not an object",
    {"events": "not a list"},
    {"events": [5]},
    {"events": [{"no_event": 1}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": ["user"]}]},
    {"events": [{"event": "slot"}]},  # no name and value
    {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "now"}]},
    {"events": [{"event": "user", "text": 5}]},
    {"events": [{"event": "action", "name": 5}]},
    {"events": [{"event": "entities"}]},
    {"events": [SlotSet("a", 1).as_dict(), {"event": "slot", "name": 5, "value": 1}]},
    {"events": [{"event": "user", "parse_data": {"intent": "greet"}}]},
    {"events": [{"event": "user", "metadata": "x"}]},
    {"responses": "not a list"},
    {"responses": ["not an object"]},
]


def _rasas_verdict(result) -> str | None:
    """What Rasa's own validation (jsonschema.validate on the response schema) says: None or the error."""
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        return None
    except jsonschema.ValidationError as error:
        return error.message


@pytest.mark.parametrize(
    "result",
    [
        {"events": [event.as_dict() for event in VALID_EVENTS], "responses": [{"text": "x"}, {"custom": {"a": 1}}]},
        {"events": [], "responses": []},
        {},
        *[{"events": [event.as_dict()]} for event in VALID_EVENTS],
    ],
)
def test_valid_action_responses_pass(result):
    assert _rasas_verdict(result) is None
    assert RemoteAction("action_x", None)._validate_action_result(result) is True


@pytest.mark.parametrize("result", MALFORMED)
def test_malformed_action_responses_are_rejected_with_rasas_error(result):
    expected = _rasas_verdict(result)
    assert expected is not None
    with pytest.raises(jsonschema.ValidationError) as raised:
        RemoteAction("action_x", None)._validate_action_result(result)
    assert raised.value.message.startswith(expected + ". Failed to validate Action server response")


def test_event_classes_are_found_as_before():
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


def test_memoization_without_memorized_turns_predicts_as_before(domain, tmp_path):
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    policy = MemoizationPolicy(
        MemoizationPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("memo"),
        ExecutionContext(GraphSchema({}), "model"),
        lookup={},
    )
    tracker = DialogueStateTracker.from_events(
        "s",
        [
            ActionExecuted("action_listen"),
            UserUttered("xin chào", {"name": "greet", "confidence": 1.0}),
        ],
        domain.slots,
    )
    patched = policy.predict_action_probabilities(tracker, domain)
    original = MemoizationPolicy.predict_action_probabilities.__wrapped__(policy, tracker, domain)
    assert patched.probabilities == original.probabilities and patched.policy_name == original.policy_name
    assert (patched.events, patched.optional_events, patched.is_end_to_end_prediction) == (
        original.events,
        original.optional_events,
        original.is_end_to_end_prediction,
    )


def test_rule_lookup_stops_where_every_rule_passes(domain, tmp_path):
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from tests.unit.test_windowed_tracker import _turns

    policy = RulePolicy(
        RulePolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("rules"),
        ExecutionContext(GraphSchema({}), "model"),
    )
    tracker = DialogueStateTracker("s", domain.slots)
    for turn in _turns(4, domain, turns=12):
        for event in turn:
            tracker.update(event)
    states = tracker.past_states(domain)
    rng = random.Random(7)
    original = RulePolicy._get_possible_keys.__wrapped__
    for _ in range(200):
        keys = {}
        for _ in range(30):  # rules of 1 to 4 states taken from the conversation, some from its very start
            start = rng.randrange(len(states))
            keys[json.dumps(states[start : start + rng.randint(1, 4)], sort_keys=True)] = "utter_greet"
        current = states[: rng.randint(1, len(states))]
        assert policy._get_possible_keys(keys, current) == original(policy, keys, current)


def test_plain_graph_runner_gives_dasks_results():
    import dask
    import dask.core

    message = ["not hashable"]
    graph = {
        "__message__": ("__message__", message),
        "parse": (lambda m: ("parse", [m[1], "parsed"]), "__message__"),
        "predict": (lambda m, p: ("predict", (m[0], p[1])), "__message__", "parse"),
    }
    assert dask.core.get(graph, ["predict", "parse"]) == dask.get(graph, ["predict", "parse"])


class _Counting(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: set = set()
    closed: set = set()  # connections the client closed

    def finish(self):
        super().finish()
        _Counting.closed.add(self.client_address)

    def do_POST(self):  # noqa: N802 - http.server's name
        _Counting.connections.add(self.client_address)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"events": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


async def test_action_server_calls_reuse_one_connection():
    from rasa.utils.endpoints import EndpointConfig

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{server.server_port}/webhook")
        answers = [await endpoint.request(json={"next_action": "x"}, method="post") for _ in range(5)]
        assert answers == [{"events": []}] * 5
        assert len(_Counting.connections) == 1
        [first] = _Counting.connections
        deadline = time.monotonic() + rasa_patches.KEEPALIVE_SECONDS + 30
        while first not in _Counting.closed:  # idle: the client closes it first (after KEEPALIVE_SECONDS)
            assert time.monotonic() < deadline, "the idle connection was never closed"
            await asyncio.sleep(0.05)
        assert await endpoint.request(json={}, method="post") == {"events": []}
        assert len(_Counting.connections) == 2
    finally:
        server.shutdown()


def _settings(tmp_path, rasa_token: str = "t") -> StackSettings:
    return StackSettings(
        var_dir=tmp_path,
        models_dir=tmp_path,
        rasa_port=1,
        actions_port=2,
        dossier_port=3,
        web_port=4,
        host="127.0.0.1",
        rasa_token=rasa_token,
        database_url="",
        redis_url="",
        dossier_api_url="",
        dossier_db_url="",
        telegram_token="",
        zalo_app_id="",
    )


def test_the_stack_starts_rasa_with_the_patches(tmp_path):
    settings = _settings(tmp_path)
    rasa = next(s for s in services(settings, Path("model.tar.gz"), "e.yml", "c.yml") if s.name == "rasa")
    assert rasa.argv[1:4] == ["-m", "bot.stack.rasa_patches", "run"]


@pytest.mark.rasa
def test_trained_rule_policy_predicts_as_without_the_patches(monkeypatch):
    """The trained RulePolicy on long generated conversations: the patched rule matching and states give Rasa's
    predictions after every event."""
    from rasa.core.policies.rule_policy import RulePolicy

    from tests.unit.test_windowed_tracker import _turns, trained_rule_policy

    policy, domain = trained_rule_policy()
    patched = RulePolicy._get_possible_keys, RulePolicy._prediction_states
    for seed in range(3):
        tracker = DialogueStateTracker("s", domain.slots)
        for turn in _turns(seed, domain, turns=40):
            for event in turn:
                tracker.update(event)
                mine = policy.predict_action_probabilities(tracker, domain)
                monkeypatch.setattr(RulePolicy, "_get_possible_keys", patched[0].__wrapped__)
                monkeypatch.setattr(RulePolicy, "_prediction_states", patched[1].__wrapped__)
                rasas = policy.predict_action_probabilities(tracker, domain)
                monkeypatch.setattr(RulePolicy, "_get_possible_keys", patched[0])
                monkeypatch.setattr(RulePolicy, "_prediction_states", patched[1])
                assert (mine.probabilities, mine.events, mine.hide_rule_turn, mine.is_end_to_end_prediction) == (
                    rasas.probabilities,
                    rasas.events,
                    rasas.hide_rule_turn,
                    rasas.is_end_to_end_prediction,
                )


async def test_a_turn_whose_ticket_expired_while_waiting_is_served():
    """A node died holding a conversation's ticket; the next turn waits on another node. When both tickets expire
    between two polls, Rasa drops both and waits forever for a ticket nobody holds; patched, it takes its place."""
    from rasa.core.lock_store import InMemoryLockStore

    store = InMemoryLockStore()
    store.issue_ticket("c", lock_lifetime=0.05)  # the dead node's turn: never finished, never cleaned up
    waiting = store.issue_ticket("c", lock_lifetime=0.05)
    time.sleep(0.1)
    lock = await asyncio.wait_for(store._acquire_lock("c", waiting, 0.01), timeout=30)  # a hang guard only
    assert lock.now_serving == waiting
    store.cleanup("c", waiting)
    assert store.get_lock("c") is None  # nothing left behind for the conversation's next turn


async def test_a_turn_still_waits_for_a_live_ticket():
    from rasa.core.lock_store import InMemoryLockStore

    store = InMemoryLockStore()
    serving = store.issue_ticket("c", lock_lifetime=60)
    waiting = store.issue_ticket("c", lock_lifetime=60)
    task = asyncio.ensure_future(store._acquire_lock("c", waiting, 0.01))
    await asyncio.sleep(0.2)
    assert not task.done()
    store.cleanup("c", serving)
    assert (await asyncio.wait_for(task, timeout=30)).now_serving == waiting


def test_a_token_starting_with_a_dash_is_passed_as_one_argument(tmp_path):
    """secrets.token_urlsafe() starts with "-" one time in 64: `--auth-token -x…` made `rasa run` fail to start."""
    settings = _settings(tmp_path, rasa_token="-Xy_z")
    rasa = next(s for s in services(settings, Path("model.tar.gz"), "e.yml", "c.yml") if s.name == "rasa")
    assert "--auth-token=-Xy_z" in rasa.argv
    parser = __import__("argparse").ArgumentParser()
    parser.add_argument("-t", "--auth-token")
    assert parser.parse_known_args(rasa.argv)[0].auth_token == "-Xy_z"
