"""Parser tests on real portal records chosen because they are hard (fixtures/hard_records.json, copied from raw)."""

import json
from pathlib import Path

import pytest

from bot.catalog.parse import parse_channels, parse_record, split_templates

RAW = json.loads((Path(__file__).parent / "fixtures" / "hard_records.json").read_text(encoding="utf-8"))


def rec(code):
    return parse_record(RAW[code])


def times(r):
    return [
        (c["channel"], c["time"]["value"] if c["time"] else None, c["time"]["unit"] if c["time"] else None)
        for c in r["channels"]
    ]


def fees(r):
    return [
        (c["channel"], c["fee"]["amount"] if c["fee"] else None, c["fee"]["free"] if c["fee"] else None)
        for c in r["channels"]
    ]


def test_khai_sinh_time_without_unit_and_interface_text_stripped():
    r, st = rec("1.001193")
    assert times(r) == [("online", 1.0, None), ("post", 1.0, None), ("in_person", 1.0, None)]
    assert fees(r) == [("online", 0, True), ("post", 0, True), ("in_person", 0, True)]
    assert r["results"] == ["Giấy khai sinh"]
    assert [c["case"] for c in r["documents"]][:2] == ["Giấy tờ phải nộp", "Giấy tờ phải xuất trình"]
    assert r["documents"][0]["items"][0]["originals"] == 1
    assert r["documents"][0]["items"][2]["originals"] == 0
    assert r["levels"] == ["Cấp xã"] and r["agency"] is None  # "Không có thông tin" -> None
    assert r["online"]["level"] == "full"
    assert {
        "title": "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ quy định chi tiết một số điều và "
        "biện pháp thi hành Luật Hộ tịch",
        "number": "123/2015/NĐ-CP",
        "kind": "Nghị định",
        "date": "2015-11-15",
        "issuer": "Chính phủ",
        "subject": "quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch",
    } in r["legal_basis"]
    assert st["channels"] == st["documents"] == "structured"


def test_can_cuoc_fee_differs_per_channel_and_templates():
    r, _ = rec("1.000757")
    assert times(r) == [("online", 7.0, "Ngày làm việc"), ("in_person", 7.0, "Ngày làm việc")]
    assert fees(r) == [("online", 0, True), ("in_person", 70000, False)]
    assert r["channels"][0]["fee"]["text"] == "Miễn phí (Chưa quy định.)"
    items = [i for c in r["documents"] for i in c["items"]]
    assert items[0]["template"] == "Mẫu DC02 Phiếu đề nghị giải quyết thủ tục về căn cước.doc"
    assert items[0]["name"] == (
        "Phiếu đề nghị giải quyết thủ tục về căn cước (Mẫu DC02 ban hành kèm theo Thông tư "
        "số 17/2024/TT-BCA của Bộ Công an)"
    )
    assert len(r["documents"]) == 3  # three cases, each after a repeated header
    assert r["results"] == ["Thẻ căn cước"] and r["keywords"] == "Cấp lại thẻ căn cước"


def test_time_glued_to_fee_in_thousands_confirmed_by_note():
    r, _ = rec("2.002009")  # "Trực tuyến1100 VNĐ(Phí ... 100.000 đồng/lần" -> 1 + 100 (thousand)
    assert times(r)[0] == ("online", 1.0, None)
    assert fees(r)[0] == ("online", 100000, False)
    assert r["results"] == [
        "Văn bản nêu rõ lý do từ chối của Cơ quan đăng ký kinh doanh",
        "Giấy chứng nhận đăng ký doanh nghiệp",
        "Thông báo về việc sửa đổi, bổ sung hồ sơ đăng ký doanh nghiệp",
    ]


def test_small_amount_without_confirmation_is_not_trusted():
    r, _ = rec("2.002032")  # "Trực tiếp125 VNĐ" and no note: amount unknown, text kept
    assert fees(r)[2] == ("in_person", None, False)
    assert r["channels"][2]["fee"]["text"] == "25 VNĐ"


def test_gia_han_tam_tru_two_channels_different_fees():
    r, _ = rec("1.002755")
    assert fees(r) == [("online", 5000, False), ("in_person", 10000, False)]
    assert r["channels"][1]["note"].startswith("- Nộp hồ sơ trực tiếp tại Công an cấp xã.")


def test_customs_time_one_and_fee_twenty_thousand():
    r, _ = rec("1.000005")  # "Trực tuyến120,000 VNĐ" -> 1 + 20,000
    assert times(r) == [("online", 1.0, None)] and fees(r) == [("online", 20000, False)]
    assert r["results"] == ["Xác nhận thông quan"]


def test_no_time_no_fee_recognised():
    r, st = rec("1.009825")  # "Trực tiếpKhôngKhông có thông tin..."
    assert [(c["channel"], c["time"], c["fee"]) for c in r["channels"]] == [
        ("in_person", None, None),
        ("online", None, None),
        ("post", None, None),
    ]
    assert r["channels"][0]["note"] == "Tại Trung tâm phục vụ hành chính công cấp tỉnh, xã"
    assert st["channels"] == "structured"


