"""Formatting helpers on real catalog records: exact strings, nothing invented."""

from __future__ import annotations

import pytest

from actions import procedure_format as fmt
from bot.catalog import render


def test_topic_for_intent_covers_all_topics():
    assert [fmt.topic_for_intent(f"ask_{t}") for t in fmt.TOPICS] == list(fmt.TOPICS)
    assert fmt.topic_for_intent("greet") is None
    assert fmt.topic_for_intent(None) is None


def test_fee_identical_on_every_channel_is_one_line(catalog):
    assert render.per_channel(catalog.get("1.001193"), "fee") == "Miễn phí"


def test_fee_per_channel_when_they_differ(catalog):
    text = render.per_channel(catalog.get("1.004194"), "fee")
    lines = text.split("\n")
    assert lines[0].startswith("• Trực tuyến: Đăng ký tạm trú (cá nhân, hộ gia đình)") and "7.000 đồng/lần" in lines[0]
    assert lines[1].startswith("• Trực tiếp: Đăng ký tạm trú theo danh sách") and "10.000 đồng/người" in lines[1]
    assert len(lines) == 2


def test_time_without_unit_says_so(catalog):
    assert render.per_channel(catalog.get("1.001193"), "time") == "1 (dữ liệu không ghi rõ đơn vị)"
    assert render.per_channel(catalog.get("1.004194"), "time") == "3 Ngày làm việc"


def test_agency_from_record_and_levels_when_missing(catalog):
    assert render.agency_text(catalog.get("1.004194")) == "• Công an cấp Xã"
    # 1.001193 has no agency in the record: fall back to the level, invent nothing.
    assert render.agency_text(catalog.get("1.001193")) == "• cơ quan cấp xã (dữ liệu không ghi tên cơ quan cụ thể)"


def test_documents_grouped_and_explanations_left_out(catalog):
    text = render.documents_text(catalog.get("1.004194"))
    lines = text.split("\n")
    assert lines[0] == "Trường hợp 1: Hồ sơ đăng ký tạm trú gồm"  # alternatives numbered, as in the guide
    assert lines[1].startswith("• Tờ khai thay đổi thông tin cư trú (Mẫu CT01")  # the form first (issue 14)
    assert lines[2].startswith("• Thông tin chứng minh về chỗ ở hợp pháp")
    assert lines[2].endswith("(1 bản chính)")
    # The "Ví dụ: ..." row (0 bản chính) is an explanation, not a paper to bring.
    assert not any("Ví dụ" in line for line in lines)
    assert sum(line.startswith("• ") for line in lines) <= render.MAX_LIST_ITEMS


def test_long_document_list_is_shortened_with_count(catalog):
    record = catalog.get("1.001193")
    papers = [i for case in record["documents"] for i in case["items"] if not render.is_note(i)]
    assert len(papers) > 3
    text = render.documents_text(record, limit=3)
    assert sum(line.startswith("• ") for line in text.split("\n")) == 3
    assert text.split("\n")[-1] == f"… và {len(papers) - 3} mục khác — gõ “liệt kê hết” để xem đủ"


def test_shorten_cuts_on_word_boundary():
    assert render.shorten("một hai ba bốn năm", 10) == "một hai…"
    assert render.shorten("  ngắn   gọn ", 50) == "ngắn gọn"
    assert render.shorten(None, 5) == ""


def test_steps_are_numbered_without_their_own_prefix(catalog):
    [answer] = render.answer(catalog.get("1.004194"), "steps")
    assert answer.response == "utter_procedure_steps"
    lines = answer.variables["steps"].split("\n")
    assert lines[0] == "1. Cá nhân, tổ chức chuẩn bị hồ sơ theo quy định của pháp luật."
    assert lines[1] == "2. Cá nhân, tổ chức nộp hồ sơ đến Công an cấp xã."


def test_overview_variables(catalog):
    [answer] = render.answer(catalog.get("1.004194"), "overview")
    assert answer.response == "utter_procedure_overview"
    v = answer.variables
    assert v["procedure_name"] == "Đăng ký tạm trú"
    assert v["procedure_code"] == "1.004194"
    assert v["field"] == "Đăng ký, quản lý cư trú"
    assert v["agency"] == "Công an cấp Xã"
    assert v["channels"] == "Trực tuyến, Trực tiếp"
    assert v["processing_time"] == "3 Ngày làm việc"
    assert v["url"].startswith("https://dichvucong.gov.vn/")


def test_missing_topic_says_not_in_record(catalog):
    record = catalog.get("1.004194")
    assert not record.get("conditions")
    [answer] = render.answer(record, "conditions")
    assert answer.response == "utter_procedure_missing"
    assert answer.variables == {
        "procedure_name": "Đăng ký tạm trú",
        "procedure_full_name": "Đăng ký tạm trú",
        "procedure_code": "1.004194",
        "url": record["url"],
        "topic_label": "yêu cầu, điều kiện",
    }


@pytest.mark.parametrize(
    "code,response",
    [
        ("1.001193", "utter_procedure_online_full"),
        ("1.004194", "utter_procedure_online_partial"),
        ("3.000228", "utter_procedure_online_none"),
    ],
)
def test_online_answer_follows_catalog_level(catalog, code, response):
    answer, post_payment = render.answer(catalog.get(code), "online")
    assert answer.response == response
    assert post_payment.response == "utter_procedure_post_payment"


def test_every_topic_answers_every_record_without_error(catalog):
    for record in list(catalog)[:300]:
        for topic in fmt.TOPICS:
            answers = render.answer(record, topic)
            assert answers and all(a.variables["procedure_code"] == record["code"] for a in answers)
            for a in answers:
                assert all(isinstance(v, str) for v in a.variables.values())


def test_follow_up_buttons():
    buttons = fmt.follow_up_buttons("fee")
    assert [b["payload"] for b in buttons] == [
        "/ask_documents",
        "/ask_processing_time",
        "/ask_agency",
        "/ask_steps",
        "/ask_online",
        "/start_online_guide",
    ]
    assert buttons[-1]["title"] == "Hướng dẫn nộp trực tuyến"
