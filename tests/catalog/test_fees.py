"""Fees exactly as the record states them (issue 14): structured fee per channel from each source format, the
"Miễn phí" cells whose note states an amount, dated provisions judged at a pinned date, local vs national fees.

Fixtures: fixtures/fee_records.json (raw portal pages copied from ../shared/data/procedures/raw), and the two
supplement fixtures of test_sources.py; the whole-catalog checks read the shipped catalog."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml

from bot.catalog import fees, load_catalog, render
from bot.catalog.parse import parse_record
from bot.catalog.sources import parse
from bot.guide import steps
from bot.guide.settings import guide_settings

FIXTURES = Path(__file__).parent / "fixtures"
AUDIT_DIR = Path(__file__).parents[1] / "fact_audit"
PAGES = json.loads((FIXTURES / "fee_records.json").read_text(encoding="utf-8"))
BQP = json.loads((FIXTURES / "hard_bqp_word.json").read_text(encoding="utf-8"))
API = json.loads((FIXTURES / "hard_portal_api.json").read_text(encoding="utf-8"))

NOV_30 = dt.date(2026, 11, 30)
JAN_2 = dt.date(2027, 1, 2)

# A positive VND amount written in a fee text ("135.000 đồng", "5.000.000đồng", "20.000 VNĐ") — independent of the
# parser's own pattern, so a parser that misses an amount fails here.
AMOUNT_RE = re.compile(
    r"(?<![\d.,])[1-9]\d{0,2}(?:[.,]\d{3})+\s*(?:đồng|Đồng|VNĐ|đ\b|VND)|[1-9]\d{3,}\s*(?:đồng|Đồng|VNĐ|VND)"
)

# The records whose portal fee cell says "Miễn phí" while its bracketed note states a fee (found over the whole
# catalog with AMOUNT_RE; before issue 14 each was rendered "Miễn phí (…)").
FREE_CELL_WITH_AMOUNT = [
    "1.000274", "1.000597", "1.001993", "1.002198", "1.002345", "1.002578", "1.002582", "1.002645", "1.002674",
    "1.002687", "1.002788", "1.002866", "1.002897", "1.003058", "1.003082", "1.003111", "1.003593", "1.004137",
    "1.004281", "1.004359", "1.004412", "1.007632", "1.007891", "1.007927", "1.009096", "1.009822", "1.010026",
    "1.013089", "1.013206", "1.013329", "1.013330", "1.013424", "1.013425", "2.001204", "2.001254", "2.001281",
    "3.000198", "3.000346", "3.000347", "3.000348", "3.000353", "3.000374", "3.000377", "3.000378", "3.000379",
]  # fmt: skip


def page(code: str) -> dict:
    return parse_record(PAGES[code])[0]


def fee_of(record: dict, channel: str) -> dict:
    return next(c["fee"] for c in record["channels"] if c["channel"] == channel)


def free_cell_with_amount(fee: dict | None) -> bool:
    text = (fee or {}).get("text") or ""
    return text.startswith("Miễn phí (") and bool(AMOUNT_RE.search(text[len("Miễn phí (") :]))


# ---------------------------------------------------------------- parser, portal page format


def test_page_driving_licence_note_amount_under_free_cell_and_ended_rate():
    fee = fee_of(page("3.000347"), "online")  # cell "Miễn phí", note: 135.000 đồng/lần and a 115.000 online rate
    assert fee["free"] is False and fee["amount"] == 135000
    assert fee["stated"] == [{"amount": 135000, "unit": "đồng/lần", "condition": "Lệ phí cấp giấy phép lái xe"}]
    assert fee["headline"] == "Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần."
    [provision] = fee["provisions"]
    assert (provision["start"], provision["end"], provision["effect"]) == ("2023-12-01", "2025-12-31", "rate")
    assert (provision["amount"], provision["unit"]) == (115000, "đồng/lần cấp")
    assert provision["text"].startswith("Trường hợp tổ chức, cá nhân nộp hồ sơ theo hình thức trực tuyến: Kể từ")
    assert fee["text"].startswith("Miễn phí (- Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần.")  # original kept
    assert fee["local"] is False


def test_page_can_cuoc_percent_reductions_per_channel():
    record = page("1.014063")
    fee = fee_of(record, "in_person")
    assert fee["amount"] == 50000 and fee["stated"][0]["amount"] == 50000
    assert fee["stated"][0]["unit"] == "đồng/thẻ căn cước"
    assert [(p["start"], p["end"], p["effect"], p["percent"]) for p in fee["provisions"]] == [
        ("2025-01-01", "2025-12-31", "percent", 50),
        ("2025-07-01", "2026-12-31", "percent", 50),
    ]
    assert fee_of(record, "post")["free"] is True  # "Miễn phí (Trả phí cho đơn vị cung cấp dịch vụ.)": no amount


def test_page_amounts_by_case_keep_their_conditions():
    fee = fee_of(page("1.013424"), "in_person")  # "Miễn phí (- Dưới 5 tấn: 50.000 đồng/giấy; - Từ 5 tấn …)"
    assert fee["free"] is False and fee["amount"] is None  # three amounts: no single one
    assert [(s["amount"], s["condition"]) for s in fee["stated"]] == [
        (50000, "Dưới 5 tấn"),
        (100000, "Từ 5 tấn đến 15 tấn"),
        (150000, "Trên 15 tấn"),
    ]


def test_page_temporary_exemption_is_dated_not_the_fee():
    fee = fee_of(page("1.002897"), "online")  # amounts by airport kind, then "Miễ phí từ ngày 07/4/2026 đến 30/6/2026"
    assert fee["free"] is False
    assert [s["amount"] for s in fee["stated"]] == [5000000, 30000000, 40000000]
    [exempt] = fee["provisions"]
    assert (exempt["effect"], exempt["start"], exempt["end"]) == ("exempt", "2026-04-07", "2026-06-30")
    assert "40.000.000 đồng/lần cấp" in fee["headline"] and "07/4/2026" not in fee["headline"]


def test_page_free_cell_whose_only_amount_is_a_current_rate():
    fee = fee_of(page("1.002198"), "online")  # "Miễn phí ((áp dụng mức phí 500.000 đồng/hồ sơ kể từ … 31/12/2026 …))"
    assert fee["free"] is False and fee["headline"] == "" and fee["stated"] == []
    [rate] = fee["provisions"]
    assert (rate["effect"], rate["amount"], rate["end"]) == ("rate", 500000, "2026-12-31")


def test_page_local_vs_national():
    assert fee_of(page("1.013225"), "online")["local"] is True  # "Theo quy định của Hội đồng nhân dân cấp tỉnh"
    assert fee_of(page("1.001612"), "online")["local"] is True  # 150.000 đ, "do Hội đồng nhân dân tỉnh quyết định"
    assert fee_of(page("3.000347"), "online")["local"] is False  # fixed nationally (Thông tư …/BTC)
    assert fee_of(page("1.014063"), "in_person")["local"] is False


# ---------------------------------------------------------------- parser, Word export and portal API formats


def test_bqp_fees_by_purpose_keep_amount_unit_and_condition():
    record, _ = parse(BQP["1.013539"], "bqp_word")
    fee = record["channels"][0]["fee"]
    assert fee["amount"] is None and fee["free"] is False and fee["local"] is False
    assert [s["amount"] for s in fee["stated"]] == [2000000, 3500000, 4000000, 5000000]
    assert fee["stated"][0]["condition"] == "Phí" and fee["provisions"] == []


def test_api_fees_by_kind_of_clinic_are_stated_amounts():
    record, _ = parse(API["1.012278"], "portal_api")
    fee = record["channels"][0]["fee"]
    assert fee["amount"] is None and len(fee["stated"]) == 5 and fee["local"] is False
    assert fee["stated"][0] == {"amount": 5250000, "unit": "đồng", "condition": "Phí"}


DATED = (
    "Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần. Trường hợp tổ chức, cá nhân nộp hồ sơ theo hình thức trực "
    "tuyến: Kể từ ngày 01/12/2023 đến hết ngày 31/12/2025, áp dụng mức thu lệ phí là 115.000 đồng/lần cấp."
)


def _bqp_with(note: str) -> dict:
    obj = copy.deepcopy(BQP["1.013539"])
    obj["tables"]["hinh_thuc_nop"] = obj["tables"]["hinh_thuc_nop"][:1]
    obj["tables"]["hinh_thuc_nop"][0]["phi_le_phi"] = f"Lệ phí : 135.000 Đồng ({note})"
    return parse(obj, "bqp_word")[0]["channels"][0]["fee"]


def _api_with(note: str) -> dict:
    obj = copy.deepcopy(API["1.012278"])
    obj["executionMethods"] = obj["executionMethods"][:1]
    obj["executionMethods"][0]["fees"] = [{"type": "CHARGE", "value": 135000, "description": note}]
    return parse(obj, "portal_api")[0]["channels"][0]["fee"]


def _page_with(note: str) -> dict:
    obj = copy.deepcopy(PAGES["3.000347"])
    obj["cach_thuc_thuc_hien"] = f"Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp5 Ngày làm việcMiễn phí({note})"
    return parse_record(obj)[0]["channels"][0]["fee"]


@pytest.mark.parametrize("build", [_page_with, _bqp_with, _api_with], ids=["portal_page", "bqp_word", "portal_api"])
def test_every_format_gives_the_same_fee_shape_and_provision(build):
    fee = build(DATED)
    assert list(fee)[-4:] == ["stated", "provisions", "headline", "local"]
    assert fee["free"] is False and fee["amount"] == 135000
    assert [(s["amount"], s["unit"]) for s in fee["stated"]] == [(135000, "đồng/lần")]
    assert [(p["start"], p["end"], p["effect"], p["amount"]) for p in fee["provisions"]] == [
        ("2023-12-01", "2025-12-31", "rate", 115000)
    ]
    assert "115.000" not in fee["headline"] and "135.000 đồng/lần" in fee["headline"]


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "today,state",
    [
        (dt.date(2025, 6, 30), "upcoming"),
        (dt.date(2025, 7, 1), "current"),
        (dt.date(2026, 12, 31), "current"),  # "đến hết ngày 31/12/2026": the last day still counts
        (dt.date(2027, 1, 1), "ended"),
    ],
)
def test_provision_status_at_a_date(today, state):
    assert fees.status({"start": "2025-07-01", "end": "2026-12-31"}, today) == state


def test_dates_written_in_words_and_the_signing_date_is_not_a_period():
    found, _ = fees.provisions(
        "25.000 đồng/lần (áp dụng từ kể từ ngày 01 tháng 7 năm 2025 đến hết ngày 31 tháng 12 năm 2026 theo quy "
        "định tại Thông tư 64/2025/TT-BTC ngày 30/6/2025 của Bộ Tài chính)"
    )
    assert [(p["start"], p["end"], p["amount"]) for p in found] == [("2025-07-01", "2026-12-31", 25000)]
    assert found[0]["text"].endswith("Thông tư 64/2025/TT-BTC)") and "30/6/2025" not in found[0]["text"]
    assert fees.provisions("Thông tư số 85/2019/TT-BTC ngày 29/11/2019 của Bộ Tài chính")[0] == []


# ---------------------------------------------------------------- the chat answer, REST-free


def test_driving_licence_change_fee_answer():
    [answer] = render.answer(page("3.000347"), "fee", today=NOV_30)
    assert answer.response == "utter_procedure_fee"  # national fee: no "may vary by locality"
    lines = answer.variables["fee"].split("\n")
    assert lines[0] == "Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần."
    assert lines[1] == (
        "Lưu ý: mức thu 115.000 đồng/lần cấp (từ 01/12/2023 đến hết 31/12/2025) đã hết hiệu lực từ 01/01/2026."
    )
    assert "Miễn phí" not in answer.variables["fee"]


def test_driving_licence_rate_was_current_in_2024():
    fee = render.per_channel(page("3.000347"), "fee", today=dt.date(2024, 6, 1))
    assert fee.split("\n")[1].endswith("115.000 đồng/lần cấp (đang áp dụng đến 31/12/2025)")


def test_can_cuoc_reduction_current_then_ended():
    record = page("1.014063")
    now = render.answer(record, "fee", today=NOV_30)[0].variables["fee"]
    assert (
        "Kể từ ngày 01/7/2025 đến hết ngày 31/12/2026 mức thu lệ phí cấp đổi, cấp lại thẻ căn cước bằng 50% mức thu "
        "nêu trên theo quy định tại Thông tư số 64/2025/TT-BTC (đang áp dụng đến 31/12/2026: 25.000 đồng/thẻ căn cước)"
    ) in now
    assert "mức thu bằng 50% mức thu nêu trên (từ 01/01/2025 đến hết 31/12/2025) đã hết hiệu lực từ 01/01/2026" in now
    later = render.answer(record, "fee", today=JAN_2)[0].variables["fee"]
    assert "đang áp dụng" not in later
    assert "mức thu bằng 50% mức thu nêu trên (từ 01/07/2025 đến hết 31/12/2026) đã hết hiệu lực từ 01/01/2027" in later
    assert later.split("\n")[0].endswith("50.000 đồng/thẻ căn cước")


def test_local_fee_answer_says_it_may_vary_and_never_free():
    [answer] = render.answer(page("1.013225"), "fee", today=NOV_30)
    assert answer.response == "utter_procedure_fee_local"
    assert answer.variables["fee"].startswith("• Trực tuyến: Theo quy định của Hội đồng nhân dân cấp tỉnh")
    assert "Miễn phí" not in answer.variables["fee"]


def test_only_dated_rates_and_all_ended_says_no_current_amount():
    fee = render.fee_value(fee_of(page("1.002198"), "online"), today=JAN_2)
    assert fee.split("\n")[0] == render.texts()["fee_provisions"]["no_current"]
    assert "500.000 đồng/hồ sơ" in fee and "đã hết hiệu lực từ 01/01/2027" in fee


def test_overview_carries_the_same_fee():
    [overview] = render.answer(page("3.000347"), "overview", today=NOV_30)
    assert overview.variables["fee"].startswith("Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần.")


def test_guide_payment_note_local_only_for_local_fees():
    settings = guide_settings({})
    local = steps.build_step(page("1.001612"), steps.PAYMENT, settings)  # hộ kinh doanh: HĐND sets the fee
    assert local.response == "utter_guide_step_payment_online"
    assert local.variables["fee_note"] == render.texts()["fee_payment_note"]["local"]
    assert render.fee_payment_note(page("3.000347")) == render.texts()["fee_payment_note"]["national"]


def test_domain_fee_responses_say_locality_only_in_the_local_variant():
    domain = (Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8")
    national = re.search(r"  utter_procedure_fee:\n    - text: \"(.*)\"", domain).group(1)
    local = re.search(r"  utter_procedure_fee_local:\n    - text: \"(.*)\"", domain).group(1)
    assert "địa phương" not in national and "địa phương" in local
    payment = re.search(r"  utter_guide_step_payment_online:\n    - text: \"(.*)\"", domain).group(1)
    assert "địa phương" not in payment and "{fee_note}" in payment


# ---------------------------------------------------------------- the whole shipped catalog


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_the_45_free_cells_with_a_fee_in_their_note(catalog):
    found = sorted(r["code"] for r in catalog if any(free_cell_with_amount(c["fee"]) for c in r["channels"]))
    assert found == FREE_CELL_WITH_AMOUNT and len(found) == 45


def test_no_rendered_fee_says_free_over_a_stated_amount(catalog):
    wrong = []
    for record in catalog:
        for channel in record["channels"]:
            fee = channel["fee"]
            if fee and AMOUNT_RE.search(fee.get("text") or ""):
                value = render.fee_value(fee, today=NOV_30)
                if value.startswith(render.texts()["free"]) or fee.get("free"):
                    wrong.append((record["code"], channel["channel"], value[:80]))
    assert wrong == []


def test_every_shipped_fee_has_the_structured_shape(catalog):
    for record in catalog:
        for channel in record["channels"]:
            fee = channel["fee"]
            if fee:
                assert {"stated", "provisions", "headline", "local"} <= set(fee), record["code"]
                for p in fee["provisions"]:
                    assert p["start"] or p["end"]
                    assert fees.status(p, NOV_30) in (fees.CURRENT, fees.UPCOMING, fees.ENDED)


def test_asked_whether_reduced_the_can_cuoc_answer_carries_the_reduction(catalog):
    from bot.understanding import read

    reading = read(catalog, "đổi thẻ căn cước có được giảm lệ phí không", None)
    assert (reading.verdict, reading.code, reading.topics) == ("answer", "1.014063", ["fee"])
    [answer] = render.answer(catalog.get(reading.code), "fee", today=NOV_30)
    assert "bằng 50% mức thu nêu trên" in answer.variables["fee"]
    assert "(đang áp dụng đến 31/12/2026: 25.000 đồng/thẻ căn cước)" in answer.variables["fee"]


# ---------------------------------------------------------------- errors of the fact audit (tests/fact_audit, main)


# Records where the audit (before issue 14) found "Mức thu có thể khác theo từng địa phương" on a fee the source fixes
# nationally (kind local_note); none of them is a local fee.
def _audited(kind: str) -> list[str]:
    """Codes of the records where the fact audit's first pass found an error of `kind` (tests/fact_audit)."""
    found = set()
    for path in sorted(AUDIT_DIR.glob("before_part*.yml")):
        for record in yaml.safe_load(path.read_text(encoding="utf-8"))["records_detail"]:
            if any(error["kind"] == kind for error in record.get("errors") or []):
                found.add(record["code"])
    return sorted(found)


