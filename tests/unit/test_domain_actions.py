"""The action server and domain.yml agree: every custom action registers, and every one the domain lists exists."""
from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]


def test_action_package_registers_exactly_the_domain_actions():
    executor = ActionExecutor()
    executor.register_package("actions")  # what `rasa run actions --actions actions` does
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(executor.actions) == set(domain["actions"])


def test_every_response_an_action_names_exists_in_the_domain():
    import re

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    named = set()
    for path in (ROOT / "actions").rglob("*.py"):
        named |= set(re.findall(r'response="(utter_[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert named <= set(domain["responses"]), named - set(domain["responses"])
