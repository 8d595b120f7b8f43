"""Parser tests on hard records of the two supplement formats (fixtures copied from ../shared/data/procedures/
supplements/: hard_bqp_word.json from bqp/, hard_portal_api.json from portal-api/), with exact expected structures."""

import json
import unicodedata
from pathlib import Path

import pytest

from bot.catalog.parse import RECORD_KEYS
from bot.catalog.sources import code_and_name, detect, parse

FIXTURES = Path(__file__).parent / "fixtures"
BQP = json.loads((FIXTURES / "hard_bqp_word.json").read_text(encoding="utf-8"))
API = json.loads((FIXTURES / "hard_portal_api.json").read_text(encoding="utf-8"))
PAGE = json.loads((FIXTURES / "hard_records.json").read_text(encoding="utf-8"))


def nfc(text):
    return unicodedata.normalize("NFC", text)


def bqp(code):
    return parse(BQP[code], "bqp_word")


def api(code):
    return parse(API[code], "portal_api")


def fees(r):
    return [
        (c["channel"], c["fee"]["amount"] if c["fee"] else None, c["fee"]["free"] if c["fee"] else None)
        for c in r["channels"]
    ]


def test_detector_tells_the_three_formats_apart():
    assert {detect(o) for o in BQP.values()} == {"bqp_word"}
    assert {detect(o) for o in API.values()} == {"portal_api"}
    assert {detect(o) for o in PAGE.values()} == {"portal_page"}
    assert detect({"foo": 1}) is None and detect([1, 2]) is None and detect("x") is None
    assert code_and_name(BQP["1.013133"], "bqp_word") == ("1.013133", "Thủ tục đăng ký nghĩa vụ quân sự lần đầu")
    assert code_and_name(API["1.014163"], "portal_api") == ("1.014163", "HƯỞNG TRỢ CẤP ỐM ĐAU")


@pytest.mark.parametrize("fmt,data", [("bqp_word", BQP), ("portal_api", API)])
def test_every_fixture_gives_the_same_record_shape(fmt, data):
    for obj in data.values():
        r, status = parse(obj, fmt, "Bộ Quốc phòng" if fmt == "bqp_word" else None)  # the importer's folder hint
        assert list(r) == RECORD_KEYS and r["source"] == fmt and r["ministry"] and r["name"] and r["levels"]
        assert set(status.values()) <= {"structured", "raw", "empty"}


def test_ministry_from_the_decision_or_the_hint():
    assert bqp("1.013133")[0]["ministry"] == "Bộ Quốc phòng"  # "…/QĐ-BQP"
    assert bqp("1.013199")[0]["ministry"] is None  # "Quyết định số 4777": no issuer
    assert parse(BQP["1.013199"], "bqp_word", "Bộ Quốc phòng")[0]["ministry"] == "Bộ Quốc phòng"


# ---------------------------------------------------------------- Word-export JSON (Bộ Quốc phòng)
def test_bqp_military_service_fees_per_channel_documents_legal_agencies():
    r, st = bqp("1.013133")
    assert (r["name"], r["field"], r["levels"], r["ministry"], r["decision"]) == (
        "Thủ tục đăng ký nghĩa vụ quân sự lần đầu",
        "Nghĩa vụ quân sự",
        ["Cấp xã"],
        "Bộ Quốc phòng",
        "Quyết định số 6375/QĐ-BQP",
    )
    # "Phí : 0 Đồng" in person, an empty fee cell online: free vs unknown, per channel.
    assert r["channels"] == [
        {
            "channel": "in_person",
            "time": {"value": 1.0, "unit": "Ngày làm việc", "text": "1 Ngày làm việc"},
            "fee": {
                "amount": 0,
                "free": True,
                "text": "Miễn phí",
                "currency": "VND",
                "stated": [],
                "provisions": [],
                "headline": "Miễn phí",
                "local": False,
            },
            "note": None,
        },
        {"channel": "online", "time": {"value": 2.0, "unit": "Giờ", "text": "02 Giờ"}, "fee": None, "note": None},
    ]
    # Quantity sits in ghi_chu ("Bản chính: 1\nBản sao: 0"); leading "- " dropped.
    assert [(i["name"][:40], i["originals"], i["copies"], i["quantity_text"]) for i in r["documents"][0]["items"]] == [
        ("Phiếu tự khai sức khỏe nghĩa vụ quân sự", 1, 0, "Bản chính: 1 - Bản sao: 0"),
        ("Bản chụp Căn cước công dân hoặc Thẻ Căn ", 0, 1, "Bản chính: 0 - Bản sao: 1"),
    ]
    assert r["documents"][0]["case"] is None
    # so_ky_hieu "104": the number is taken from the title.
    assert r["legal_basis"][1] == {
        "title": "Nghĩa vụ quân sự",
        "number": "78/2015/QH13",
        "kind": None,  # a QH number is a law or a resolution: only the title could say
        "date": r["legal_basis"][1]["date"],
        "issuer": "Quốc hội",
        "subject": "Nghĩa vụ quân sự",
    }
    assert r["legal_basis"][3]["number"] == "104/2022/NĐ-CP"
    assert (r["agency"], r["deciding_agency"], r["receiving_address"]) == (
        "Ban chỉ huy quân sự cấp Xã",
        "Chủ tịch UBND cấp xã",
        None,
    )  # "Không có thông tin" -> None
    assert r["results"] == ["Giấy chứng nhận đăng ký nghĩa vụ quân sự"] and r["url"] == ""
    assert r["steps"][0].startswith("Bước 1: Trước thời hạn 05 ngày") and len(r["steps"]) == 3
    assert r["online"] == {"level": "partial", "rule": "nộp trực tuyến; không nêu trả kết quả điện tử"}
    assert st == {
        "channels": "structured",
        "documents": "structured",
        "steps": "structured",
        "results": "structured",
        "legal_basis": "structured",
        "conditions": "structured",
        "agency": "structured",
        "deciding_agency": "structured",
        "receiving_address": "empty",
        "applicants": "structured",
        "kind": "structured",
    }


