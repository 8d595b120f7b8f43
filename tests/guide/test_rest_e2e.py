"""End-to-end: the guided online filing through the real Rasa server and action server (REST channel).

Needs a trained model (the lead's `rasa_server` fixture in tests/conftest.py starts the stack).
Run: .venv/bin/python -m pytest tests/guide -q -m rasa
"""

from __future__ import annotations

import pytest

from bot.catalog import load_catalog, render

CODE = "1.001193"
MAX_TURNS = 15


def _texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _guide_payloads(messages: list[dict]) -> list[dict]:
    return [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "online_guide"]


@pytest.mark.rasa
def test_khai_sinh_walkthrough_ends_with_a_checklist_of_the_record(rasa_server):
    sender = rasa_server.new_sender()
    first = rasa_server.rest(sender, "hướng dẫn tôi nộp hồ sơ trực tuyến đăng ký khai sinh")
    assert _guide_payloads(first) == [{"type": "online_guide", "procedure_code": CODE, "step": "intro"}]
    assert "toàn trình" in _texts(first)
    assert [b["payload"] for b in first[0]["buttons"]] == ["/guide_next", "/guide_stop"]

    seen, checklist = [], None
    for _ in range(MAX_TURNS):
        reply = rasa_server.rest(sender, "Tiếp")
        payloads = _guide_payloads(reply)
        assert payloads, reply
        seen.append(payloads[0]["step"])
        if payloads[0]["step"] == "checklist":
            checklist = _texts(reply)
            break
    assert seen == ["vneid", "login", "find", "agency", "form", "upload", "result", "submit", "checklist"]

    record = load_catalog().get(CODE)
    names = [item["name"] for group in render.groups(record) for item in group.items]
    assert len(names) >= 5
    assert "DANH SÁCH CẦN CHUẨN BỊ" in checklist
    for name in names:
        # Long names are cut at a word boundary; their beginning must be there.
        assert " ".join(name.split())[:60] in checklist, name
    assert "Miễn phí" in checklist
    assert rasa_server.tracker(sender)["slots"]["guide_active"] is False
