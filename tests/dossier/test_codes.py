"""Dossier code parsing (bot/dossier/codes.py): what we accept, what we reject and why."""

import datetime as dt

import pytest

from bot.dossier.codes import ENTITY_REGEX, CodeError, find_code, is_canonical, mask_code, parse_code

TODAY = dt.date(2026, 11, 28)
CODE = "000.00.12.H29-261120-0001"


@pytest.mark.parametrize(
    "text",
    [
        CODE,
        "000.00.12.h29-261120-0001",
        "  000.00.12.H29-261120-0001  ",
        "000.00.12.H29 - 261120 - 0001",
        "000.00.12.H29 -261120- 0001",
        "000.00.12.H29–261120—0001",
        "000.00.12.H29_261120_0001",
        "00.12.H29-261120-0001",
        "00.12.h29 - 261120 - 0001",
        "000 . 00 . 12 . H29-261120-0001",
        '"000.00.12.H29-261120-0001".',
        "(000.00.12.H29-261120-0001)",
        "000.00.12.H29-261120-0001!?",
        "０００.００.１２.Ｈ２９-２６１１２０-０００１",  # full-width digits from some keyboards
    ],
)
def test_accepted_forms_give_the_canonical_code(text):
    assert parse_code(text, TODAY).code == CODE
    assert find_code(text, TODAY).code == CODE


@pytest.mark.parametrize(
    "sentence",
    [
        "mã hồ sơ của tôi là 000.00.12.H29-261120-0001 nhé",
        "ma ho so 000.00.12.h29-261120-0001 da xong chua",
        "Tra cứu giúp em hồ sơ số 00.12.H29-261120-0001, em cảm ơn.",
        "hồ sơ số 5. 000.00.12.H29-261120-0001",
        "kiểm tra 000.00.12.H29 - 261120 - 0001 giúp mình",
        "thủ tục 1.001193, mã 000.00.12.H29-261120-0001",
    ],
)
def test_code_found_inside_a_sentence(sentence):
    assert find_code(sentence, TODAY).code == CODE


def test_first_valid_code_wins_over_an_earlier_wrong_one():
    text = "mã 000.00.12.H29-261120-01 à nhầm, 000.00.12.H29-261120-0001"
    assert find_code(text, TODAY).code == CODE


@pytest.mark.parametrize(
    "text, error",
    [
        ("", CodeError.NO_CODE),
        ("xin chào", CodeError.NO_CODE),
        ("hồ sơ của tôi đến đâu rồi", CodeError.NO_CODE),
        ("thủ tục 1.001193", CodeError.NO_CODE),
        ("gọi 0912345678", CodeError.NO_CODE),
        ("000.00.12.H29-261120-01", CodeError.SEQUENCE_TOO_SHORT),
        ("000.00.12.H29-261120-001", CodeError.SEQUENCE_TOO_SHORT),
        ("000.00.12.H29-261120-00001", CodeError.SEQUENCE_TOO_LONG),
        ("000.00.12.H29-261320-0001", CodeError.BAD_DATE),  # month 13
        ("000.00.12.H29-260230-0001", CodeError.BAD_DATE),  # 30 February
        ("000.00.12.H29-26112-0001", CodeError.BAD_DATE),  # 5 digits
        ("000.00.12.H29-271120-0001", CodeError.FUTURE_DATE),
        ("000.00.12.H29-2611200001", CodeError.MISSING_PART),
        ("000.00.12.H29-261120", CodeError.MISSING_PART),
        ("0.00.12.H29-261120-0001", CodeError.BAD_AGENCY),  # only the whole 000 group may be left out
        ("12.H29-261120-0001", CodeError.BAD_AGENCY),
        ("000.00.12.299-261120-0001", CodeError.BAD_AGENCY),
        ("000.00.12.HH9-261120-0001", CodeError.BAD_AGENCY),
    ],
)
def test_rejected_with_a_reason(text, error):
    result = parse_code(text, TODAY)
    assert result.code is None
    assert result.error is error


def test_future_check_only_with_a_date_and_one_day_of_slack():
    assert parse_code("000.00.12.H29-271120-0001").ok  # no today given: no future check
    assert parse_code("000.00.12.H29-261129-0001", TODAY).ok  # tomorrow (time zones)
    assert parse_code("000.00.12.H29-261130-0001", TODAY).error is CodeError.FUTURE_DATE


def test_candidate_is_reported_for_messages():
    assert parse_code("mã 000.00.12.h29-261120-01", TODAY).candidate == "000.00.12.H29-261120-01"


def test_helpers():
    assert is_canonical(CODE) and not is_canonical(CODE.lower())
    assert mask_code(CODE) == "000.00.12.H29-261120-****"
    assert "0001" not in mask_code(CODE)


@pytest.mark.parametrize(
    "text, matched",
    [
        ("ma ho so 000.00.12.h29-261120-0001 nhe", "000.00.12.h29-261120-0001"),
        ("00.12.H29 - 261120 - 0001", "00.12.H29 - 261120 - 0001"),
        ("000.00.12.H29-261120-01", "000.00.12.H29-261120-01"),  # wrong codes too, so the bot can explain
    ],
)
def test_entity_regex_for_rasa(text, matched):
    import re

    assert re.search(ENTITY_REGEX, text, flags=re.IGNORECASE).group(0) == matched
