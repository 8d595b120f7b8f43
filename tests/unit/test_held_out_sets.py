"""The held-out NLU sets are never trained on: no held-out message reaches the classifier looking exactly like a
training example (compared after the pipeline's own normalisation), and the team's split is big and balanced.
Their accuracy is measured on the real model by `make nlu-eval` (bot/tools/nlu_eval.py), not here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.nlu.components import normalized_for_nlu
from bot.vntext import has_diacritics

ROOT = Path(__file__).resolve().parents[2]
_MARKUP_RE = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
HELD_OUT = sorted((ROOT / "tests" / "nlu").glob("*.yml")) + sorted((ROOT / "tests" / "nlu_blind").glob("*.yml"))


def read_examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for block in data.get("nlu") or []:
        for line in (block.get("examples") or "").splitlines() if "intent" in block else []:
            if line.strip().startswith("- "):
                pairs.append((_MARKUP_RE.sub(r"\1", line.strip()[2:].strip()), block["intent"]))
    return pairs


@pytest.fixture(scope="module")
def trained() -> set[str]:
    return {normalized_for_nlu(t) for path in (ROOT / "nlu_data" / "nlu").glob("*.yml") for t, _ in read_examples(path)}


@pytest.mark.parametrize("path", HELD_OUT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_held_out_messages_are_not_in_training(path, trained):
    overlap = [t for t, _ in read_examples(path) if normalized_for_nlu(t) in trained]
    assert overlap == []


def test_team_split_is_large_and_half_without_diacritics():
    examples = [pair for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")) for pair in read_examples(path)]
    topics = [t for t, intent in examples if intent.startswith("ask_")]
    assert len(examples) >= 200 and len(topics) >= 200
    plain = [t for t, _ in examples if not has_diacritics(t)]
    assert 0.4 <= len(plain) / len(examples) <= 0.6
