"""Held-out NLU check for the procedure/FAQ intents with a fast sklearn stand-in for the Rasa pipeline.

The real pipeline (config.yml, trained by the lead) is: bot.vntext.fold() normaliser -> WhitespaceTokenizer ->
CountVectorsFeaturizer word 1-2 grams + char_wb 2-5 -> LogisticRegressionClassifier. This test rebuilds the
same features with scikit-learn (what Rasa uses underneath) in a second, trains on every nlu_data/nlu/*.yml file
and scores tests/nlu/test_procedures.yml + test_faq.yml, which are never trained on. It is a proxy: the lead's
`rasa test nlu` on the real model is the reference number.

Run: .venv/bin/python -m pytest tests/procedures/test_nlu_split.py -q -s
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import yaml

from bot.vntext import fold, has_diacritics

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "nlu_data" / "nlu"
SPLIT_FILES = [ROOT / "tests" / "nlu" / "test_procedures.yml", ROOT / "tests" / "nlu" / "test_faq.yml"]
# Entity markup "[text](entity)" / "[text]{...}" -> "text".
_MARKUP_RE = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def read_examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((_MARKUP_RE.sub(r"\1", line[2:].strip()), block["intent"]))
    return pairs


def train_and_predict(train: list[tuple[str, str]], texts: list[str]) -> list[str]:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        CountVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w\w+\b"),
        CountVectorizer(analyzer="char_wb", ngram_range=(2, 5)),
    )
    model = make_pipeline(
        features,
        LogisticRegression(solver="lbfgs", max_iter=100, tol=1e-4, class_weight="balanced", random_state=42),
    )
    with warnings.catch_warnings():  # Rasa keeps max_iter=100 too; lbfgs may stop early, same as in Rasa
        warnings.simplefilter("ignore")
        model.fit([fold(t) for t, _ in train], [i for _, i in train])
    return list(model.predict([fold(t) for t in texts]))


@pytest.fixture(scope="module")
def results() -> list[tuple[str, str, str]]:
    train = [pair for path in sorted(TRAIN_DIR.glob("*.yml")) for pair in read_examples(path)]
    test = [pair for path in SPLIT_FILES for pair in read_examples(path)]
    predicted = train_and_predict(train, [t for t, _ in test])
    return [(text, gold, pred) for (text, gold), pred in zip(test, predicted)]


def accuracy(rows: list[tuple[str, str, str]]) -> float:
    return sum(gold == pred for _, gold, pred in rows) / len(rows)


def test_split_is_held_out_and_large_enough():
    train_texts = {fold(t) for path in TRAIN_DIR.glob("*.yml") for t, _ in read_examples(path)}
    test = [pair for path in SPLIT_FILES for pair in read_examples(path)]
    assert len(test) >= 200
    overlap = [t for t, _ in test if fold(t) in train_texts]
    assert overlap == []
    plain = [t for t, _ in test if not has_diacritics(t)]
    assert 0.4 <= len(plain) / len(test) <= 0.6


def test_topic_accuracy_and_diacritics_gap(results):
    with_marks = [r for r in results if has_diacritics(r[0])]
    without = [r for r in results if not has_diacritics(r[0])]
    errors = [r for r in results if r[1] != r[2]]
    print(f"\nheld-out: {len(results)} utterances, accuracy {accuracy(results):.3f}; "
          f"with diacritics {accuracy(with_marks):.3f} ({len(with_marks)}), "
          f"without {accuracy(without):.3f} ({len(without)})")
    for text, gold, pred in errors:
        print(f"  {gold:>22} -> {pred:<22} {text}")
    assert accuracy(results) >= 0.95
    assert abs(accuracy(with_marks) - accuracy(without)) <= 0.02
