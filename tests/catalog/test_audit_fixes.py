"""Errors of the blind fact audit (tests/fact_audit/before_part*.yml) that are not fees, legal bases or the order
of document cases: each one on the audited record of the shipped catalog (rebuilt by the importer, so a parser
change that brings an error back fails here), plus the parser rules on the source text that caused it."""

from __future__ import annotations

import unicodedata

import pytest

from bot.catalog import load_catalog, render
from bot.catalog.parse import parse_documents, parse_results, parse_steps, split_templates, time_cases


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")  # some file names are stored decomposed, as published


def answer_text(record: dict, topic: str) -> str:
    return "\n".join("\n".join(a.variables.values()) for a in render.answer(record, topic))


# ---------------------------------------------------------------- 1. processing time per case, never one as general
@pytest.mark.parametrize(
    "code, general, cases",
    [
        ("1.009759", "17 Ngày làm việc", ["(1) đến (7): 17 ngày", "(8): 12 ngày", "(9): 05 ngày"]),
        ("1.012575", "2 Ngày", ["biển số xe: Không quá 02 ngày làm việc", "định danh: Không quá 07 ngày làm việc"]),
        ("1.014410", "25 Ngày làm việc", ["nhóm A", "nhóm B", "không quá 20 ngày", "không quá 10 ngày"]),
        ("2.000238", "4 Ngày làm việc", ["1 ngày làm việc", "2 ngày làm việc", "4 ngày làm việc"]),
        ("1.116612", "4 Ngày làm việc", ["Apostille bản giấy", "Apostille bản điện tử", "03 ngày làm việc"]),
        ("2.001335", "12 Ngày làm việc", ["15 ngày làm việc", "trên 03 cây trồng"]),
        ("6.005710", "25 Ngày", ["25 ngày", "trong vòng 15 ngày", "thủ trưởng các cơ quan"]),
        ("1.000513", "17 Ngày làm việc", ["07 ngày làm việc", "17 ngày làm việc"]),
        ("1.003425", "5 Ngày làm việc", ["Không quá 05 ngày", "Không quá 03 ngày", "Không quá 12 giờ"]),
        ("1.009522", "10 Ngày", ["tăng, giảm vốn", "15 ngày"]),
        ("1.000915", "45 Ngày làm việc", ["20 ngày làm việc", "45 ngày làm việc"]),
        ("2.002766", "20 Ngày", ["20 ngày hoặc 40 ngày (trong trường hợp đặc biệt)"]),
    ],
)
def test_times_of_several_cases_are_shown_with_their_case(catalog, code, general, cases):
    record = catalog.get(code)
    text = render.per_channel(record, "time", chars=None)
    assert text.splitlines()[0] != general and f"• {general}" not in text  # no single time as the general one
    assert render.texts()["time_by_case"] in text
    for case in cases:
        assert case in text, case
    overview = render.answer(record, "overview")[0].variables["processing_time"]
    assert render.texts()["time_by_case"] in overview


def test_channels_listed_once_per_case_keep_their_case(catalog):
    record = catalog.get("1.014258")  # (1) thu hồi khoáng sản: 44 ngày; (2) khoáng sản dôi dư: 13 ngày
    lines = render.per_channel(record, "time", chars=None).splitlines()
    rows = [line for line in lines if line.startswith("• ")]
    assert len(rows) == 2 and all(r.startswith("• Trực tiếp, Dịch vụ bưu chính công ích, Trực tuyến:") for r in rows)
    text = "\n".join(lines)
    assert text.index("điểm d khoản 1 Điều 75") < text.index("31 ngày làm việc") < text.index("bãi thải, bãi chứa")
    record = catalog.get("1.013195")  # two stages, each row its own agency
    text = render.per_channel(record, "time", chars=None)
    assert "30 ngày, đối với Cơ quan, đơn vị có thẩm quyền" in text and "12 ngày, đối với Sở Nội vụ" in text