AUDIT_LOCAL_NOTE = _audited("local_note")


def test_the_audit_found_118_locality_notes_on_national_fees():
    assert len(AUDIT_LOCAL_NOTE) == 118


@pytest.mark.parametrize("code", AUDIT_LOCAL_NOTE)
def test_audit_national_fees_get_no_locality_note(catalog, code):
    [answer] = render.answer(catalog.get(code), "fee", today=NOV_30)
    assert answer.response in ("utter_procedure_fee", "utter_procedure_missing")


@pytest.mark.parametrize(
    "code,source",
    [
        ("1.004137", "portal_page"),  # free_over_fee: "Miễn phí" over 20 % of 11.000.000 đ / 14.000.000 đ
        ("1.012575", "portal_page"),  # "Miễn phí (Thông tư số 60/2023/TT-BTC … quy định mức thu … lệ phí đăng ký …)"
        (
            "1.013333",
            "portal_page",
        ),  # "Miễn phí (Giá dịch vụ kiểm tra … theo quy định tại Thông tư số 239/2016/TT-BTC)"
        ("2.000720", "portal_page"),  # "Miễn phí (- Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định …)"
        ("2.000591", "portal_api"),  # value 0 with "Theo quy định của Bộ Tài chính (nếu có)"
    ],
)
def test_audit_free_headline_over_a_fee_set_elsewhere(catalog, code, source):
    record = catalog.get(code)
    assert record["source"] == source
    for channel in record["channels"]:
        fee = channel["fee"]
        if fee:
            assert not render.fee_value(fee, today=NOV_30).startswith("Miễn phí"), channel["channel"]
            assert fee["free"] is False


def test_civil_status_fee_set_by_the_province_with_exemptions_is_not_free(catalog):
    record = catalog.get("1.000656")  # khai tử: "Miễn phí (Mức lệ phí … do HĐND tỉnh … quyết định. Miễn lệ phí …)"
    [answer] = render.answer(record, "fee", today=NOV_30)
    assert answer.response == "utter_procedure_fee_local"
    assert answer.variables["fee"].startswith("Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh")
    assert "Miễn lệ phí đối với trường hợp đăng ký khai tử đúng hạn" in answer.variables["fee"]
    assert render.answer(catalog.get("1.001193"), "fee", today=NOV_30)[0].variables["fee"] == "Miễn phí"  # khai sinh
