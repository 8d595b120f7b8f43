"""Multi-turn evaluation on the blind three-persona set (tests/conversations_blind2/): `make dialogue-eval`.

Each conversation is played over REST in a fresh conversation on a stack started with the latest model; hotline
operators send the operator token as message metadata, as the web page does. Dossier codes the set mentions are
added to the reference service first (processing, three days late, with an officer's note), so questions about
"the dossier in hand" can be answered. Every labelled turn is judged from the payloads:
`codes`+`topic` (procedure_answer), `not_in_catalog` and `none` (no procedure_answer), `guide` (online_guide),
`dossier` and `operator_dossier` (dossier_status, no procedure answer), `dossier_procedure` (procedure_answer
about the dossier's own procedure), `choice` (procedure_choices with an acceptable code, or an answer about one).
A dead end is a conversation with three turns in a row judged wrong. A measure, not a test: exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import tempfile
import uuid
from pathlib import Path

import requests
import yaml

from bot.settings import REPO_ROOT
from bot.tools.bench import write_report

DEFAULT_SET = REPO_ROOT / "tests" / "conversations_blind2" / "dev.yml"
SEEDED_PROCEDURE = ("1.004222", "Đăng ký thường trú")
_CLAUSE_RE = re.compile(r"[,;\n]|\s(?:và|va|với|voi)\s")
OPERATOR_TOKEN = "dialogue-eval-operator"


def dossier_codes(conversations: list[dict]) -> set[str]:
    """The dossier codes the set types, read as the bot reads them (lower case, spaces around the dashes, the
    leading "000." left out), one per clause: "hs A và hs B" names two."""
    from bot.dossier.codes import find_code

    found = (
        find_code(clause) for conv in conversations for t in conv["turns"] for clause in _CLAUSE_RE.split(t["user"])
    )
    return {r.code for r in found if r.ok}


def seed(db_path: Path, codes: set[str]) -> None:
    from bot.dossier.store import DossierStore

    store = DossierStore.from_env(f"sqlite:///{db_path}")
    store.init(seed_demo=True)
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=7)))
    for code in sorted(codes):
        if store.get(code) is None:
            store.add(
                {
                    "code": code,
                    "procedure_code": SEEDED_PROCEDURE[0],
                    "procedure_name": SEEDED_PROCEDURE[1],
                    "agency": "Công an phường Bến Thành",
                    "status": "PROCESSING",
                    "received_at": (now - dt.timedelta(days=10)).isoformat(),
                    "due_at": (now - dt.timedelta(days=3)).isoformat(),
                    "return_method": "IN_PERSON",
                    "note": "Chờ xác minh chỗ ở hợp pháp.",
                    "applicant_phone_last4": "0000",
                }
            )


def judge(expect: dict, messages: list[dict]) -> bool:
    payloads = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
    answers = [p for p in payloads if p.get("type") == "procedure_answer"]
    offered = {c for p in payloads if p.get("type") == "procedure_choices" for c in p["procedure_codes"]}
    guides = [p for p in payloads if p.get("type") == "online_guide"]
    statuses = [p for p in payloads if p.get("type") == "dossier_status"]
    codes = set(expect.get("codes") or [])
    if expect.get("not_in_catalog") or expect.get("none"):
        return not answers
    if expect.get("guide"):
        return bool(guides and guides[0]["procedure_code"] in codes) or bool(codes & offered)
    if expect.get("dossier") or expect.get("operator_dossier"):
        return bool(statuses) and not answers
    if expect.get("dossier_procedure"):
        return (
            bool(answers)
            and answers[0]["procedure_code"] == SEEDED_PROCEDURE[0]
            and answers[0]["topic"] == expect.get("topic", answers[0]["topic"])
        )
    if expect.get("choice"):
        return bool(codes & offered) or bool(answers and answers[0]["procedure_code"] in codes)
    topic = expect.get("topic", answers[0]["topic"] if answers else None)  # no topic labelled: any topic
    return bool(answers) and answers[0]["procedure_code"] in codes and answers[0]["topic"] == topic


def _summary(reply: list[dict]) -> str:
    """What the assistant said, short: payload kinds with their codes, then the start of its text."""
    payloads = [
        f"{m['custom'].get('type')}:{m['custom'].get('procedure_code') or m['custom'].get('procedure_codes') or ''}"
        for m in reply
        if isinstance(m.get("custom"), dict)
    ]
    text = " / ".join(m["text"] for m in reply if m.get("text"))
    return f"{payloads} {text[:160]!r}"


def play(rasa_url: str, conversations: list[dict]) -> list[dict]:
    session = requests.Session()
    rows = []
    for conv in conversations:
        sender = f"eval:{uuid.uuid4().hex[:10]}"
        metadata = {"operator_token": OPERATOR_TOKEN} if conv.get("persona") == "operator" else {}
        for i, turn in enumerate(conv["turns"]):
            reply = session.post(
                f"{rasa_url}/webhooks/rest/webhook",
                timeout=60,
                json={"sender": sender, "message": turn["user"], "metadata": metadata},
            ).json()
            rows.append(
                {
                    "conversation": conv["name"],
                    "persona": conv.get("persona", "?"),
                    "turn": i,
                    "user": turn["user"],
                    "expect": turn["expect"],
                    "ok": judge(turn["expect"], reply),
                    "got": _summary(reply),
                }
            )
    return rows


def dead_ends(rows: list[dict]) -> list[str]:
    out, run, last = [], 0, None
    for r in rows:
        if r["conversation"] != last:
            run, last = 0, r["conversation"]
        run = 0 if r["ok"] else run + 1
        if run == 3 and r["conversation"] not in out:
            out.append(r["conversation"])
    return out


def report(rows: list[dict]) -> str:
    lines = ["| persona | labelled turns | right |", "|---|---:|---:|"]
    for persona in ["all"] + sorted({r["persona"] for r in rows}):
        subset = [r for r in rows if persona == "all" or r["persona"] == persona]
        lines.append(f"| {persona} | {len(subset)} | {sum(r['ok'] for r in subset) / len(subset):.1%} |")
    ends = dead_ends(rows)
    lines.append(
        f"\nConversations: {len({r['conversation'] for r in rows})}; dead ends (3 wrong turns in a row): {len(ends)}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--misses", action="store_true", help="list the wrong turns (never for a test half)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "dialogue.md")
    args = parser.parse_args(argv)
    conversations = yaml.safe_load(args.set.read_text(encoding="utf-8"))["conversations"]
    from bot.stack import ephemeral

    os.environ["OPERATOR_TOKEN"] = OPERATOR_TOKEN
    with tempfile.TemporaryDirectory() as tmp:
        cfg = ephemeral.ephemeral_settings(Path(tmp), REPO_ROOT / "models")
        cfg.var_dir.mkdir(parents=True, exist_ok=True)
        seed(cfg.var_dir / "dossier_service.sqlite", dossier_codes(conversations))
        with ephemeral.build(cfg):
            rows = play(cfg.rasa_url, conversations)
    text = f"Set: {args.set}\n\n" + report(rows)
    if args.misses:
        text += "\n\nWrong turns:\n" + "\n".join(
            f"- [{r['persona']}: {r['conversation']}] {r['user']!r} (expected {r['expect']})\n  got {r['got']}"
            for r in rows
            if not r["ok"]
        )
    write_report(args.out, text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
