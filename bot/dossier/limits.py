"""Dossier lookup limits against enumeration (codes are sequential per agency and day, so guessing is cheap).

Three rules, checked before a lookup reaches the dossier API (`LookupLimiter.acquire`), shared by every action
server process through the store:
- per client: at most `client_limit` lookups per `window` seconds. A client is who can be told apart reliably:
  the browser's address for the web page (its relay passes it as message metadata `client_ip`; the page picks
  its own sender ids), the platform-verified user id for Telegram and Zalo, the sender id for other callers of
  the (internal) REST channel;
- repeated not-found codes slow down: after `free_misses` unknown codes in the window, each further lookup of that
  client must wait `miss_delay * 2**(extra misses)` seconds (capped at the window) after its last unknown code;
- globally: at most `global_limit` lookups per `global_window` seconds over all clients, and once
  `global_miss_limit` unknown codes were looked up in `window` (a distributed enumeration), clients that already
  had an unknown code wait until the window passes; clients without one are not affected.
Hotline operators are exempt (the actions do not ask). State: SQLite file (DOSSIER_LIMITS_DB, default
var/lookup_limits.sqlite) or Redis when REDIS_URL is set (several action servers on several hosts).
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Protocol

GLOBAL = "*"
CLIENT_METADATA = "client_ip"  # set by the web page's relay (bot/web/server.py)


@dataclass(frozen=True)
class LimitPolicy:
    client_limit: int = 10  # lookups per client ...
    window: float = 600.0  # ... per this many seconds (also the memory of unknown codes)
    free_misses: int = 3  # unknown codes per client and window before slowing down
    miss_delay: float = 30.0  # seconds, doubled after each further unknown code
    global_limit: int = 300  # lookups over all clients ...
    global_window: float = 60.0  # ... per this many seconds
    global_miss_limit: int = 200  # unknown codes over all clients per window before suspects wait

    @classmethod
    def from_env(cls) -> "LimitPolicy":
        def number(name: str, default: float) -> float:
            return float(os.environ.get(name) or default)

        return cls(
            client_limit=int(number("DOSSIER_CLIENT_LIMIT", cls.client_limit)),
            window=number("DOSSIER_CLIENT_WINDOW", cls.window),
            free_misses=int(number("DOSSIER_FREE_MISSES", cls.free_misses)),
            miss_delay=number("DOSSIER_MISS_DELAY", cls.miss_delay),
            global_limit=int(number("DOSSIER_GLOBAL_LIMIT", cls.global_limit)),
            global_window=number("DOSSIER_GLOBAL_WINDOW", cls.global_window),
            global_miss_limit=int(number("DOSSIER_GLOBAL_MISS_LIMIT", cls.global_miss_limit)),
        )


@dataclass(frozen=True)
class Counts:
    client_lookups: list[float]  # times within policy.window
    client_misses: list[float]  # times within policy.window
    global_lookups: int  # within policy.global_window
    global_misses: int  # within policy.window


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""  # "client", "not_found" or "global" when refused
    wait_seconds: float = 0.0

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.wait_seconds / 60))


def decide(counts: Counts, policy: LimitPolicy, now: float) -> Verdict:
    """Pure: may this client look up one more code now?"""
    if counts.global_lookups >= policy.global_limit:
        return Verdict(False, "global", policy.global_window)
    if len(counts.client_lookups) >= policy.client_limit:
        return Verdict(False, "client", min(counts.client_lookups) + policy.window - now)
    misses = sorted(counts.client_misses)
    if misses and counts.global_misses >= policy.global_miss_limit:
        return Verdict(False, "not_found", misses[-1] + policy.window - now)
    extra = len(misses) - policy.free_misses
    if extra >= 0:
        gap = min(policy.miss_delay * 2**extra, policy.window)
        if now - misses[-1] < gap:
            return Verdict(False, "not_found", misses[-1] + gap - now)
    return Verdict(True)


def client_key(sender_id: str, metadata: Optional[dict]) -> str:
    """Who is asking, as far as it can be told: see the module docstring."""
    if sender_id.startswith("web:"):
        raw = (metadata or {}).get(CLIENT_METADATA) if isinstance(metadata, dict) else None
        try:
            address = ipaddress.ip_address(str(raw))
        except ValueError:
            return "web:unknown"  # not through the relay: one shared bucket
        if address.version == 6:
            if address.ipv4_mapped:
                return f"ip:{address.ipv4_mapped}"
            return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"  # one household or host
        return f"ip:{address}"
    return f"sender:{sender_id}"


class LimitStore(Protocol):
    def acquire(self, client: str, policy: LimitPolicy, now: float) -> Verdict: ...

    def record_miss(self, client: str, now: float) -> None: ...


class SQLiteLimitStore:
    """One file shared by the action server processes of one host; a write transaction makes check+record atomic."""

    _SCHEMA = (
        "CREATE TABLE IF NOT EXISTS lookup_events (key TEXT NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL)",
        "CREATE INDEX IF NOT EXISTS lookup_events_key ON lookup_events (key, kind, at)",
    )

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            for statement in self._SCHEMA:
                conn.execute(statement)
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def acquire(self, client: str, policy: LimitPolicy, now: float) -> Verdict:
        horizon = max(policy.window, policy.global_window)
        with self._transaction() as conn:
            conn.execute("DELETE FROM lookup_events WHERE at < ?", (now - horizon,))

            def times(key: str, kind: str, since: float) -> list[float]:
                rows = conn.execute(
                    "SELECT at FROM lookup_events WHERE key = ? AND kind = ? AND at >= ?", (key, kind, since)
                )
                return [row[0] for row in rows]

            counts = Counts(
                client_lookups=times(client, "lookup", now - policy.window),
                client_misses=times(client, "miss", now - policy.window),
                global_lookups=len(times(GLOBAL, "lookup", now - policy.global_window)),
                global_misses=len(times(GLOBAL, "miss", now - policy.window)),
            )
            verdict = decide(counts, policy, now)
            if verdict.allowed:
                conn.executemany("INSERT INTO lookup_events VALUES (?, 'lookup', ?)", [(client, now), (GLOBAL, now)])
            return verdict

    def record_miss(self, client: str, now: float) -> None:
        with self._transaction() as conn:
            conn.executemany("INSERT INTO lookup_events VALUES (?, 'miss', ?)", [(client, now), (GLOBAL, now)])


class RedisLimitStore:
    """Sorted sets of event times per key; WATCH/MULTI makes check+record atomic across hosts."""

    def __init__(self, url: str, prefix: str = "tro_ly_dvc:lookup") -> None:
        import redis  # only when configured

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    def _key(self, key: str, kind: str) -> str:
        return f"{self.prefix}:{kind}:{key}"

    def acquire(self, client: str, policy: LimitPolicy, now: float) -> Verdict:
        import redis

        keys = {(k, kind): self._key(k, kind) for k in (client, GLOBAL) for kind in ("lookup", "miss")}
        horizon = max(policy.window, policy.global_window)
        with self.redis.pipeline() as pipe:
            for _ in range(20):
                try:
                    pipe.watch(*keys.values())  # reads below run at once; writes wait for MULTI

                    def times(key: str, kind: str, since: float) -> list[float]:
                        return [
                            score for _, score in pipe.zrangebyscore(keys[key, kind], since, "+inf", withscores=True)
                        ]

                    counts = Counts(
                        client_lookups=times(client, "lookup", now - policy.window),
                        client_misses=times(client, "miss", now - policy.window),
                        global_lookups=pipe.zcount(keys[GLOBAL, "lookup"], now - policy.global_window, "+inf"),
                        global_misses=pipe.zcount(keys[GLOBAL, "miss"], now - policy.window, "+inf"),
                    )
                    verdict = decide(counts, policy, now)
                    pipe.multi()
                    for name in keys.values():
                        pipe.zremrangebyscore(name, "-inf", now - horizon)
                    if verdict.allowed:
                        member = uuid.uuid4().hex
                        for key in (client, GLOBAL):
                            pipe.zadd(keys[key, "lookup"], {member: now})
                            pipe.expire(keys[key, "lookup"], int(horizon) + 1)
                    pipe.execute()
                    return verdict
                except redis.WatchError:
                    continue
        return Verdict(False, "global", 5.0)  # heavy contention: refuse rather than let enumeration through

    def record_miss(self, client: str, now: float) -> None:
        member = uuid.uuid4().hex
        with self.redis.pipeline(transaction=True) as pipe:
            for key in (client, GLOBAL):
                pipe.zadd(self._key(key, "miss"), {member: now})
                pipe.expire(self._key(key, "miss"), 86400)
            pipe.execute()


class LookupLimiter:
    def __init__(self, store: LimitStore, policy: LimitPolicy, clock=time.time) -> None:
        self.store, self.policy, self.clock = store, policy, clock

    def acquire(self, client: str) -> Verdict:
        return self.store.acquire(client, self.policy, self.clock())

    def record_miss(self, client: str) -> None:
        self.store.record_miss(client, self.clock())


def store_from_env(sqlite_path: Path) -> LimitStore:
    if os.environ.get("REDIS_URL"):
        return RedisLimitStore(os.environ["REDIS_URL"])
    return SQLiteLimitStore(sqlite_path)
