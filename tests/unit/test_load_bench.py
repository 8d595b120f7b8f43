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


async def test_early_and_late_turns_are_interleaved_with_the_same_messages():
    sent = []

    class Recorder:
        async def turn(self, sender, text):
            sent.append((sender, text))
            return 1.0, True

    early, late = await load_bench.late_and_early(Recorder(), 60)
    assert len(early) == len(late) == 30
    senders = [sender for sender, _ in sent]
    assert len(set(senders[:30])) == 1 and senders[30] != senders[31] and senders[31] == senders[0]
    assert [text for _, text in sent[30::2]] == [text for _, text in sent[31::2]]  # same message, turn for turn