def test_bqp_documents_by_case_with_case_templates():
    r, st = bqp("1.013617")
    assert [(c["case"][:30], c.get("template"), len(c["items"])) for c in r["documents"]] == [
        ("1. Trường hợp 1:1.1 Hồ sơ đề n", "Mus07.docx", 2),
        ("1.2. Hồ sơ đề nghị điều chỉnh ", "Mus08.docx", 3),
        ("2. Trường hợp 2: 2.1. Hồ sơ đề", "Mus09.docx", 3),
        ("2.2. Hồ sơ đề nghị điều chỉnh ", "Mus021.docx", 2),
    ]
    item = r["documents"][0]["items"][1]
    # Trailing ".," of the export dropped; both an original and a copy.
    assert item == {
        "name": "b) Bản chính giấy phép hoạt động và bản sao hợp lệ quyết định của cấp có thẩm quyền về "
        "việc thay đổi tên hoặc địa chỉ hoặc thời gian làm việc nhưng không thay đổi địa điểm cơ "
        "sở khám bệnh, chữa bệnh.",
        "template": None,
        "originals": 1,
        "copies": 1,
        "quantity_text": "Bản chính: 1 - Bản sao: 1",
    }
    assert (
        st["documents"] == "structured"
        and nfc(r["receiving_address"]) == "276 Nghi Tàm, Phường Hồng Hà, Thành phố Hà Nội"
    )


def test_bqp_several_fees_per_channel_are_alternatives():
    r, _ = bqp("1.013539")  # explosives: four fees by purpose, no single amount
    fee = r["channels"][0]["fee"]
    assert (fee["amount"], fee["free"], fee["currency"]) == (None, False, "VND")
    assert fee["text"].split("\n") == [
        "Phí: 2.000.000 Đồng (Thẩm định cấp phép sử dụng vật liệu nổ công nghiệp phục vụ nghiên cứu, kiểm định, "
        "thử nghiệm)",
        "Phí: 3.500.000 Đồng (Thẩm định cấp phép sử dụng vật liệu nổ công nghiệp phục vụ tìm kiếm, thăm dò, khai thác "
        "trên đất liền)",
        "Phí: 4.000.000 Đồng (Thẩm định cấp phép sử dụng vật liệu nổ công nghiệp phục vụ thi công, phá dỡ công trình)",
        "Phí: 5.000.000 Đồng (Thẩm định cấp phép sử dụng vật liệu nổ công nghiệp phục vụ tìm kiếm, thăm dò, khai thác "
        "trên biển và thềm lục địa)",
    ]


def test_bqp_usd_and_vnd_fees_and_zero_hours_explained_by_note():
    r, _ = bqp("1.013575")
    ch = r["channels"][0]
    assert ch["fee"]["stated"] == [
        {"amount": 20000, "unit": "đồng", "condition": "Lệ phí"}  # the VND one; USD amounts stay in the text
    ]
    assert {k: ch["fee"][k] for k in ("amount", "free", "currency", "text")} == {
        "amount": None,
        "free": False,
        "currency": "USD",
        "text": (
            "Lệ phí: 1 USD (Người Việt Nam và nước ngoài từ 16 tuổi trở lên xuống tàu thuyền nước ngoài)\n"
            "Lệ phí: 0,5 USD (Người Việt Nam và nước ngoài dưới 16 tuổi xuống tàu thuyền nước ngoài)\n"
            "Lệ phí: 20.000 Đồng (Người điều khiển phương tiện Việt Nam, nước ngoài cập mạn tàu thuyền nước ngoài)"
        ),
    }
    assert ch["time"]["value"] == 0 and ch["time"]["text"].startswith("Ngay sau khi Biên phòng cửa khẩu cảng")


