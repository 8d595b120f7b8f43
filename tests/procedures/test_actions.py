"""The actions run with rasa-sdk trackers built in code; responses, payloads and slot events asserted."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.procedures import ActionAnswerFaq, ActionAnswerProcedure, ActionChooseProcedure
from tests import trackers
from tests.procedures.conftest import make_tracker


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def payloads(messages):
    return [m["custom"] for m in messages if m.get("custom")]


def responses(messages):
    return [m["response"] for m in messages if m.get("response")]


async def test_documents_answer_with_payload_buttons_and_slots():
    messages, events = await run(
        ActionAnswerProcedure(), make_tracker("làm giấy khai sinh cần giấy tờ gì", "ask_documents")
    )
    assert responses(messages) == ["utter_procedure_documents", "utter_procedure_more"]
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": "1.001193", "topic": "documents"}]
    answer = messages[0]
    assert answer["procedure_name"] == "Thủ tục đăng ký khai sinh"
    assert answer["documents"].startswith("Hồ sơ\n• Tờ khai đăng ký khai sinh")  # the form's group first (issue 14)
    buttons = messages[-1]["buttons"]
    assert "/ask_fee" in [b["payload"] for b in buttons]
    assert "/ask_documents" not in [b["payload"] for b in buttons]
    assert buttons[-1] == {"title": "Hướng dẫn nộp trực tuyến", "payload": "/start_online_guide"}
    assert events == [
        SlotSet("procedure_code", "1.001193"),
        SlotSet("pending_topic", None),
        SlotSet("offered_procedures", None),
        SlotSet("offered_not_in_catalog", None),
        SlotSet("last_topic", "documents"),
    ]


async def test_follow_up_fee_answers_current_procedure():
    tracker = make_tracker("còn lệ phí thì sao", "ask_fee", slots={"procedure_code": "1.001193"})
    messages, events = await run(ActionAnswerProcedure(), tracker)
    assert responses(messages)[0] == "utter_procedure_fee"
    assert messages[0]["fee"] == "Miễn phí"
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": "1.001193", "topic": "fee"}]
    assert SlotSet("procedure_code", "1.001193") in events


async def test_button_payload_answers_current_procedure():
    tracker = make_tracker("/ask_processing_time", "ask_processing_time", slots={"procedure_code": "1.004194"})
    messages, _ = await run(ActionAnswerProcedure(), tracker)
    assert messages[0]["response"] == "utter_procedure_processing_time"
    assert messages[0]["processing_time"] == "3 Ngày làm việc"


async def test_agency_for_temporary_residence():
    messages, _ = await run(ActionAnswerProcedure(), make_tracker("dang ky tam tru o dau", "ask_agency"))
    assert messages[0]["response"] == "utter_procedure_agency"
    assert messages[0]["agency"] == "• Công an cấp Xã"
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": "1.004194", "topic": "agency"}]


async def test_context_switch_to_new_procedure():
    tracker = make_tracker("đăng ký kết hôn lệ phí bao nhiêu", "ask_fee", slots={"procedure_code": "1.001193"})
    messages, events = await run(ActionAnswerProcedure(), tracker)
    assert payloads(messages)[0]["procedure_code"] == "1.000894"
    assert SlotSet("procedure_code", "1.000894") in events


async def test_missing_fact_is_not_invented():
    tracker = make_tracker("điều kiện đăng ký tạm trú", "ask_conditions")
    messages, _ = await run(ActionAnswerProcedure(), tracker)
    assert messages[0]["response"] == "utter_procedure_missing"
    assert messages[0]["topic_label"] == "yêu cầu, điều kiện"
    assert messages[0]["url"].startswith("https://dichvucong.gov.vn/")


async def test_choices_then_button_choice_answers_pending_topic():
    messages, events = await run(
        ActionAnswerProcedure(), make_tracker("điều chỉnh giấy phép hết bao nhiêu tiền", "ask_fee")
    )
    assert responses(messages) == ["utter_procedure_choices"]
    [choices] = payloads(messages)
    codes = choices["procedure_codes"]
    assert choices["type"] == "procedure_choices" and 2 <= len(codes) <= 5
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/choose_procedure{"procedure_code":"%s"}' % c for c in codes
    ]
    assert messages[0]["count"] == str(len(codes))
    assert events == [
        SlotSet("pending_topic", "fee"),
        SlotSet("offered_procedures", codes),
        SlotSet("offered_not_in_catalog", None),
    ]

    tracker = make_tracker(
        '/choose_procedure{"procedure_code":"%s"}' % codes[1],
        "choose_procedure",
        slots={"pending_topic": "fee", "offered_procedures": codes},
        entities=[{"entity": "procedure_code", "value": codes[1]}],
    )
    messages, events = await run(ActionChooseProcedure(), tracker)
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": codes[1], "topic": "fee"}]
    assert SlotSet("procedure_code", codes[1]) in events
    assert SlotSet("offered_procedures", None) in events


@pytest.mark.parametrize("text", ["cái thứ 2", "so 2"])
async def test_typed_ordinal_choice(catalog, text):
    codes = ["2.000528", "2.000522"]
    tracker = make_tracker(text, "choose_procedure", slots={"pending_topic": "documents", "offered_procedures": codes})
    messages, _ = await run(ActionChooseProcedure(), tracker)
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": "2.000522", "topic": "documents"}]


async def test_typed_name_choice_classified_as_overview_answers_pending_topic():
    codes = ["2.000528", "2.000522"]
    tracker = make_tracker(
        "đăng ký lại khai sinh có yếu tố nước ngoài",
        "ask_overview",
        slots={"pending_topic": "processing_time", "offered_procedures": codes},
    )
    messages, _ = await run(ActionAnswerProcedure(), tracker)
    assert payloads(messages) == [
        {"type": "procedure_answer", "procedure_code": "2.000522", "topic": "processing_time"}
    ]


async def test_unclear_choice_offers_the_same_choices_again():
    codes = ["2.000528", "2.000522"]
    tracker = make_tracker("cái thứ 7", "choose_procedure", slots={"pending_topic": "fee", "offered_procedures": codes})
    messages, events = await run(ActionChooseProcedure(), tracker)
    assert payloads(messages) == [{"type": "procedure_choices", "procedure_codes": codes}]
    assert events == [
        SlotSet("pending_topic", "fee"),
        SlotSet("offered_procedures", codes),
        SlotSet("offered_not_in_catalog", None),
    ]


async def test_nothing_found_offers_hotline(monkeypatch):
    monkeypatch.setenv("HOTLINE", "0123 456 789")
    messages, events = await run(ActionAnswerProcedure(), make_tracker("nấu phở thế nào cho ngon", "ask_steps"))
    assert messages == [
        {
            "text": None,
            "buttons": [],
            "elements": [],
            "custom": {},
            "template": "utter_procedure_not_found",
            "response": "utter_procedure_not_found",
            "image": None,
            "attachment": None,
            "hotline": "0123 456 789",
            "portal_url": "https://dichvucong.gov.vn",
        }
    ]
    # "thế nào" asks the overview (topic_cues.yml), the question is kept for when a procedure is named
    assert events == [SlotSet("pending_topic", "overview"), SlotSet("offered_procedures", None)]


async def test_procedure_outside_the_catalog_is_said_plainly_with_closest_records():
    messages, events = await run(
        ActionAnswerProcedure(), make_tracker("cấp chứng chỉ hành nghề y cần những gì", "ask_documents")
    )
    assert messages[0]["response"] == "utter_procedure_not_in_catalog"
    assert "1.004756" in [b["payload"].split('"')[3] for b in messages[0]["buttons"]]  # "…thú y" offered, not answered
    assert messages[1]["custom"]["type"] == "procedure_choices"
    assert not [m for m in messages if (m.get("custom") or {}).get("type") == "procedure_answer"]
    assert SlotSet("pending_topic", "documents") in events


async def test_two_topics_get_two_answers():
    messages, _ = await run(
        ActionAnswerProcedure(), make_tracker("đăng ký khai sinh cần giấy tờ gì và mất mấy ngày", "ask_documents")
    )
    payloads = [m["custom"] for m in messages if m.get("custom")]
    assert payloads == [
        {"type": "procedure_answer", "procedure_code": "1.001193", "topic": "documents"},
        {"type": "procedure_answer", "procedure_code": "1.001193", "topic": "processing_time"},
    ]


async def test_topic_without_procedure_asks_which_then_answers_it():
    messages, events = await run(ActionAnswerProcedure(), make_tracker("lệ phí bao nhiêu vậy", "ask_fee"))
    assert responses(messages) == ["utter_procedure_ask_which"]
    assert events == [SlotSet("pending_topic", "fee")]
    tracker = make_tracker("đăng ký tạm trú", "ask_overview", slots={"pending_topic": "fee"})
    messages, _ = await run(ActionAnswerProcedure(), tracker)
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": "1.004194", "topic": "fee"}]


async def test_faq_passes_hotline_from_settings(monkeypatch):
    monkeypatch.delenv("HOTLINE", raising=False)
    messages, events = await run(ActionAnswerFaq(), make_tracker("hotline dịch vụ công", "faq_hours_hotline"))
    assert [(m["response"], m["hotline"]) for m in messages] == [("utter_faq_hours_hotline", "1800 1096")]
    assert events == []


async def test_the_vneid_answer_puts_its_procedure_under_discussion():
    text = "kich hoat tai khoan dinh danh muc 2 thi ra dau lam vay mn"
    messages, events = await run(ActionAnswerFaq(), make_tracker(text, "faq_vneid_login"))
    assert [m["response"] for m in messages] == ["utter_faq_vneid_login"]
    assert events == [SlotSet("procedure_code", "3.000228")]
    messages, _ = await run(
        ActionAnswerProcedure(), make_tracker("co mat phi k", "ask_fee", slots={"procedure_code": "3.000228"})
    )
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": "3.000228", "topic": "fee"}]


async def test_low_confidence_message_naming_a_procedure_is_still_answered():
    from actions.procedures import ActionNluFallback, fallback_topic

    assert fallback_topic([{"name": "nlu_fallback"}, {"name": "greet"}, {"name": "ask_fee"}]) == "fee"
    assert fallback_topic([{"name": "greet"}, {"name": "thank"}, {"name": "goodbye"}]) == "overview"
    tracker = trackers.make_tracker(
        "đăng ký khai sinh", "nlu_fallback", intent_ranking=[{"name": "nlu_fallback"}, {"name": "ask_documents"}]
    )
    dispatcher = CollectingDispatcher()
    await ActionNluFallback().run(dispatcher, tracker, {})
    payloads = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert payloads[0]["type"] in ("procedure_answer", "procedure_choices")
    if payloads[0]["type"] == "procedure_answer":
        assert payloads[0]["topic"] == "overview"  # a bare name asks for the overview, whatever the classifier guessed


async def test_low_confidence_topic_question_while_choices_are_on_screen_is_about_them():
    from actions.procedures import ActionNluFallback

    slots = {"pending_topic": "documents", "offered_procedures": ["1.012783", "1.008628"]}
    tracker = trackers.make_tracker("Nộp ở đâu, mất bao lâu", "nlu_fallback", slots=slots, intent_ranking=[])
    dispatcher = CollectingDispatcher()
    await ActionNluFallback().run(dispatcher, tracker, {})
    payloads = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert payloads[0] == {"type": "procedure_answer", "procedure_code": "1.012783", "topic": "agency"}


async def test_a_choice_picked_with_its_own_question_answers_that_question():
    slots = {"pending_topic": "documents", "offered_procedures": ["1.012783", "1.008628"]}
    text = "1.012783 có thực hiện trực tuyến được không?"
    messages, _ = await run(ActionAnswerProcedure(), make_tracker(text, "ask_online", slots=slots))
    assert payloads(messages)[0] == {"type": "procedure_answer", "procedure_code": "1.012783", "topic": "online"}
    messages, _ = await run(ActionAnswerProcedure(), make_tracker("cái thứ 2", "choose_procedure", slots=slots))
    assert payloads(messages)[0] == {"type": "procedure_answer", "procedure_code": "1.008628", "topic": "documents"}


async def test_low_confidence_chit_chat_gets_the_default_answer():
    from actions.procedures import ActionNluFallback

    tracker = trackers.make_tracker("asdf qwerty zxcv", "nlu_fallback", intent_ranking=[])
    dispatcher = CollectingDispatcher()
    assert await ActionNluFallback().run(dispatcher, tracker, {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_default"]


async def test_choices_from_two_ministries_name_the_ministry_on_the_buttons():
    messages, _ = await run(
        ActionAnswerProcedure(), make_tracker("hưởng chế độ thai sản cần giấy tờ gì", "ask_documents")
    )
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert any(t.endswith("(Bộ Tài chính)") for t in titles) and any(t.endswith("(Bộ Nội vụ)") for t in titles)


async def test_online_question_answers_postal_return_and_online_payment():
    """Issue 12 item 5: "làm online được không" also says, from the record, whether the result comes by post and
    whether the fee is paid online (2.000635: post channel, 8.000 đ paid online; 1.004194: no post, not stated)."""
    tracker = make_tracker("/ask_online", "ask_online", slots={"procedure_code": "2.000635"})
    messages, _ = await run(ActionAnswerProcedure(), tracker)
    assert responses(messages)[:2] == ["utter_procedure_online_full", "utter_procedure_post_payment"]
    assert messages[1]["post"].startswith("Có: thủ tục nhận hồ sơ và trả kết quả qua dịch vụ bưu chính công ích")
    assert messages[1]["payment"].startswith("Có: nộp phí, lệ phí bằng thanh toán trực tuyến")
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": "2.000635", "topic": "online"}]

    tracker = make_tracker("/ask_online", "ask_online", slots={"procedure_code": "1.004194"})
    messages, _ = await run(ActionAnswerProcedure(), tracker)
    assert messages[1]["post"] == "Không: dữ liệu không ghi kênh bưu chính cho thủ tục này"
    assert messages[1]["payment"].startswith("Dữ liệu không nêu thanh toán trực tuyến")


async def test_one_doubtful_offer_is_worded_for_one_and_asking_on_about_it_answers_it():
    """ "Có phải bạn hỏi…?" with one record: the person who asks on without pressing the button means it."""
    first = "lam the thanh vien cau lac bo bong da o dau"  # only the sports club's texts speak of members
    messages, events = await run(ActionAnswerProcedure(), make_tracker(first, "ask_agency"))
    [choices] = payloads(messages)
    assert choices["procedure_codes"] == ["2.000794"]
    assert responses(messages) == ["utter_procedure_did_you_mean_one"]
    slots = {"pending_topic": "overview", "offered_procedures": ["1.013076"]}
    for text, intent, topic in [
        ("phi sang ten bao nhieu", "ask_fee", "fee"),  # read alone: a land transfer tax, maybe
        ("lam o cong an xa dc ko hay phai len tinh", "ask_agency", "agency"),  # read alone: nothing found
        ("sang tên xe máy cũ thì hết bao nhiêu tiền", "ask_fee", "fee"),  # the same record named again
    ]:
        messages, events = await run(ActionAnswerProcedure(), make_tracker(text, intent, slots=slots))
        assert payloads(messages)[0] == {"type": "procedure_answer", "procedure_code": "1.013076", "topic": topic}
        assert SlotSet("offered_procedures", None) in events


async def test_another_procedure_named_while_one_is_offered_is_answered():
    slots = {"pending_topic": "overview", "offered_procedures": ["1.013076"]}
    messages, _ = await run(
        ActionAnswerProcedure(), make_tracker("đăng ký khai sinh cần giấy tờ gì", "ask_documents", slots=slots)
    )
    assert payloads(messages)[0] == {"type": "procedure_answer", "procedure_code": "1.001193", "topic": "documents"}


async def test_a_topic_asked_while_several_are_offered_answers_the_first_saying_so_and_keeps_them():
    codes = ["2.000815", "2.000942"]
    slots = {"pending_topic": "overview", "offered_procedures": codes}
    messages, events = await run(
        ActionAnswerProcedure(), make_tracker("mất bao lâu", "ask_processing_time", slots=slots)
    )
    assert payloads(messages)[0] == {
        "type": "procedure_answer",
        "procedure_code": "2.000815",
        "topic": "processing_time",
    }
    assert responses(messages)[0] == "utter_procedure_first_choice"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/choose_procedure{"procedure_code":"%s"}' % c for c in codes
    ]
    assert events[-2:] == [SlotSet("offered_procedures", codes), SlotSet("pending_topic", "processing_time")]
    # The other one is still a typed number away, for the question asked.
    slots = {"pending_topic": "processing_time", "offered_procedures": codes, "procedure_code": "2.000815"}
    messages, _ = await run(ActionAnswerProcedure(), make_tracker("số 2", "choose_procedure", slots=slots))
    assert payloads(messages)[0] == {
        "type": "procedure_answer",
        "procedure_code": "2.000942",
        "topic": "processing_time",
    }


async def test_a_question_with_words_of_its_own_while_several_are_offered_is_still_about_them():
    slots = {"pending_topic": "conditions", "offered_procedures": ["1.012278", "1.013624"]}  # clinic licences
    for text, topic in [("Phí thẩm định bao nhiêu?", "fee"), ("Nộp hồ sơ cho Sở Y tế hay ở đâu?", "agency")]:
        messages, _ = await run(ActionAnswerProcedure(), make_tracker(text, "ask_fee", slots=slots))
        assert payloads(messages)[0] == {"type": "procedure_answer", "procedure_code": "1.012278", "topic": topic}


async def test_a_question_naming_other_records_while_several_are_offered_is_a_new_question():
    slots = {"pending_topic": "documents", "offered_procedures": ["3.000346", "1.000703"]}
    messages, _ = await run(
        ActionAnswerProcedure(),
        make_tracker("phụ huynh hỏi tuyển sinh lớp 6 nộp hồ sơ ở đâu", "ask_agency", slots=slots),
    )
    assert payloads(messages) == [{"type": "procedure_choices", "procedure_codes": ["3.000182"]}]


async def test_asking_on_while_one_procedure_of_two_ministries_is_shown_answers_the_first():
    codes = ["2.000693", "1.014166"]  # maternity benefit, as Bộ Tài chính and Bộ Nội vụ publish it
    slots = {"pending_topic": "agency", "offered_procedures": codes}
    messages, _ = await run(ActionAnswerProcedure(), make_tracker("can giay to gi", "ask_documents", slots=slots))
    assert payloads(messages)[0] == {"type": "procedure_answer", "procedure_code": "2.000693", "topic": "documents"}


async def test_naming_another_procedure_while_one_procedure_of_two_ministries_is_shown_is_a_new_question():
    slots = {"procedure_code": "2.000693", "pending_topic": "deadline", "offered_procedures": ["2.000693", "1.014166"]}
    messages, _ = await run(ActionAnswerProcedure(), make_tracker("hồ sơ ốm đau gồm gì", "ask_documents", slots=slots))
    answer = payloads(messages)[0]
    assert answer["procedure_code"] in ("1.001667", "1.014163") and answer["topic"] == "documents"


async def test_a_procedure_the_catalog_lacks_is_said_plainly_even_when_the_classifier_was_unsure():
    from actions.procedures import ActionNluFallback

    # (Gold alone is the catalog's 1.001328: a spent blind question about it now in the memory answers "ít vàng".)
    text = "nhà em muốn mang theo đá quý và kim cương khi sang Mỹ định cư thì có phải xin phép ko"
    messages, _ = await run(ActionNluFallback(), make_tracker(text, "nlu_fallback"))
    assert responses(messages) in (["utter_procedure_not_found"], ["utter_procedure_not_in_catalog"])


async def test_asking_on_after_the_catalog_said_it_lacks_the_procedure_is_answered_only_under_a_caveat():
    """ "Không có thông tin về đúng thủ tục bạn hỏi, có phải…?" then "lệ phí bao nhiêu": answered about the record
    shown, after saying it is only the nearest one (asking the same again stranded people whose record it was);
    a message that names the missing procedure again gets the same honest offer, no look-alike facts."""
    first = "cấp chứng chỉ hành nghề y cần những gì"  # the catalog has "hành nghề thú y" only
    messages, events = await run(ActionAnswerProcedure(), make_tracker(first, "ask_documents"))
    assert responses(messages) == ["utter_procedure_not_in_catalog"]
    assert SlotSet("offered_not_in_catalog", True) in events
    shown = payloads(messages)[0]["procedure_codes"][:1]
    slots = {"pending_topic": "documents", "offered_procedures": shown, "offered_not_in_catalog": True}
    messages, events = await run(ActionAnswerProcedure(), make_tracker("lệ phí bao nhiêu", "ask_fee", slots=slots))
    assert responses(messages)[0] == "utter_procedure_nearest_record"
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": shown[0], "topic": "fee"}]
    assert SlotSet("offered_not_in_catalog", None) in events
    again = "chứng chỉ hành nghề y lệ phí bao nhiêu"
    messages, _ = await run(ActionAnswerProcedure(), make_tracker(again, "ask_fee", slots=slots))
    assert responses(messages) == ["utter_procedure_not_in_catalog"]
    assert [p["type"] for p in payloads(messages)] == ["procedure_choices"]


async def test_an_age_said_on_a_record_for_another_age_switches_with_the_same_question():
    # On the under-14 căn cước after its fee: "and the older brother, 16?" asks the fee of the from-14 record.
    slots = {"procedure_code": "1.014062", "last_topic": "fee"}
    messages, events = await run(
        ActionAnswerProcedure(), make_tracker("thế còn thằng anh 16t thì sao", "ask_overview", slots=slots)
    )
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": "1.014061", "topic": "fee"}]
    assert SlotSet("procedure_code", "1.014061") in events


async def test_what_about_another_paper_of_the_same_record_keeps_the_question():
    # After "where do I get a copy of the birth certificate", the marriage certificate's copy is the same record
    # (bản sao trích lục hộ tịch): "thì sao" asks where again, not for an overview.
    slots = {"procedure_code": "2.000635", "last_topic": "agency"}
    text = "thế còn bản sao giấy đăng ký kết hôn thì sao"
    messages, _ = await run(ActionAnswerProcedure(), make_tracker(text, "ask_overview", slots=slots))
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": "2.000635", "topic": "agency"}]


async def test_a_question_carrying_a_dossier_code_is_about_that_dossier():
    # An operator's call note classified as a procedure question: the dossier is looked up, not the procedure's steps.
    note = (
        "Ghi chú cuộc gọi: chị Ng. nộp hồ sơ đăng ký thường trú từ đầu tháng, đến nay chưa có kết quả. Mã hồ sơ chị"
        " đọc: 000.00.31.H48-251008-0475. Nhờ tra tình trạng và gợi ý cách trả lời."
    )
    messages, events = await run(ActionAnswerProcedure(), make_tracker(note, "ask_steps"))
    assert messages == [] and events == [FollowupAction("action_check_dossier_status")]
    # A procedure code is no dossier code.
    messages, _ = await run(ActionAnswerProcedure(), make_tracker("thủ tục 1.004222 cần giấy tờ gì", "ask_documents"))
    assert payloads(messages)[0]["procedure_code"] == "1.004222"


@pytest.mark.parametrize(
    "text,about_the_dossier,any_time",
    [
        ("quá hẹn mấy hôm rồi, giờ e phải làm gì", True, False),
        ("gio e phai lam gi", True, False),
        ("bao gio moi co ket qua, e can gap", True, False),
        ("dan hoi bao gio xong, tra loi sao", True, False),  # an operator relaying: how to answer, not a name
        ("hồ sơ này cần bổ sung gì", True, True),  # words of the dossier, not the procedure's documents
        ("dân muốn rút hồ sơ về nộp lại thì làm sao", True, True),
        ("ai đang xử lý hồ sơ này", True, True),
        ("thủ tục này cần giấy tờ gì", False, False),  # the dossier's procedure
        ("lệ phí bao nhiêu", False, False),  # a fact of the procedure
        ("đăng ký tạm trú cần gì", False, False),  # another procedure
    ],
)
async def test_right_after_a_lookup_what_now_is_about_the_dossier(text, about_the_dossier, any_time):
    from tests.trackers import make_tracker as tracker_with_events

    slots = {"dossier_last_code": "000.00.12.H29-261102-0008", "procedure_code": "1.004222"}
    looked_up = [
        {"event": "action", "name": "action_check_dossier_status"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text},
    ]
    t = tracker_with_events(text, "ask_overview", slots=slots, extra_events=looked_up)
    messages, events = await run(ActionAnswerProcedure(), t)
    assert (events == [FollowupAction("action_dossier_detail")]) is about_the_dossier
    # The same words with an answer about the procedure in between: about the procedure in hand, unless they are
    # words of the dossier ("rút hồ sơ").
    later = looked_up[:1] + [{"event": "action", "name": "action_answer_procedure"}] + looked_up[1:]
    _, events = await run(ActionAnswerProcedure(), tracker_with_events(text, "ask_overview", slots, extra_events=later))
    assert (FollowupAction("action_dossier_detail") in events) is any_time
    # The first answer's privacy notice undoes itself: the lookup is still the last thing the assistant did.
    noticed = looked_up[:1] + [{"event": "action", "name": "action_first_privacy_notice"}, {"event": "undo"}]
    t = tracker_with_events(text, "ask_overview", slots, extra_events=noticed + looked_up[1:])
    _, events = await run(ActionAnswerProcedure(), t)
    assert (events == [FollowupAction("action_dossier_detail")]) is about_the_dossier


async def test_one_procedure_of_two_ministries_is_answered_from_the_first_with_the_other_on_a_button():
    """Issue 15 item 4: both ministries' records are shown with the ministry, and the question is answered (a
    citizen cannot tell which ministry's record is meant; asking them to choose left the question unanswered)."""
    messages, events = await run(
        ActionAnswerProcedure(), make_tracker("hưởng chế độ thai sản cần giấy tờ gì", "ask_documents")
    )
    assert responses(messages)[0] == "utter_procedure_first_ministry"
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert any(t.endswith("(Bộ Tài chính)") for t in titles) and any(t.endswith("(Bộ Nội vụ)") for t in titles)
    answer = payloads(messages)[0]
    assert answer["type"] == "procedure_answer" and answer["topic"] == "documents"
    assert answer["procedure_code"] in ("2.000693", "1.014166")
    offered = [e["value"] for e in events if e.get("name") == "offered_procedures"][-1]
    assert set(offered) == {"2.000693", "1.014166"}  # "số 2" still picks the other ministry's record


