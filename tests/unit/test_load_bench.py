"""The load benchmark's own logic (the benchmark itself is a script: `make bench-load`)."""
import pytest

from bot.tools import load_bench


def test_only_loopback_is_loaded():
    with pytest.raises(SystemExit):
        load_bench.main(["--url", "http://192.0.2.1:5005", "--out", "/dev/null"])


def test_windows_of_thirty_turns():
    latencies = [float(i) for i in range(150)]
    spans = load_bench.windows(latencies)
    assert [span for span, _ in spans] == ["1–30", "31–60", "61–90", "91–120", "121–150"]
    assert spans[0][1] == 14.5 and spans[4][1] == 134.5


def test_a_conversation_renews_its_sender_and_follows_the_cycle():
    conversation = load_bench.Conversation("t", turns=3)
    first = conversation.sender
    texts = [conversation.next_text() for _ in range(3)]
    assert texts == load_bench.CYCLE[:3] and conversation.sender == first
    conversation.next_text()
    assert conversation.sender != first


def test_the_long_conversation_makes_no_limited_lookups():
    assert not any(text.startswith("tra cứu") for text in load_bench.LONG_CYCLE)
    assert len(load_bench.LONG_CYCLE) == len(load_bench.CYCLE)
