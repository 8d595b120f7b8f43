"""The action server and domain.yml agree: every custom action registers, and every one the domain lists exists."""
from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]


def test_action_package_registers_exactly_the_domain_actions():
    executor = ActionExecutor()
    executor.register_package("actions")  # what `rasa run actions --actions actions` does
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(executor.actions) == action_names(domain)


def action_names(domain: dict) -> set:
    """Names of the domain's actions (an entry is a name, or {name: {send_domain: true}})."""
    return {action if isinstance(action, str) else next(iter(action)) for action in domain["actions"]}


def test_actions_that_read_the_domain_are_sent_it():
    """The Rasa server sends the domain only to actions marked `send_domain` (enable_selective_domain)."""
    from rasa_sdk.forms import ValidationAction

    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    sent = {next(iter(a)) for a in domain["actions"] if isinstance(a, dict) and next(iter(a.values())).get("send_domain")}
    readers = {name for name, run in executor.actions.items() if isinstance(getattr(run, "__self__", None), ValidationAction)}
    assert readers and readers <= sent


def test_every_response_an_action_names_exists_in_the_domain():
    import re

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    named = set()
    for path in (ROOT / "actions").rglob("*.py"):
        named |= set(re.findall(r'response="(utter_[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert named <= set(domain["responses"]), named - set(domain["responses"])