def test_bqp_fee_as_prose_is_text_not_an_amount():
    r, st = bqp("1.013199")  # "Phí : 1.\tMức thu bằng 50% …": the "1." is a list number, not 1 đồng
    assert [c["fee"]["amount"] for c in r["channels"]] == [None, None, None]
    assert r["channels"][1]["fee"]["text"].startswith("Phí: Mức thu bằng 50% mức thu phí quy định tại Mục I")
    assert st["channels"] == "structured"


def test_bqp_time_range_and_legal_numbers_in_the_number_cell():
    r, _ = bqp("1.013629")  # "10-25" with the note "10-25 ngày kể từ …" (the source is not NFC)
    time = r["channels"][0]["time"]
    assert (time["value"], time["unit"], nfc(time["text"])) == (
        None,
        None,
        "10-25 ngày kể từ ngày nhận được hồ sơ hợp lệ.",
    )
    r, st = bqp("1.013157")
    assert [lb["number"] for lb in r["legal_basis"]] == [
        "144/2008/TTLT-BQP-BLĐTBXH-BTC",
        "142/2008/QĐ-TTg",
        "104/2024/TT-BQP",
        "22/2025/QĐ-TTg",
        "103/2025/TT-BQP",
    ]
    assert st["legal_basis"] == "structured"
    assert r["channels"][0]["time"] == {"value": None, "unit": None, "text": "Không quy định"}


# ---------------------------------------------------------------- portal API JSON
def test_api_consular_fees_and_times_per_channel_and_case():
    r, st = api("1.001308")
    assert (r["ministry"], r["levels"], r["decision"], r["kind"]) == (
        "Bộ Ngoại giao",
        ["Cấp tỉnh", "Cấp bộ"],
        "1061/QĐ-BNG",
        "TTHC được giao luật quy định chi tiết",
    )
    assert r["url"] == "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bf9-f197-761b-a693-7bf17dfb43ab"
    # One method per channel and case: the case is named in the time text; SERVICE_FEE is the lệ phí.
    assert [(c["channel"], c["time"]["value"]) for c in r["channels"][:6]] == [
        ("post", 1.0),
        ("in_person", 2.0),
        ("in_person", 1.0),
        ("post", 2.0),
        ("in_person", 4.0),
        ("post", 4.0),
    ]
    # No ONLINE method, but the receiving addresses say "d) Nộp trực tuyến trên Cổng Dịch vụ công quốc gia" (audit).
    assert r["channels"][6] == {
        "channel": "online",
        "time": None,
        "fee": None,
        "note": "d) Nộp trực tuyến trên Cổng Dịch vụ công quốc gia",
    }
    assert r["channels"][4]["time"]["text"] == (
        "4 Ngày làm việc (kể từ ngày cơ quan có thẩm quyền giải quyết nhận đủ hồ sơ hợp lệ đối với trường hợp hồ sơ "
        "có số lượng từ 10 giấy tờ, tài liệu trở lên)"
    )
    assert {k: r["channels"][0]["fee"][k] for k in ("amount", "free", "currency", "text")} == {
        "amount": 30000,
        "free": False,
        "currency": "VND",
        "text": ("Lệ phí: 30.000 Đồng (Chứng nhận lãnh sự)\nLệ phí: 30.000 Đồng (Hợp pháp hoá lãnh sự)"),
    }
    assert [c["case"][:40] for c in r["documents"]] == [
        "Trường hợp nộp hồ sợ trực tuyến trên Cổn",
        "Đối với việc chứng nhận lãnh sự giấy tờ,",
        "Đối với việc hợp pháp hóa lãnh sự giấy t",
    ]
    assert (
        r["agency"]
        == r["deciding_agency"]
        == ("Cục Lãnh sự - Bộ Ngoại giao, Sở Ngoại vụ Thành phố Hồ Chí Minh - Bộ Ngoại giao")
    )
    assert r["receiving_address"].startswith(
        "1. Nộp hồ sơ:\na) Tại Cục Lãnh sự, Bộ Ngoại giao tại địa chỉ: 40 Trần Phú"
    )
    first = r["legal_basis"][0]
    assert (first["title"], first["number"], first["kind"], first["issuer"], first["subject"]) == (
        "Thông tư 01/2012/TT-BNG",
        "01/2012/TT-BNG",
        "Thông tư",
        "Bộ Ngoại giao",
        None,
    )
    # Filing online is stated in the record's text (not in its methods): một phần, never "no online channel".
    assert r["online"]["level"] == "partial" and st["channels"] == "structured"


