"""Load benchmark: `make bench-load` (or `python -m bot.tools.load_bench --help`). A measure, not a test.

Plays whole conversations over the REST channel and writes results/load.md:
- closed loop: N conversations (1, 20, 50), each sending its next message as soon as the answer came back;
- open loop: turns arrive at a fixed mean rate (10, 20, 40 turns/s, Poisson arrivals), whether or not earlier
  ones were answered; latency is counted from the planned arrival, so queueing shows;
- one long conversation of 150 turns, played three times: p50 per 30-turn window (is the cost of a turn flat in
  the conversation's length?), and turns 1–30 of a fresh conversation interleaved with turns 121–150 of a long one,
  so that both see the same load from the rest of the machine;
- CPU time per turn and memory (resident, peak) of each server process.

Without `--url` it starts its own stack (as `make run` does, on free ports, state in a temporary folder) with the
latest model. With `--url` it loads a stack that is already running (one Rasa node or the nginx in front of a
cluster); pass `--pid NAME=PID` for each process whose CPU and memory should be reported. Every loop stops by
itself (fixed duration or turn count, 30 s per request at most) and only 127.0.0.1 is ever called.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

import aiohttp

from bot.settings import REPO_ROOT
from bot.tools.bench import percentile, write_report

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
REQUEST_TIMEOUT = 30.0
# Ten turns of a citizen or an advisory team: greeting, a procedure and its follow-ups, another procedure, the
# guided filing, a dossier lookup, thanks. A conversation plays it three times (30 turns), then a new one starts.
CYCLE = [
    "xin chào",
    "làm giấy khai sinh cần giấy tờ gì",
    "còn lệ phí thì sao",
    "mất bao lâu",
    "dang ky tam tru o dau",
    "hướng dẫn nộp hồ sơ trực tuyến đăng ký kết hôn",
    "Tiếp",
    "Dừng",
    "tra cứu hồ sơ 000.00.12.H29-261102-0002",
    "cảm ơn",
]
# The long conversation asks about another procedure instead of the lookup: lookups are limited per
# conversation, and a limited answer is cheaper, which would flatter the late turns.
LONG_CYCLE = [text if not text.startswith("tra cứu") else "cap doi can cuoc mat bao lau" for text in CYCLE]
CONVERSATION_TURNS = 30


@dataclass
class Result:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu_ms: dict[str, float] = field(default_factory=dict)  # process name -> CPU ms over the measured period

    @property
    def turns(self) -> int:
        return len(self.latencies_ms)

    def rate(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0


class Client:
    """Sends REST turns to one base URL; a turn is good when it is answered 200 with at least one message."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession):
        self.url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self.session = session

    async def turn(self, sender: str, text: str) -> tuple[float, bool]:
        started = time.perf_counter()
        try:
            async with self.session.post(self.url, json={"sender": sender, "message": text}) as response:
                body = await response.json(content_type=None) if response.status == 200 else None
                ok = bool(body)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            ok = False
        return (time.perf_counter() - started) * 1000, ok


class Conversation:
    """One sender playing the cycle; renews its sender id after CONVERSATION_TURNS turns."""

    def __init__(self, tag: str, cycle: list[str] = CYCLE, turns: Optional[int] = CONVERSATION_TURNS):
        self.tag, self.cycle, self.turns = tag, cycle, turns
        self.count = 0
        self.sender = self._new_sender()
        self.lock = asyncio.Lock()  # one turn at a time, as a person types

    def _new_sender(self) -> str:
        return f"load:{self.tag}:{uuid.uuid4().hex[:10]}"

    def next_text(self) -> str:
        if self.turns and self.count and self.count % self.turns == 0:
            self.sender = self._new_sender()
        text = self.cycle[self.count % len(self.cycle)]
        self.count += 1
        return text


