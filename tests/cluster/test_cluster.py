"""Faults on the scaled-out stack: a Rasa node killed under load, PostgreSQL and Redis restarted, the action
servers down, a node started while another serves. Counted from the tracker store, not from the client."""

from __future__ import annotations

import signal
import threading
import time

import pytest
import requests

pytestmark = pytest.mark.rasa

QUESTIONS = [
    "xin chào",
    "thủ tục đăng ký khai sinh",
    "cần giấy tờ gì",
    "lệ phí bao nhiêu",
    "mất bao lâu",
    "nộp ở đâu",
    "cảm ơn",
    "đăng ký kết hôn cần gì",
]


def _answered_until(cluster, sender: str, text: str, deadline: float) -> list[dict]:
    """Send until the stack answers (it may take a moment to recover): a bounded wait, not a speed test."""
    last = None
    while time.monotonic() < deadline:
        try:
            response = cluster.say(sender, text, timeout=30)
            if response.status_code == 200 and response.json():
                return response.json()
            last = f"HTTP {response.status_code}: {response.text[:200]}"
        except requests.RequestException as exc:
            last = repr(exc)
        time.sleep(1)
    raise AssertionError(f"no answer to {text!r}: {last}")


def test_one_rasa_node_killed_during_load_loses_only_in_flight_turns(cluster):
    conversations, turns = 8, 8
    senders = [cluster.new_sender() for _ in range(conversations)]
    results: dict[str, list[tuple[str, str]]] = {s: [] for s in senders}  # (text, "ok" | "failed")
    done = threading.Semaphore(0)
    killed_at: list[float] = []

    def converse(sender: str) -> None:
        for turn in range(turns):
            text = f"{QUESTIONS[turn % len(QUESTIONS)]} (lượt {turn + 1})"
            try:
                response = cluster.say(sender, text)
                ok = response.status_code == 200 and bool(response.json())
            except requests.RequestException:
                ok = False
            results[sender].append((text, "ok" if ok else "failed"))
            done.release()

    threads = [threading.Thread(target=converse, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for _ in range(conversations * 2):  # everyone is talking: two turns each on average
        done.acquire(timeout=120)
    cluster.stack.kill("rasa-1", signal.SIGKILL)
    killed_at.append(time.monotonic())
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads)

    failed = [(s, text) for s in senders for text, state in results[s] if state == "failed"]
    assert len(failed) <= conversations, failed  # at most the turn each conversation had in flight
    for sender in senders:
        stored = cluster.user_texts(sender)
        sent = [text for text, _ in results[sender]]
        answered = [text for text, state in results[sender] if state == "ok"]
        assert len(stored) == len(set(stored)), stored  # no turn handled twice
        assert [t for t in stored if t in sent] == stored  # nothing unknown, order kept
        assert [t for t in sent if t in stored] == stored
        assert set(answered) <= set(stored)  # every answered turn is in the tracker store
        assert results[sender][-1][1] == "ok"  # the conversation went on after the kill
    print(f"\ncluster load: {conversations * turns} turns, {len(failed)} in flight when the node died")


def test_a_node_started_while_another_serves_shares_the_conversation(cluster):
    if not [s for s in cluster.stack.dead() if s.name == "rasa-1"]:
        cluster.stack.kill("rasa-1", signal.SIGKILL)
    sender = cluster.new_sender()
    first = cluster.say(sender, "thủ tục đăng ký khai sinh cần giấy tờ gì").json()  # served by rasa-2
    code = next(m["custom"]["procedure_code"] for m in first if m.get("custom", {}).get("type") == "procedure_answer")
    cluster.stack.restart("rasa-1")
    follow_up = cluster.say(sender, "còn lệ phí thì sao", url=cluster.node_url("rasa-1")).json()
    payload = next(m["custom"] for m in follow_up if m.get("custom", {}).get("type") == "procedure_answer")
    assert payload == {"type": "procedure_answer", "procedure_code": code, "topic": "fee"}
    assert cluster.user_texts(sender) == ["thủ tục đăng ký khai sinh cần giấy tờ gì", "còn lệ phí thì sao"]


@pytest.mark.parametrize("service, stop_signal", [("postgresql", signal.SIGINT), ("redis", signal.SIGTERM)])
def test_the_stack_recovers_after_a_restart_of(cluster, service, stop_signal):
    sender = cluster.new_sender()
    assert cluster.say(sender, "xin chào").json()
    cluster.stack.kill(service, stop_signal)
    cluster.stack.restart(service)
    _answered_until(cluster, sender, "thủ tục đăng ký kết hôn", time.monotonic() + 90)
    for text in ("cần giấy tờ gì", "lệ phí bao nhiêu", "cảm ơn"):
        response = cluster.say(sender, text)
        assert response.status_code == 200 and response.json(), response.text
    stored = cluster.user_texts(sender)
    assert stored[-3:] == ["cần giấy tờ gì", "lệ phí bao nhiêu", "cảm ơn"]
    assert len(stored) == len(set(stored))


def test_action_servers_down_gives_a_polite_answer(cluster):
    sender = cluster.new_sender()
    for name in ("action-server-1", "action-server-2"):
        cluster.stack.kill(name, signal.SIGKILL)
    try:
        answer = cluster.say(sender, "tra cứu hồ sơ 000.00.12.H29-261102-0002").json()
        texts = " ".join(m.get("text", "") for m in answer)
        assert "sự cố tạm thời" in texts and "1800 1096" in texts, answer
    finally:
        for name in ("action-server-1", "action-server-2"):
            cluster.stack.restart(name)
    answer = cluster.say(sender, "tra cứu hồ sơ 000.00.12.H29-261102-0002").json()
    assert any(m.get("custom", {}).get("type") == "dossier_status" for m in answer), answer


def test_subscriptions_live_in_postgresql_and_lookup_limits_in_redis(cluster):
    import psycopg2
    import redis

    sender = cluster.new_sender()
    code = "000.00.12.H29-261102-0002"
    assert cluster.say(sender, f"tra cứu hồ sơ {code}").json()
    answer = cluster.say(sender, "báo cho tôi khi có kết quả").json()
    assert answer, answer
    with psycopg2.connect(cluster.cfg.database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT code FROM dossier_subscriptions WHERE sender_id = %s", (sender,))
        assert cursor.fetchall() == [(code,)]
    keys = redis.Redis.from_url(cluster.cfg.redis_url).keys(f"tro_ly_dvc:lookup:lookup:sender:{sender}")
    assert keys  # the lookup was counted where every action server sees it
