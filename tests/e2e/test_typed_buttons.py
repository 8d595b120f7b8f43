"""Typing a button's title does what pressing it does, wherever buttons are shown (issue 14): the follow-up topics
after an answer, the procedure choices, the guided filing's buttons; and the guide can be started, left for another
question, resumed and stopped from any state. Real Rasa + action server over REST."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.rasa


def custom(messages: list[dict]) -> list[dict]:
    return [m["custom"] for m in messages if "custom" in m]


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons") or []]


def test_follow_up_titles_typed(rasa_server):
    sender = rasa_server.new_sender()
    first = rasa_server.rest(sender, "đăng ký tạm trú nộp ở đâu")
    assert custom(first) == [{"type": "procedure_answer", "procedure_code": "1.004194", "topic": "agency"}]
    shown = [b for b in buttons(first) if b["payload"].startswith("/ask_")]
    assert len(shown) >= 4
    for button in shown:
        topic = button["payload"][len("/ask_") :]
        reply = rasa_server.rest(sender, button["title"])
        assert custom(reply) == [{"type": "procedure_answer", "procedure_code": "1.004194", "topic": topic}], button


def test_guide_title_typed_starts_the_guide_for_the_procedure_in_hand(rasa_server):
    sender = rasa_server.new_sender()
    first = rasa_server.rest(sender, "đăng ký khai sinh cần giấy tờ gì")
    [guide] = [b for b in buttons(first) if b["payload"] == "/start_online_guide"]
    reply = rasa_server.rest(sender, guide["title"])
    assert {"type": "online_guide", "procedure_code": "1.001193", "step": "intro"} in custom(reply)


def test_choice_titles_typed(rasa_server):
    sender = rasa_server.new_sender()
    first = rasa_server.rest(sender, "điều chỉnh giấy phép hết bao nhiêu tiền")
    [choices] = custom(first)
    assert choices["type"] == "procedure_choices"
    titles = {
        json.loads(re.sub(r"^/choose_procedure", "", b["payload"]))["procedure_code"]: b["title"]
        for b in buttons(first)
    }
    code = choices["procedure_codes"][-1]
    reply = rasa_server.rest(sender, titles[code])
    assert custom(reply) == [{"type": "procedure_answer", "procedure_code": code, "topic": "fee"}]


def test_guide_buttons_typed_and_the_guide_left_resumed_and_stopped(rasa_server):
    sender = rasa_server.new_sender()
    steps = lambda messages: [p["step"] for p in custom(messages) if p.get("type") == "online_guide"]  # noqa: E731
    assert steps(rasa_server.rest(sender, "hướng dẫn nộp trực tuyến đăng ký khai sinh")) == ["intro"]
    assert steps(rasa_server.rest(sender, "Tiếp")) == ["vneid"]
    assert steps(rasa_server.rest(sender, "Tiếp")) == ["login"]
    assert steps(rasa_server.rest(sender, "Quay lại")) == ["vneid"]
    # Another question in the middle of the guide is answered; the guide waits.
    aside = rasa_server.rest(sender, "cấp đổi thẻ căn cước cần giấy tờ gì")
    answers = [p for p in custom(aside) if p.get("type") == "procedure_answer"]
    assert answers and answers[0]["topic"] == "documents" and answers[0]["procedure_code"] != "1.001193"
    assert steps(rasa_server.rest(sender, "Tiếp tục hướng dẫn")) == ["vneid"]
    checklist = rasa_server.rest(sender, "Danh sách cần chuẩn bị")
    assert "DANH SÁCH CẦN CHUẨN BỊ" in "\n".join(m.get("text") or "" for m in checklist)
    rasa_server.rest(sender, "Dừng")
    assert rasa_server.tracker(sender)["slots"]["guide_active"] is False
    # Started again from the stopped state, for another procedure.
    again = rasa_server.rest(sender, "hướng dẫn nộp online đăng ký kết hôn")
    assert [p["procedure_code"] for p in custom(again) if p.get("type") == "online_guide"] == ["1.000894"]
