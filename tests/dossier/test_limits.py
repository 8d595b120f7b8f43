"""Enumeration limits (bot/dossier/limits.py): the rules, both stores, and the actions that apply them."""

from __future__ import annotations

from actions.dossier import ActionCheckDossierStatus
from bot.dossier.client import DossierClient
from bot.dossier.limits import (
    Counts,
    LimitPolicy,
    LookupLimiter,
    RedisLimitStore,
    SQLiteLimitStore,
    client_key,
    decide,
)
from tests import servers
from tests.dossier.test_actions import make_tracker, payloads, responses, run

POLICY = LimitPolicy(
    client_limit=10, window=600, free_misses=3, miss_delay=30, global_limit=50, global_window=60, global_miss_limit=20
)


def counts(lookups=(), misses=(), global_lookups=0, global_misses=0) -> Counts:
    return Counts(list(lookups), list(misses), global_lookups, global_misses)


def test_rules():
    assert decide(counts(), POLICY, 1000).allowed
    full = decide(counts(lookups=[500 + i for i in range(10)]), POLICY, 1000)
    assert (full.allowed, full.reason, full.wait_seconds) == (False, "client", 100)
    # Three unknown codes are free; the fourth waits 30 s after the last, the fifth 60 s ...
    assert decide(counts(misses=[990, 995, 999]), POLICY, 1000).reason == "not_found"
    assert decide(counts(misses=[990, 995, 999]), POLICY, 1030).allowed
    assert not decide(counts(misses=[900, 950, 990, 999]), POLICY, 1030).allowed
    assert decide(counts(misses=[900, 950, 990, 999]), POLICY, 1060).allowed
    assert decide(counts(misses=[999]), POLICY, 1000).allowed
    busy = decide(counts(global_lookups=50), POLICY, 1000)
    assert (busy.allowed, busy.reason) == (False, "global")
    # Many unknown codes over all clients: those with an unknown code wait, the others go on.
    assert decide(counts(misses=[100], global_misses=20), POLICY, 1000).reason == "not_found"
    assert decide(counts(global_misses=20), POLICY, 1000).allowed


def test_client_keys():
    assert client_key("web:abcdefgh", {"client_ip": "203.0.113.7"}) == "ip:203.0.113.7"
    assert client_key("web:other123", {"client_ip": "203.0.113.7"}) == "ip:203.0.113.7"
    assert client_key("web:abcdefgh", {"client_ip": "2001:db8:1:2:3:4:5:6"}) == "ip:2001:db8:1:2::/64"
    assert client_key("web:abcdefgh", {"client_ip": "::ffff:203.0.113.7"}) == "ip:203.0.113.7"
    assert client_key("web:abcdefgh", {}) == "web:unknown"
    assert client_key("web:abcdefgh", {"client_ip": "not an address"}) == "web:unknown"
    assert client_key("telegram:42", {"client_ip": "203.0.113.7"}) == "sender:telegram:42"


def _exercise(store) -> None:
    limiter = LookupLimiter(store, POLICY, clock=lambda: now)
    now = 1000.0
    for _ in range(3):
        assert limiter.acquire("ip:a").allowed
        limiter.record_miss("ip:a")
    refused = limiter.acquire("ip:a")
    assert (refused.allowed, refused.reason, refused.minutes) == (False, "not_found", 1)
    assert limiter.acquire("ip:b").allowed  # another client is not affected
    now = 1031.0
    assert limiter.acquire("ip:a").allowed
    for _ in range(6):
        assert limiter.acquire("ip:b").allowed
    assert limiter.acquire("ip:b").allowed is True  # b's 8th
    assert limiter.acquire("ip:b").allowed is True  # 9th
    assert limiter.acquire("ip:b").allowed is True  # 10th
    assert limiter.acquire("ip:b").reason == "client"
    now = 1000.0 + 601 + 60
    assert limiter.acquire("ip:b").allowed  # the window slid


def test_sqlite_store(tmp_path):
    _exercise(SQLiteLimitStore(tmp_path / "limits.sqlite"))


def test_redis_store(tmp_path):
    with servers.redis(tmp_path / "redis") as url:
        _exercise(RedisLimitStore(url, prefix="test"))


async def test_invented_sender_ids_from_one_browser_reach_the_api_at_most_ten_times(
    fault_server, fast_settings, tmp_path
):
    api = fault_server("not_found")
    settings = fast_settings(api.url)
    limiter = LookupLimiter(SQLiteLimitStore(tmp_path / "limits.sqlite"), LimitPolicy())
    action = ActionCheckDossierStatus(settings=settings, client=DossierClient(settings), limiter=limiter)
    answers = []
    for i in range(30):
        code = f"000.00.12.H29-261101-{i + 1:04d}"
        tracker = make_tracker(code, [code], sender=f"web:invented{i:04d}", metadata={"client_ip": "198.51.100.9"})
        answers.append(responses((await run(action, tracker))[0]))
    assert api.hits <= 10
    assert api.hits == 3  # three unknown codes, then slowed down
    assert answers[0][0] == "utter_dossier_not_found"
    assert answers[-1] == ["utter_dossier_lookup_slowed"]
    # Another browser is not slowed down; a hotline operator is never limited.
    other = make_tracker(
        "000.00.12.H29-261102-0002",
        ["000.00.12.H29-261102-0002"],
        sender="web:otherbrowser",
        metadata={"client_ip": "198.51.100.10"},
    )
    assert responses((await run(action, other))[0]) == ["utter_dossier_not_found", "utter_dossier_offer_help"]
    operator_settings = fast_settings(api.url, operator_token="op")
    operator = ActionCheckDossierStatus(
        settings=operator_settings, client=DossierClient(operator_settings), limiter=limiter
    )
    hits = api.hits
    for i in range(5):
        code = f"000.00.12.H29-261101-{i + 40:04d}"
        tracker = make_tracker(
            code, [code], sender=f"web:operator{i:04d}", metadata={"client_ip": "198.51.100.9", "operator_token": "op"}
        )
        await run(operator, tracker)
    assert api.hits == hits + 5


async def test_limits_store_down_gives_a_polite_answer(service_url, fast_settings, tmp_path):
    from bot.stack.processes import free_port

    settings = fast_settings(service_url)
    limiter = LookupLimiter(RedisLimitStore(f"redis://127.0.0.1:{free_port()}/0"), LimitPolicy())
    action = ActionCheckDossierStatus(settings=settings, client=DossierClient(settings), limiter=limiter)
    tracker = make_tracker("000.00.12.H29-261102-0002", ["000.00.12.H29-261102-0002"])
    dispatcher, events = await run(action, tracker)
    assert responses(dispatcher) == ["utter_dossier_service_unavailable"] and payloads(dispatcher) == []
