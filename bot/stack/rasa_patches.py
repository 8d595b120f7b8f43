"""Rasa 3.6.21 with its hot paths made cheaper and the same behaviour: `python -m bot.stack.rasa_patches run …`.

Takes any `rasa` command line; installs the patches below, then runs Rasa's own CLI. The stack (bot/stack/plan.py)
starts the Rasa server this way, so `make run`, the end-to-end tests, the benchmarks and the cluster all run the
patched server. Each patch is small, replaces one function and is tested in tests/unit/test_rasa_patches.py.

- `RemoteAction._validate_action_result`: Rasa calls `jsonschema.validate` on every action server response, which
  checks the schema itself again each time (a third of the server's CPU under load). The schema never changes, so
  validators are checked and built once; each event is checked against the schema of its own type first, and
  anything that fails goes through the whole schema, which rejects it with the same error as before.
- `Event.resolve_by_type`: walks every subclass of Event (`all_subclasses`) for each event read from the tracker
  store or the action server; the class found for a type name is remembered.
- `MemoizationPolicy.predict_action_probabilities`: featurizes the whole conversation and then looks it up in its
  memorized turns; with none (this assistant has rules and no stories) the answer is known without featurizing.
- `RulePolicy._get_possible_keys` / `_prediction_states`: the rules (3 states at most here) are matched against
  the conversation's last states only, computed for those states only; Rasa computes and checks every state.
- `EndpointConfig.session`: Rasa opens a new HTTP session, so a new TCP connection, for every call to the action
  server; one session per endpoint is kept and its connections reused (closed after 2 s idle, before the action
  server's 5 s keep-alive ends, so a request never goes out on a connection the server is closing).
- `LockStore._acquire_lock` (a fix, not a speed-up): a turn waiting behind a dead node's ticket polls once a second;
  when both tickets expire within the same second, both are dropped and Rasa then waits forever for a ticket nobody
  holds (the cluster test saw turns hang until the client gave up). A waiter whose ticket has gone takes its place
  again, in number order, and is served when no older ticket is left.
"""

from __future__ import annotations

import asyncio
import functools
import sys

KEEPALIVE_SECONDS = 2.0
_INSTALLED: set[str] = set()


def install_action_result_validator() -> None:
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    is_valid = _event_dispatching_check(schema, validator_class)

    @functools.wraps(RemoteAction._validate_action_result)
    def _validate_action_result(self, result) -> bool:  # noqa: ARG001 - replaces a method
        if is_valid(result):
            return True
        error = exceptions.best_match(validator.iter_errors(result))  # the whole schema decides, and says why
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result


def _event_dispatching_check(schema: dict, validator_class):
    """A check equivalent to the response schema, faster on valid responses.

    The schema validates each event against `oneOf` 23 event schemas, each fixing `event` to a different constant:
    an event is valid when it matches the one schema for its `event` value (the others fail on the constant).
    """
    events_schema = schema["properties"]["events"]
    event_schema = events_schema["items"]
    base = {key: value for key, value in event_schema.items() if key != "oneOf"}
    by_type = {}
    for variant in event_schema["oneOf"]:
        by_type[variant["properties"]["event"]["const"]] = validator_class({"allOf": [base, variant]})
    if len(by_type) != len(event_schema["oneOf"]):
        raise RuntimeError("Rasa's event schemas no longer have one constant each: remove this patch")
    envelope = validator_class({**schema, "properties": {**schema["properties"], "events": {"type": "array"}}})

    def is_valid(result) -> bool:
        if not envelope.is_valid(result):
            return False
        for event in result.get("events") or ():
            kind = event.get("event") if isinstance(event, dict) else None
            check = by_type.get(kind) if isinstance(kind, str) else None
            if check is None or not check.is_valid(event):
                return False
        return True

    return is_valid


