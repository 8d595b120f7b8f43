"""Basics over the real REST channel, in fresh conversations."""

import pytest

pytestmark = pytest.mark.rasa

GREETING_START = "Xin chào! Mình là Trợ lý Dịch vụ công"


@pytest.mark.parametrize("text", ["xin chào", "xin chao", "Xin Chào!", "chào bạn", "chao ban"])
def test_greeting_in_vietnamese_with_or_without_diacritics(rasa_server, text):
    messages = rasa_server.rest(rasa_server.new_sender(), text)
    assert messages[0]["text"].startswith(GREETING_START)


def test_capabilities_offer_buttons(rasa_server):
    messages = rasa_server.rest(rasa_server.new_sender(), "ban lam duoc gi")
    assert "Tra cứu tình trạng hồ sơ" in messages[0]["text"] or "Tra cứu" in messages[0]["text"]
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Giấy tờ làm khai sinh",
        "Hướng dẫn nộp trực tuyến",
        "Tra cứu hồ sơ",
    ]


@pytest.mark.parametrize(
    "text, code",
    [
        ("trợ giúp pháp lý", "2.000829"),  # classified "what can you help with" (0.59)
        ("mã số vùng trồng", "1.014776"),  # the dossier-code FAQ (0.49)
        ("tam vang nvqs", "1.013138"),  # a yes (0.45)
        # "stop the guide" (0.55), no guide on
        ("xac dinh muc do khuyet tat", "1.001699"),  # the service-levels FAQ (0.48)
        (
            "Sân bay chuyên dùng cần tạm dừng hoạt động 3 tháng để sửa đường băng, có thủ tục đóng tạm thời không?",
            "1.013283",
        ),
        ("kích hoạt vneid mức 2 phải ra công an xã à", None),  # the VNeID answer (0.9) says where, and more
        ("đăng nhập dịch vụ công bằng vneid", None),
        ("bạn giúp được gì", None),
        ("mã hồ sơ là gì", None),
        ("có", None),
    ],
)
def test_a_procedure_named_surely_outweighs_an_unsure_intent(rasa_server, text, code):
    messages = rasa_server.rest(rasa_server.new_sender(), text)
    answered = [m["custom"]["procedure_code"] for m in messages if (m.get("custom") or {}).get("procedure_code")]
    assert answered == ([code] if code else []), messages


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "Bạn chưa nhập nội dung"),
        ("   ", "Bạn chưa nhập nội dung"),
        ("😀😀😀", "Mình chỉ hiểu được tin nhắn bằng chữ"),
        ("a" * 5000, "Tin nhắn của bạn dài quá (5000 ký tự)"),
        ("<b></b>", "Tin nhắn chỉ có mã định dạng"),
        ("你好，我想办护照", "hiện mình chỉ hỗ trợ tiếng Việt"),
        ("what documents do I need", "hiện mình chỉ hỗ trợ tiếng Việt"),
        ("thời tiết hôm nay thế nào", "nằm ngoài phạm vi"),
    ],
)
def test_bad_input_gets_a_polite_vietnamese_answer(rasa_server, text, expected):
    messages = rasa_server.rest(rasa_server.new_sender(), text)
    assert messages and expected in messages[0]["text"]


def test_bad_input_loses_nothing_from_the_conversation(rasa_server):
    sender = rasa_server.new_sender()
    rasa_server.rest(sender, "xin chào")
    rasa_server.rest(sender, "😀")
    rasa_server.rest(sender, "a" * 5000)
    messages = rasa_server.rest(sender, "cảm ơn")
    assert messages[0]["text"].startswith("Không có gì")
    texts = [e.get("text") for e in rasa_server.tracker(sender)["events"] if e["event"] == "user"]
    assert texts == ["xin chào", "😀", "a" * 5000, "cảm ơn"]


def test_markup_is_never_echoed_back(rasa_server):
    messages = rasa_server.rest(rasa_server.new_sender(), "<script>alert(1)</script>")
    assert all("<script>" not in (m.get("text") or "") for m in messages)


def test_people_can_say_whether_they_are_satisfied(rasa_server):
    import sqlite3

    sender = rasa_server.new_sender()
    messages = rasa_server.rest(sender, "cảm ơn nhiều")
    assert [b["payload"] for b in messages[-1]["buttons"]] == [
        f'/feedback_rating{{"rating": "{n}"}}' for n in (5, 4, 3, 2, 1)
    ]  # the city's 5 levels (SURVEY_SCALE)
    assert rasa_server.rest(sender, "cảm ơn lần nữa")[-1].get("buttons") is None  # once per conversation episode
    low = rasa_server.rest(sender, '/feedback_rating{"rating": "2"}')
    assert low[0]["text"].startswith("Xin lỗi vì trợ lý chưa giúp") and len(low[1]["buttons"]) == 5  # why?
    assert rasa_server.rest(sender, '/feedback_reason{"feedback_reason": "unclear"}')[0]["text"].startswith("Cảm ơn")
    assert rasa_server.rest(sender, "rất hài lòng")[0]["text"].startswith("Cảm ơn bạn đã đánh giá")
    with sqlite3.connect(rasa_server.settings.var_dir / "ops.sqlite") as connection:
        rows = connection.execute(
            "SELECT channel, satisfied, rating, scale, reason FROM feedback ORDER BY id"
        ).fetchall()
    assert rows[-2:] == [("test", 0, 2, 5, "unclear"), ("test", 1, 4, 5, None)]
