"""End-to-end over REST against the real stack (Rasa + action server + reference dossier service): a complaint
from the first message to its reference and status; no accents; consent refused; bad input kept as text;
unknown reference. The phone number given never appears in full in an answer, a log or the tracker store.
Run: .venv/bin/python -m pytest tests/ops/test_complaints_e2e.py -q -m rasa
"""

from __future__ import annotations

import json
import random
import re
import sqlite3

import pytest

from bot.ops.complaints import ComplaintStore
from bot.ops.db import engine
from tests.privacy.test_e2e import found_in_files

pytestmark = pytest.mark.rasa


def texts(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages if m.get("text"))


def payloads(messages: list[dict], kind: str) -> list[dict]:
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict) and m["custom"].get("type") == kind]


def store(rasa_server) -> ComplaintStore:
    return ComplaintStore(engine(str(rasa_server.settings.var_dir / "ops.sqlite")))


def test_complaint_from_first_message_to_reference_and_status(rasa_server):
    sender = rasa_server.new_sender()
    phone = "09" + "".join(random.choices("0123456789", k=8))
    typed = f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    first = rasa_server.rest(sender, "tôi muốn phản ánh hồ sơ trễ hạn")
    assert "mã hồ sơ" in texts(first) and "Không có mã hồ sơ" in str(first)  # category taken from the message
    code = rasa_server.rest(sender, "000.00.12.H29-261102-0008")  # the demo dossier 3 days overdue
    assert re.search(r"quá hạn trả kết quả \d+ ngày", texts(code)) and "mô tả" in texts(code), texts(code)
    described = rasa_server.rest(sender, "Nộp hồ sơ kết hôn 3 tuần chưa có kết quả, gọi lên phường không ai nghe")
    assert "số điện thoại hoặc email" in texts(described)
    assert "liên hệ lại" in texts(rasa_server.rest(sender, "Đồng ý"))
    receipt = rasa_server.rest(sender, f"số của tôi là {typed}")
    [payload] = payloads(receipt, "complaint_receipt")
    assert payload["category"] == "late_dossier" and payload["reference"].startswith("PA-")
    reference = payload["reference"]
    assert (
        reference in texts(receipt)
        and "Phản ánh, kiến nghị" in texts(receipt)
        and "số điện thoại" not in texts(receipt).split("Thông tin liên hệ")[0][-5:]
    )
    assert "Thông tin liên hệ (SĐT)" in texts(receipt) and "Mình không cần" not in texts(receipt)  # asked for
    stored = store(rasa_server).get(reference)
    assert stored.contact == typed and stored.dossier_overdue is True and stored.dossier_status == "PROCESSING"
    assert stored.agency and "kết hôn" in stored.description and stored.channel == "test"

    status = rasa_server.rest(sender, f"phản ánh {reference} đến đâu rồi")
    assert payloads(status, "complaint_status") == [
        {"type": "complaint_status", "reference": reference, "status": "open"}
    ]
    store(rasa_server).handle(reference, "Phường đã trả kết quả ngày 1/12, xin lỗi vì chậm trễ.")
    handled = rasa_server.rest(sender, f"phan anh {reference.lower()} xu ly chua")  # no accents, lower case
    assert payloads(handled, "complaint_status")[0]["status"] == "handled"
    assert "xin lỗi vì chậm trễ" in texts(handled)

    # The phone number never in full: answers, logs, the tracker store.
    every_answer = texts(first + code + described + receipt + status + handled)
    assert phone not in every_answer.replace(" ", "") and typed not in every_answer
    var = rasa_server.settings.var_dir
    assert found_in_files(var / "log", [phone, typed, phone[1:]]) == []
    with sqlite3.connect(var / "tracker.db") as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)).fetchall()
    strings = [value for (data,) in rows for value in strings_in(json.loads(data))]
    assert not [v for v in strings if phone in v.replace(" ", "") or typed in v]
    assert any("[SĐT]" in v for v in strings)


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def test_no_accents_consent_refused_and_no_dossier_code(rasa_server):
    sender = rasa_server.new_sender()
    asked = rasa_server.rest(sender, "toi muon khieu nai")
    assert "Hồ sơ trễ hạn" in str(asked)  # no category in the message: the buttons
    assert "mã hồ sơ" in texts(rasa_server.rest(sender, "thai do can bo"))
    assert "mô tả" in texts(rasa_server.rest(sender, "khong co ma"))
    rasa_server.rest(sender, "can bo quat nat nguoi dan, sdt cua can bo la 0987 654 321")
    receipt = rasa_server.rest(sender, "khong")
    [payload] = payloads(receipt, "complaint_receipt")
    assert payload["category"] == "staff_attitude"
    stored = store(rasa_server).get(payload["reference"])
    assert stored.contact is None and stored.dossier_code is None
    assert "0987 654 321" not in stored.description and "[SĐT]" in stored.description
    assert "không kèm thông tin liên hệ" in texts(receipt)


