"""actions/online_guide.py with trackers built in code and rasa-sdk's CollectingDispatcher (no Rasa server).

Run: .venv/bin/python -m pytest tests/guide -q -m "not rasa"
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.online_guide import ActionGuideOfferResume, ActionOnlineGuide
from bot import feedback as survey
from tests.trackers import make_tracker

KHAI_SINH = "1.001193"
NAV = [
    {"title": "Tiếp", "payload": "/guide_next"},
    {"title": "Quay lại", "payload": "/guide_back"},
    {"title": "Dừng", "payload": "/guide_stop"},
]
SETTING_VARS = (
    "PORTAL_NAME",
    "PORTAL_URL",
    "HOTLINE",
    "PROVINCE_PORTAL_NAME",
    "PROVINCE_PORTAL_URL",
    "GUIDE_UPLOAD_MAX_MB",
    "GUIDE_UPLOAD_FORMATS",
)


@pytest.fixture(autouse=True)
def national_defaults(monkeypatch):
    for name in SETTING_VARS:
        monkeypatch.delenv(name, raising=False)


def tracker(
    text: str, intent: str, slots: dict[str, Any] | None = None, entities: list[dict[str, Any]] | None = None
) -> Tracker:
    return make_tracker(text, intent, slots, entities, sender="test")


def guiding(step: str, code: str = KHAI_SINH, active: bool = True, **extra: Any) -> dict[str, Any]:
    return {"guide_procedure": code, "guide_step": step, "guide_active": active, "procedure_code": code, **extra}


async def run(action, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher.messages, events


def responses(messages: list[dict[str, Any]]) -> list[Any]:
    return [m["response"] or m["custom"] for m in messages]


def started(code: str) -> list[dict[str, Any]]:
    return [
        SlotSet("procedure_code", code),
        SlotSet("guide_procedure", code),
        SlotSet("guide_case", None),
        SlotSet("offered_procedures", None),
        SlotSet("guide_pending", False),
        SlotSet("guide_step", "intro"),
        SlotSet("guide_active", True),
        SlotSet("guide_pending", False),
    ]


def shown(step: str) -> list[dict[str, Any]]:
    return [SlotSet("guide_step", step), SlotSet("guide_active", True), SlotSet("guide_pending", False)]


async def test_start_finds_the_procedure_in_the_message():
    messages, events = await run(
        ActionOnlineGuide(), tracker("hướng dẫn tôi nộp hồ sơ trực tuyến đăng ký khai sinh", "start_online_guide")
    )
    assert responses(messages) == [
        "utter_guide_intro_full",
        {"type": "online_guide", "procedure_code": KHAI_SINH, "step": "intro"},
    ]
    assert messages[0]["procedure_name"] == "Thủ tục đăng ký khai sinh"
    assert messages[0]["total"] == "8"
    assert messages[0]["buttons"] == [NAV[0], NAV[2]]
    assert events == started(KHAI_SINH)


async def test_start_button_uses_the_procedure_of_the_conversation():
    messages, events = await run(
        ActionOnlineGuide(), tracker("/start_online_guide", "start_online_guide", {"procedure_code": "1.004194"})
    )
    assert messages[0]["response"] == "utter_guide_intro_partial"
    assert events == started("1.004194")


async def test_start_without_procedure_asks_which_then_a_name_starts():
    messages, events = await run(ActionOnlineGuide(), tracker("lam ho so online the nao", "start_online_guide"))
    assert responses(messages) == ["utter_guide_ask_which"]
    assert events == [SlotSet("guide_pending", True), SlotSet("guide_active", False)]
    messages, events = await run(
        ActionOnlineGuide(), tracker("đăng ký kết hôn", "ask_overview", {"guide_pending": True})
    )
    assert messages[0]["response"] == "utter_guide_intro_full"
    assert events == started("1.000894")


async def test_ambiguous_procedure_offers_the_same_choices_then_a_choice_starts():
    messages, events = await run(ActionOnlineGuide(), tracker("nop online chung thuc", "start_online_guide"))
    assert messages[0]["response"] == "utter_guide_choices"
    assert messages[0]["count"] == "3"
    offered = messages[1]["custom"]["procedure_codes"]
    # "chứng thực" alone: three of its records (copies, a will, refusing an inheritance); order is the search's.
    assert sorted(offered) == ["2.000942", "2.001016", "2.001019"]
    assert messages[1]["custom"] == {"type": "procedure_choices", "procedure_codes": offered}
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/choose_procedure{"procedure_code":"%s"}' % code for code in offered
    ]
    assert events == [
        SlotSet("offered_procedures", offered),
        SlotSet("offered_not_in_catalog", None),
        SlotSet("guide_pending", True),
        SlotSet("guide_active", False),
    ]
    # Typed "cái thứ 2" (NLU choose_procedure) picks the second offered one.
    messages, events = await run(
        ActionOnlineGuide(),
        tracker("cái thứ 2", "choose_procedure", {"guide_pending": True, "offered_procedures": offered}),
    )
    assert messages[0]["response"] in ("utter_guide_intro_partial", "utter_guide_intro_full")
    assert events == started(offered[1])


async def test_asked_for_the_guide_under_the_buttons_of_a_question_guides_one_of_them():
    # One record shown ("Có phải bạn hỏi…?"): the guide is for it; several: they are offered for the guide.
    ask = "ok hướng dẫn e nộp trên mạng với"
    messages, events = await run(
        ActionOnlineGuide(), tracker(ask, "start_online_guide", {"offered_procedures": ["1.012575"]})
    )
    assert events == started("1.012575")
    shown = ["1.013066", "1.012575"]
    messages, events = await run(ActionOnlineGuide(), tracker(ask, "start_online_guide", {"offered_procedures": shown}))
    assert messages[0]["response"] == "utter_guide_choices"
    assert messages[1]["custom"] == {"type": "procedure_choices", "procedure_codes": shown}


async def test_in_person_only_procedure_gets_no_walkthrough():
    messages, events = await run(
        ActionOnlineGuide(),
        tracker(
            '/choose_procedure{"procedure_code":"2.000815"}',
            "choose_procedure",
            {"guide_pending": True},
            [{"entity": "procedure_code", "value": "2.000815"}],
        ),
    )
    assert responses(messages) == [
        "utter_guide_in_person_only",
        {"type": "online_guide", "procedure_code": "2.000815", "step": "in_person_only"},
    ]
    assert messages[0]["fee"] == "2,000 Việt Nam Đồng (/trang); 10 USD (/bản)"
    assert messages[0]["buttons"] == [{"title": "Danh sách cần chuẩn bị", "payload": "/guide_checklist"}]
    assert events == [
        SlotSet("procedure_code", "2.000815"),
        SlotSet("guide_procedure", "2.000815"),
        SlotSet("guide_case", None),
        SlotSet("offered_procedures", None),
        SlotSet("guide_pending", False),
        SlotSet("guide_active", False),
        SlotSet("guide_step", None),
    ]
    # "tiếp" afterwards: nothing to walk through.
    messages, _ = await run(ActionOnlineGuide(), tracker("tiếp", "guide_next", {"guide_procedure": "2.000815"}))
    assert responses(messages) == ["utter_guide_not_active"]
    messages, _ = await run(
        ActionOnlineGuide(),
        tracker("/guide_checklist", "guide_checklist", {"guide_procedure": "2.000815", "procedure_code": "2.000815"}),
    )
    assert messages[0]["response"] == "utter_guide_checklist_in_person"


async def test_button_choice_uses_the_entity():
    messages, events = await run(
        ActionOnlineGuide(),
        tracker(
            '/choose_procedure{"procedure_code":"2.000635"}',
            "choose_procedure",
            {"guide_pending": True},
            [{"entity": "procedure_code", "value": "2.000635"}],
        ),
    )
    assert messages[0]["response"] == "utter_guide_intro_full"
    assert events == started("2.000635")


async def test_vneid_question_has_and_has_not():
    messages, _ = await run(ActionOnlineGuide(), tracker("/guide_next", "guide_next", guiding("intro")))
    assert messages[0]["response"] == "utter_guide_step_vneid"
    assert messages[0]["buttons"] == [
        {"title": "Đã có", "payload": "/affirm"},
        {"title": "Chưa có", "payload": "/deny_vneid"},
        NAV[1],
        NAV[2],
    ]
    messages, events = await run(ActionOnlineGuide(), tracker("đã có", "affirm", guiding("vneid")))
    assert messages[0]["response"] == "utter_guide_step_login"
    assert messages[0]["portal_url"] == "https://dichvucong.gov.vn"
    assert events == shown("login")
    messages, events = await run(ActionOnlineGuide(), tracker("chưa có", "deny_vneid", guiding("vneid")))
    assert messages[0]["response"] == "utter_guide_step_vneid_howto"
    assert messages[0]["hotline"] == "1800 1096"
    assert (messages[0]["step"], messages[0]["total"]) == ("1", "8")
    assert messages[0]["buttons"] == NAV
    assert events == shown("vneid_howto")
    messages, events = await run(ActionOnlineGuide(), tracker("tiếp", "guide_next", guiding("vneid_howto")))
    assert messages[0]["response"] == "utter_guide_step_login"
    assert events == shown("login")


async def test_back_and_first_step():
    messages, events = await run(ActionOnlineGuide(), tracker("quay lại", "guide_back", guiding("login")))
    assert messages[0]["response"] == "utter_guide_step_vneid"
    assert events == shown("vneid")
    messages, events = await run(ActionOnlineGuide(), tracker("quay lại", "guide_back", guiding("intro")))
    assert responses(messages)[:2] == ["utter_guide_at_first", "utter_guide_intro_full"]
    assert events == shown("intro")


async def test_fee_step_only_when_there_is_a_fee():
    messages, events = await run(ActionOnlineGuide(), tracker("tiếp", "guide_next", guiding("upload")))
    assert messages[0]["response"] == "utter_guide_step_result"  # khai sinh is free
    messages, events = await run(ActionOnlineGuide(), tracker("tiếp", "guide_next", guiding("upload", code="2.000635")))
    assert messages[0]["response"] == "utter_guide_step_payment_online"
    assert messages[0]["fee"] == "8,000 VNĐ"
    assert events == shown("payment")


async def test_last_next_gives_the_checklist_and_ends():
    messages, events = await run(ActionOnlineGuide(), tracker("/guide_next", "guide_next", guiding("submit")))
    assert responses(messages) == [
        "utter_guide_checklist_online",
        {"type": "online_guide", "procedure_code": KHAI_SINH, "step": "checklist"},
        f"utter_survey_ask_{survey.scale()}",  # a guided filing done: the survey (issue 12)
    ]
    assert messages[0]["buttons"] == []
    assert "• Giấy chứng sinh; trường hợp không có Giấy chứng sinh" in messages[0]["documents"]
    assert messages[0]["fee"] == "Miễn phí"
    assert events == [
        SlotSet("procedure_code", KHAI_SINH),
        SlotSet("guide_pending", False),
        SlotSet("guide_active", False),
        SlotSet("guide_step", None),
    ]


async def test_checklist_on_request_mid_way_offers_to_continue():
    messages, events = await run(
        ActionOnlineGuide(), tracker("cho tôi danh sách cần chuẩn bị", "guide_checklist", guiding("form"))
    )
    assert messages[0]["response"] == "utter_guide_checklist_online"
    assert messages[0]["buttons"] == [
        {"title": "Tiếp tục hướng dẫn", "payload": "/guide_resume"},
        NAV[2],
    ]
    assert events == [SlotSet("procedure_code", KHAI_SINH), SlotSet("guide_pending", False)]


async def test_checklist_for_a_named_procedure_without_a_guide():
    messages, events = await run(ActionOnlineGuide(), tracker("danh sách chuẩn bị đăng ký tạm trú", "guide_checklist"))
    assert messages[0]["response"] == "utter_guide_checklist_online"
    assert messages[0]["procedure_code"] == "1.004194"
    assert events == [
        SlotSet("procedure_code", "1.004194"),
        SlotSet("guide_pending", False),
        SlotSet("guide_procedure", "1.004194"),
        SlotSet("guide_step", None),
        SlotSet("guide_case", None),
    ]


async def test_stop_then_resume_at_the_same_step():
    messages, events = await run(ActionOnlineGuide(), tracker("dừng", "guide_stop", guiding("upload")))
    assert responses(messages) == ["utter_guide_stopped"]
    assert messages[0]["procedure_name"] == "Thủ tục đăng ký khai sinh"
    assert messages[0]["buttons"] == [
        {"title": "Tiếp tục hướng dẫn", "payload": "/guide_resume"},
        {"title": "Danh sách cần chuẩn bị", "payload": "/guide_checklist"},
    ]
    assert events == [SlotSet("guide_active", False)]
    messages, events = await run(
        ActionOnlineGuide(), tracker("tiếp tục hướng dẫn", "guide_resume", guiding("upload", active=False))
    )
    assert messages[0]["response"] == "utter_guide_step_upload"
    assert events == shown("upload")


async def test_nothing_to_resume():
    messages, events = await run(ActionOnlineGuide(), tracker("tiếp tục hướng dẫn", "guide_resume"))
    assert responses(messages) == ["utter_guide_not_active"]
    assert messages[0]["buttons"] == [{"title": "Hướng dẫn nộp trực tuyến", "payload": "/start_online_guide"}]
    assert events == []


async def test_choose_case_narrows_the_upload_step():
    messages, events = await run(
        ActionOnlineGuide(),
        tracker(
            '/guide_choose_case{"guide_case":"2"}',
            "guide_choose_case",
            guiding("upload", code="1.004194"),
            [{"entity": "guide_case", "value": "2"}],
        ),
    )
    assert messages[0]["response"] == "utter_guide_step_upload"
    assert messages[0]["documents"].startswith("Trường hợp 2: Đăng ký tạm trú theo danh sách, hồ sơ gồm\n")
    assert events == [SlotSet("guide_case", "2")] + shown("upload")
    messages, _ = await run(
        ActionOnlineGuide(),
        tracker(
            "cho tôi danh sách cần chuẩn bị", "guide_checklist", guiding("payment", code="1.004194", guide_case="2")
        ),
    )
    assert messages[0]["documents"].startswith("Trường hợp 2: Đăng ký tạm trú theo danh sách, hồ sơ gồm\n")


async def test_offer_resume_only_while_active():
    messages, events = await run(ActionGuideOfferResume(), tracker("lệ phí bao nhiêu", "ask_fee", guiding("upload")))
    assert responses(messages) == ["utter_guide_offer_resume"]
    assert (messages[0]["step"], messages[0]["total"], messages[0]["title"]) == ("6", "8", "Đính kèm giấy tờ")
    assert messages[0]["buttons"] == [{"title": "Tiếp tục hướng dẫn", "payload": "/guide_resume"}, NAV[2]]
    assert events == []
    messages, events = await run(
        ActionGuideOfferResume(), tracker("lệ phí bao nhiêu", "ask_fee", guiding("upload", active=False))
    )
    assert messages == [] and events == []


async def test_province_portal_from_env(monkeypatch):
    monkeypatch.setenv("PROVINCE_PORTAL_NAME", "Cổng Dịch vụ công tỉnh Gia Lai")
    monkeypatch.setenv("PROVINCE_PORTAL_URL", "https://dichvucong.gialai.gov.vn")
    messages, _ = await run(ActionOnlineGuide(), tracker("đã có", "affirm", guiding("vneid")))
    assert (messages[0]["portal_name"], messages[0]["portal_url"]) == (
        "Cổng Dịch vụ công tỉnh Gia Lai",
        "https://dichvucong.gialai.gov.vn",
    )


async def test_a_case_told_around_the_guide_words_starts_the_guide_for_its_procedure():
    # Without "muốn", "hướng dẫn", "online" the words "bạn trẻ" sit next to "đăng ký" and read as another
    # procedure's; the whole message names the marriage registration.
    text = (
        "Đôi bạn trẻ muốn đăng ký kết hôn trực tuyến nhưng không rành máy tính. "
        "Hướng dẫn các bước nộp hồ sơ online giúp tôi."
    )
    messages, events = await run(ActionOnlineGuide(), tracker(text, "start_online_guide"))
    guide = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "online_guide"]
    assert guide and guide[0]["procedure_code"] == "1.000894"
    assert SlotSet("guide_procedure", "1.000894") in events


async def test_a_case_told_before_the_guide_words_starts_the_guide_for_the_procedure_named_after_them():
    # "ngồi" of the case is no word of any name: read whole, the message names something the catalog lacks.
    text = (
        "Tôi đang ngồi cùng một anh mới có con, nhờ hướng dẫn từng bước đăng ký khai sinh online trên cổng dịch vụ công"
    )
    messages, events = await run(ActionOnlineGuide(), tracker(text, "start_online_guide"))
    guide = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "online_guide"]
    assert guide and guide[0]["procedure_code"] == "1.001193"


async def test_one_record_offered_for_the_guide_is_asked_about_and_going_on_starts_it():
    from actions.online_guide import Guide

    dispatcher = CollectingDispatcher()
    Guide(dispatcher, tracker("hướng dẫn nộp online", "start_online_guide")).offer_choices(["3.000347"])
    assert dispatcher.messages[0]["response"] == "utter_guide_did_you_mean"  # not "found 1 similar procedures"
    slots = {"guide_pending": True, "offered_procedures": ["3.000347"]}
    messages, events = await run(ActionOnlineGuide(), tracker("bước tiếp", "guide_next", slots))
    assert events == started("3.000347")
