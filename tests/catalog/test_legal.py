"""Legal bases as clean items (bot/catalog/legal.py) on real cells of each source format: the portal page's glued
table (texts copied from raw/), the Word export's rows (with date and issuer columns), the portal API's rows."""

from __future__ import annotations

import pytest

from bot.catalog import legal, render
from bot.catalog.parse import parse_legal
from bot.catalog.sources import bqp_word, portal_api

# raw/bo-cong-an/1.004222.json (thường trú), the first three rows: "53/2025/TT-BCAngày" glues number and date.
THUONG_TRU = (
    "Tên văn bản pháp lýMã văn bảnNghị quyết số 66.7/2025/NQ-CP của Chính phủ: Quy định cắt giảm, đơn giản hóa thủ "
    "tục hành chính dựa trên dữ liệu66.7/2025/NQ-CPThông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an sửa đổi, "
    "bổ sung một số điều của Thông tư số 55/2021/TT-BCA ngày 15 tháng 5 năm 2021 của Bộ trưởng Bộ Công an quy định "
    "chi tiết một số điều và biện pháp thi hành Luật Cư trú được sửa đổi, bổ sung bởi Thông tư số 66/2023/TT-BCA "
    "ngày 17 tháng 11 năm 2023; Thông tư số 56/2021/TT-BCA ngày 15 tháng 5 năm 2021 của Bộ trưởng Bộ Công an quy "
    "định về biểu mẫu trong đăng ký, quản lý cư trú được sửa đổi, bổ sung bởi Thông tư số 66/2023/TT-BCA ngày 17 "
    "tháng 11 năm 2023; Thông tư số 17/2024/TT-BCA ngày 15 tháng 5 năm 2024 của Bộ trưởng Bộ Công an quy định chi "
    "tiết một số điều và biện pháp thi hành Luật Căn cước.53/2025/TT-BCAThông tư số 66/2023/TT-BCA Sửa đổi, bổ sung "
    "một số điều của Thông tư số 55/2021/TT-BCA ngày 15/5/2021 quy định chi tiết một số điều và biện pháp thi hành "
    "Luật Cư trú; Thông tư số 56/2021/TT-BCA ngày 15/5/2021 của Bộ trưởng Bộ Công an quy định về biểu mẫu trong "
    "đăng ký, quản lý cư trú; Thông tư số 57/2021/TT-BCA ngày 15/5/2021 của Bộ trưởng Bộ Công an quy định về quy "
    "trình đăng ký cư trú.66/2023/TT-BCALuật Cư trú 202068/2020/QH14"
)


def test_thuong_tru_rows_numbers_dates_issuers():
    items, status = parse_legal(THUONG_TRU)
    assert status == "structured"
    assert [i["number"] for i in items] == ["66.7/2025/NQ-CP", "53/2025/TT-BCA", "66/2023/TT-BCA", "68/2020/QH14"]
    second = items[1]
    assert (second["kind"], second["date"], second["issuer"]) == ("Thông tư", "2025-07-01", "Bộ Công an")
    assert second["subject"].startswith("sửa đổi, bổ sung một số điều của Thông tư số 55/2021/TT-BCA")
    assert legal.line(second, chars=60) == (
        "Thông tư số 53/2025/TT-BCA ngày 01/07/2025 của Bộ Công an: sửa đổi, bổ sung một số điều của Thông tư số…"
    )
    assert legal.line(items[3]) == "Luật Cư trú số 68/2020/QH14 của Quốc hội"  # "202068/2020/QH14": year glued
    assert all(not legal.problems(i) for i in items)


