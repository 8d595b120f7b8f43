"""The records' own texts as a second ranking (bot/catalog/situations.py)."""

from __future__ import annotations

from bot.catalog import Catalog
from bot.catalog.situations import TextIndex, record_text, terms


def _record(code: str, name: str, **fields) -> dict:
    return {"code": code, "name": name, "levels": ["Cấp xã"], **fields}


RECORDS = [
    _record(
        "9.000001",
        "Hỗ trợ kinh phí chăm sóc hằng tháng",
        applicants="Người trực tiếp nuôi dưỡng người khuyết tật đặc biệt nặng",
        documents=[{"case": None, "items": [{"name": "Giấy xác nhận khuyết tật"}]}],
    ),
    _record("9.000002", "Cấp giấy phép kinh doanh karaoke", conditions="Phòng hát có diện tích từ 20 m2 trở lên"),
    _record("9.000003", "Đăng ký khai sinh", results=["Giấy khai sinh"]),
]


def test_a_situation_is_ranked_by_what_the_records_say_beyond_their_names():
    index = TextIndex(RECORDS)
    ranked = index.rank(set(terms("người nuôi dưỡng con khuyết tật đặc biệt nặng")))
    assert ranked[0][0] == "9.000001"
    assert index.rank(set(terms("phòng hát diện tích bao nhiêu m2")))[0][0] == "9.000002"


def test_words_no_record_says_rank_nothing():
    index = TextIndex(RECORDS)
    assert index.rank(set(terms("giá vàng hôm nay"))) == []
    assert index.rank(set()) == []


def test_the_name_weighs_more_than_the_paperwork():
    records = [
        _record("9.000011", "Đăng ký khai sinh"),
        _record("9.000012", "Cấp bản sao trích lục", documents=[{"case": None, "items": [{"name": "Giấy khai sinh"}]}]),
    ]
    assert TextIndex(records).rank(set(terms("khai sinh")))[0][0] == "9.000011"


def test_text_covers_cases_documents_and_results_and_ignores_missing_fields():
    text = record_text(
        _record(
            "9.000021",
            "Tên",
            documents=[{"case": "Trường hợp ủy quyền", "items": [{"name": "Văn bản ủy quyền"}, {"name": None}]}],
            results=["Quyết định công nhận"],
            conditions=None,
        )
    )
    assert "Trường hợp ủy quyền" in text and "Văn bản ủy quyền" in text and "Quyết định công nhận" in text


def test_folded_terms_match_questions_typed_without_accents():
    assert "dang_ky" in terms("Đăng ký") and "khuyet" in terms("khuyết tật")


def test_catalog_builds_the_text_index_once_on_first_use():
    catalog = Catalog([dict(r) for r in RECORDS])
    assert catalog.texts is catalog.texts