async def test_asking_on_after_several_look_alikes_answers_the_nearest_under_the_caveat():
    """After "the catalog has no record of exactly that; is it one of these?" with two records, a question naming
    nothing ("nộp ở đâu ạ") is answered about the first under the caveat, both still on the buttons
    (offering the same two again, turn after turn, stranded the person)."""
    shown = ["1.013272", "1.013556"]
    slots = {"pending_topic": "overview", "offered_procedures": shown, "offered_not_in_catalog": True}
    tracker = make_tracker("nop o dau a", "ask_agency", slots=slots)
    messages, events = await run(ActionAnswerProcedure(), tracker)
    assert responses(messages)[0] == "utter_procedure_nearest_record"
    assert [b["payload"] for b in messages[0]["buttons"]] and len(messages[0]["buttons"]) == 2
    assert payloads(messages) == [{"type": "procedure_answer", "procedure_code": "1.013272", "topic": "agency"}]
    assert SlotSet("offered_not_in_catalog", True) in events


async def test_a_stated_age_the_classifier_was_unsure_of_switches_to_the_record_for_that_age():
    from actions.procedures import ActionNluFallback

    tracker = make_tracker("còn đứa lớn 15 tuổi thì sao", "nlu_fallback", slots={"procedure_code": "1.014062"})
    messages, _ = await run(ActionNluFallback(), tracker)
    answers = [p for p in payloads(messages) if p["type"] == "procedure_answer"]
    assert answers and answers[0]["procedure_code"] == "1.014061"  # căn cước from 14 years old