@pytest.mark.parametrize("description", ["x" * 2100, "😡😡😡", "<script>alert('pa')</script>"])
def test_bad_input_complaints_are_stored_as_text(rasa_server, description):
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "tôi muốn phản ánh cổng dịch vụ công bị lỗi")
    rasa_server.rest(sender, "Không có mã hồ sơ")
    consent = rasa_server.rest(sender, description)
    assert "số điện thoại hoặc email" in texts(consent), consent
    assert "<script>" not in texts(consent)
    [payload] = payloads(rasa_server.rest(sender, "Không"), "complaint_receipt")
    assert store(rasa_server).get(payload["reference"]).description == description


def test_empty_description_is_asked_again_and_cancel_stores_nothing(rasa_server):
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "tôi muốn phản ánh")
    rasa_server.rest(sender, "Khác")
    rasa_server.rest(sender, "Không có mã hồ sơ")
    again = rasa_server.rest(sender, "   ")
    assert "chưa nhập nội dung" in texts(again)
    before = len(store(rasa_server).list(limit=10000))
    assert "Đã hủy" in texts(rasa_server.rest(sender, "hủy"))
    assert len(store(rasa_server).list(limit=10000)) == before
    assert "giúp" in texts(rasa_server.rest(sender, "bạn giúp được gì"))  # the conversation goes on


def test_unknown_or_missing_reference(rasa_server):
    sender = rasa_server.new_sender()
    unknown = rasa_server.rest(sender, "phản ánh PA-ZZZZ22 đến đâu rồi")
    assert "không tìm thấy phản ánh nào có mã PA-ZZZZ22" in texts(unknown)
    assert payloads(unknown, "complaint_status")[0]["status"] == "not_found"
    assert "PA-XXXXXX" in texts(rasa_server.rest(sender, "phản ánh của tôi đến đâu rồi"))


def test_the_first_prompt_comes_alone(rasa_server):
    # The form's cleared slots are not answers to check: one question, no "chưa rõ" for each empty slot.
    asked = texts(rasa_server.rest(rasa_server.new_sender(), "tôi muốn phản ánh"))
    assert "phản ánh về việc gì" in asked
    assert not any(s in asked for s in ("chưa rõ", "chưa nhập nội dung", "Đồng ý để lại liên hệ", "chưa thấy số"))


def test_the_dossier_just_looked_up_is_the_complaints(rasa_server):
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "tra cứu hồ sơ 000.00.12.H29-261102-0008")
    started = texts(rasa_server.rest(sender, "hồ sơ trễ hạn quá, tôi muốn phản ánh"))
    assert "000.00.12.H29-261102-0008" in started and "mô tả" in started, started
    assert "Gửi mã hồ sơ" not in started


def test_a_procedure_question_leaves_the_form_and_is_answered(rasa_server):
    sender = rasa_server.new_sender()
    assert "mã hồ sơ" in texts(rasa_server.rest(sender, "tôi muốn phản ánh hồ sơ trễ hạn"))
    before = len(store(rasa_server).list(limit=10000))
    left = rasa_server.rest(sender, "cho hỏi làm lại căn cước bị mất thì nộp ở đâu")
    assert "dừng phần gửi phản ánh" in texts(left)
    assert [(p["procedure_code"], p["topic"]) for p in payloads(left, "procedure_answer")] == [("1.014064", "agency")]
    fee = rasa_server.rest(sender, "mất phí không")  # the conversation goes on about that procedure
    assert [p["topic"] for p in payloads(fee, "procedure_answer")] == ["fee"]
    assert len(store(rasa_server).list(limit=10000)) == before


def test_a_grievance_procedure_named_is_answered_not_filed(rasa_server):
    # The army's and the police's procedures that settle complaints are catalog records; naming one ("lần hai",
    # "quân khu", "công an xã") asks about it, it does not file a complaint with the city.
    for text in ("khiếu nại lần hai lên quân khu thì làm thế nào", "khiếu nại quyết định xử phạt của công an xã"):
        reply = rasa_server.rest(rasa_server.new_sender(), text)
        shown = [p["procedure_code"] for p in payloads(reply, "procedure_answer")]
        shown += [c for p in payloads(reply, "procedure_choices") for c in p["procedure_codes"]]
        assert shown and "phản ánh về việc gì" not in texts(reply) and "Gửi mã hồ sơ" not in texts(reply), reply
        assert "Đã hủy" not in texts(reply)
    assert "phản ánh về việc gì" in texts(rasa_server.rest(rasa_server.new_sender(), "tôi muốn khiếu nại"))
