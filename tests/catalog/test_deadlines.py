"""Legal deadlines the applicant must meet (bot/catalog/deadlines.py), apart from the agency's processing time,
on the shipped catalog: the duty sentences are found, the agency's own time limits are not."""

from __future__ import annotations

import pytest

from bot.catalog import load_catalog, render
from bot.catalog.deadlines import duties


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize(
    "code, words",
    [
        ("1.000656", "Trong thời hạn 15 ngày kể từ ngày có người chết"),  # khai tử (Luật Hộ tịch, art. 33)
        ("1.001193", "Trong thời hạn 60 ngày kể từ ngày sinh con"),  # khai sinh (art. 15)
        ("1.002755", "Trong thời hạn 15 ngày trước ngày kết thúc thời hạn tạm trú"),  # gia hạn tạm trú
        ("1.013076", "Trong thời hạn 30 ngày, kể từ ngày làm giấy tờ chuyển quyền sở hữu xe"),
    ],
)
def test_the_applicants_duty_is_found(catalog, code, words):
    assert any(d.startswith(words) for d in duties(catalog.get(code)))


@pytest.mark.parametrize(
    "code",
    [
        "1.000527",  # the bank's branch move: every "trong thời hạn" is the State Bank's own step
        "1.001541",  # "kể từ ngày nhận đủ hồ sơ hợp lệ, Ngân hàng Nhà nước có văn bản chấp thuận"
        "1.013137",  # "Ban Chỉ huy quân sự cấp xã có trách nhiệm làm thủ tục" is the agency's duty
        "1.004222",  # thường trú states no deadline
    ],
)
def test_the_agencys_own_time_limits_are_not_duties(catalog, code):
    assert duties(catalog.get(code)) == []


def test_deadline_answer_keeps_the_processing_time_apart(catalog):
    [answer] = render.answer(catalog.get("1.000656"), "deadline")
    assert answer.response == "utter_procedure_deadline"
    assert "15 ngày kể từ ngày có người chết" in answer.variables["deadline"]
    assert answer.variables["processing_time"] == render.per_channel(catalog.get("1.000656"), "time")


def test_no_deadline_in_the_record_says_so_and_gives_the_processing_time(catalog):
    [answer] = render.answer(catalog.get("1.004222"), "deadline")
    assert answer.response == "utter_procedure_deadline_missing"
    assert answer.variables["processing_time"]