@pytest.mark.parametrize("code, stated", [("1.010737", "tối đa 10 (mười) ngày làm việc"), ("1.014239", "60 ngày")])
def test_time_cell_without_information_uses_the_description(catalog, code, stated):
    record = catalog.get(code)
    [answer] = render.answer(record, "processing_time")
    assert answer.response == "utter_procedure_processing_time" and stated in answer.variables["processing_time"]
    assert render.missing() not in render.answer(record, "overview")[0].variables["processing_time"]


def test_time_cases_rules():
    note = "- Đối với các trường hợp từ (1) đến (7): 17 ngày làm việc.\n- Đối với trường hợp (9): 05 ngày làm việc."
    assert time_cases(note) == [
        "Đối với các trường hợp từ (1) đến (7): 17 ngày làm việc.",
        "Đối với trường hợp (9): 05 ngày làm việc.",
    ]
    # "(đối với …)" on the next line belongs to the time before it; dates and circular numbers are no times.
    note = "10 ngày kể từ ngày nhận hồ sơ.\n(đối với trường hợp tăng vốn); 15 ngày (đối với trường hợp đổi tên)"
    assert time_cases(note) == [
        "10 ngày kể từ ngày nhận hồ sơ. (đối với trường hợp tăng vốn); 15 ngày (đối với trường hợp đổi tên)"
    ]
    assert time_cases("Thông tư số 02/2022/TT-BTC ngày 11/01/2022") == []
    assert time_cases("Thông tư số 34/2017/TT-BTC ngày 21 tháng 4 năm 2017") == []


def test_time_cell_is_kept_when_the_description_does_not_state_it(catalog):
    record = catalog.get("1.000660")  # cell 10 ngày làm việc; description: stages of 05 and 03 ngày làm việc
    text = render.per_channel(record, "time", chars=None)
    assert text.startswith("10 Ngày làm việc; ") and "05 ngày làm việc" in text


# ---------------------------------------------------------------- 2. steps: labels, case headings, sub-points
@pytest.mark.parametrize("code", ["1.014279", "1.014235", "1.014258"])
def test_letter_labels_are_not_empty_steps(catalog, code):
    text = render.steps_text(catalog.get(code), limit=None, chars=None)
    lines = text.splitlines()
    assert not any(line.rstrip().endswith((". a)", ". b)", ". c)", ". d)")) for line in lines)
    assert "1. Nộp hồ sơ (tổ chức, cá nhân)" in lines[0] or "1. Nộp hồ sơ (tổ chức, cá nhân)" in lines[1]


@pytest.mark.parametrize(
    "code, headings",
    [
        ("1.014632", ["▸ Trường hợp 1:", "▸ Trường hợp 2:", "▸ Trường hợp 7:"]),
        ("2.002800", ["▸ Đối với trường hợp tạm ứng chi phí giám định", "▸ Đối với trường hợp thanh toán"]),
        ("1.009759", ["▸ Trường hợp 8:", "▸ Trường hợp 9:"]),
        ("1.013653", ["▸ Trường hợp (1):", "▸ Trường hợp (2):", "▸ Trường hợp (3):"]),
        ("1.014212", ["▸ Đối với trường hợp sử dụng một nguồn", "▸ Trường hợp sử dụng hai nguồn"]),
        ("1.014258", ["▸ Tổ chức, cá nhân đề nghị cấp giấy xác nhận", "▸ Trường hợp chủ đầu tư"]),
    ],
)
def test_case_headings_stand_alone_and_steps_are_numbered_again(catalog, code, headings):
    lines = render.steps_text(catalog.get(code), limit=None, chars=None).splitlines()
    for heading in headings:
        [at] = [i for i, line in enumerate(lines) if line.startswith(heading)]
        following = [line for line in lines[at + 1 :] if not line.startswith("▸")]
        assert following and following[0].startswith("1. "), (heading, following[:1])
    steps = [line for line in lines if not line.startswith("▸")]
    assert not any("Trường hợp (2)" in s or "*) Trường hợp" in s or "Trường hợp 2:" in s for s in steps)


