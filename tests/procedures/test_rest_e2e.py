"""End-to-end checks of the procedure payloads over the REST channel (real Rasa + action server + model).

Needs a trained model (the lead's `make test` trains it); run: .venv/bin/python -m pytest tests/procedures -m rasa
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.rasa


def custom(messages: list[dict]) -> list[dict]:
    return [m["custom"] for m in messages if "custom" in m]


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages if m.get("text")]


def test_documents_then_fee_follow_up(rasa_server):
    sender = rasa_server.new_sender()
    messages = rasa_server.rest(sender, "làm giấy khai sinh cần giấy tờ gì")
    assert custom(messages) == [{"type": "procedure_answer", "procedure_code": "1.001193", "topic": "documents"}]
    assert any("Thủ tục đăng ký khai sinh" in t for t in texts(messages))
    payloads = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert "/ask_fee" in payloads and "/start_online_guide" in payloads

    messages = rasa_server.rest(sender, "còn lệ phí thì sao")
    assert custom(messages) == [{"type": "procedure_answer", "procedure_code": "1.001193", "topic": "fee"}]
    assert any("Miễn phí" in t for t in texts(messages))


def test_agency_for_temporary_residence_without_diacritics(rasa_server):
    messages = rasa_server.rest(rasa_server.new_sender(), "dang ky tam tru o dau")
    assert custom(messages) == [{"type": "procedure_answer", "procedure_code": "1.004194", "topic": "agency"}]
    assert any("Công an cấp Xã" in t for t in texts(messages))


def test_button_follow_up(rasa_server):
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "dang ky tam tru o dau")
    messages = rasa_server.rest(sender, "/ask_processing_time")
    assert custom(messages) == [{"type": "procedure_answer", "procedure_code": "1.004194", "topic": "processing_time"}]
    assert any("3 Ngày làm việc" in t for t in texts(messages))


def test_choices_then_button_then_pending_topic_answered(rasa_server):
    sender = rasa_server.new_sender()
    messages = rasa_server.rest(sender, "xin giấy phép xây dựng nhà ở hết bao nhiêu tiền")
    [choices] = custom(messages)
    assert choices["type"] == "procedure_choices"
    codes = choices["procedure_codes"]
    assert 2 <= len(codes) <= 5
    buttons = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert buttons == ['/choose_procedure{"procedure_code":"%s"}' % c for c in codes]

    messages = rasa_server.rest(sender, buttons[1])
    assert custom(messages) == [{"type": "procedure_answer", "procedure_code": codes[1], "topic": "fee"}]


def test_typed_choice(rasa_server):
    sender = rasa_server.new_sender()
    [choices] = custom(rasa_server.rest(sender, "khai sinh có yếu tố nước ngoài cần giấy tờ gì"))
    codes = choices["procedure_codes"]
    messages = rasa_server.rest(sender, "cái thứ 2")
    assert custom(messages) == [{"type": "procedure_answer", "procedure_code": codes[1], "topic": "documents"}]


@pytest.mark.parametrize("question", ["giấy phép bay lên mặt trăng cần giấy tờ gì", "lam the thanh vien cau lac bo bong da o dau"])
def test_nothing_found_offers_hotline(rasa_server, question):
    messages = rasa_server.rest(rasa_server.new_sender(), question)
    assert custom(messages) == []
    assert any("chưa tìm thấy thủ tục" in t and "tổng đài" in t for t in texts(messages))


def test_a_question_outside_public_services_is_out_of_scope(rasa_server):
    messages = rasa_server.rest(rasa_server.new_sender(), "nấu phở thế nào cho ngon")
    assert custom(messages) == []
    assert any("ngoài phạm vi" in t for t in texts(messages))


def test_faq_answer(rasa_server):
    messages = rasa_server.rest(rasa_server.new_sender(), "dịch vụ công mức độ 4 là gì")
    assert any("Nghị định 42/2022/NĐ-CP" in t for t in texts(messages))
