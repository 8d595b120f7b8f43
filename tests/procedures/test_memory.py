"""What earlier askers meant (bot.understanding.memory) settles questions the names leave open, and says when
the catalog does not hold what was asked; its file is what the spent blind sets give."""

from __future__ import annotations

import pytest

from bot.tools import asked
from bot.understanding import ANSWER, NOT_IN_CATALOG, read
from bot.understanding import reading as reading_module
from bot.understanding.memory import OUTSIDE, Memory


def test_asked_file_is_what_the_spent_sets_give():
    assert asked.main(["--check"]) == 0
    lines = asked.rows()
    assert len(lines) > 9000 and any(codes == "-" for _, codes, _ in lines)
    # A set still to be scored never goes in: its test half must stay unseen.
    assert {name for _, _, name in lines} == set(asked.SPENT) | set(asked.SPENT_CONVERSATIONS)


def test_the_closest_questions_vote_for_their_procedure():
    memory = Memory(
        [
            ("đi nghĩa vụ quân sự lần đầu đăng ký ở đâu", "1.013133"),
            ("dang ky nvqs lan dau can giay to gi", "1.013133"),
            ("mở quán bar có cần giấy phép không", OUTSIDE),
            ("làm giấy khai sinh cho con", "1.001193"),
        ]
    )
    votes = memory.vote("Đăng ký nghĩa vụ quân sự lần đầu mất bao lâu")
    assert votes[0][0] == "1.013133" and votes[0][1] > 1.0
    assert memory.vote("mo quan bar thi xin phep gi")[0][0] == OUTSIDE
    assert memory.vote("") == () and memory.vote("😀 !!!") == ()


@pytest.mark.parametrize(
    "text,code",
    [
        # Worded as people word them, far from the records' names (questions of blind development halves).
        ("thủ tục giải thể công ty trách nhiệm hữu hạn thế nào", "2.002023"),
        ("có bản án rồi mà bên kia không trả tiền, yêu cầu thi hành án thế nào", "1.003091"),
        ("mẹ ốm không đi lĩnh lương hưu được, ủy quyền cho con lĩnh thay", "1.001601"),
        ("phụ huynh hỏi tuyển sinh lớp 6 nộp hồ sơ ở đâu", "3.000182"),
        ("dang ky nvqs", "1.013133"),
    ],
)
def test_earlier_askers_settle_what_the_names_leave_open(catalog, request, text, code):
    r = read(catalog, text)
    assert (r.verdict, r.code) == (ANSWER, code)
    request.getfixturevalue("without_memory")  # from here on, names and texts alone
    assert read(catalog, text).verdict != ANSWER


@pytest.mark.parametrize(
    "text",
    [
        "xin phep ban phao hoa trong dam cuoi",
        "đăng ký chữ ký số cá nhân",
        "dang quang cao tren facebook co phai xin phep",
    ],
)
def test_look_alikes_that_askers_found_missing_are_not_answered(catalog, request, text):
    r = read(catalog, text)
    assert r.verdict == NOT_IN_CATALOG and r.code is None
    request.getfixturevalue("without_memory")  # from here on, names and texts alone
    assert read(catalog, text).verdict == ANSWER


def test_a_typed_code_is_never_overruled(catalog):
    r = read(catalog, "thủ tục 1.004873 cần giấy tờ gì")
    assert (r.verdict, r.code) == (ANSWER, "1.004873")


@pytest.mark.parametrize(
    "text,current,code",
    [
        # Another procedure named during a conversation, among records the names found (spent conversation sets).
        ("còn tạm nghỉ bán 3 tháng thì báo ở đâu", "2.000720", "1.001570"),
        ("thế ông anh mới đóng tàu cá thì đăng ký tàu thì sao", "1.002338", "1.003650"),
        ("nó đi học đại học ở tỉnh khác thì có phải đăng ký tạm vắng nghĩa vụ ko", "1.013133", "1.013138"),
    ],
)
def test_earlier_askers_settle_a_switch_among_the_records_found(catalog, request, text, current, code):
    r = read(catalog, text, current)
    assert (r.verdict, r.code) == (ANSWER, code)
    request.getfixturevalue("without_memory")  # from here on, names and texts alone
    assert read(catalog, text, current).verdict != ANSWER


def test_during_a_conversation_earlier_askers_never_bring_a_record_the_names_did_not_find(catalog):
    # Others asked "phí thẩm định bao nhiêu" about the karaoke licence; on a building permit it is not that.
    assert reading_module.recall("Phí thẩm định bao nhiêu?")[0][0] == "1.001029"
    r = read(catalog, "Phí thẩm định bao nhiêu?", "1.012278")
    assert r.code != "1.001029" and "1.001029" not in [c.code for c in r.choices]