def install_event_type_cache() -> None:
    from rasa.shared.core.events import Event

    resolve = Event.resolve_by_type
    found: dict[str, type] = {}

    @functools.wraps(resolve)
    def resolve_by_type(type_name, default=None):
        event_class = found.get(type_name)
        if event_class is None:
            event_class = resolve(type_name, default)
            if event_class is not None and getattr(event_class, "type_name", None) == type_name:
                found[type_name] = event_class
        return event_class

    Event.resolve_by_type = staticmethod(resolve_by_type)


def install_memoization_shortcut() -> None:
    from rasa.core.policies.memoization import MemoizationPolicy

    predict = MemoizationPolicy.predict_action_probabilities

    @functools.wraps(predict)
    def predict_action_probabilities(self, tracker, domain, rule_only_data=None, **kwargs):
        if not self.lookup:  # nothing memorized: the same "no memorized action" as after featurizing
            return self._prediction(self._default_predictions(domain))
        return predict(self, tracker, domain, rule_only_data=rule_only_data, **kwargs)

    MemoizationPolicy.predict_action_probabilities = predict_action_probabilities


class _Reused:
    """`async with` around a kept session (Rasa's two callers use it so): leaving the block does not close it."""

    def __init__(self, session) -> None:
        self.session = session

    async def __aenter__(self):
        return self.session

    async def __aexit__(self, *exc_info) -> None:
        return None


def install_kept_alive_sessions() -> None:
    import aiohttp
    from rasa.utils import endpoints

    new_session = endpoints.EndpointConfig.session

    @functools.wraps(new_session)
    def session(self):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return new_session(self)
        kept = getattr(self, "_kept_session", None)
        if kept is None or kept.closed or getattr(kept, "_loop", None) is not loop:
            auth = (
                aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
            )
            kept = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
            self._kept_session = kept
        return _Reused(kept)

    endpoints.EndpointConfig.session = session


def _rule_states(policy) -> dict[str, list]:
    """Each rule key of a RulePolicy with its states, last first (Rasa reverses them on every check), and for each
    state the previous action and intent it requires (None: any), which most conversation states fail."""
    rules = getattr(policy, "_reversed_rules", None)
    if rules is None:
        rules = {
            key: _reversed_rule(policy, key)
            for lookup in policy.lookup.values()
            if isinstance(lookup, dict)
            for key in lookup
        }
        policy._reversed_rules = rules
    return rules


def _reversed_rule(policy, key: str) -> list:
    from rasa.core.policies.rule_policy import SHOULD_NOT_BE_SET
    from rasa.shared.core.constants import PREVIOUS_ACTION, USER

    def required(sub_state: dict, name: str):
        value = (sub_state or {}).get(name)
        return value if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET else None

    return [
        (state, required(state.get(PREVIOUS_ACTION), "action_name"), required(state.get(USER), "intent"))
        for state in reversed(policy._rule_key_to_state(key))
    ]


def install_rule_lookup_shortcut() -> None:
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.constants import PREVIOUS_ACTION, USER

    buckets: dict[int, tuple] = {}  # id(lookup) -> (lookup, rules by the previous action they need last, size)

    def _by_previous_action(self, lookup, rules) -> dict:
        known = buckets.get(id(lookup))
        if known is None or known[0] is not lookup or known[2] != len(lookup):
            index: dict = {}
            for key in lookup:
                index.setdefault(rules[key][0][1], []).append(key)
            known = buckets[id(lookup)] = (lookup, index, len(lookup))
        return known[1]

    @functools.wraps(RulePolicy._get_possible_keys)
    def _get_possible_keys(self, lookup, states):
        """RulePolicy._is_rule_applicable of Rasa 3.6.21 inlined; a rule whose previous action or intent differs
        from the state's fails `_does_rule_match_state` without calling it; no look further back than the longest
        rule (Rasa's check passes every rule at a turn beyond its length)."""
        rules = _rule_states(self)
        possible_keys = set(lookup.keys())
        for key in possible_keys - rules.keys():
            rules[key] = _reversed_rule(self, key)
        longest = max((len(rules[key]) for key in possible_keys), default=0)
        for index, state in enumerate(reversed(states[-longest:] if longest else [])):
            current_previous_action = state.get(PREVIOUS_ACTION)
            action = (current_previous_action or {}).get("action_name")
            intent = (state.get(USER) or {}).get("intent")
            candidates = possible_keys
            if index == 0 and current_previous_action and all(rules[key] for key in possible_keys):
                # only rules needing this previous action or none can pass (the others fail the check below)
                by_action = _by_previous_action(self, lookup, rules)
                candidates = [*by_action.get(action, ()), *by_action.get(None, ())]
            kept = set()
            for key in candidates:
                rule = rules[key]
                if index >= len(rule):
                    kept.add(key)
                    continue
                rule_state, needs_action, needs_intent = rule[index]
                rule_previous_action = rule_state.get(PREVIOUS_ACTION)
                if not rule_previous_action and not current_previous_action:
                    kept.add(key)
                elif (
                    rule_previous_action
                    and current_previous_action
                    and (needs_action is None or needs_action == action)
                    and (needs_intent is None or needs_intent == intent)
                    and self._does_rule_match_state(rule_state, state)
                ):
                    kept.add(key)
            possible_keys = kept
        return possible_keys

    RulePolicy._get_possible_keys = _get_possible_keys


