"""Fact audit of the rendered answers (issue 14): a stratified sample of records, and for each one its source text
beside every topic's chat answer, for auditors to compare by hand.

    python -m bot.tools.fact_audit sample --n 150 --out tests/fact_audit/sample.txt
    python -m bot.tools.fact_audit dump --sample tests/fact_audit/sample.txt --out results/fact_audit

`sample` draws records at random (fixed seed) stratified by ministry: every ministry gets at least `--min` records,
the rest in proportion to its size. `dump` writes one Markdown file per record: the source file as published
(the portal page, Word export or API JSON, text fields only) and the chat answer of each topic, rendered by the one
renderer (bot.catalog.render.answer) through the domain's response texts, as a person would read them.
The auditors' findings live in tests/fact_audit/ (README there); each error becomes a parser or renderer test.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

from bot.catalog import load_catalog, render
from bot.settings import REPO_ROOT
from bot.understanding.topics import TOPICS as ALL_TOPICS
from bot.web.pages import response_text

TOPICS = [t for t in ALL_TOPICS if t != "deadline"]  # the ten topics audited before the deadline topic existed
SOURCE_ROOT = REPO_ROOT.parent / "shared" / "data" / "procedures"
# Source keys that repeat the other fields (the page's whole text) or carry no fact.
SKIPPED_KEYS = {"raw_text", "formality_id", "id", "createdAt", "updatedAt", "source_file"}


def stratified_sample(records: list[dict], n: int, minimum: int, seed: int) -> list[str]:
    """`n` codes: every ministry gets `minimum` (or all it has), the rest is shared in proportion to size
    (largest remainders)."""
    by_ministry: dict[str, list[str]] = defaultdict(list)
    for record in records:
        by_ministry[record.get("ministry") or "?"].append(record["code"])
    names = sorted(by_ministry)
    share = {m: min(minimum, len(by_ministry[m])) for m in names}
    left = n - sum(share.values())
    room = {m: len(by_ministry[m]) - share[m] for m in names}
    quota = {m: left * room[m] / sum(room.values()) for m in names}
    for m in names:
        share[m] += int(quota[m])
    for m in sorted(names, key=lambda m: quota[m] - int(quota[m]), reverse=True)[: n - sum(share.values())]:
        share[m] += 1
    rng = random.Random(seed)
    return sorted(code for m in names for code in rng.sample(sorted(by_ministry[m]), share[m]))


def source_file(code: str) -> Path | None:
    for pattern in (f"raw/*/{code}.json", f"supplements/bqp/{code}.json", f"supplements/portal-api/{code}.json"):
        found = sorted(SOURCE_ROOT.glob(pattern))
        if found:
            return found[0]
    return None


def _text_fields(obj, prefix: str = "") -> list[tuple[str, str]]:
    """Every non-empty string of a JSON document with its path, in document order."""
    out: list[tuple[str, str]] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in SKIPPED_KEYS:
                continue
            out += _text_fields(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            out += _text_fields(value, f"{prefix}[{i}]")
    elif obj not in (None, "") and not isinstance(obj, bool):
        out.append((prefix, str(obj)))
    return out


def chat_text(record: dict, topic: str) -> str:
    """The chat answer about `topic`, its responses filled as the chat and the pages fill them."""
    return "\n\n".join(response_text(a.response, a.variables) for a in render.answer(record, topic))


def dump_record(record: dict) -> str:
    lines = [f"# {record['code']} — {record.get('name')}", "", f"ministry: {record.get('ministry')}", ""]
    path = source_file(record["code"])
    lines += [f"## Source as published ({path.relative_to(SOURCE_ROOT) if path else 'not found'})", ""]
    if path:
        for key, value in _text_fields(json.loads(path.read_text(encoding="utf-8"))):
            lines.append(f"**{key}**: {value}")
            lines.append("")
    lines += ["## Chat answers (as rendered)", ""]
    for topic in TOPICS:
        lines += [f"### {topic}", "", chat_text(record, topic), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--n", type=int, default=150)
    s.add_argument("--min", type=int, default=3)
    s.add_argument("--seed", type=int, default=20261130)
    s.add_argument("--out", type=Path, required=True)
    d = sub.add_parser("dump")
    d.add_argument("--sample", type=Path, required=True)
    d.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    catalog = load_catalog()
    if args.command == "sample":
        codes = stratified_sample(list(catalog), args.n, args.min, args.seed)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(codes) + "\n", encoding="utf-8")
        print(f"{len(codes)} records -> {args.out}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    codes = [c.strip() for c in args.sample.read_text(encoding="utf-8").split() if c.strip()]
    for code in codes:
        record = catalog.get(code)
        (args.out / f"{code}.md").write_text(dump_record(record), encoding="utf-8")
    print(f"{len(codes)} records -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
