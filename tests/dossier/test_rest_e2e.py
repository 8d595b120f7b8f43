"""Dossier lookups over the real REST channel: the status payload matches what the dossier API holds.

By default the API is the reference service the `rasa_server` fixture starts. To check another implementation
of the contract, set E2E_DOSSIER_API_URL (and DOSSIER_API_TOKEN if it needs one) and list codes it holds in
E2E_DOSSIER_CODES (comma-separated).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import requests

from bot.dossier.demo import DEMO_CODES

pytestmark = pytest.mark.rasa
FINAL = {"COMPLETED", "RETURNED", "REJECTED", "WITHDRAWN"}
CODES = [c for c in os.environ.get("E2E_DOSSIER_CODES", "").split(",") if c] or sorted(DEMO_CODES)


def _api(rasa_server) -> str:
    return rasa_server.settings.dossier_api_url or rasa_server.settings.reference_dossier_url


def _held(rasa_server, code: str) -> dict:
    headers = {}
    if os.environ.get("DOSSIER_API_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['DOSSIER_API_TOKEN']}"
    response = requests.get(f"{_api(rasa_server)}/dossiers/{code}", headers=headers, timeout=10)
    response.raise_for_status()
    return response.json()


def _status_payloads(messages: list[dict]) -> list[dict]:
    return [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "dossier_status"]


@pytest.mark.parametrize("code", CODES)
def test_status_payload_matches_the_server(rasa_server, code):
    held = _held(rasa_server, code)
    overdue = held["status"] not in FINAL and dt.datetime.fromisoformat(held["due_at"]) < dt.datetime.now(
        dt.timezone.utc
    )
    messages = rasa_server.rest(rasa_server.new_sender(), f"tra cứu hồ sơ {code.lower()}")
    assert _status_payloads(messages) == [
        {
            "type": "dossier_status",
            "code": held["code"],
            "status": held["status"],
            "overdue": overdue,
            "agency": held["agency"],
        }
    ]
    text = "\n".join(m.get("text") or "" for m in messages)
    assert held["agency"] in text
    assert held["applicant_phone_last4"] not in text  # never shown
    if overdue:
        assert "quá hạn" in text.lower() and "xin lỗi" in text.lower()


def test_asking_without_a_code_then_giving_it(rasa_server):
    sender = rasa_server.new_sender()
    first = rasa_server.rest(sender, "hồ sơ của tôi đến đâu rồi")
    assert not _status_payloads(first) and "mã hồ sơ" in first[0]["text"].lower()
    code = CODES[0]
    held = _held(rasa_server, code)
    assert _status_payloads(rasa_server.rest(sender, f"  {code.upper()}  "))[0]["status"] == held["status"]


def test_a_wrong_code_is_explained(rasa_server):
    messages = rasa_server.rest(rasa_server.new_sender(), "tra cuu ho so 000.00.12.H29-261102-12")
    assert not _status_payloads(messages)
    assert any("4 chữ số" in (m.get("text") or "") or "mã hồ sơ" in (m.get("text") or "").lower() for m in messages)


def test_an_unknown_code_says_not_found(rasa_server):
    messages = rasa_server.rest(rasa_server.new_sender(), "tra cứu hồ sơ 000.00.12.H29-261102-0999")
    assert not _status_payloads(messages)
    assert any("không tìm thấy" in (m.get("text") or "").lower() for m in messages)


def test_operators_see_the_note_and_history_citizens_do_not(rasa_server):
    from tests.conftest import OPERATOR_TOKEN

    code = "000.00.12.H29-261102-0002"  # PROCESSING: its officer's note is for operators only
    citizen = "\n".join(
        m.get("text") or "" for m in rasa_server.rest(rasa_server.new_sender(), f"tra cứu hồ sơ {code}")
    )
    assert "[Cán bộ]" not in citizen
    operator = rasa_server.rest(
        rasa_server.new_sender(), f"tra cứu hồ sơ {code}", metadata={"operator_token": OPERATOR_TOKEN}
    )
    text = "\n".join(m.get("text") or "" for m in operator)
    assert "[Cán bộ] Lịch sử trạng thái" in text
    wrong = rasa_server.rest(rasa_server.new_sender(), f"tra cứu hồ sơ {code}", metadata={"operator_token": "guess"})
    assert "[Cán bộ]" not in "\n".join(m.get("text") or "" for m in wrong)


def test_lookups_are_rate_limited_per_conversation_politely(rasa_server):
    sender = rasa_server.new_sender()
    answers = [rasa_server.rest(sender, f"tra cứu hồ sơ {code}") for code in sorted(DEMO_CODES)[:6]]
    assert all(_status_payloads(a) for a in answers[:5])
    assert not _status_payloads(answers[5])
    assert any("phút" in (m.get("text") or "") for m in answers[5])


def test_overdue_dossier_then_operator_questions_and_its_procedure(rasa_server):
    from tests.conftest import OPERATOR_TOKEN

    code = "000.00.12.H29-261102-0008"  # PROCESSING, 3 days past its due date, procedure 1.004222
    operator = {"operator_token": OPERATOR_TOKEN}
    sender = rasa_server.new_sender()
    text = "\n".join(m.get("text") or "" for m in rasa_server.rest(sender, f"tra cứu hồ sơ {code}", metadata=operator))
    assert "quá hạn" in text and "chưa cần làm gì thêm" not in text  # never "all is well" for a late dossier

    messages = rasa_server.rest(sender, "người dân hỏi tại sao chậm, tôi trả lời sao", metadata=operator)
    assert _status_payloads(messages) == [
        {
            "type": "dossier_status",
            "code": code,
            "status": "PROCESSING",
            "overdue": True,
            "agency": "Công an phường Hoàn Kiếm",
        }
    ]
    text = "\n".join(m.get("text") or "" for m in messages)
    assert "Gợi ý trả lời người dân" in text and "Chờ ý kiến phòng quản lý cư trú" in text

    messages = rasa_server.rest(sender, "thủ tục này cần những giấy tờ gì", metadata=operator)
    answers = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "procedure_answer"]
    assert answers == [{"type": "procedure_answer", "procedure_code": "1.004222", "topic": "documents"}]


def test_where_to_complain_of_the_late_dossier_in_hand(rasa_server):
    from tests.conftest import OPERATOR_TOKEN

    code = "000.00.12.H29-261102-0008"  # 3 days late
    for persona, turns in (
        ({"operator_token": OPERATOR_TOKEN}, ["dân muốn phản ánh trễ hạn thì gửi ở đâu"]),
        ({}, ["thủ tục này lệ phí bao nhiêu", "trễ hẹn rồi thì em phản ánh ở đâu"]),
    ):
        sender = rasa_server.new_sender()
        rasa_server.rest(sender, f"tra cứu hồ sơ {code}", metadata=persona)
        for text in turns:
            messages = rasa_server.rest(sender, text, metadata=persona)
        assert [p["code"] for p in _status_payloads(messages)] == [code], messages
        assert "Phản ánh kiến nghị" in "\n".join(m.get("text") or "" for m in messages)


def test_a_citizen_asks_what_to_supplement_after_a_lookup(rasa_server):
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "tra cứu hồ sơ 000.00.12.H29-261102-0003")
    text = "\n".join(m.get("text") or "" for m in rasa_server.rest(sender, "hồ sơ này cần bổ sung gì"))
    assert "hợp đồng thuê nhà có công chứng" in text and "Gợi ý trả lời" not in text


def test_a_long_call_note_carrying_a_code_looks_the_dossier_up(rasa_server):
    # Written like a procedure question (the classifier may read "đăng ký thường trú … các bước"); the code decides.
    code = "000.00.12.H29-261102-0002"
    note = (
        "Ghi chú cuộc gọi: chị Ng. gọi lần thứ 3, nộp hồ sơ đăng ký thường trú cho mẹ chồng từ đầu tháng, hẹn trả sau"
        f" 7 ngày làm việc mà chưa có kết quả, hỏi các bước tiếp theo. Mã hồ sơ chị đọc: {code[4:]}. Nhờ tra giúp."
    )
    sender = rasa_server.new_sender()
    messages = rasa_server.rest(sender, note)
    assert [p["code"] for p in _status_payloads(messages)] == [code]
    assert not [m for m in messages if (m.get("custom") or {}).get("type") == "procedure_answer"]
    # The turn handed over to the lookup ends there: no "chưa hiểu ý bạn" after the status, nothing rewound, so
    # the next question is still about that dossier.
    assert not any("chưa hiểu" in (m.get("text") or "") for m in messages)
    messages = rasa_server.rest(sender, "có cần nộp lại bản giấy không")
    assert [p["code"] for p in _status_payloads(messages)] == [code]
    assert not [m for m in messages if (m.get("custom") or {}).get("type") == "procedure_answer"]


def test_a_citizen_asks_what_now_right_after_an_overdue_lookup(rasa_server):
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "tra cứu hồ sơ 000.00.12.H29-261102-0008")
    messages = rasa_server.rest(sender, "quá hẹn mấy hôm rồi, giờ em phải làm gì")
    assert [p["code"] for p in _status_payloads(messages)] == ["000.00.12.H29-261102-0008"]
    assert not [m for m in messages if (m.get("custom") or {}).get("type") == "procedure_answer"]


def test_a_procedure_question_while_the_code_is_asked_leaves_the_lookup(rasa_server):
    """Asked for a dossier code, a person who asks about the procedure instead is answered, not told "chưa thấy mã
    hồ sơ" turn after turn; a code typed later is still looked up."""
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "đăng ký thường trú cần giấy tờ gì")
    asked = rasa_server.rest(sender, "tra cứu hồ sơ")
    assert any("mã hồ sơ" in (m.get("text") or "") for m in asked) and not _status_payloads(asked)
    messages = rasa_server.rest(sender, "nộp ở đâu")
    answers = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "procedure_answer"]
    assert answers == [{"type": "procedure_answer", "procedure_code": "1.004222", "topic": "agency"}]
    assert not any("chưa thấy mã" in (m.get("text") or "") for m in messages)
    messages = rasa_server.rest(sender, "000.00.12.H29-261102-0008")
    assert [p["code"] for p in _status_payloads(messages)] == ["000.00.12.H29-261102-0008"]