def install_rule_states_tail() -> None:
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.events import ActionExecuted

    states_of = RulePolicy._prediction_states

    @functools.wraps(states_of)
    def _prediction_states(self, tracker, domain, use_text_for_last_user_input=False, rule_only_data=None):
        """The last states only, one more than the longest rule: all the rules look at (older states only make
        the fallback's feature key longer, which then matches no rule either way)."""
        keep = 1 + max((len(rule) for rule in _rule_states(self).values()), default=0)
        applied = tracker.applied_events()
        skip = 1 + sum(isinstance(event, ActionExecuted) for event in applied) - keep
        if skip <= 0:
            return states_of(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
        states = []
        for index, (prior, _) in enumerate(tracker.generate_all_prior_trackers()):
            if index >= skip:  # Domain.states_for_tracker_history without ignore_rule_only_turns
                states.append(domain._clean_state(domain.get_active_state(prior, omit_unset_slots=False)))
        self.featurizer._choose_last_user_input([states], use_text_for_last_user_input)
        return self.featurizer.slice_state_history(states, self.featurizer.max_history)

    RulePolicy._prediction_states = _prediction_states


def install_plain_graph_runner() -> None:
    import dask.core
    from rasa.engine.runner import dask as dask_runner

    class _Dask:  # what DaskGraphRunner.run uses of the dask module
        get = staticmethod(dask.core.get)

    dask_runner.dask = _Dask


def install_expired_ticket_requeue() -> None:
    import time

    from rasa.core import lock_store
    from rasa.core.lock import Ticket

    async def _acquire_lock(self, conversation_id, ticket, wait_time_in_seconds):
        while True:
            lock = self.get_or_create_lock(conversation_id)
            if ticket not in [t.number for t in lock.tickets]:  # expired while waiting, or the lock was deleted
                tickets = sorted(
                    [*lock.tickets, Ticket(ticket, time.time() + lock_store.LOCK_LIFETIME)], key=lambda t: t.number
                )
                lock.tickets.clear()
                lock.tickets.extend(tickets)
                self.save_lock(lock)
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)

    lock_store.LockStore._acquire_lock = _acquire_lock


PATCHES = {
    "action_result_validator": install_action_result_validator,
    "event_type_cache": install_event_type_cache,
    "memoization_shortcut": install_memoization_shortcut,
    "kept_alive_sessions": install_kept_alive_sessions,
    "rule_lookup_shortcut": install_rule_lookup_shortcut,
    "rule_states_tail": install_rule_states_tail,
    "plain_graph_runner": install_plain_graph_runner,
    "expired_ticket_requeue": install_expired_ticket_requeue,
}


def install() -> None:
    """Install every patch once (idempotent)."""
    for name, patch in PATCHES.items():
        if name not in _INSTALLED:
            patch()
            _INSTALLED.add(name)


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
