"""Consistency of the dossier parts of domain.yml, the NLU data and the test stories with the code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.dossier.bench import lookup_latency
from bot.dossier.codes import ENTITY_REGEX, CodeError, find_code
from bot.dossier.demo import DEMO_CODES
from bot.dossier.status import Status
from bot.vntext import has_diacritics
from tests.unit.test_domain_actions import action_names

ROOT = Path(__file__).resolve().parents[2]
ANNOTATION_RE = re.compile(r"\[([^\]]+)\]\(dossier_code\)")


def load(relative_path: str) -> dict:
    return yaml.safe_load((ROOT / relative_path).read_text(encoding="utf-8"))


def test_regex_in_nlu_is_the_code_regex():
    [regex] = [item for item in load("nlu_data/nlu/dossier.yml")["nlu"] if "regex" in item]
    assert regex["examples"].strip() == f"- {ENTITY_REGEX}"


def test_intents_have_enough_varied_examples():
    for item in load("nlu_data/nlu/dossier.yml")["nlu"]:
        if "intent" not in item:
            continue
        examples = [line[2:] for line in item["examples"].splitlines() if line.startswith("- ")]
        assert len(examples) >= 15, item["intent"]
        plain = [e for e in examples if not has_diacritics(ANNOTATION_RE.sub("", e))]
        assert len(plain) * 2 >= len(examples), item["intent"]
        for example in examples:
            for value in ANNOTATION_RE.findall(example):
                assert re.fullmatch(ENTITY_REGEX, value, flags=re.IGNORECASE), value


def test_domain_has_every_response_the_actions_use():
    domain = load("domain.yml")
    source = (ROOT / "actions" / "dossier.py").read_text(encoding="utf-8")
    used = set(re.findall(r'response="(utter_[a-z_]+)"', source))
    used |= {f"utter_dossier_status_{s.value.lower()}" for s in Status}
    used |= {f"utter_dossier_status_{s}_overdue" for s in ("received", "processing")}
    used |= {f"utter_dossier_code_invalid_{e.value}" for e in CodeError}
    used |= {f"utter_dossier_result_{m}" for m in ("in_person", "post", "online", "unknown")}
    used.add("utter_ask_dossier_code")
    assert used <= set(domain["responses"]), used - set(domain["responses"])
    names = re.findall(r'return "((?:action|validate)_[a-z_]+)"', source)
    assert set(names) <= action_names(domain)


def test_test_stories_use_demo_codes():
    text = (ROOT / "tests" / "stories" / "test_dossier.yml").read_text(encoding="utf-8")
    codes = {find_code(v).code for v in ANNOTATION_RE.findall(text)} - {None}
    assert codes and codes - {"000.00.12.H29-261102-0999"} <= set(DEMO_CODES)
    assert "000.00.12.H29-261102-0999" not in DEMO_CODES  # the not-found story


def test_bench_reports_p95():
    result = lookup_latency(n=20)
    assert result["n"] == 20 and 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
    assert result["p95_ms"] < 1000


def test_action_server_can_register_every_dossier_action():
    import inspect

    from rasa_sdk import Action
    from rasa_sdk.executor import ActionExecutor

    import actions.dossier as module

    executor = ActionExecutor()
    classes = [
        c
        for c in vars(module).values()
        if inspect.isclass(c)
        and issubclass(c, Action)
        and c.__module__ == module.__name__
        and not inspect.isabstract(c)
    ]
    for cls in classes:
        executor.register_action(cls)  # instantiates it and calls name(), as `rasa run actions` does
    assert set(executor.actions) <= action_names(load("domain.yml"))
