"""Dossier actions run with rasa-sdk against the real reference service (trackers built in code)."""

from __future__ import annotations

import json
import re
import string
import time
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.dossier import (
    ActionCheckDossierStatus,
    ActionDossierDetail,
    ActionDossierStatusChanged,
    ActionSubscribeDossier,
    ActionUnsubscribeDossier,
    ValidateDossierCodeForm,
)
from bot import feedback as survey
from bot.dossier.client import DossierClient
from bot.dossier.subscriptions import SubscriptionStore
from tests import trackers
from tests.dossier.conftest import (
    COMPLETED,
    OVERDUE_PROCESSING,
    OVERDUE_RECEIVED,
    OVERDUE_SUPPLEMENT,
    PROCESSING,
    RECEIVED,
    REJECTED,
    RETURNED,
    SUPPLEMENT,
    UNKNOWN,
    WITHDRAWN,
    free_port,
)

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
SURVEY = f"utter_survey_ask_{survey.scale()}"  # a citizen's first lookup of an episode ends with it (issue 12)
SLOTS = {"dossier_code": None, "dossier_last_code": None, "dossier_lookups": None, "requested_slot": None}
DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")
PHONES = ["1234", "2345", "3456", "4567", "5678", "6789", "7890", "8901", "9012", "0123"]


def make_tracker(
    text: str,
    entities=(),
    slots=None,
    sender="web-user-1",
    metadata=None,
    active_loop=None,
    intent="check_dossier_status",
    extra_events=(),
) -> Tracker:
    return trackers.make_tracker(
        text,
        intent,
        {**SLOTS, **(slots or {})},
        [{"entity": "dossier_code", "value": v} for v in entities],
        sender=sender,
        metadata=metadata,
        active_loop=active_loop,
        with_events=True,
        extra_events=extra_events,
    )


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    """Response names sent, after checking each exists in the domain fragment with all its variables given."""
    names = []
    for message in dispatcher.messages:
        name = message.get("response")
        if name is None:
            continue
        assert name in DOMAIN["responses"], name
        template = DOMAIN["responses"][name][0]["text"]
        needed = {field for _, field, _, _ in string.Formatter().parse(template) if field}
        assert needed <= set(message), (name, needed - set(message))
        names.append(name)
    return names


def payloads(dispatcher: CollectingDispatcher) -> list[dict]:
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def sent(dispatcher: CollectingDispatcher, name: str) -> dict:
    return next(m for m in dispatcher.messages if m.get("response") == name)


@pytest.fixture
def settings(service_url, fast_settings):
    return fast_settings(service_url)


@pytest.fixture
def check(settings):
    return ActionCheckDossierStatus(settings=settings, client=DossierClient(settings))


