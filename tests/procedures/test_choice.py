"""Typed choices after the bot offered several procedures."""

from __future__ import annotations

import pytest

from bot.understanding.choices import parse_choice, parse_ordinal

OFFERED = [
    {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh"},
    {"code": "2.000528", "name": "Thủ tục đăng ký khai sinh có yếu tố nước ngoài"},
    {"code": "1.004884", "name": "Thủ tục đăng ký lại khai sinh"},
]


@pytest.mark.parametrize(
    "text,index",
    [
        ("cái thứ 2", 1),
        ("cai thu 2", 1),
        ("số 1", 0),
        ("so 3", 2),
        ("thủ tục đầu tiên", 0),
        ("cái đầu", 0),
        ("cái thứ ba", 2),
        ("cái cuối", 2),
        ("cai cuoi cung", 2),
        ("2", 1),
        ("chọn số 2 nhé", 1),
        ("thủ tục thứ hai", 1),
        ("ý thứ nhất", 0),
    ],
)
def test_ordinals(text, index):
    assert parse_ordinal(text, 3) == index


@pytest.mark.parametrize("text", ["cái thứ 5", "số 0", "đăng ký khai sinh", "thủ tục thu hồi giấy phép", ""])
def test_not_ordinals(text):
    assert parse_ordinal(text, 3) is None


@pytest.mark.parametrize(
    "text,code",
    [
        ("cái thứ 2", "2.000528"),
        ("cái có yếu tố nước ngoài", "2.000528"),
        ("khai sinh co yeu to nuoc ngoai", "2.000528"),
        ("đăng ký lại", "1.004884"),
        ("thủ tục đăng ký khai sinh", "1.001193"),
        ("1.004884", "1.004884"),
    ],
)
def test_parse_choice(text, code):
    assert parse_choice(text, OFFERED) == code


@pytest.mark.parametrize("text", ["khai sinh", "còn lệ phí thì sao", "đăng ký kết hôn", ""])
def test_parse_choice_unclear(text):
    assert parse_choice(text, OFFERED) is None
