"""Benchmark: `make bench`. Measures what the README's results table shows, on this machine.

- full training time (rasa train --force) and model size;
- Rasa server resident memory after the model is loaded;
- NLU parse latency p50/p95 over 500 messages from the held-out split (POST /model/parse);
- end-to-end REST turn latency p50/p95 for a procedure question and a dossier lookup (NLU, action server,
  catalog or dossier service), 200 turns each, each in a fresh conversation;
- catalog search latency and index build time (bot.catalog.bench).
Targets are printed next to each number; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
import yaml

from bot.settings import REPO_ROOT
from bot.stack import ephemeral

TARGETS = {
    "training": "≤ 6 min",
    "memory": "≤ 1.5 GB",
    "parse_p95": "≤ 50 ms",
    "procedure_turn_p95": "≤ 300 ms",
    "dossier_turn_p95": "≤ 300 ms",
}
PROCEDURE_QUESTIONS = [
    "làm giấy khai sinh cần giấy tờ gì",
    "dang ky tam tru o dau",
    "lệ phí đăng ký kết hôn bao nhiêu",
    "cap doi can cuoc mat bao lau",
]
DOSSIER_QUESTIONS = ["tra cứu hồ sơ {code}", "ho so {code} den dau roi"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def held_out_messages(folder: Path) -> list[str]:
    texts = []
    for path in sorted(folder.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            texts += [line[2:].strip() for line in block.get("examples", "").splitlines() if line.startswith("- ")]
    return [t for t in texts if t]


def train(out: Path) -> tuple[float, Path]:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "--force",
            "--data",
            "nlu_data",
            "--domain",
            "domain.yml",
            "--config",
            "config.yml",
            "--out",
            str(out),
        ],
        cwd=REPO_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started, next(out.glob("*.tar.gz"))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed_posts(url: str, bodies: list[dict]) -> list[float]:
    session = requests.Session()
    times = []
    for body in bodies:
        started = time.perf_counter()
        response = session.post(url, json=body, timeout=30)
        response.raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return times


def demo_dossier_code() -> str | None:
    try:
        from bot.dossier import demo
    except ImportError:
        return None
    codes = getattr(demo, "DEMO_CODES", None)
    return next(iter(codes.values() if isinstance(codes, dict) else codes), None) if codes else None


def catalog_bench() -> str:
    result = subprocess.run([sys.executable, "-m", "bot.catalog.bench"], cwd=REPO_ROOT, capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else f"(catalog bench failed: {result.stderr[-300:]})"


def row(name: str, value: str, target: str = "") -> str:
    return f"| {name} | {value} | {target} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="results/bench.md")
    parser.add_argument("--parses", type=int, default=500)
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args(argv)

    rows = ["| measure | value | target |", "|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        seconds, model = train(tmp_path / "models")
        rows.append(row("full training (rasa train --force)", f"{seconds:.0f} s", TARGETS["training"]))
        rows.append(row("model size", f"{model.stat().st_size / 1e6:.1f} MB"))

        cfg = ephemeral.ephemeral_settings(tmp_path / "var", tmp_path / "models")
        with ephemeral.build(cfg, model=model) as stack:
            rasa_pid = next(p.pid for s, p, _ in stack.running if s.name == "rasa")
            rows.append(row("Rasa server resident memory after load", f"{rss_mb(rasa_pid):.0f} MB", TARGETS["memory"]))

            texts = held_out_messages(REPO_ROOT / "tests" / "nlu")
            bodies = [{"text": texts[i % len(texts)]} for i in range(args.parses)]
            times = timed_posts(f"{cfg.rasa_url}/model/parse?token={cfg.rasa_token}", bodies)
            rows.append(
                row(
                    f"NLU parse p50 / p95 ({len(times)} messages)",
                    f"{statistics.median(times):.1f} / {percentile(times, 0.95):.1f} ms",
                    TARGETS["parse_p95"],
                )
            )

            rest = f"{cfg.rasa_url}/webhooks/rest/webhook"
            scenarios = [("procedure question", PROCEDURE_QUESTIONS, "procedure_turn_p95")]
            code = demo_dossier_code()
            if code:
                scenarios.append(
                    ("dossier lookup", [q.format(code=code) for q in DOSSIER_QUESTIONS], "dossier_turn_p95")
                )
            for label, questions, target in scenarios:
                bodies = [
                    {"sender": f"bench:{uuid.uuid4().hex[:10]}", "message": questions[i % len(questions)]}
                    for i in range(args.turns)
                ]
                times = timed_posts(rest, bodies)
                rows.append(
                    row(
                        f"REST turn, {label}, p50 / p95 ({len(times)} turns)",
                        f"{statistics.median(times):.0f} / {percentile(times, 0.95):.0f} ms",
                        TARGETS[target],
                    )
                )

    write_report(args.out, "\n".join(rows) + "\n\nCatalog search:\n\n" + catalog_bench() + "\n")
    return 0


def write_report(out: str, report: str) -> None:
    """Write a benchmark's Markdown report (results/…) and print it."""
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    sys.exit(main())
