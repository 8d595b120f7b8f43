"""The Vietnamese normaliser on real phrases people type."""

import unicodedata

import pytest

from bot.vntext import canonical_tones, fold, has_diacritics, normalize, strip_diacritics


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Hoà giải ở cơ sở", "hòa giải ở cơ sở"),
        ("Thuỷ lợi", "thủy lợi"),
        ("sức khoẻ", "sức khỏe"),
        ("HOÁ ĐƠN", "hóa đơn"),
        ("Quý khách", "quý khách"),  # qu + y: the tone stays on y
        ("khuỷu tay", "khuỷu tay"),  # three vowels, open: middle one
        ("người", "người"),  # ươ: on ơ
        ("thuở nhỏ", "thuở nhỏ"),
        ("Giấy tờ gì?", "giấy tờ gì?"),
        ("toán", "toán"),  # closed syllable: last vowel
    ],
)
def test_normalize_places_tone_marks_one_way(typed, expected):
    assert normalize(typed) == expected


def test_decomposed_input_is_composed():
    decomposed = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert normalize(decomposed) == "đăng ký khai sinh"
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("ko biet hs dc ko", "không biet hồ sơ được không"),
        ("lam cccd cho con mat bn ngay", "lam căn cước công dân cho con mat bao nhiêu ngay"),
        ("nộp tthc online ntn", "nộp thủ tục hành chính online như thế nào"),
        ("cần j", "cần gì"),
        ("gks bị mất thì sao", "giấy khai sinh bị mất thì sao"),
        ("đc ko ạ", "được không ạ"),
        ("Sổ đỏ", "sổ đỏ"),  # not an abbreviation: kept
    ],
)
def test_normalize_expands_abbreviations_and_teencode(typed, expected):
    assert normalize(typed) == expected


def test_abbreviations_only_replace_whole_words():
    # "k" inside "50k" or "kho" must not become "không".
    assert normalize("phí 50k ở kho bạc") == "phí 50k ở kho bạc"


@pytest.mark.parametrize(
    "typed, folded",
    [
        ("Đăng ký tạm trú ở đâu?", "dang ky tam tru o dau?"),
        ("dang ky tam tru o dau?", "dang ky tam tru o dau?"),
        ("ĐỔI BẰNG LÁI XE", "doi bang lai xe"),
        ("Cấp đổi căn cước", "cap doi can cuoc"),
        ("  nhiều   khoảng trắng  ", "nhieu khoang trang"),
    ],
)
def test_fold_removes_diacritics_including_d_bar(typed, folded):
    assert fold(typed) == folded


def test_with_and_without_diacritics_fold_the_same():
    assert fold("Làm giấy khai sinh cần giấy tờ gì") == fold("lam giay khai sinh can giay to gi")
    assert fold("Hoà giải") == fold("Hòa giải") == fold("hoa giai")


def test_strip_diacritics_keeps_case_and_other_characters():
    assert strip_diacritics("Đà Nẵng 👋 000.00.12.H29") == "Da Nang 👋 000.00.12.H29"


def test_empty_and_none():
    assert normalize("") == "" and normalize(None) == "" and fold("   ") == ""


def test_has_diacritics():
    assert has_diacritics("đi") and has_diacritics("chào") and not has_diacritics("chao")


def test_canonical_tones_leaves_non_vietnamese_words():
    assert (
        canonical_tones("VNeID level 2, mã 000.00.12.H29-261120-0001") == "VNeID level 2, mã 000.00.12.H29-261120-0001"
    )
