"""Measure catalog search on the team's evaluation set (tests/catalog/eval_questions.yml).

Run: python -m bot.catalog.evaluate [--set FILE] [--misses]
Prints top-1 / top-3 accuracy overall and for the with- and without-diacritics halves.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from bot.catalog import load_catalog
from bot.vntext import has_diacritics

DEFAULT_SET = Path(__file__).resolve().parents[2] / "tests" / "catalog" / "eval_questions.yml"
HALVES = ("with_diacritics", "without_diacritics")


def load_set(path: Path = DEFAULT_SET) -> dict:
    """The halves format of eval_questions.yml, or a flat `questions:` / `off_topic:` list (tests/catalog_blind),
    split into halves by whether the question has diacritics."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "questions" not in data:
        return data
    return {
        "with_diacritics": [q for q in data["questions"] if has_diacritics(q["q"])],
        "without_diacritics": [q for q in data["questions"] if not has_diacritics(q["q"])],
        "nothing": data.get("off_topic", []),
    }


def evaluate(path: Path = DEFAULT_SET, catalog=None, overlaps: bool = False) -> dict:
    """{half: {"n", "top1", "top3", "misses": [(q, expected, got)]}, "all": ..., "nothing": [...]}

    overlaps=True also accepts the same procedure published by another ministry (Catalog.overlaps), which the
    conversation offers next to the one found."""
    cat = catalog or load_catalog()
    data = load_set(path)
    result: dict = {}
    for half in HALVES:
        n = top1 = top3 = 0
        misses = []
        for item in data[half]:
            hits = cat.search(item["q"], limit=3)
            got = [h.code for h in hits]
            codes = set(item["codes"])
            if overlaps:
                codes |= {o for c in item["codes"] for o in cat.overlaps(c)}
            n += 1
            top1 += bool(got[:1]) and got[0] in codes
            ok3 = any(c in codes for c in got[:3])
            top3 += ok3
            if not (got[:1] and got[0] in codes):
                misses.append((item["q"], item["codes"], got, ok3))
        result[half] = {"n": n, "top1": top1 / n, "top3": top3 / n, "misses": misses}
    total = sum(result[h]["n"] for h in HALVES)
    result["all"] = {
        "n": total,
        "top1": sum(result[h]["top1"] * result[h]["n"] for h in HALVES) / total,
        "top3": sum(result[h]["top3"] * result[h]["n"] for h in HALVES) / total,
    }
    result["nothing"] = [(q, [h.code for h in cat.search(q)]) for q in data.get("nothing", [])]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--misses", action="store_true", help="list the questions whose top-1 is wrong")
    parser.add_argument(
        "--overlaps",
        action="store_true",
        help="also accept the same procedure under another ministry (offered alongside)",
    )
    args = parser.parse_args(argv)
    res = evaluate(args.set, overlaps=args.overlaps)
    print("| subset | questions | top-1 | top-3 |\n|---|---:|---:|---:|")
    for key in (*HALVES, "all"):
        r = res[key]
        print(f"| {key} | {r['n']} | {r['top1']:.1%} | {r['top3']:.1%} |")
    wrong_nothing = [(q, got) for q, got in res["nothing"] if got]
    print(f"\noff-topic questions answered with []: {len(res['nothing']) - len(wrong_nothing)}/{len(res['nothing'])}")
    if args.misses:
        for half in HALVES:
            for q, expected, got, ok3 in res[half]["misses"]:
                print(f"MISS{'(top3 ok)' if ok3 else ''} [{half}] {q!r} expected {expected} got {got}")
        for q, got in wrong_nothing:
            print(f"MISS [nothing] {q!r} got {got}")


if __name__ == "__main__":
    main()
