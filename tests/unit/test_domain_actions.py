"""The action server and domain.yml agree: every custom action registers, and every one the domain lists exists."""

from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]


def test_action_package_registers_exactly_the_domain_actions():
    executor = ActionExecutor()
    executor.register_package("actions")  # what `python -m actions` does
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
    sent = {
        next(iter(a)) for a in domain["actions"] if isinstance(a, dict) and next(iter(a.values())).get("send_domain")
    }
    readers = {
        name for name, run in executor.actions.items() if isinstance(getattr(run, "__self__", None), ValidationAction)
    }
    assert readers and readers <= sent


def test_every_response_an_action_names_exists_in_the_domain():
    import re

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    named = set()
    for path in (ROOT / "actions").rglob("*.py"):
        named |= set(re.findall(r'response="(utter_[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert named <= set(domain["responses"]), named - set(domain["responses"])


def test_response_names_built_at_run_time_exist_in_the_domain():
    """Names made at run time (f"utter_procedure_{topic}", f"utter_{faq intent}", the guide's steps) and those
    written in bot/ (the renderer, the guide) are all domain responses, with every variable they need given."""
    import re

    from actions.procedures import FAQ_INTENTS
    from bot.catalog import load_catalog, render
    from bot.guide import guide_settings, steps

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    written = set()
    for path in (ROOT / "bot").rglob("*.py"):
        written |= set(re.findall(r'"(utter_[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    # Not names: Rasa's event metadata key and prefixes matched with startswith (bot/ops/events.py).
    written = {name for name in written if name != "utter_action" and not name.endswith("_")}
    assert written <= set(domain), written - set(domain)
    assert {f"utter_{intent}" for intent in FAQ_INTENTS} <= set(domain)
    built = {}
    settings = guide_settings({})
    catalog = load_catalog()
    for code in ("1.001193", "2.000635", "1.004194", "1.001612", "2.000815", "1.000757", "3.000228"):
        record = catalog.get(code)
        for topic in render.texts()["topics"]:
            for answer in render.answer(record, topic):
                built.setdefault(answer.response, set()).update(answer.variables)
        keys = steps.plan(record)
        messages = [steps.build_step(record, key, settings) for key in keys] if keys else []
        messages += [steps.in_person_only(record, settings), steps.checklist(record, settings)]
        for message in messages:
            built.setdefault(message.response, set()).update(message.variables)
    assert {
        "utter_procedure_online_full",
        "utter_procedure_online_partial",
        "utter_procedure_online_none",
        "utter_procedure_post_payment",
        "utter_procedure_missing",
    } <= set(built)
    for name, variables in built.items():
        assert name in domain, name
        for variant in domain[name]:
            assert set(re.findall(r"\{(\w+)\}", variant["text"])) <= variables, name