@pytest.mark.parametrize(
    "cell,expected",
    [
        (  # raw/bo-nong-nghiep-mt/1.003576: the number cell's own kind glued to the title ("thú yLuật 79/…")
            "Luật Thú yLuật 79/2015/QH13Thông tư 13/2022/TT-BNNPTNT13/2022/TT-BNNPTNTsửa đổi, bổ sung một số điều "
            "của các Thông tư quy định về quản lý thuốc thú yThông tư số 15/2026/TT-BNNPTNT",
            [
                "Luật Thú y số 79/2015/QH13 của Quốc hội",
                "Thông tư số 13/2022/TT-BNNPTNT của Bộ Nông nghiệp và Phát triển nông thôn",
                "Thông tư số 15/2026/TT-BNNPTNT của Bộ Nông nghiệp và Phát triển nông thôn: sửa đổi, bổ sung một số "
                "điều của các Thông tư quy định về quản lý thuốc thú y",
            ],
        ),
        (  # raw/…/1.001643: a law's number cell glued after the same number ("QH1384/2015/QH13"), capitals
            "Nghị định 166/2016/NĐ-CP-Quy định về giao dịch điện tử166/2016/NĐ-CPLUẬT  Bảo hiểm xã hội58/2014/QH13"
            "Luật 84/2015/QH1384/2015/QH13",
            [
                "Nghị định số 166/2016/NĐ-CP của Chính phủ: Quy định về giao dịch điện tử",
                "Luật Bảo hiểm xã hội số 58/2014/QH13 của Quốc hội",
                "Luật số 84/2015/QH13 của Quốc hội",
            ],
        ),
        (  # raw/…/1.003220: "TTLT- BQP" typed with a space; three issuers
            "Thông tư liên tịch 21/2008/TTLT- BQP-BLĐTBXH-BTC21/2008/TTLT- BQP-BLĐTBXH-BTC",
            [
                "Thông tư liên tịch số 21/2008/TTLT-BQP-BLĐTBXH-BTC của Bộ Quốc phòng, Bộ Lao động - Thương binh và "
                "Xã hội, Bộ Tài chính"
            ],
        ),
        (  # raw/bo-tu-phap/1.001193: a number followed by a space and lower case is inside a title, not a row end
            "Hướng dẫn Luật hộ tịch và Nghị định 123/2015/NĐ-CP hướng dẫn Luật hộ tịch do Bộ trưởng Bộ Tư pháp ban "
            "hành04/2020/TT-BTPNghị định sửa đổi, bổ sung một số điều của các Nghị định trong lĩnh vực hộ tịch, quốc "
            "tịch, chứng thực.07/2025/NĐ-CP",
            [
                "Thông tư số 04/2020/TT-BTP của Bộ Tư pháp: Hướng dẫn Luật hộ tịch và Nghị định 123/2015/NĐ-CP hướng "
                "dẫn Luật hộ tịch do Bộ trưởng Bộ Tư pháp ban hành",
                "Nghị định số 07/2025/NĐ-CP của Chính phủ: sửa đổi, bổ sung một số điều của các Nghị định trong lĩnh "
                "vực hộ tịch, quốc tịch, chứng thực.",
            ],
        ),
        (  # raw/…/1.000555: the title lacks kind and issuer; the number's codes say them
            "Về việc khuyến khích Người Việt Nam ở nước ngoài chuyển tiền về nước.170/1999/QĐ-TTg",
            [
                "Quyết định số 170/1999/QĐ-TTg của Thủ tướng Chính phủ: Về việc khuyến khích Người Việt Nam ở nước "
                "ngoài chuyển tiền về nước."
            ],
        ),
    ],
)
def test_portal_page_glued_cells(cell, expected):
    items, _ = parse_legal("Tên văn bản pháp lýMã văn bản" + cell)
    assert [legal.line(i, chars=None) for i in items] == expected
    assert all(not legal.problems(i) for i in items)


def test_the_check_catches_what_the_old_parser_produced():
    # What the old parser made of THUONG_TRU (issue 14): a cut number, a title starting mid-word.
    assert legal.problems({"title": "Thông tư số", "number": "53/2025/TT-BC"}) == ["number"]
    assert legal.problems({"title": "Angày 01/7/2025 của Bộ Công an sửa đổi", "number": "66/2023/TT-BCA"}) == ["title"]
    assert legal.problems({"title": "Nghị định", "number": "96/2016/NĐ-CP9"}) == ["number"]
    assert legal.problems({"title": "5 của Quốc hội: Luật Quản lý thuế", "number": "108/2025/QH1"}) == [
        "number",
        "title",
    ]
    assert "date" in legal.problems(
        {"title": "Thông tư số 08/2025/TT-BTP ngày 12/6/2025", "number": "08/2025/TT-BTP", "date": None}
    )


