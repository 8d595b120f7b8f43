"""Keep / switch / choose / nothing found, decided on the real catalog."""
from __future__ import annotations

import pytest

from actions.procedure_resolve import ANSWER, ASK_WHICH, CHOOSE, NOT_FOUND, resolve


@pytest.mark.parametrize("text,code", [
    ("làm giấy khai sinh cần giấy tờ gì", "1.001193"),
    ("dang ky tam tru o dau", "1.004194"),
    ("cấp đổi cccd mất bao lâu", "1.014063"),
    ("thu tuc xoa dang ky thuong tru", "1.003197"),
])
def test_clear_winner_without_context(catalog, text, code):
    r = resolve(catalog, text, None)
    assert (r.kind, r.code) == (ANSWER, code)


@pytest.mark.parametrize("text", [
    "còn lệ phí thì sao", "mất bao lâu", "cần mang gì", "online dc ko", "/ask_fee",
    "cái này mất bao lâu hả bạn", "nộp ở ubnd phường được không", "còn cấp lại thì sao",
])
def test_follow_ups_stay_on_current(catalog, text):
    r = resolve(catalog, text, "1.004194")
    assert (r.kind, r.code) == (ANSWER, "1.004194")


def test_new_procedure_replaces_current(catalog):
    r = resolve(catalog, "đăng ký kết hôn lệ phí bao nhiêu", "1.001193")
    assert (r.kind, r.code) == (ANSWER, "1.000894")


def test_close_alternatives_are_offered(catalog):
    r = resolve(catalog, "xin giấy phép xây dựng nhà ở", None)
    assert r.kind == CHOOSE
    assert 2 <= len(r.hits) <= 5
    assert all("giấy phép xây dựng" in h.name.lower() for h in r.hits)


def test_strong_alternatives_offered_even_with_context(catalog):
    r = resolve(catalog, "khai sinh có yếu tố nước ngoài", "1.001193")
    assert r.kind == CHOOSE
    assert "2.000528" in [h.code for h in r.hits]


@pytest.mark.parametrize("text", ["thời tiết hôm nay thế nào", "nấu phở thế nào", "abc xyz"])
def test_nothing_found(catalog, text):
    assert resolve(catalog, text, None).kind == NOT_FOUND


def test_topic_only_without_context_asks_which(catalog):
    assert resolve(catalog, "lệ phí bao nhiêu", None).kind == ASK_WHICH