class Processes:
    """CPU time and memory of the server processes (each with its children) from /proc."""

    def __init__(self, pids: dict[str, int]):
        self.pids = pids

    def names(self) -> list[str]:
        return [*self.pids, "load client"]

    @staticmethod
    def _tree(pid: int) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [pid]
        while todo:
            current = todo.pop()
            found.append(current)
            todo += children.get(current, [])
        return found

    def cpu_seconds(self) -> dict[str, float]:
        tick = os.sysconf("SC_CLK_TCK")
        out = {}
        for name, pid in self.pids.items():
            total = 0.0
            for member in self._tree(pid):
                try:
                    fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
                    total += (int(fields[11]) + int(fields[12])) / tick
                except (OSError, IndexError, ValueError):
                    pass
            out[name] = total
        out["load client"] = time.process_time()
        return out

    def memory_mb(self) -> dict[str, tuple[float, float]]:
        """name -> (resident MB now, peak resident MB), summed over the process and its children."""
        out = {}
        for name, pid in self.pids.items():
            rss = hwm = 0.0
            for member in self._tree(pid):
                try:
                    for line in Path(f"/proc/{member}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            rss += int(line.split()[1]) / 1024
                        elif line.startswith("VmHWM:"):
                            hwm += int(line.split()[1]) / 1024
                except OSError:
                    pass
            out[name] = (rss, hwm)
        return out


async def closed_loop(client: Client, conversations: int, duration: float, warmup: float) -> Result:
    result = Result(f"closed loop, {conversations} conversation{'s' if conversations > 1 else ''}")
    begin = time.perf_counter()
    measure_from, stop_at = begin + warmup, begin + warmup + duration

    async def worker(index: int) -> None:
        conversation = Conversation(f"c{conversations}-{index}")
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            latency, ok = await client.turn(conversation.sender, conversation.next_text())
            if started >= measure_from and time.perf_counter() <= stop_at:
                if ok:
                    result.latencies_ms.append(latency)
                else:
                    result.errors += 1

    await asyncio.gather(*(worker(i) for i in range(conversations)))
    result.seconds = duration
    return result


async def open_loop(client: Client, rate: float, duration: float, warmup: float, seed: int = 11) -> Result:
    result = Result(f"open loop, {rate:g} turns/s")
    rng = random.Random(seed)
    pool = [Conversation(f"o{rate:g}-{i}") for i in range(max(10, int(rate * 3)))]
    begin = time.perf_counter()

    async def one(planned: float, conversation: Conversation, counted: bool) -> None:
        async with conversation.lock:
            _, ok = await client.turn(conversation.sender, conversation.next_text())
        latency = (time.perf_counter() - planned) * 1000  # from the planned arrival: includes waiting
        if counted:
            if ok:
                result.latencies_ms.append(latency)
            else:
                result.errors += 1

    tasks, offset, index = [], 0.0, 0
    while True:
        offset += rng.expovariate(rate)
        if offset >= warmup + duration:
            break
        planned = begin + offset
        delay = planned - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        conversation = pool[index % len(pool)]
        index += 1
        tasks.append(asyncio.create_task(one(planned, conversation, offset >= warmup)))
    await asyncio.gather(*tasks)
    result.seconds = duration
    return result


async def long_conversation(client: Client, turns: int) -> Result:
    result = Result(f"one long conversation, {turns} turns")
    conversation = Conversation("long", LONG_CYCLE, turns=None)
    begin = time.perf_counter()
    for _ in range(turns):
        latency, ok = await client.turn(conversation.sender, conversation.next_text())
        result.latencies_ms.append(latency)
        result.errors += 0 if ok else 1
    result.seconds = time.perf_counter() - begin
    return result


async def late_and_early(client: Client, turns: int, size: int = 30) -> tuple[list[float], list[float]]:
    """Turns 1–30 of a fresh conversation interleaved with the last 30 of a long one (same script, same messages
    turn for turn), so both see the same load from whatever else runs on the machine."""
    long_one, fresh = Conversation("late", LONG_CYCLE, turns=None), Conversation("early", LONG_CYCLE, turns=None)
    for _ in range(turns - size):
        await client.turn(long_one.sender, long_one.next_text())
    early, late = [], []
    for _ in range(size):
        early.append((await client.turn(fresh.sender, fresh.next_text()))[0])
        late.append((await client.turn(long_one.sender, long_one.next_text()))[0])
    return early, late


def windows(latencies: list[float], size: int = 30) -> list[tuple[str, float]]:
    return [
        (f"{start + 1}–{min(start + size, len(latencies))}", statistics.median(latencies[start : start + size]))
        for start in range(0, len(latencies), size)
    ]


def load_row(result: Result, processes: Optional[Processes]) -> str:
    values = result.latencies_ms or [float("nan")]
    cpu = ""
    if processes and result.turns:
        cpu = " / ".join(f"{result.cpu_ms.get(name, 0) / result.turns:.1f}" for name in processes.names())
    return (
        f"| {result.name} | {result.turns} | {result.rate():.1f} | {statistics.median(values):.0f} | "
        f"{percentile(values, 0.95):.0f} | {percentile(values, 0.99):.0f} | {max(values):.0f} | {result.errors} |"
        + (f" {cpu} |" if processes else "")
    )


def report(
    results: list[Result],
    longs: list[Result],
    processes: Optional[Processes],
    base_url: str,
    paired: list[tuple[list[float], list[float]]] = (),
) -> str:
    lines = [
        f"Load benchmark against {base_url} ({os.cpu_count()} CPUs, load client on the same machine, REST channel;"
        f" load average before: {os.getloadavg()[0]:.2f}).",
        "",
    ]
    header = "| scenario | turns | turns/s | p50 ms | p95 ms | p99 ms | max ms | errors |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    if processes:
        header += f" CPU ms per turn ({' / '.join(processes.names())}) |"
        rule += "---:|"
    lines += [header, rule] + [load_row(r, processes) for r in results]
    if longs:
        spans = [windows(long.latencies_ms) for long in longs]
        lines += [
            "",
            f"One long conversation of {longs[0].turns} turns, played {len(longs)} times one after the other "
            f"({sum(long.errors for long in longs)} errors): p50 ms per window of 30 turns",
            "",
            "| run | " + " | ".join(span for span, _ in spans[0]) + " | turns 121–150 vs 1–30 |",
            "|---|" + "---:|" * (len(spans[0]) + 1),
        ]
        for number, run_spans in enumerate(spans, 1):
            change = (
                f"{100 * (run_spans[4][1] - run_spans[0][1]) / run_spans[0][1]:+.0f} %" if len(run_spans) >= 5 else ""
            )
            lines.append(f"| {number} | " + " | ".join(f"{value:.0f}" for _, value in run_spans) + f" | {change} |")
    if paired:
        lines += [
            "",
            "The same comparison with both at once: turns 1–30 of a fresh conversation interleaved with turns 121–150",
            "of a long one (p50 ms)",
            "",
            "| run | fresh, turns 1–30 | long, turns 121–150 | change |",
            "|---|---:|---:|---:|",
        ]
        for number, (early, late) in enumerate(paired, 1):
            first, last = statistics.median(early), statistics.median(late)
            lines.append(f"| {number} | {first:.1f} | {last:.1f} | {100 * (last - first) / first:+.0f} % |")
    if processes:
        lines += ["", "| process | resident MB after the run | peak resident MB |", "|---|---:|---:|"]
        lines += [f"| {name} | {rss:.0f} | {hwm:.0f} |" for name, (rss, hwm) in processes.memory_mb().items()]
    return "\n".join(lines) + "\n"


async def run(args, base_url: str, processes: Optional[Processes]) -> str:
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        client = Client(base_url, session)
        for text in CYCLE:  # warm every path once (first catalog search, first dossier call)
            await client.turn(f"load:warm:{uuid.uuid4().hex[:6]}", text)

        async def measured(coroutine) -> Result:
            before = processes.cpu_seconds() if processes else {}
            result = await coroutine
            if processes:
                after = processes.cpu_seconds()
                result.cpu_ms = {name: (after[name] - before[name]) * 1000 for name in after}
            print(load_row(result, processes), flush=True)
            return result

        longs = [
            await measured(long_conversation(client, args.long_turns))
            for _ in range(args.long_repeats)
            if args.long_turns
        ]
        paired = [
            await late_and_early(client, args.long_turns) for _ in range(args.long_repeats) if args.long_turns >= 60
        ]
        results = []
        for conversations in args.closed:
            results.append(await measured(closed_loop(client, conversations, args.duration, args.warmup)))
        for rate in args.open:
            results.append(await measured(open_loop(client, rate, args.duration, args.warmup)))
    return report(results, longs, processes, base_url, paired)


def numbers(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="base URL of a running Rasa node or nginx (default: start a stack)")
    parser.add_argument(
        "--pid",
        action="append",
        default=[],
        metavar="NAME=PID",
        help="a server process to report CPU and memory for (with --url)",
    )
    parser.add_argument("--closed", type=numbers, default=[1, 20, 50], help="conversations, e.g. 1,20,50")
    parser.add_argument("--open", type=numbers, default=[10, 20, 40], help="turns per second, e.g. 10,20,40")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per loop")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring each loop")
    parser.add_argument("--long-turns", type=int, default=150)
    parser.add_argument("--long-repeats", type=int, default=3, help="long conversations, one after the other")
    parser.add_argument("--models", default=str(REPO_ROOT / "models"))
    parser.add_argument("--out", default="results/load.md")
    args = parser.parse_args(argv)
    args.closed = [int(n) for n in args.closed]

    if args.url:
        host = urlparse(args.url).hostname
        if host not in LOOPBACK:
            parser.error(f"only 127.0.0.1 is loaded, not {host}")
        pids = dict(item.split("=", 1) for item in args.pid)
        processes = Processes({name: int(pid) for name, pid in pids.items()}) if pids else None
        text = asyncio.run(run(args, args.url, processes))
    else:
        from bot.stack import ephemeral

        with tempfile.TemporaryDirectory() as tmp:
            cfg = ephemeral.ephemeral_settings(Path(tmp) / "var", Path(args.models))
            with ephemeral.build(cfg) as stack:
                processes = Processes({s.name: p.pid for s, p, _ in stack.running})
                text = asyncio.run(run(args, cfg.rasa_url, processes))
    write_report(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