def test_word_export_rows_take_date_and_issuer_columns():
    rows = [
        {  # supplements/bqp/1.013128: the number cell holds "12", the title the whole number
            "so_ky_hieu": "12",
            "trich_yeu": "Quyết định số 12/2021/QĐ-TTg ngày 24/3/2021 của Thủ tướng Chính phủ ban hành Quy chế hoạt "
            "động ứng phó với sự cố tràn dầu",
            "ngay_ban_hanh": "24-03-2021",
            "co_quan_ban_hanh": "Thủ tướng Chính phủ",
        },
        {  # supplements/bqp/1.013155: the number cell with its kind, the date only in its column
            "so_ky_hieu": "Thông tư số 104/2024/TT-BQP",
            "trich_yeu": "Thông tư thay thế, bãi bỏ một số quy định, mẫu biểu",
            "ngay_ban_hanh": "27-11-2024",
            "co_quan_ban_hanh": "Bộ trưởng Bộ Quốc phòng",
        },
    ]
    items, status = bqp_word.parse_legal(rows)
    assert status == "structured"
    assert [legal.line(i, chars=None) for i in items] == [
        "Quyết định số 12/2021/QĐ-TTg ngày 24/03/2021 của Thủ tướng Chính phủ: ban hành Quy chế hoạt động ứng phó "
        "với sự cố tràn dầu",
        "Thông tư số 104/2024/TT-BQP ngày 27/11/2024 của Bộ Quốc phòng: thay thế, bãi bỏ một số quy định, mẫu biểu",
    ]


def test_portal_api_rows_in_capitals():
    items, _ = portal_api.parse_legal(
        [  # supplements/portal-api (karaoke licence fee): a title in capitals, one with its date in words
            {"name": "THÔNG TƯ QUY ĐỊNH MỨC THU, CHẾ ĐỘ THU, NỘP PHÍ THẨM ĐỊNH", "code": "110/2025/TT-BTC"},
            {
                "name": "Thông tư số 01/2021/TT-BTC ngày 07 tháng 01 năm 2021 của Bộ trưởng Bộ Tài chính quy định về "
                "mức thu phí thẩm định",
                "code": "01/2021/TT-BTC",
            },
        ]
    )
    assert [legal.line(i, chars=None) for i in items] == [
        "Thông tư số 110/2025/TT-BTC của Bộ Tài chính: quy định mức thu, chế độ thu, nộp phí thẩm định",
        "Thông tư số 01/2021/TT-BTC ngày 07/01/2021 của Bộ Tài chính: quy định về mức thu phí thẩm định",
    ]


def test_chat_and_page_render_the_items():
    items, _ = parse_legal(THUONG_TRU)
    record = {"legal_basis": items}
    chat = render.legal_items(record)
    assert chat[1].startswith("Thông tư số 53/2025/TT-BCA ngày 01/07/2025 của Bộ Công an: sửa đổi")
    assert chat[1].endswith("…") and len(chat[1]) < 160  # the subject cut at 90 characters in chat
    [answer] = render.answer(record, "legal_basis")
    assert answer.variables["legal_basis"].split("\n")[1] == f"• {chat[1]}"
    full = render.legal_items(record, chars=None)
    assert full[1].endswith("thi hành Luật Căn cước.")
    # Items of an older catalog (title and number only) still render.
    assert render.legal_items({"legal_basis": [{"title": "Luật Cư trú 2020", "number": "68/2020/QH14"}]}) == [
        "Luật Cư trú số 68/2020/QH14 của Quốc hội"
    ]