def test_step_parser_rules():
    steps, _ = parse_steps("a) Bước 1. Nộp hồ sơ\nb) Bước 2: Tiếp nhận\nc) Bước 3: Thẩm định")
    assert steps == ["Bước 1. Nộp hồ sơ", "Bước 2: Tiếp nhận", "Bước 3: Thẩm định"]
    steps, _ = parse_steps("- Bước 1: Nộp.\n- Bước 2: Xét.\n*) Trường hợp hai nguồn\n- Bước 1: Nộp về Bộ.")
    assert steps == ["Bước 1: Nộp.", "Bước 2: Xét.", "*) Trường hợp hai nguồn", "Bước 1: Nộp về Bộ."]
    # Without "Bước": sub-points ("+ …") and address lines stay in their step; glued headings are split off.
    steps, _ = parse_steps(
        "- Cơ quan có trách nhiệm:\n-+ Gửi văn bản yêu cầu bổ sung;\n+ Gửi văn bản từ chối\n"
        "1. Nộp hồ sơ:\na) Tại Cục Lãnh sự:\nĐịa chỉ: 40 Trần Phú\nb) Xác nhận.Trường hợp 2: Xác nhận khác a) Người kê"
        " khai gửi giấy"
    )
    assert steps == [
        "Cơ quan có trách nhiệm: + Gửi văn bản yêu cầu bổ sung; + Gửi văn bản từ chối",
        "1. Nộp hồ sơ:",
        "a) Tại Cục Lãnh sự: Địa chỉ: 40 Trần Phú",
        "b) Xác nhận.",
        "Trường hợp 2: Xác nhận khác",
        "a) Người kê khai gửi giấy",
    ]


def test_address_lines_and_sub_points_are_not_steps(catalog):
    lines = render.steps_text(catalog.get("1.001308"), limit=None, chars=None).splitlines()
    assert not any(line.split(". ", 1)[-1].startswith("Địa chỉ") for line in lines)
    lines = render.steps_text(catalog.get("1.013216"), limit=None, chars=None).splitlines()
    assert not any(line.split(". ", 1)[-1].startswith("Gửi văn bản") for line in lines)


# ---------------------------------------------------------------- 3. documents: zero quantities, glued file names
@pytest.mark.parametrize(
    "code, name",
    [
        ("1.007905", "Thông báo phát hành Biên lai: 01 bản chính"),
        ("1.007905", "Biên lai mẫu: 01 bản chính"),
        ("1.007863", "Tờ khai hàng hóa nhập khẩu theo các chỉ tiêu thông tin"),
        ("1.007863", "Vận tải đơn hoặc các chứng từ vận tải khác"),
        ("1.014410", "Hồ sơ có thể hiện rõ dấu chỉ độ mật"),
        ("3.000164", "Thông tin vụ/việc"),
    ],
)
def test_papers_listed_at_zero_quantity_are_shown(catalog, code, name):
    text = render.documents_text(catalog.get(code), limit=None, chars=None)
    assert name in text


def test_explanations_at_zero_quantity_stay_hidden(catalog):
    text = render.documents_text(catalog.get("1.007863"), limit=None, chars=None)
    assert "người khai hải quan không phải nộp khi làm thủ tục hải quan" not in text


@pytest.mark.parametrize("code", ["1.006442", "1.007863"])
def test_quantity_stated_in_the_name_is_not_split(catalog, code):
    text = render.documents_text(catalog.get(code), limit=None, chars=None)
    assert "pháp luật: 01 bản chính." in text and ": 0 (" not in text