def test_time_as_text():
    r, _ = rec("1.007689")
    assert r["channels"][0]["time"] == {
        "value": None,
        "unit": None,
        "text": "Không phải trả kết quả cho người nộp thuế",
    }
    assert [i["template"] for c in r["documents"] for i in c["items"]] == ["01 BĐS.docx", "01 BK-BĐS.docx"]


def test_missing_time_with_fee():
    r, _ = rec("2.000635")
    assert times(r) == [("online", None, None), ("post", None, None), ("in_person", None, None)]
    assert fees(r) == [("online", 8000, False), ("post", 8000, False), ("in_person", 8000, False)]


def test_vnd_abbreviation():
    r, _ = rec("1.004002")
    assert fees(r)[0] == ("online", 70000, False)
    assert r["channels"][0]["fee"]["text"] == "70,000 VNĐ (70.000 đồng/Giấy chứng nhận)"


def test_usd_fee_has_no_vnd_amount():
    r, _ = rec("1.003358")
    fee = r["channels"][0]["fee"]
    assert fee["amount"] is None and fee["currency"] == "USD" and fee["text"].startswith("145 USD")


def test_originals_and_copies_and_pdf_template():
    r, _ = rec("1.000931")
    item = r["documents"][0]["items"][0]
    assert item["template"] == "NA15.pdf"
    assert (item["originals"], item["copies"], item["quantity_text"]) == (1, 1, "1 bản chính,1 bản sao")
    assert r["online"]["level"] == "none"


def test_fee_note_with_nested_parentheses():
    r, _ = rec("1.002613")
    assert fees(r)[0] == ("in_person", 2500000, False)
    assert r["channels"][0]["note"] == "20 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ."


def test_fee_unknown():
    r, _ = rec("1.013428")
    assert [c["fee"] for c in r["channels"]] == [None, None, None]
    assert times(r)[0] == ("online", 3.0, "Ngày làm việc")


def test_small_amount_confirmed_by_note_gplx():
    r, _ = rec("3.000349")
    assert fees(r) == [("in_person", 135000, False)] and r["results"] == ["Giấy phép lái xe"]


def test_two_templates_glued_on_one_document():
    r, _ = rec("1.003790")
    templates = [i["template"] for c in r["documents"] for i in c["items"]]
    assert "Mẫu số 04.docx; Mẫu số 07.docx" in templates
    assert r["documents"][0]["case"].startswith("a) Hồ sơ đề nghị cấp phép nhập")


def test_many_glued_templates():
    _, templates = split_templates("Giấy phép rời cảngMauBankhaihanghoanguyhiem.docxMauDanhsachhanhkhach.docx")
    assert templates == ["MauBankhaihanghoanguyhiem.docx", "MauDanhsachhanhkhach.docx"]


def test_dang_ky_tam_tru_cases_and_fees():
    r, _ = rec("1.004194")
    assert fees(r) == [("online", 7000, False), ("in_person", 10000, False)]
    assert [c["case"] for c in r["documents"]][:2] == [
        "Hồ sơ đăng ký tạm trú gồm",
        "Đăng ký tạm trú theo danh sách, hồ sơ gồm",
    ]
    assert r["results"][0] == "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (lĩnh vực cư trú)"


def test_unstructured_documents_kept_raw():
    r, st = rec("1.001521")  # BHXH records have no document table
    assert r["documents"] == [] and st["documents"] == "raw"
    assert r["raw"]["documents"].startswith(")")


def test_legal_basis_of_a_number_only_is_described_from_its_codes():
    r, st = rec("1.012832")  # "106/2024/NĐ-CP106/2024/NĐ-CP": the title cell repeats the number
    assert st["legal_basis"] == "structured" and "legal_basis" not in r["raw"]
    assert r["legal_basis"] == [
        {
            "title": "106/2024/NĐ-CP",
            "number": "106/2024/NĐ-CP",
            "kind": "Nghị định",
            "date": None,
            "issuer": "Chính phủ",
            "subject": None,
        }
    ]


def test_multiple_result_documents():
    r, _ = rec("1.003425")
    assert len(r["results"]) == 3 and r["results"][2].endswith("(NB2)")
    assert r["online"] == {"level": "none", "rule": "không có kênh nộp trực tuyến"}


def test_channel_words_inside_notes_do_not_split():
    channels, status = parse_channels(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến3 NgàyMiễn phí"
        "Trực tuyến: nộp hồ sơ qua cổngTrực tiếp3 Ngày10,000 Việt Nam Đồng"
    )
    assert status == "structured"
    assert [(c["channel"], c["note"]) for c in channels] == [
        ("online", "Trực tuyến: nộp hồ sơ qua cổng"),
        ("in_person", None),
    ]
    assert channels[1]["fee"]["amount"] == 10000


@pytest.mark.parametrize("code", sorted(RAW))
def test_every_fixture_parses_with_code_name_url(code):
    r, _ = rec(code)
    assert r["code"] == code and r["name"] and r["url"].startswith("https://dichvucong.gov.vn/")
    assert r["online"]["level"] in {"full", "partial", "none"}
