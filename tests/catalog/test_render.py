"""The one renderer of a record (bot/catalog/render.py) on the hard records the parser tests name
(fixtures/hard_records.json, parsed here by bot.catalog.parse): exact strings, nothing invented, nothing lost."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.catalog import deadlines, load_catalog, render
from bot.catalog.parse import parse_record

RAW = json.loads((Path(__file__).parent / "fixtures" / "hard_records.json").read_text(encoding="utf-8"))


def rec(code: str) -> dict:
    return parse_record(RAW[code])[0]


def test_fee_differs_per_channel_and_is_cut_only_in_chat():
    record = rec("1.000757")  # căn cước: free online, 70.000 đ in person with dated 50 % reductions
    nov_30 = dt.date(2026, 11, 30)
    lines = render.per_channel(record, "fee", today=nov_30).split("\n")
    assert lines[0] == "• Trực tuyến: Miễn phí (Chưa quy định.)"
    assert lines[1] == (
        "• Trực tiếp: Cấp lại thẻ căn cước đối với các trường hợp quy định tại khoản 2 Điều 24 Luật Căn cước: "
        "70.000 đồng/thẻ căn cước."
    )
    assert lines[3].endswith("(đang áp dụng đến 31/12/2026: 35.000 đồng/thẻ căn cước)")
    short = render.per_channel(record, "fee", chars=60, today=nov_30)
    full = render.per_channel(record, "fee", chars=None, today=nov_30)
    assert "…" in short and "…" not in full and len(full) > len(short)
    assert short.split("\n")[3].endswith("(đang áp dụng đến 31/12/2026: 35.000 đồng/thẻ căn cước)")  # never cut


def test_one_name_for_the_post_channel():
    record = rec("2.002032")  # online, post and in person; amounts not trusted, texts kept
    assert render.per_channel(record, "fee") == (
        "• Trực tuyến: 100 VNĐ\n• Dịch vụ bưu chính công ích: 100 VNĐ\n• Trực tiếp: 25 VNĐ"
    )
    assert render.channel_names(record) == "Trực tuyến, Dịch vụ bưu chính công ích, Trực tiếp"
    assert render.per_channel(record, "time") == "1 (dữ liệu không ghi rõ đơn vị)"


def test_unknown_fee_and_time_say_nothing_and_where_falls_back_to_levels():
    record = rec("1.009825")
    assert render.per_channel(record, "fee") == "" and render.per_channel(record, "time") == ""
    levels = "cơ quan cấp xã, cấp tỉnh, cấp bộ (dữ liệu không ghi tên cơ quan cụ thể)"
    assert render.agency_text(record) == f"• {levels}"
    assert render.where_text(record) == levels
    [missing] = render.answer(record, "fee")
    assert missing.response == "utter_procedure_missing" and missing.variables["topic_label"] == "phí, lệ phí"


def test_agency_and_receiving_address():
    record = rec("1.000757")
    assert render.agency_text(record) == (
        "• Cục cảnh sát quản lý hành chính về trật tự, xã hội\n"
        "• Nơi tiếp nhận: Trung tâm dữ liệu quốc gia về dân cư, Cục Cảnh sát quản lý hành chính về trật tự xã hội, "
        "Bộ Công an."
    )


def test_alternatives_numbered_and_full_list_uncut():
    record = rec("1.002755")  # gia hạn tạm trú: alternative cases, long names
    chat = render.documents_text(record)
    # The case whose label states no condition first, the armed-forces one last (bot/catalog/cases.py).
    assert chat.split("\n")[0] == "Trường hợp 1: Hồ sơ gia hạn tạm trú gồm"
    assert [g.case[:30] for g in render.alternatives(record)] == [
        "Hồ sơ gia hạn tạm trú gồm",
        "Gia hạn tạm trú theo danh sách",
        "Gia hạn tạm trú tại nơi đơn vị",
    ]
    assert "…" in chat  # names cut at 220 characters in a chat message
    full = render.documents_text(record, limit=None, chars=None)
    assert "…" not in full
    names = [" ".join(i["name"].split()) for g in render.groups(record) for i in g.items]
    assert len(names) == render.document_count(record) == 7
    assert all(f"• {name}" in full for name in names)
    only_two = render.documents_text(record, case=2, limit=None, chars=None)
    assert only_two.startswith("Trường hợp 2: ") and "Trường hợp 1" not in only_two


def test_document_notes_left_out_and_quantities_without_zero_parts():
    record = rec("1.001193")  # khai sinh: "0 bản chính" rows explain things
    full = render.documents_text(record, limit=None, chars=None)
    assert "không phải nộp bản giấy" not in full and "Lưu ý" not in full
    assert render.quantity({"quantity_text": "0 bản chính,1 bản sao"}) == "1 bản sao"


def test_record_without_document_table():
    record = rec("1.001521")  # BHXH records have no document table
    assert render.documents_text(record) == ""
    assert render.answer(record, "documents")[0].response == "utter_procedure_missing"


@pytest.mark.parametrize(
    "code,post,payment",
    [
        ("2.000635", "channel", "online"),  # toàn trình, 8.000 đ paid online, post channel
        ("1.000757", "result", "free"),  # no post channel, but the steps say the card is returned by post
        ("1.000931", "result", "no_online"),  # in person only; the result can be sent by post
        ("1.002755", "none", "not_stated"),  # một phần, fee; online payment not mentioned
        ("1.009825", "channel", "unknown"),  # online without any fee information
        ("1.003425", "none", "no_online_free"),  # in person only, "Miễn phí" and no text saying something is paid
    ],
)
def test_postal_return_and_online_payment_from_the_record(code, post, payment):
    record = rec(code)
    assert render.post_return(record) == post
    assert render.online_payment(record) == payment
    texts = render.texts()
    assert render.post_text(record) == texts["post"][post]
    assert render.payment_text(record) == texts["payment"][payment]


def test_online_answer_carries_post_and_payment():
    level, extra = render.answer(rec("2.000635"), "online")
    assert level.response == "utter_procedure_online_full"
    assert extra.response == "utter_procedure_post_payment"
    assert extra.variables["post"].startswith("Có: thủ tục nhận hồ sơ và trả kết quả qua dịch vụ bưu chính")
    assert extra.variables["payment"] == "Có: nộp phí, lệ phí bằng thanh toán trực tuyến trên Cổng Dịch vụ công"
    assert render.result_options(rec("1.000757"))[1] == (
        "Nhận qua dịch vụ bưu chính công ích (trả cước theo giá bưu điện)"
    )


@pytest.mark.parametrize("code", sorted(RAW))
def test_zalo_messages_hold_the_whole_record(code):
    record = rec(code)
    messages = render.zalo_messages(record)
    assert messages and all(0 < len(m) <= render.ZALO_MESSAGE_CHARS for m in messages)
    joined = "\n".join(messages)
    assert joined.split() == render.plain_text(record).split()  # nothing lost between messages
    for group in render.groups(record):
        for item in group.items:
            assert " ".join(render.document_line(item, None)[2:].split()) in " ".join(joined.split())


def test_split_messages_cuts_long_lines_between_words():
    text = "ngắn\n" + " ".join(["chữ"] * 1000)
    pieces = render.split_messages(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_every_record_renders_every_section():
    for record in load_catalog():
        titles = [title for _, title, body in render.sections(record) if body]
        # Nine topics, and the deadline to file only where the record states one.
        assert len(titles) == 9 + bool(deadlines.duties(record)), record["code"]
