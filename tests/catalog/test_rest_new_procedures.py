"""The supplement procedures answered over REST like the others (real Rasa + action server + model).

Run: .venv/bin/python -m pytest tests/catalog -m rasa (needs a trained model: `make train`)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rasa


def custom(messages: list[dict]) -> list[dict]:
    return [m["custom"] for m in messages if "custom" in m]


def texts(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages if m.get("text"))


def test_military_service_documents_then_fee(rasa_server):
    sender = rasa_server.new_sender()
    messages = rasa_server.rest(sender, "đăng ký nghĩa vụ quân sự lần đầu cần giấy tờ gì")
    assert custom(messages) == [{"type": "procedure_answer", "procedure_code": "1.013133", "topic": "documents"}]
    assert "Phiếu tự khai sức khỏe nghĩa vụ quân sự" in texts(messages)
    messages = rasa_server.rest(sender, "có mất phí không")
    assert custom(messages) == [{"type": "procedure_answer", "procedure_code": "1.013133", "topic": "fee"}]
    assert "Miễn phí" in texts(messages)


def test_consular_legalisation_fee_per_channel_without_diacritics(rasa_server):
    messages = rasa_server.rest(rasa_server.new_sender(), "hop phap hoa lanh su giay to het bao nhieu tien")
    assert custom(messages) == [{"type": "procedure_answer", "procedure_code": "1.001308", "topic": "fee"}]
    assert "30.000 Đồng" in texts(messages)


def test_disability_certificate_where(rasa_server):
    messages = rasa_server.rest(rasa_server.new_sender(), "xin xác nhận khuyết tật cho con nộp ở đâu")
    assert custom(messages) == [{"type": "procedure_answer", "procedure_code": "1.001699", "topic": "agency"}]
    assert "Ủy ban Nhân dân xã, phường, thị trấn" in texts(messages)


def test_guide_for_an_api_record(rasa_server):
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "hưởng trợ cấp thất nghiệp cần giấy tờ gì")
    messages = rasa_server.rest(sender, "/start_online_guide")
    assert any(c.get("type") == "online_guide" and c.get("procedure_code") == "1.014748" for c in custom(messages))
