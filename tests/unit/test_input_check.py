"""What counts as a message that cannot be a question."""

import pytest

from bot.nlu.input_check import (
    EMPTY,
    FOREIGN,
    MARKUP_ONLY,
    MAX_CHARS,
    NO_TEXT,
    TOO_LONG,
    input_problem,
    strip_markup,
)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", EMPTY),
        ("   \n\t ", EMPTY),
        (None, EMPTY),
        ("😀😀😀", NO_TEXT),
        ("???!!!", NO_TEXT),
        ("<b></b><br/>", MARKUP_ONLY),
        ("x" * (MAX_CHARS + 1), TOO_LONG),
        ("你好，我想办护照", FOREIGN),
        ("Здравствуйте", FOREIGN),
        ("안녕하세요", FOREIGN),
    ],
)
def test_problems(text, problem):
    assert input_problem(text) == problem


@pytest.mark.parametrize(
    "text",
    [
        "xin chào",
        "lam khai sinh 👶 can gi",
        "<script>alert(1)</script> đăng ký tạm trú",
        "what can you do",  # Latin-script foreign language is left to the classifier
        "000.00.12.H29-261120-0001",
        "x" * MAX_CHARS,
    ],
)
def test_questions_pass(text):
    assert input_problem(text) is None


def test_strip_markup_keeps_the_words():
    assert strip_markup("<b>lệ phí</b> &amp; thời hạn").split() == ["lệ", "phí", "&", "thời", "hạn"]
