"""End-to-end conversation evaluation: `make conversation-eval`.

Starts the stack with the latest model, plays every conversation of a YAML set (default
tests/conversations_blind/conversations.yml) over the REST channel, each in a fresh conversation, and checks each
turn's structured payload: the right topic and an acceptable procedure code (`procedure_answer`), an acceptable
code among the offered choices (`procedure_choices`, counted apart), or no procedure answer at all (`none`).
A measure, not a test: it prints the table and the misses, and exits 0.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

import requests
import yaml

from bot.settings import REPO_ROOT
from bot.stack import ephemeral
from bot.tools.bench import write_report
from bot.vntext import has_diacritics

DEFAULT_SET = REPO_ROOT / "tests" / "conversations_blind" / "conversations.yml"


def judge(expect: dict, messages: list[dict]) -> str:
    """'ok', 'choice' (right code offered among choices), or what went wrong."""
    payloads = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
    answers = [p for p in payloads if p.get("type") == "procedure_answer"]
    if expect.get("none"):
        return "ok" if not answers else f"answered {answers[0]['procedure_code']}/{answers[0]['topic']}"
    codes = set(expect["codes"])
    if answers:
        answer = answers[0]
        right_code, right_topic = answer["procedure_code"] in codes, answer["topic"] == expect["topic"]
        if right_code and right_topic:
            return "ok"
        return (
            ("wrong topic " if not right_topic else "")
            + ("wrong procedure " if not right_code else "")
            + f"({answer['procedure_code']}/{answer['topic']})"
        )
    choices = [p for p in payloads if p.get("type") == "procedure_choices"]
    if choices:
        return "choice" if codes & set(choices[0]["procedure_codes"]) else "choices without it"
    return "no procedure answer"


def run(rasa_url: str, conversations: list[dict]) -> list[dict]:
    rows = []
    session = requests.Session()
    for conversation in conversations:
        sender = f"eval:{uuid.uuid4().hex[:10]}"
        for turn in conversation["turns"]:
            messages = session.post(
                f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": turn["user"]}, timeout=30
            ).json()
            rows.append(
                {
                    "conversation": conversation["name"],
                    "user": turn["user"],
                    "expect": turn["expect"],
                    "verdict": judge(turn["expect"], messages),
                }
            )
    return rows


def report(rows: list[dict]) -> str:
    def share(subset: list[dict], verdicts: tuple) -> str:
        return f"{sum(r['verdict'] in verdicts for r in subset) / len(subset):.1%}" if subset else "–"

    lines = ["| turns | n | right answer | right answer or right choice offered |", "|---|---:|---:|---:|"]
    groups = {
        "all": rows,
        "with diacritics": [r for r in rows if has_diacritics(r["user"])],
        "without diacritics": [r for r in rows if not has_diacritics(r["user"])],
        "about a procedure": [r for r in rows if not r["expect"].get("none")],
        "not about a procedure": [r for r in rows if r["expect"].get("none")],
    }
    for name, subset in groups.items():
        lines.append(f"| {name} | {len(subset)} | {share(subset, ('ok',))} | {share(subset, ('ok', 'choice'))} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "conversations.md")
    args = parser.parse_args(argv)
    conversations = yaml.safe_load(args.set.read_text(encoding="utf-8"))["conversations"]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cfg = ephemeral.ephemeral_settings(Path(tmp), REPO_ROOT / "models")
        with ephemeral.build(cfg):
            rows = run(cfg.rasa_url, conversations)
    text = (
        report(rows)
        + "\n\nMisses:\n"
        + "\n".join(
            f"- [{r['conversation']}] {r['user']!r}: {r['verdict']} (expected {r['expect']})"
            for r in rows
            if r["verdict"] != "ok"
        )
    )
    write_report(args.out, text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
