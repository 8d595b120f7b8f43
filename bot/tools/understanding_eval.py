"""Query-understanding evaluation on a blind set (tests/understanding_blind/{dev,test}.yml): `make understanding-eval`.

Sections: colloquial and bare_names (right procedure; right procedure and topic; an answer about a procedure the
labels do not accept is a wrong procedure), two_topic (both topics answered about a right procedure),
out_of_catalog (a confident answer about any procedure is wrong), formal (top-1 against plain BM25 over folded
names in SQLite FTS5). Each question is sent in a fresh conversation over REST to a stack started with the latest
model (or `--direct`: bot.understanding.read() alone, for quick development loops).
A measure, not a test: prints a table (and, with --misses, what went wrong), exits 0.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import uuid
from pathlib import Path

import requests
import yaml

from bot.settings import REPO_ROOT
from bot.tools.bench import write_report
from bot.vntext import fold

DEFAULT_SET = REPO_ROOT / "tests" / "understanding_blind" / "dev.yml"
SECTIONS = ("colloquial", "bare_names", "two_topic", "out_of_catalog", "formal")


class Outcome:
    """What the assistant did with one message: answers [(code, topic)] and the codes it offered."""

    def __init__(self, answers: list[tuple[str, str]], offered: list[str]):
        self.answers = answers
        self.offered = offered

    @classmethod
    def from_messages(cls, messages: list[dict]) -> "Outcome":
        payloads = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
        answers = [(p["procedure_code"], p["topic"]) for p in payloads if p.get("type") == "procedure_answer"]
        offered = [c for p in payloads if p.get("type") == "procedure_choices" for c in p["procedure_codes"]]
        return cls(answers, offered)


def via_rest(rasa_url: str) -> callable:
    session = requests.Session()

    def ask(text: str) -> Outcome:
        reply = session.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": f"eval:{uuid.uuid4().hex[:12]}", "message": text},
            timeout=30,
        )
        return Outcome.from_messages(reply.json())

    return ask


def via_reading() -> callable:
    from bot.catalog import load_catalog
    from bot.understanding import ANSWER, CHOOSE, NOT_IN_CATALOG, read

    catalog = load_catalog()

    def ask(text: str) -> Outcome:
        r = read(catalog, text)
        if r.verdict == ANSWER:
            return Outcome([(r.code, t) for t in r.topics], [])
        if r.verdict in (CHOOSE, NOT_IN_CATALOG):
            return Outcome([], [c.code for c in r.choices])
        return Outcome([], [])

    return ask


def judge(section: str, item: dict, out: Outcome) -> dict:
    codes = set(item.get("codes") or [])
    first = out.answers[0] if out.answers else None
    row = {
        "q": item["q"],
        "section": section,
        "accents": item.get("accents", True),
        "answers": out.answers,
        "offered": out.offered,
    }
    if section == "out_of_catalog":
        row["wrong_confident"] = bool(out.answers)
        return row
    row["right_procedure"] = bool(first and first[0] in codes)
    row["wrong_answer"] = bool(first and first[0] not in codes)
    row["offered_right"] = bool(codes & set(out.offered))
    if section == "two_topic":
        answered = {t for c, t in out.answers if c in codes}
        row["right_topic"] = row["right_procedure"] and set(item["topics"]) <= answered
    else:
        expected = item.get("topic") or "overview"
        row["right_topic"] = row["right_procedure"] and first[1] == expected
    return row


class Bm25Baseline:
    """Plain BM25 over folded procedure names (SQLite FTS5): the yardstick for formal questions."""

    def __init__(self) -> None:
        from bot.catalog import load_catalog

        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE names USING fts5(code UNINDEXED, name)")
        self.db.executemany("INSERT INTO names VALUES (?, ?)", [(r["code"], fold(r["name"])) for r in load_catalog()])

    def top(self, question: str) -> str | None:
        words = [w for w in "".join(ch if ch.isalnum() else " " for ch in fold(question)).split()]
        if not words:
            return None
        query = " OR ".join(f'"{w}"' for w in words)
        row = self.db.execute(
            "SELECT code FROM names WHERE names MATCH ? ORDER BY bm25(names) LIMIT 1", (query,)
        ).fetchone()
        return row[0] if row else None


def share(rows: list[dict], key: str) -> str:
    return f"{sum(bool(r[key]) for r in rows) / len(rows):.1%}" if rows else "–"


def report(rows: list[dict], bm25: dict[str, bool]) -> str:
    lines = [
        "| section | n | right procedure | right procedure and topic | right offered among choices | wrong procedure |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    named = [r for r in rows if r["section"] in ("colloquial", "bare_names")]
    groups = [
        ("colloquial + bare names", named),
        ("  with diacritics", [r for r in named if r["accents"]]),
        ("  without diacritics", [r for r in named if not r["accents"]]),
        ("colloquial", [r for r in rows if r["section"] == "colloquial"]),
        ("bare names", [r for r in rows if r["section"] == "bare_names"]),
        ("two topics (both answered)", [r for r in rows if r["section"] == "two_topic"]),
        ("formal", [r for r in rows if r["section"] == "formal"]),
    ]
    for name, subset in groups:
        if subset:
            lines.append(
                f"| {name} | {len(subset)} | {share(subset, 'right_procedure')} | "
                f"{share(subset, 'right_topic')} | {share(subset, 'offered_right')} | {share(subset, 'wrong_answer')} |"
            )
    ooc = [r for r in rows if r["section"] == "out_of_catalog"]
    if ooc:
        lines.append(
            f"\nOut of catalog: {len(ooc)} questions, confident answer about a procedure: "
            f"{share(ooc, 'wrong_confident')}"
        )
    if bm25:
        lines.append(
            f"Formal, plain BM25 over folded names (FTS5) top-1: {sum(bm25.values()) / len(bm25):.1%} of {len(bm25)}"
        )
    return "\n".join(lines)


def evaluate(data: dict, ask: callable) -> tuple[list[dict], dict[str, bool]]:
    rows = []
    baseline = Bm25Baseline() if data.get("formal") else None
    bm25 = {}
    for section in SECTIONS:
        for item in data.get(section) or []:
            rows.append(judge(section, item, ask(item["q"])))
            if section == "formal":
                bm25[item["q"]] = baseline.top(item["q"]) in set(item["codes"])
    return rows, bm25


def misses(rows: list[dict]) -> str:
    out = []
    for r in rows:
        bad = r.get("wrong_confident") if r["section"] == "out_of_catalog" else not r["right_topic"]
        if bad:
            out.append(f"- [{r['section']}] {r['q']!r}: answers {r['answers']} offered {r['offered'][:5]}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--direct", action="store_true", help="call bot.understanding.read() instead of REST")
    parser.add_argument("--misses", action="store_true", help="list what went wrong (never for a test half)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "understanding.md")
    args = parser.parse_args(argv)
    data = yaml.safe_load(args.set.read_text(encoding="utf-8"))
    if "questions" in data:  # a catalog question set (tests/catalog_blind_new): colloquial questions with topics
        data = {"colloquial": data["questions"]}
    if args.direct:
        rows, bm25 = evaluate(data, via_reading())
    else:
        from bot.stack import ephemeral

        with tempfile.TemporaryDirectory() as tmp:
            cfg = ephemeral.ephemeral_settings(Path(tmp), REPO_ROOT / "models")
            with ephemeral.build(cfg):
                rows, bm25 = evaluate(data, via_rest(cfg.rasa_url))
    text = f"Set: {args.set} ({'direct' if args.direct else 'REST'})\n\n" + report(rows, bm25)
    if args.misses:
        text += "\n\nMisses:\n" + misses(rows)
    write_report(args.out, text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