async def run(action, tracker) -> tuple[CollectingDispatcher, list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return dispatcher, events


@pytest.mark.parametrize(
    "code, status, overdue, expected",
    [
        (RECEIVED, "RECEIVED", False, ["utter_dossier_status_received"]),
        (PROCESSING, "PROCESSING", False, ["utter_dossier_status_processing"]),
        (
            SUPPLEMENT,
            "SUPPLEMENT_REQUIRED",
            False,
            ["utter_dossier_status_supplement_required", "utter_dossier_supplement_note"],
        ),
        (COMPLETED, "COMPLETED", False, ["utter_dossier_status_completed", "utter_dossier_result_in_person"]),
        (RETURNED, "RETURNED", False, ["utter_dossier_status_returned"]),
        (REJECTED, "REJECTED", False, ["utter_dossier_status_rejected"]),
        (WITHDRAWN, "WITHDRAWN", False, ["utter_dossier_status_withdrawn"]),
        (OVERDUE_PROCESSING, "PROCESSING", True, ["utter_dossier_status_processing_overdue", "utter_dossier_overdue"]),
        (OVERDUE_RECEIVED, "RECEIVED", True, ["utter_dossier_status_received_overdue", "utter_dossier_overdue"]),
        (
            OVERDUE_SUPPLEMENT,
            "SUPPLEMENT_REQUIRED",
            True,
            ["utter_dossier_status_supplement_required", "utter_dossier_overdue", "utter_dossier_supplement_note"],
        ),
    ],
)
async def test_every_status_answer(check, settings, code, status, overdue, expected):
    dispatcher, events = await run(check, make_tracker(f"tra cứu hồ sơ {code}", entities=[code]))
    assert responses(dispatcher) == expected + [SURVEY]
    [payload] = payloads(dispatcher)
    assert (
        payload
        == {"type": "dossier_status", "code": code, "status": status, "overdue": overdue, "agency": payload["agency"]}
        and payload["agency"]
    )  # agency: the report's share by agency
    first = dispatcher.messages[0]
    assert first["code"] == code and first["agency"] and first["procedure_name"]
    assert DATE_RE.match(first["received_at"]) and DATE_RE.match(first["due_at"])
    assert [e["event"] for e in events][:3] == ["slot", "slot", "slot"]
    assert events[1:3] == [SlotSet("dossier_code", None), SlotSet("dossier_last_code", code)]
    # "thủ tục này" now means the dossier's procedure, when the catalog has it.
    assert [e["name"] for e in events[3:]] in ([], ["procedure_code"])
    assert events[0]["name"] == "dossier_lookups" and len(events[0]["value"]) == 1
    everything = json.dumps(dispatcher.messages, ensure_ascii=False)
    assert not any(phone in everything for phone in PHONES)  # never applicant_phone_last4
    notes = [m for m in dispatcher.messages if "note" in m]
    assert all(m["response"] == "utter_dossier_supplement_note" for m in notes)  # other notes: operators only
    if overdue:
        late = sent(dispatcher, "utter_dossier_overdue")
        assert late["days_late"] >= 1 and late["hotline"] == settings.hotline


async def test_supplement_note_is_what_to_bring(check):
    dispatcher, _ = await run(check, make_tracker(SUPPLEMENT, entities=[SUPPLEMENT]))
    assert "hợp đồng thuê nhà" in sent(dispatcher, "utter_dossier_supplement_note")["note"]


@pytest.mark.parametrize(
    "text",
    [
        "ma ho so 00.12.h29 - 261102 - 0002 sao roi",  # no entity: the action re-parses the text
        "Hồ sơ 000.00.12.H29–261102–0002 của em đến đâu rồi ạ?",
    ],
)
async def test_code_read_from_raw_text(check, text):
    dispatcher, _ = await run(check, make_tracker(text))
    assert payloads(dispatcher)[0]["code"] == PROCESSING


async def test_wrong_code_is_explained(check):
    dispatcher, events = await run(
        check, make_tracker("hs 000.00.12.H29-261102-02", entities=["000.00.12.H29-261102-02"])
    )
    assert responses(dispatcher) == ["utter_dossier_code_invalid_sequence_too_short", "utter_dossier_code_help"]
    assert dispatcher.messages[0]["candidate"] == "000.00.12.H29-261102-02"
    assert events == [SlotSet("dossier_code", None)] and payloads(dispatcher) == []


async def test_missing_code_starts_the_form(check):
    dispatcher, events = await run(check, make_tracker("hồ sơ của tôi đến đâu rồi"))
    assert events == [FollowupAction("dossier_code_form")] and dispatcher.messages == []


async def test_not_found(check, settings):
    dispatcher, events = await run(check, make_tracker(UNKNOWN, entities=[UNKNOWN]))
    assert responses(dispatcher) == ["utter_dossier_not_found", "utter_dossier_offer_help"]
    assert dispatcher.messages[0]["code"] == UNKNOWN and dispatcher.messages[1]["hotline"] == settings.hotline
    assert SlotSet("dossier_last_code", UNKNOWN) not in events


@pytest.mark.parametrize("behaviour", ["down", "slow", "500", "malformed", "missing_field"])
async def test_faults_give_a_polite_answer_quickly(fault_server, fast_settings, behaviour):
    url = (
        f"http://127.0.0.1:{free_port()}"
        if behaviour == "down"
        else fault_server("ok" if behaviour == "slow" else behaviour, delay=3.0 if behaviour == "slow" else 0).url
    )
    settings = fast_settings(url)
    action = ActionCheckDossierStatus(settings=settings, client=DossierClient(settings))
    started = time.monotonic()
    dispatcher, events = await run(action, make_tracker(PROCESSING, entities=[PROCESSING]))
    assert time.monotonic() - started < 10
    assert responses(dispatcher) == ["utter_dossier_service_unavailable"]
    assert dispatcher.messages[0]["hotline"] == "1800 1096"
    assert SlotSet("dossier_code", None) in events  # conversation goes on


async def test_rate_limit_per_conversation(check, settings):
    lookups = None
    for i in range(settings.rate_limit_count):
        dispatcher, events = await run(check, make_tracker(PROCESSING, [PROCESSING], {"dossier_lookups": lookups}))
        assert payloads(dispatcher), i
        lookups = next(e["value"] for e in events if e["name"] == "dossier_lookups")
    dispatcher, events = await run(check, make_tracker(PROCESSING, [PROCESSING], {"dossier_lookups": lookups}))
    assert responses(dispatcher) == ["utter_dossier_rate_limited"]
    assert 1 <= dispatcher.messages[0]["minutes"] <= 10 and payloads(dispatcher) == []
    old = [time.time() - settings.rate_limit_window - 1] * 10  # outside the window: forgotten
    dispatcher, events = await run(check, make_tracker(PROCESSING, [PROCESSING], {"dossier_lookups": old}))
    assert payloads(dispatcher) and len(events[0]["value"]) == 1
    other = make_tracker(PROCESSING, [PROCESSING], sender="another-conversation")
    assert payloads((await run(check, other))[0])


@pytest.mark.parametrize(
    "sender, metadata, operator",
    [
        ("telegram:12345", None, True),
        ("web-1", {"operator_token": "op-secret"}, True),
        ("web-1", {"operator_token": "guess"}, False),
        ("web-1", None, False),
        ("telegram:99999", None, False),
    ],
)
async def test_operator_view(fast_settings, service_url, sender, metadata, operator):
    settings = fast_settings(service_url, operator_sender_ids=frozenset({"telegram:12345"}), operator_token="op-secret")
    action = ActionCheckDossierStatus(settings=settings, client=DossierClient(settings))
    dispatcher, _ = await run(action, make_tracker(REJECTED, [REJECTED], sender=sender, metadata=metadata))
    names = responses(dispatcher)
    if not operator:
        assert names == ["utter_dossier_status_rejected", SURVEY]
        return
    assert (
        names
        == ["utter_dossier_status_rejected", "utter_dossier_operator_note", "utter_dossier_operator_history_header"]
        + ["utter_dossier_operator_history_entry"] * 3
    )
    assert "ADN" in sent(dispatcher, "utter_dossier_operator_note")["note"]
    entries = [m for m in dispatcher.messages if m.get("response") == "utter_dossier_operator_history_entry"]
    assert [e["status_label"] for e in entries] == ["Đã tiếp nhận", "Đang giải quyết", "Từ chối giải quyết"]
    assert all(DATE_RE.match(e["at"]) for e in entries)
    assert not any(p in json.dumps(dispatcher.messages, ensure_ascii=False) for p in PHONES)


FORM = {"name": "dossier_code_form", "is_interrupted": False, "rejected": False, "trigger_message": {}}


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("00.12.h29-261102-0002", PROCESSING),
        ("mã là 000.00.12.H29 - 261102 - 0002 ạ", PROCESSING),
    ],
)
async def test_form_validation_accepts_and_canonicalises(typed, expected):
    tracker = make_tracker(
        typed,
        slots={"requested_slot": "dossier_code", "dossier_code": typed},
        active_loop=FORM,
        intent="provide_dossier_code",
        extra_events=[{"event": "slot", "name": "dossier_code", "value": typed}],
    )
    dispatcher, events = await run(ValidateDossierCodeForm(), tracker)
    assert events == [SlotSet("dossier_code", expected)] and dispatcher.messages == []


