"""Step builder of the guided online filing on real catalog records (bot/guide), without Rasa.

Run: .venv/bin/python -m pytest tests/guide -q -m "not rasa"
Procedures: 1.001193 khai sinh (toàn trình, free, several document groups), 2.000635 bản sao trích lục
(toàn trình, 8.000 đ, paid online), 1.004194 tạm trú (một phần, 7.000 đ, three alternative cases),
1.001612 hộ kinh doanh (một phần, 150.000 đ, post), 2.000815 chứng thực bản sao (in person only, fee).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.catalog import load_catalog, render
from bot.guide import steps
from bot.guide.settings import guide_settings

REPO = Path(__file__).resolve().parents[2]
DOMAIN = REPO / "domain.yml"
NAV = [
    {"title": "Tiếp", "payload": "/guide_next"},
    {"title": "Quay lại", "payload": "/guide_back"},
    {"title": "Dừng", "payload": "/guide_stop"},
]
NO_LIMITS = "Dung lượng và định dạng tệp cho phép: xem ghi chú ngay cạnh nút tải lên trên Cổng."


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


@pytest.fixture()
def settings():
    return guide_settings({})


def rec(cat, code):
    record = cat.get(code)
    assert record is not None, code
    return record


# ---------------------------------------------------------------- plans


def test_plans_by_kind(cat):
    base = ["intro", "vneid", "login", "find", "agency", "form", "upload"]
    assert steps.plan(rec(cat, "1.001193")) == base + ["result", "submit"]  # toàn trình, free
    assert steps.plan(rec(cat, "2.000635")) == base + ["payment", "result", "submit"]  # toàn trình, 8.000 đ
    assert steps.plan(rec(cat, "1.004194")) == base + ["payment", "result", "submit"]  # một phần, 7.000 đ
    assert steps.plan(rec(cat, "2.000815")) == []  # in person only: no walkthrough


def test_navigation_and_vneid_branch(cat):
    record = rec(cat, "1.001193")
    assert steps.next_step(record, "intro") == "vneid"
    assert steps.next_step(record, "vneid_howto") == "login"
    assert steps.previous_step(record, "vneid_howto") == "vneid"
    assert steps.previous_step(record, "login") == "vneid"
    assert steps.previous_step(record, "intro") == "intro"
    assert steps.next_step(record, "upload") == "result"  # no payment step when free
    assert steps.next_step(record, "submit") == steps.END
    assert steps.position(record, "vneid_howto") == (1, 8)
    assert steps.position(record, "submit") == (8, 8)
    assert steps.next_step(rec(cat, "2.000635"), "upload") == "payment"


# ---------------------------------------------------------------- full online, free, several groups


def test_khai_sinh_intro_full(cat, settings):
    message = steps.build_step(rec(cat, "1.001193"), "intro", settings)
    assert message.response == "utter_guide_intro_full"
    assert message.variables == {
        "procedure_name": "Thủ tục đăng ký khai sinh",
        "procedure_code": "1.001193",
        "url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7",
        "step": "0",
        "total": "8",
        "title": "Giới thiệu",
        "portal_name": "Cổng Dịch vụ công quốc gia",
    }
    assert message.buttons == [NAV[0], NAV[2]]


def test_khai_sinh_upload_groups_without_notes(cat, settings):
    message = steps.build_step(rec(cat, "1.001193"), "upload", settings)
    assert message.response == "utter_guide_step_upload"
    documents = message.variables["documents"].split("\n")
    # The group with the form (Tờ khai) first, the birth certificate before the abandoned-child and surrogacy papers
    # (issue 14; rules in bot/catalog/cases.py).
    assert [line for line in documents if not line.startswith("•")] == [
        "Hồ sơ",
        "Giấy tờ phải nộp",
        "Giấy tờ phải xuất trình",
    ]
    assert documents[1].startswith("• Tờ khai đăng ký khai sinh theo mẫu")
    assert documents[4].startswith("• Giấy chứng sinh; trường hợp không có Giấy chứng sinh")
    assert documents[6] == (
        "• Trường hợp trẻ em bị bỏ rơi thì phải có biên bản về việc trẻ bị bỏ rơi do cơ quan "
        "có thẩm quyền lập. (1 bản chính)"
    )
    assert len([line for line in documents if line.startswith("•")]) == 8
    # Rows with "0 bản chính" explain things (e.g. the "Lưu ý" group); they are not papers to upload.
    assert "Lưu ý" not in message.variables["documents"]
    assert "không phải nộp bản giấy" not in message.variables["documents"]
    assert message.variables["limits"] == NO_LIMITS
    assert message.buttons == NAV


def test_khai_sinh_result_and_checklist(cat, settings):
    record = rec(cat, "1.001193")
    result = steps.build_step(record, "result", settings)
    assert result.variables["result_options"] == (
        "• Nhận kết quả điện tử trên Cổng (mục Quản lý hồ sơ) hoặc trong kho dữ liệu VNeID\n"
        "• Nhận qua dịch vụ bưu chính công ích (trả cước theo giá bưu điện)\n"
        "• Nhận trực tiếp tại nơi tiếp nhận hồ sơ"
    )
    checklist = steps.checklist(record, settings)
    assert checklist.response == "utter_guide_checklist_online"
    assert checklist.variables["fee"] == "Miễn phí"
    assert checklist.variables["where"] == "cơ quan cấp xã (dữ liệu không ghi tên cơ quan cụ thể)"
    assert checklist.variables["portal_url"] == "https://dichvucong.gov.vn"
    assert checklist.variables["documents"] == steps.build_step(record, "upload", settings).variables["documents"]


# ---------------------------------------------------------------- full online with a fee paid online


def test_trich_luc_payment_online(cat, settings):
    message = steps.build_step(rec(cat, "2.000635"), "payment", settings)
    assert message.response == "utter_guide_step_payment_online"
    assert message.variables["fee"] == "8,000 VNĐ"
    assert message.variables["step"] == "7" and message.variables["total"] == "9"
    assert message.variables["payment_platform"] == "chức năng thanh toán trực tuyến của Cổng Dịch vụ công quốc gia"


# ---------------------------------------------------------------- partial, fee, alternative cases


def test_tam_tru_intro_partial_lists_what_is_done_in_person(cat, settings):
    message = steps.build_step(rec(cat, "1.004194"), "intro", settings)
    assert message.response == "utter_guide_intro_partial"
    assert message.variables["in_person_parts"] == (
        "• nộp phí, lệ phí tại cơ quan nếu Cổng chưa cho thanh toán trực tuyến thủ tục này\n"
        "• nhận kết quả trực tiếp tại cơ quan hoặc qua bưu chính (nếu thủ tục có), vì chưa có kết quả điện tử\n"
        "• mang bản chính giấy tờ để đối chiếu khi cơ quan yêu cầu hoặc khi nhận kết quả"
    )


def test_tam_tru_upload_offers_cases_then_narrows(cat, settings):
    record = rec(cat, "1.004194")
    message = steps.build_step(record, "upload", settings)
    assert message.response == "utter_guide_step_upload_cases"
    assert message.variables["cases"] == "3"
    assert (
        message.buttons
        == [
            {"title": "Trường hợp 1", "payload": '/guide_choose_case{"guide_case":"1"}'},
            {"title": "Trường hợp 2", "payload": '/guide_choose_case{"guide_case":"2"}'},
            {"title": "Trường hợp 3", "payload": '/guide_choose_case{"guide_case":"3"}'},
        ]
        + NAV
    )
    headings = [line for line in message.variables["documents"].split("\n") if not line.startswith("•")]
    assert headings == [
        "Trường hợp 1: Hồ sơ đăng ký tạm trú gồm",
        "Trường hợp 2: Đăng ký tạm trú theo danh sách, hồ sơ gồm",
        "Trường hợp 3: Đăng ký tạm trú tại nơi đơn vị đóng quân trong Công an nhân dân, Quân đội nhân nhân "
        "(đơn vị đóng quân, nhà ở công vụ) hồ sơ gồm",
    ]
    narrowed = steps.build_step(record, "upload", settings, case=2)
    assert narrowed.response == "utter_guide_step_upload"
    assert narrowed.variables["documents"] == (
        "Trường hợp 2: Đăng ký tạm trú theo danh sách, hồ sơ gồm\n"
        "• Tờ khai thay đổi thông tin cư trú (của từng người) (Mẫu CT01 ban hành kèm theo Thông tư số "
        "53/2025/TT-BCA). (1 bản chính)\n"
        "• Văn bản đề nghị đăng ký tạm trú, trong đó ghi rõ thông tin về chỗ ở hợp pháp kèm danh sách người tạm "
        "trú. Danh sách bao gồm những thông tin cơ bản của từng người: họ, chữ đệm và tên; ngày, tháng, năm sinh; "
        "giới tính… (1 bản chính, 1 bản sao)"  # one cut for chat messages (220 characters, bot/catalog/render.py)
    )
    assert steps.checklist(record, settings, case=2).variables["documents"] == narrowed.variables["documents"]


def test_tam_tru_payment_not_stated_online(cat, settings):
    record = rec(cat, "1.004194")
    message = steps.build_step(record, "payment", settings)
    assert message.response == "utter_guide_step_payment_offline"
    assert message.variables["fee"] == (
        "Đăng ký tạm trú (cá nhân, hộ gia đình): + Trường hợp công dân nộp hồ sơ qua cổng "
        "dịch vụ công trực tuyến thu 7.000 đồng/lần đăng ký."
    )
    assert steps.build_step(record, "agency", settings).variables["where"] == "Công an cấp Xã"
    assert steps.build_step(record, "result", settings).variables["result_options"] == (
        "• Nhận trực tiếp tại nơi tiếp nhận hồ sơ"
    )
    form = steps.build_step(record, "form", settings)
    assert form.response == "utter_guide_step_form"
    assert form.variables["forms"].count("• Tờ khai thay đổi thông tin cư trú") == 3


def test_ho_kinh_doanh_partial_with_post(cat, settings):
    record = rec(cat, "1.001612")
    assert (
        steps.build_step(record, "payment", settings)
        .variables["fee"]
        .startswith("150,000 Việt Nam Đồng (Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định")
    )
    assert steps.build_step(record, "result", settings).variables["result_options"] == (
        "• Nhận qua dịch vụ bưu chính công ích (trả cước theo giá bưu điện)\n• Nhận trực tiếp tại nơi tiếp nhận hồ sơ"
    )
    # One alternative group only ("Trường hợp ủy quyền ..."): nothing to choose.
    assert steps.build_step(record, "upload", settings).response == "utter_guide_step_upload"
    assert (
        steps.build_step(record, "agency", settings).variables["where"]
        == "cơ quan cấp xã, cấp bộ (dữ liệu không ghi tên cơ quan cụ thể)"
    )


# ---------------------------------------------------------------- in person only


def test_chung_thuc_in_person_only(cat, settings):
    record = rec(cat, "2.000815")
    message = steps.in_person_only(record, settings)
    assert message.response == "utter_guide_in_person_only"
    variables = dict(message.variables)
    assert variables.pop("procedure_name").startswith("Chứng thực bản sao từ bản chính giấy tờ, văn bản")
    assert variables == {
        "procedure_code": "2.000815",
        "url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-8e22-77ef-819f-e49460350904",
        "where": "Tổ chức hành nghề công chứng, Cơ quan đại diện có thẩm quyền",
        "hours": "dữ liệu chưa ghi giờ tiếp nhận, thường là giờ hành chính các ngày làm việc",
        "documents": "• Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao và bản sao cần chứng thực. "
        "Trường hợp người yêu cầu chứng thực chỉ xuất trình bản chính thì cơ quan, tổ chức tiến "
        "hành chụp từ bản chính để thực hiện chứng… (1 bản chính)",
        "fee": "2,000 Việt Nam Đồng (/trang); 10 USD (/bản)",
        "post": "Không: dữ liệu không ghi kênh bưu chính cho thủ tục này",
    }
    assert message.buttons == [{"title": "Danh sách cần chuẩn bị", "payload": "/guide_checklist"}]
    checklist = steps.checklist(record, settings)
    assert checklist.response == "utter_guide_checklist_in_person"
    assert checklist.variables["fee"] == "2,000 Việt Nam Đồng (/trang); 10 USD (/bản)"


def test_hours_come_from_channel_notes(cat):
    assert render.hours_text(rec(cat, "1.004194")) == (
        "Nộp hồ sơ trực tiếp tại Công an cấp xã. Thời gian tiếp nhận hồ sơ: Giờ hành chính các ngày làm việc từ "
        "thứ 2 đến thứ 6 và sáng thứ 7 hàng tuần (trừ các ngày nghỉ lễ, tết theo quy định của pháp luật)."
    )


# ---------------------------------------------------------------- settings


def test_province_portal_and_upload_limits_from_env(cat):
    settings = guide_settings(
        {
            "PROVINCE_PORTAL_NAME": "Cổng Dịch vụ công tỉnh Gia Lai",
            "PROVINCE_PORTAL_URL": "https://dichvucong.gialai.gov.vn",
            "GUIDE_UPLOAD_MAX_MB": "10",
            "GUIDE_UPLOAD_FORMATS": "PDF, JPG, PNG",
            "HOTLINE": "0269 1234 567",
        }
    )
    record = rec(cat, "1.001193")
    login = steps.build_step(record, "login", settings)
    assert login.variables["portal_name"] == "Cổng Dịch vụ công tỉnh Gia Lai"
    assert login.variables["portal_url"] == "https://dichvucong.gialai.gov.vn"
    assert steps.build_step(record, "upload", settings).variables["limits"] == (
        "Mỗi tệp tối đa 10 MB; định dạng: PDF, JPG, PNG."
    )
    assert steps.build_step(record, "vneid_howto", settings).variables["hotline"] == "0269 1234 567"
    # Only one of the two province variables: the national portal stays.
    half = guide_settings({"PROVINCE_PORTAL_NAME": "Cổng tỉnh"})
    assert half.filing_portal == ("Cổng Dịch vụ công quốc gia", "https://dichvucong.gov.vn")


# ---------------------------------------------------------------- every placeholder is filled


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("code", ["1.001193", "2.000635", "1.004194", "1.001612", "2.000815", "3.000347"])
def test_domain_fragment_placeholders_are_filled(cat, settings, code):
    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]
    record = rec(cat, code)
    messages = [steps.build_step(record, key, settings) for key in steps.plan(record)]
    if steps.plan(record):
        messages.append(steps.build_step(record, "vneid_howto", settings))
    else:
        messages.append(steps.in_person_only(record, settings))
    messages.append(steps.checklist(record, settings))
    for message in messages:
        assert message.response in responses, message.response
        for variant in responses[message.response]:
            missing = _placeholders(variant["text"]) - set(message.variables)
            assert not missing, (message.response, missing)
            assert all(value for value in message.variables.values()), message


def test_result_and_payment_steps_follow_postal_return_and_online_payment(cat, settings):
    """Issue 12 item 5, from the record: 1.000757 (căn cước) has no post channel but its steps say the card can be
    returned by post; 2.000635 charges 8.000 đ paid online; 1.004194's rule does not mention online payment."""
    result = steps.build_step(rec(cat, "1.000757"), "result", settings)
    assert "• Nhận qua dịch vụ bưu chính công ích (trả cước theo giá bưu điện)" in result.variables["result_options"]
    assert render.post_return(rec(cat, "1.000757")) == "result"
    assert steps.build_step(rec(cat, "2.000635"), "payment", settings).response == "utter_guide_step_payment_online"
    assert steps.build_step(rec(cat, "1.004194"), "payment", settings).response == "utter_guide_step_payment_offline"
    in_person = steps.in_person_only(rec(cat, "1.000931"), settings)
    assert in_person.variables["post"] == render.texts()["post"]["result"]
