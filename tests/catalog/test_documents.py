"""Documents by case, the common case first (bot/catalog/cases.py through render.groups), forms named, and every item
reachable (render.rest): hard records of five ministries and the three source formats, from the shipped catalog."""

from __future__ import annotations

import pytest

from bot.catalog import cases, load_catalog, render


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def labels(record: dict) -> list[str]:
    return [g.case for g in render.groups(record)]


def test_khai_sinh_birth_certificate_before_abandoned_child_and_surrogacy(cat):
    record = cat.get("1.001193")  # Bộ Tư pháp, portal page
    lines = render.documents_text(record).split("\n")
    assert lines[0] == "Hồ sơ" and lines[1].startswith("• Tờ khai đăng ký khai sinh theo mẫu")
    names = [line for line in lines if line.startswith("•")]
    birth = next(i for i, n in enumerate(names) if n.startswith("• Giấy chứng sinh"))
    abandoned = next(i for i, n in enumerate(names) if "bị bỏ rơi" in n)
    surrogacy = next(i for i, n in enumerate(names) if "mang thai hộ" in n)
    assert birth < abandoned < surrogacy


def test_thuong_tru_own_home_with_ct01_first_and_o_nho_shown(cat):
    record = cat.get("1.004222")  # Bộ Công an, portal page: the record starts with the papers for living on a boat
    alts = render.alternatives(record)
    assert alts[0].case == "Đăng ký thường trú vào chỗ ở hợp pháp thuộc quyền sở hữu của mình"
    assert alts[1].case == "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ"
    special = [n for n, g in enumerate(alts) if "Quân đội" in g.case or "tín ngưỡng" in g.case or "trợ giúp" in g.case]
    assert sorted(special) == [3, 4, 5]  # armed forces, religious premises, social care: after the ordinary cases
    chat = render.documents_text(record)
    lines = chat.split("\n")
    assert lines[1].startswith("• Tờ khai thay đổi thông tin cư trú (mẫu CT01")
    assert "phương tiện" not in lines[1] and "ở nhờ" in chat
    assert lines[-1] == "… và 7 mục khác — gõ “liệt kê hết” để xem đủ"


def test_every_item_reachable_after_the_chat_answer(cat):
    record = cat.get("1.004222")
    chat = render.documents_text(record)
    [rest] = render.rest(record, "documents")
    assert rest.startswith("Các mục còn lại (từ mục 9 đến mục 15):\nTrường hợp 4: ")
    shown = [line for line in chat.split("\n") if line.startswith("•")]
    more = [line for line in rest.split("\n") if line.startswith("•")]
    assert len(shown) == 8 and len(more) == render.document_count(record) - 8 == 7
    full = [render.document_line(i, None) for g in render.groups(record) for i in g.items]
    assert more == full[8:]  # the rest in full, nothing cut, nothing repeated
    assert render.rest(record, "documents", start=15) == []
    # Steps are numbered again under each case heading: "liệt kê hết" sends them whole, headings included.
    steps = cat.get("1.000527")
    assert "\n".join(render.rest(steps, "steps")) == render.steps_text(steps, limit=None, chars=None)
    assert "mục khác" in render.steps_text(steps)


def test_rest_cut_into_zalo_sized_messages(cat):
    record = cat.get("2.000829")  # trợ giúp pháp lý: 14 cases, 29 papers
    messages = render.rest(record, "documents", start=0)
    assert len(messages) > 1 and all(len(m) <= render.ZALO_MESSAGE_CHARS for m in messages)
    bullets = [line for m in messages for line in m.split("\n") if line.startswith("• ")]
    assert len(bullets) == render.document_count(record)


def test_numbered_cases_in_their_own_order_not_as_text(cat):
    record = cat.get("2.000829")  # Bộ Tư pháp: the portal sorted "1.", "10.", "11." … "2." as text
    numbers = [g.case.split(".")[0] for g in render.alternatives(record)]
    assert numbers == [str(n) for n in range(1, 15)]


def test_portal_api_cases_special_situation_last(cat):
    record = cat.get("1.014193")  # Bộ Y tế, portal API: "Trường hợp 1…9", emergency (cấp cứu) last
    assert [g.case.split(":")[0] for g in render.alternatives(record)] == [
        f"Trường hợp {n}" for n in (1, 2, 3, 4, 6, 7, 8, 9, 5)
    ]
    record = cat.get("1.014163")  # Bộ Nội vụ, portal API: treatment abroad after outpatient and inpatient
    assert "ở nước ngoài" in render.alternatives(record)[-1].case
    assert "ngoại trú" in render.alternatives(record)[0].case


def test_lost_or_damaged_case_after_the_ordinary_one(cat):
    record = cat.get("1.001023")  # Bộ Xây dựng: the portal lists "cấp lại khi bị hư hỏng, bị mất" first
    assert labels(record)[-1] == "Trường hợp cấp lại khi bị hư hỏng, bị mất"


def test_word_export_numbered_papers_keep_their_order(cat):
    record = cat.get("1.013141")  # Bộ Quốc phòng, Word export: "Thành phần hồ sơ 1: …", "… 2: …"
    names = [i["name"] for g in render.groups(record) for i in g.items]
    assert [n.split(":")[0] for n in names[:4]] == [f"Thành phần hồ sơ {n}" for n in range(1, 5)]


@pytest.mark.parametrize(
    "item,code",
    [
        ({"name": "Tờ khai thay đổi thông tin cư trú (mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA)"}, "CT01"),
        ({"name": "Phiếu đề nghị", "template": "Mẫu DC02 Phiếu đề nghị giải quyết thủ tục về căn cước.doc"}, "DC02"),
        ({"name": "Giấy đăng ký cấp Chứng thư theo mẫu 02.LH Phụ lục XII"}, "02.LH"),
        ({"name": "Đơn đề nghị", "template": "Mẫu số 11.docx"}, "số 11"),
        ({"name": "Bản sao Giấy khai sinh", "template": None}, None),
    ],
)
def test_form_codes(item, code):
    assert cases.form_code(item) == code


def test_form_code_named_when_the_cut_name_hides_it():
    item = {
        "name": "Đơn đề nghị " + "rất dài " * 40 + "(mẫu TK1-TS)",
        "template": None,
        "quantity_text": "1 bản chính",
    }
    line = render.document_line(item)
    assert line.endswith("(1 bản chính) — mẫu TK1-TS") and "…" in line
    assert render.document_line(item, None).endswith("(mẫu TK1-TS) (1 bản chính)")
