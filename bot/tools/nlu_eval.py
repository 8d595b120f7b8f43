"""NLU evaluation on the held-out split (tests/nlu, never trained on): `make nlu-eval`.

Runs `rasa test nlu` with the latest model, then reports accuracy overall, for the procedure-topic intents
(ask_*), and separately for messages typed with and without diacritics. Exits 1 under the targets.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from bot.stack.plan import latest_model
from bot.vntext import has_diacritics

TOPIC_PREFIX = "ask_"


def _load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def score(rows: list[dict]) -> dict:
    """rows: {"text", "intent", "predicted"}; accuracy overall, topics, per half, per intent."""

    def acc(subset: list[dict]) -> tuple[float, int]:
        return (sum(r["intent"] == r["predicted"] for r in subset) / len(subset) if subset else 1.0, len(subset))

    topics = [r for r in rows if r["intent"].startswith(TOPIC_PREFIX)]
    per_intent = defaultdict(list)
    for row in rows:
        per_intent[row["intent"]].append(row)
    return {
        "overall": acc(rows),
        "with_diacritics": acc([r for r in rows if has_diacritics(r["text"])]),
        "without_diacritics": acc([r for r in rows if not has_diacritics(r["text"])]),
        "topics": acc(topics),
        "topics_with_diacritics": acc([r for r in topics if has_diacritics(r["text"])]),
        "topics_without_diacritics": acc([r for r in topics if not has_diacritics(r["text"])]),
        "per_intent": {name: acc(subset) for name, subset in sorted(per_intent.items())},
    }


def markdown(result: dict) -> str:
    lines = ["| set | accuracy | messages |", "|---|---|---|"]
    for key in (
        "overall",
        "with_diacritics",
        "without_diacritics",
        "topics",
        "topics_with_diacritics",
        "topics_without_diacritics",
    ):
        value, count = result[key]
        lines.append(f"| {key.replace('_', ' ')} | {value:.1%} | {count} |")
    lines += ["", "| intent | accuracy | messages |", "|---|---|---|"]
    for name, (value, count) in result["per_intent"].items():
        lines.append(f"| {name} | {value:.1%} | {count} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models", help="model file or folder (latest model taken)")
    parser.add_argument("--data", default="tests/nlu")
    parser.add_argument("--out", default="results/nlu")
    parser.add_argument("--min-topic-accuracy", type=float, default=0.95)
    parser.add_argument("--min-overall-accuracy", type=float, default=0.90)
    parser.add_argument("--max-gap", type=float, default=0.02, help="max accuracy gap between the two halves")
    args = parser.parse_args(argv)

    model = Path(args.model)
    if model.is_dir():
        model = latest_model(model)
        if model is None:
            print(f"No model in {args.model}: run `make train`.", file=sys.stderr)
            return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("intent_successes.json", "intent_errors.json"):  # rasa leaves an old file when none is wrong
        (out / stale).unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "rasa",
        "test",
        "nlu",
        "--nlu",
        args.data,
        "--model",
        str(model),
        "--out",
        str(out),
        "--successes",
        "--no-plot",
    ]
    with open(out / "rasa_test_nlu.log", "wb") as log:
        if subprocess.call(command, stdout=log, stderr=subprocess.STDOUT) != 0:
            print(f"rasa test nlu failed; see {out / 'rasa_test_nlu.log'}", file=sys.stderr)
            return 1
    rows = [
        {"text": r["text"], "intent": r["intent"], "predicted": (r.get("intent_prediction") or {}).get("name")}
        for r in _load(out / "intent_successes.json") + _load(out / "intent_errors.json")
    ]
    result = score(rows)
    report = markdown(result)
    (out / "summary.md").write_text(report + "\n", encoding="utf-8")
    print(report)

    failures = []
    if result["overall"][0] < args.min_overall_accuracy:
        failures.append(f"overall accuracy {result['overall'][0]:.1%} < {args.min_overall_accuracy:.0%}")
    if result["topics"][1] and result["topics"][0] < args.min_topic_accuracy:
        failures.append(f"topic accuracy {result['topics'][0]:.1%} < {args.min_topic_accuracy:.0%}")
    gap = abs(result["with_diacritics"][0] - result["without_diacritics"][0])
    if gap > args.max_gap:
        failures.append(f"gap between with/without diacritics {gap:.1%} > {args.max_gap:.0%}")
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
