"""Benchmark the catalog: index build times, search and records'-texts ranking latency over the evaluation questions.

Run: python -m bot.catalog.bench [--queries 1000]
Prints a markdown table (numbers for the README; not asserted in tests).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bot.catalog import DEFAULT_PATH, Catalog, read_records
from bot.catalog.evaluate import HALVES, load_set


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    records = read_records(DEFAULT_PATH)
    t1 = time.perf_counter()
    cat = Catalog(records)
    t2 = time.perf_counter()
    texts = cat.texts
    t3 = time.perf_counter()
    data = load_set()
    questions = [item["q"] for half in HALVES for item in data[half]]
    runs = []
    while len(runs) < args.queries:
        for q in questions:
            start = time.perf_counter()
            cat.search(q, limit=5)
            runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    p = lambda f: runs[min(len(runs) - 1, int(f * len(runs)))]  # noqa: E731
    ranks = []
    for q in questions:
        start = time.perf_counter()
        texts.rank(cat.index.query_terms(q)[1])
        ranks.append((time.perf_counter() - start) * 1000)
    ranks.sort()
    print("| metric | value |\n|---|---:|")
    print(f"| records | {len(cat)} |")
    print(f"| read catalog file | {t1 - t0:.2f} s |")
    print(f"| build index | {t2 - t1:.2f} s |")
    print(f"| search queries | {len(runs)} |")
    print(f"| search p50 | {p(0.50):.2f} ms |")
    print(f"| search p95 | {p(0.95):.2f} ms |")
    print(f"| search mean | {statistics.mean(runs):.2f} ms |")
    print(f"| build records' texts index | {t3 - t2:.2f} s |")
    r50, r95 = ranks[len(ranks) // 2], ranks[int(0.95 * len(ranks))]
    print(f"| texts ranking p50 / p95 ({len(ranks)} questions) | {r50:.2f} / {r95:.2f} ms |")
    print(f"| CPUs | {os.cpu_count()} |")


if __name__ == "__main__":
    main()