@pytest.mark.parametrize(
    "code, name, template",
    [
        ("1.003504", "Đơn khiếu nại hoặc bản ghi lời khiếu nại", "Mẫu ban hành kèm theo Nghị định 124-2020.doc"),
        ("1.008682", "Dự án thành lập Cơ sở bảo tồn đa dạng sinh học", "Du án thanh lap CSBT.docx"),
        ("1.008682", "Đơn đề nghị cấp Giấy chứng nhận Cơ sở bảo tồn đa dạng sinh học", "Đơn đề nghi.CSBT.docx"),
        ("1.009759", "Văn bản đề nghị điều chỉnh dự án đầu tư", "Mẫu I.1.8.docx"),
        ("6.006590", "đăng kiểm viên đường sắt bậc cao", "Đơn đề nghị công nhận ĐKV.pdf"),
    ],
)
def test_file_names_are_not_glued_to_document_names(catalog, code, name, template):
    items = [i for c in catalog.get(code)["documents"] for i in c["items"]]
    found = [i for i in items if nfc(i["name"]).endswith(nfc(name)) and nfc(i["template"]) == nfc(template)]
    assert len(found) == 1


def test_template_and_quantity_rules():
    assert split_templates("…Thông tư 98/2020/TT-BTC.315Phụ lục IV.docx315Phụ lục II.docx") == (
        "…Thông tư 98/2020/TT-BTC.",
        ["315Phụ lục IV.docx", "315Phụ lục II.docx"],
    )
    assert split_templates("Văn bản đề nghịMẫu I.1.8.a.docx") == ("Văn bản đề nghị", ["Mẫu I.1.8.a.docx"])
    cases, _ = parse_documents("Tên giấy tờMẫu đơn, tờ khaiSố lượngGiấy A: 01 bản chính.1 bản chínhGiấy B1 bản sao")
    assert [i["name"] for i in cases[0]["items"]] == ["Giấy A: 01 bản chính."]


# ---------------------------------------------------------------- 4. results without internal codes
@pytest.mark.parametrize(
    "code, results",
    [
        ("1.004711", ["Văn bản chấp thuận"]),
        ("3.000163", ["Văn bản tố tụng của Tòa án theo tiến trình giải quyết"]),
        (
            "1.002181",
            [
                "Giấy ĐKHĐ Công ty Luật TNHH dưới hình thức liên doanh tại Việt Nam",
                "Giấy đăng ký hoạt động của công ty luật trách nhiệm hữu hạn hai thành viên trở lên, "
                "công ty luật hợp danh",
                "Giấy ĐKHĐ Chi nhánh của tổ chức hành nghề luật sư nước ngoài tại Việt Nam",
                "Giấy ĐKHĐ của Công ty Luật TNHH 100% vốn nước ngoài tại Việt Nam",
            ],
        ),
    ],
)
def test_result_codes_are_dropped_and_items_kept_apart(catalog, code, results):
    assert catalog.get(code)["results"] == results


def test_result_code_rule():
    results, _, _ = parse_results("Giấy ATMã: 000.00.00.G15-KQ0187Giấy BMã: VBTTGiấy CMã: utwChứng chỉ DMã: Cơ quan")
    assert results == ["Giấy AT", "Giấy B", "Giấy C", "Chứng chỉ DMã: Cơ quan"]


# ---------------------------------------------------------------- 5. payment and postal statements as the record says
@pytest.mark.parametrize(
    "code, payment",
    [
        ("2.000720", "online"),  # lệ phí paid online through the system
        ("3.000163", "online"),  # tạm ứng án phí, "thanh toán trực tuyến án phí"
        ("3.000164", "online"),
        ("3.000165", "online"),  # "đóng phí cấp bản sao trực tuyến"
        ("1.012575", "online"),  # "tiện ích thanh toán được tích hợp trên cổng dịch vụ công"
        ("1.013333", "not_stated"),  # "đã nộp đầy đủ các khoản giá dịch vụ, lệ phí", no online payment said
    ],
)
def test_free_fee_cell_with_a_payment_in_the_steps_is_not_called_free(catalog, code, payment):
    record = catalog.get(code)
    assert render.payment_due(record)
    assert render.online_payment(record) == payment
    assert render.texts()["payment"]["free"] not in answer_text(record, "online")


@pytest.mark.parametrize("code", ["1.010060", "1.010227"])
def test_free_procedure_without_online_channel_asks_no_fee(catalog, code):
    record = catalog.get(code)
    assert render.online_payment(record) == "no_online_free"
    assert "nộp phí, lệ phí tại nơi nộp hồ sơ" not in answer_text(record, "online")