def test_api_fee_value_and_description_disagree():
    r, _ = api("1.000915")
    # Online: 250000 as a number. Post/in person: value 0 but the text states two amounts -> no single amount.
    assert fees(r) == [("online", 250000, False), ("post", None, False), ("in_person", None, False)]
    assert r["channels"][1]["fee"]["text"].startswith("Phí: 250000 Đồng (Xác minh để công nhận văn bằng")
    assert "Phí: 500000 Đồng" in r["channels"][1]["fee"]["text"]
    assert r["online"] == {
        "level": "full",
        "rule": "nộp trực tuyến; miễn phí hoặc thanh toán trực tuyến; có trả kết "
        "quả điện tử (Cổng ghi là dịch vụ công toàn trình)",
    }


def test_api_five_fees_by_kind_of_clinic():
    r, _ = api("1.012278")
    fee = r["channels"][0]["fee"]
    assert fee["amount"] is None and fee["text"].split("\n")[:2] == [
        "Phí: 5.250.000 Đồng (Bệnh viện)",
        "Phí: 2.850.000 Đồng (Phòng khám đa khoa, nhà hộ sinh, cơ sở khám bệnh, chữa bệnh y học gia đình)",
    ]
    assert len(fee["text"].split("\n")) == 5  # two fees of 2.150.000 for different kinds of clinic
    assert [(c["case"][:13], [i["template"] for i in c["items"]][:4]) for c in r["documents"]] == [
        ("Trường hợp 1:", ["Mẫu 11(1).docx", None, "Mẫu 02.docx", "Mẫu 08 Kê khai cơ sở vật chất.docx"]),
        ("Trường hợp 2:", ["Mẫu 02 PL II ND 96.docx", None]),
    ]
    assert r["agency"] == "Cục Quản lý Khám chữa bệnh - Bộ Y tế, Cục Quản lý Y, Dược cổ truyền - Bộ Y tế, Sở Y tế"


def test_api_capitals_name_social_insurance_cases():
    r, st = api("1.014163")
    assert (r["name"], r["ministry"], r["field"], r["levels"], r["agency"]) == (
        "Hưởng trợ cấp ốm đau",
        "Bộ Nội vụ",
        "Bảo hiểm xã hội",
        ["Cấp tỉnh"],
        "Bảo hiểm xã hội tỉnh",
    )
    assert fees(r) == [("online", 0, True), ("post", 0, True), ("in_person", 0, True)]
    assert [len(c["items"]) for c in r["documents"]] == [2, 4, 4]
    assert [(i["title"], i["number"], i["kind"], i["issuer"]) for i in r["legal_basis"]] == [
        (
            "Quy định chi tiết và hướng dẫn thi hành một số điều của Luật Bảo hiểm xã hội về bảo hiểm xã hội bắt buộc",
            "158/2025/NĐ-CP",
            "Nghị định",  # from the number's kind code
            "Chính phủ",
        ),
        ("Luật Bảo hiểm xã hội", "41/2024/QH15", "Luật Bảo hiểm xã hội", "Quốc hội"),
    ]
    assert st["deciding_agency"] == "empty" and st["documents"] == "structured"


def test_api_agencies_from_unit_groups_with_a_null_entry():
    r, _ = api("1.010833")  # executingAgencies "" and unitGroupsExecuting [null]
    assert r["agency"] is None and r["receiving_address"] == "Ủy ban nhân dân cấp xã"
    assert r["legal_basis"][1]["number"] == "25/2025/NĐ-CP"  # code "Nghị định số 25/2025/NĐ-CP"
    assert [c["channel"] for c in r["channels"]] == ["post", "in_person"]
    r, _ = api("1.001699")
    assert r["agency"] == "Ủy ban Nhân dân xã, phường, thị trấn." and r["results"] == ["Giấy xác nhận khuyết tật (BYT)"]
    assert [c["case"] for c in r["documents"]] == [
        "Đối với trường hợp xác định lại khuyết tật",
        "Đối với trường hợp xác định khuyết tật",
    ]
    assert r["documents"][0]["items"][0]["template"] == "Mus01 don.docx"


def test_api_time_other_unit():
    r, _ = api("1.014193")  # OTHER, 0: only the description says
    assert r["channels"][0]["time"] == {"value": None, "unit": None, "text": "Giải quyết ngay sau khi xuất trình hồ sơ"}
    assert len(r["documents"]) == 9 and r["documents"][1]["case"] == "Trường hợp 2: Đối với trẻ em dưới 6 tuổi"
    r, _ = api("3.000181")  # OTHER, 1, no description: no time rather than "1 (unit?)"
    assert [c["time"] for c in r["channels"]] == [None, None, None]