async def test_form_validation_rejects_with_an_explanation():
    typed = "000.00.12.H29-261399-0002"
    tracker = make_tracker(
        typed,
        slots={"requested_slot": "dossier_code", "dossier_code": typed},
        active_loop=FORM,
        extra_events=[{"event": "slot", "name": "dossier_code", "value": typed}],
    )
    dispatcher, events = await run(ValidateDossierCodeForm(), tracker)
    assert events == [SlotSet("dossier_code", None)]
    assert responses(dispatcher) == ["utter_dossier_code_invalid_bad_date", "utter_dossier_code_help"]


async def test_form_extracts_a_code_the_regex_missed():
    typed = "ma cua toi: 000 . 00 . 12 . h29-261102-0002"
    tracker = make_tracker(typed, slots={"requested_slot": "dossier_code"}, active_loop=FORM)
    _, events = await run(ValidateDossierCodeForm(), tracker)
    assert SlotSet("dossier_code", PROCESSING) in events


@pytest.fixture
def subs(tmp_path):
    return SubscriptionStore(tmp_path / "subs.sqlite")


async def test_subscribe_and_unsubscribe(settings, subs):
    kwargs = dict(settings=settings, client=DossierClient(settings), subscriptions=subs)
    subscribe, unsubscribe = ActionSubscribeDossier(**kwargs), ActionUnsubscribeDossier(**kwargs)
    dispatcher, events = await run(
        subscribe, make_tracker(f"báo cho tôi khi có kết quả {PROCESSING}", intent="subscribe_dossier")
    )
    assert responses(dispatcher) == ["utter_dossier_subscribed"]
    assert SlotSet("dossier_last_code", PROCESSING) in events
    [sub] = subs.for_sender("web-user-1")
    assert (sub.code, sub.channel, sub.last_status) == (PROCESSING, "rest", "PROCESSING")
    dispatcher, _ = await run(subscribe, make_tracker("theo dõi giúp tôi", slots={"dossier_last_code": PROCESSING}))
    assert responses(dispatcher) == ["utter_dossier_subscribe_already"]
    dispatcher, _ = await run(subscribe, make_tracker("theo dõi giúp tôi", slots={"dossier_last_code": SUPPLEMENT}))
    assert responses(dispatcher) == ["utter_dossier_subscribed"]  # the last looked-up code
    dispatcher, _ = await run(subscribe, make_tracker(f"theo dõi {COMPLETED}"))
    assert responses(dispatcher)[0] == "utter_dossier_subscribe_final"
    dispatcher, _ = await run(subscribe, make_tracker(f"theo dõi {UNKNOWN}"))
    assert responses(dispatcher) == ["utter_dossier_not_found", "utter_dossier_offer_help"]
    dispatcher, _ = await run(subscribe, make_tracker("báo cho tôi khi có kết quả"))
    assert responses(dispatcher) == ["utter_dossier_subscribe_need_code"]
    assert len(subs.for_sender("web-user-1")) == 2
    dispatcher, _ = await run(unsubscribe, make_tracker(f"hủy theo dõi {SUPPLEMENT}", intent="unsubscribe_dossier"))
    assert responses(dispatcher) == ["utter_dossier_unsubscribed"] and dispatcher.messages[0]["count"] == 1
    dispatcher, _ = await run(unsubscribe, make_tracker("hủy theo dõi"))
    assert dispatcher.messages[0]["count"] == 1 and subs.for_sender("web-user-1") == []
    dispatcher, _ = await run(unsubscribe, make_tracker("hủy theo dõi"))
    assert responses(dispatcher) == ["utter_dossier_unsubscribed_none"]