@pytest.mark.parametrize("code", ["1.014410", "5.003732"])
def test_internal_courier_is_not_public_post(catalog, code):
    record = catalog.get(code)
    assert render.post_return(record) == "internal"
    assert render.texts()["result_options"]["post"] not in render.result_options(record)
    assert "bưu chính công ích (trả cước" not in answer_text(record, "online")


def test_online_filing_stated_in_the_record_is_an_online_channel(catalog):
    record = catalog.get("1.001308")
    assert render.availability(record) == "partial" and "Trực tuyến" in render.channel_names(record)


# ---------------------------------------------------------------- 6. no empty link; 7. agency names
def test_records_without_a_page_link_to_the_portal_with_their_code(catalog):
    record = catalog.get("1.013195")  # Bộ Quốc phòng: the Word export has no page address
    assert record["url"] == ""
    for topic in ("overview", "fee", "processing_time", "steps"):
        for answer in render.answer(record, topic):
            assert answer.variables["url"].startswith("https://dichvucong.gov.vn")
            assert "1.013195" in answer.variables["url"]
    without = [r for r in catalog if not r.get("url")]
    assert without and all(render.common_variables(r)["url"] for r in without)


def test_agency_names_and_levels(catalog):
    assert catalog.get("2.002800")["agency"] == "Tòa án nhân dân"
    assert not any("_old" in (r.get("agency") or "") for r in catalog)
    record = catalog.get("1.009825")  # no agency: the levels, said as levels
    overview = render.answer(record, "overview")[0].variables["agency"]
    assert overview == "cơ quan cấp xã, cấp tỉnh, cấp bộ (dữ liệu không ghi tên cơ quan cụ thể)"


# ---------------------------------------------------------------- other: interface text is no condition
def test_portal_interface_text_is_not_a_condition(catalog):
    record = catalog.get("2.001598")  # "Không có thông tinTừ khóa…Chọn cơ quan thực hiện…Nộp hồ sơ"
    assert record["conditions"] is None
    assert render.answer(record, "conditions")[0].response == "utter_procedure_missing"
    assert not any("Chọn cơ quan thực hiện" in (r.get("conditions") or "") for r in catalog)


# ---------------------------------------------------------------- second audit pass (tests/fact_audit/after_part*.yml)
@pytest.mark.parametrize(
    "code, law",
    [
        ("3.000521", "Luật Phòng, chống ma túy số 73/2021/QH14"),
        ("3.000382", "Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15"),
    ],
)
def test_a_law_name_runs_on_after_its_comma(catalog, code, law):
    assert any(item.startswith(law) for item in render.legal_items(catalog.get(code)))


@pytest.mark.parametrize(
    "code, result",
    [
        ("1.001670", "Văn bản từ chối cấp Quyết định sửa đổi"),
        ("1.009069", "Xác nhận của cơ quan hải quan trên hệ thống"),
        ("1.013813", "Văn bản thông báo cho tổ chức trường hợp không cấp"),
    ],
)
def test_a_result_after_the_portals_code_keeps_its_first_letter(catalog, code, result):
    assert any(r.startswith(result) for r in catalog.get(code)["results"])
    assert parse_results("Giấy phépMã: KQ.G19.000128văn bản từ chốiMã: VBTTVăn bản khác")[0] == [
        "Giấy phép",
        "Văn bản từ chối",
        "Văn bản khác",
    ]


def test_a_year_glued_before_a_number_is_not_part_of_it(catalog):
    items = render.legal_items(catalog.get("1.010732"))
    assert any(i.startswith("Thông tư số 09/2026/TT-BNNMT") for i in items)
    assert not any("2025.09/2026" in i for i in items)


def test_a_case_number_after_no_fee_is_not_a_fee(catalog):
    # "Không có thông tin(1) Trường hợp…": "(1)" numbers the description's cases.
    assert render.per_channel(catalog.get("1.014258"), "fee") == ""
