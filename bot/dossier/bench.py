"""Benchmark: latency of one dossier lookup through the client (DossierClient -> HTTP -> parsed Dossier).

The whole chat turn (NLU, action, formatting) is measured by bot/tools/bench.py over REST.

Run:  python -m bot.dossier.bench [--url http://127.0.0.1:8081] [-n 200]
Without --url it starts the reference service on a free port with a temporary SQLite file.
Prints JSON {"n", "p50_ms", "p95_ms", "max_ms"}. Library use: lookup_latency(base_url=None, n=200) -> dict.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import tempfile
import time
from pathlib import Path

from bot.dossier.client import DossierClient
from bot.dossier.settings import DossierSettings
from bot.dossier.testing import running_service

CODES = [
    "000.00.12.H29-261102-0002",
    "000.00.12.H29-261102-0003",
    "000.00.12.H29-261102-0008",
    "000.00.12.H29-261102-0004",
]


def _measure(client: DossierClient, n: int) -> list[float]:
    times = []
    for i in range(n):
        started = time.perf_counter()
        client.get_dossier(CODES[i % len(CODES)])
        times.append((time.perf_counter() - started) * 1000)
    return times


def lookup_latency(base_url: str | None = None, n: int = 200, token: str | None = None) -> dict:
    with contextlib.ExitStack() as stack:
        if base_url is None:
            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            base_url = stack.enter_context(running_service(Path(tmp) / "bench.sqlite"))
        settings = DossierSettings(api_url=base_url, api_token=token)
        times = _measure(DossierClient(settings), n)
    ordered = sorted(times)
    return {
        "n": n,
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(n - 1, int(0.95 * n))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.dossier.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="dossier API base URL (default: start a reference service)")
    parser.add_argument("--token", help="bearer token for --url")
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(lookup_latency(args.url, args.n, args.token)))


if __name__ == "__main__":
    main()