async def test_subscription_limit(fast_settings, service_url, subs):
    settings = fast_settings(service_url, max_subscriptions=1)
    action = ActionSubscribeDossier(settings=settings, client=DossierClient(settings), subscriptions=subs)
    await run(action, make_tracker(f"theo dõi {PROCESSING}"))
    dispatcher, _ = await run(action, make_tracker(f"theo dõi {RECEIVED}"))
    assert responses(dispatcher) == ["utter_dossier_subscribe_too_many"]


async def test_status_changed_rereads_the_status(settings, db_path):
    from bot.dossier.store import DossierStore

    DossierStore(f"sqlite:///{db_path}").update(PROCESSING, status="COMPLETED")
    action = ActionDossierStatusChanged(settings=settings, client=DossierClient(settings))
    tracker = make_tracker("", entities=[PROCESSING], intent="EXTERNAL_dossier_status_changed")
    dispatcher, events = await run(action, tracker)
    assert responses(dispatcher) == [
        "utter_dossier_status_changed_intro",
        "utter_dossier_status_completed",
        "utter_dossier_result_in_person",
    ]
    assert [{k: v for k, v in p.items() if k != "agency"} for p in payloads(dispatcher)] == [
        {"type": "dossier_status", "code": PROCESSING, "status": "COMPLETED", "overdue": False}
    ]
    assert events == [SlotSet("dossier_last_code", PROCESSING)]


async def test_a_question_about_a_dossier_names_its_own_code(settings):
    """ "hs <mã> chậm vì sao" with no lookup before: that dossier is answered and becomes the one in hand."""
    detail = ActionDossierDetail(settings=settings, client=DossierClient(settings))
    text = f"hs {OVERDUE_PROCESSING} sao trễ hạn vậy"
    dispatcher, events = await run(detail, make_tracker(text, intent="ask_dossier_detail"))
    assert responses(dispatcher) == ["utter_dossier_detail_overdue"]
    assert payloads(dispatcher)[0]["code"] == OVERDUE_PROCESSING
    assert SlotSet("dossier_last_code", OVERDUE_PROCESSING) in events
    dispatcher, _ = await run(detail, make_tracker("vì sao chậm", intent="ask_dossier_detail"))
    assert responses(dispatcher) == ["utter_dossier_detail_need_code"]  # nothing looked up, nothing typed
