"""The NLU flag and the policy that puts the privacy messages into the dialogue (no trained model needed)."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, ActionReverted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import normalized_for_nlu
from bot.privacy.nlu import PersonalDataFlag
from bot.privacy.policy import needs_first_notice, needs_personal_data_notice


def _parsed(text: str, intent: str) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.9})
    return PersonalDataFlag().process([message])[0]


@pytest.mark.parametrize(
    "text, intent, kinds, result",
    [
        (
            "số cccd của tôi là 079123456789, sđt 0912345678, tôi muốn hỏi hồ sơ",
            "check_dossier_status",
            ["CCCD", "SĐT"],
            "check_dossier_status",
        ),  # the rest of the question keeps its intent
        ("sđt của tôi là 0912.345.678", "ask_overview", ["SĐT"], "share_personal_data"),  # nothing else to answer
        ("0912345678 nhé", "nlu_fallback", ["SĐT"], "share_personal_data"),
        ("tra cứu hồ sơ 000.00.12.H29-261102-0002", "check_dossier_status", None, "check_dossier_status"),
        ("/quyen-rieng-tu", "out_of_scope", None, "ask_privacy"),
    ],
)
def test_flag_and_intent(text, intent, kinds, result):
    message = _parsed(text, intent)
    assert message.get("personal_data") == kinds
    assert message.get(INTENT)["name"] == result


def test_the_classifier_never_sees_identifiers():
    folded = normalized_for_nlu("Số CCCD của tôi là 079 123 456 789, SĐT +84 912 345 678, tôi muốn hỏi hồ sơ")
    assert not any(ch.isdigit() for ch in folded) and "ho so" in folded and "can cuoc" not in folded


def _tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("s", [ActionExecuted("action_listen"), *events])


def _user(text, personal=None):
    parse = {"intent": {"name": "greet", "confidence": 1.0}, "entities": [], "text": text}
    if personal:
        parse["personal_data"] = personal
    return UserUttered(text, parse["intent"], [], parse)


def test_personal_data_notice_once_per_message():
    assert needs_personal_data_notice(_tracker(_user("0912345678", ["SĐT"])))
    assert not needs_personal_data_notice(_tracker(_user("xin chào")))
    done = _tracker(
        _user("0912345678", ["SĐT"]), ActionExecuted("action_personal_data_notice"), BotUttered("..."), ActionReverted()
    )
    assert not needs_personal_data_notice(done)
    assert done.latest_action_name == "action_listen"  # reverted: the rules see the state before it


def test_first_notice_after_the_first_answer_only():
    pending = SlotSet("privacy_notice", "pending")
    assert not needs_first_notice(_tracker(pending, _user("xin chào")))  # nothing answered yet
    answered = _tracker(pending, _user("xin chào"), ActionExecuted("utter_greet"), BotUttered("Xin chào!"))
    assert needs_first_notice(answered)
    answered.update(ActionExecuted("action_first_privacy_notice"))
    answered.update(BotUttered("Quyền riêng tư"))
    answered.update(ActionReverted())
    answered.update(SlotSet("privacy_notice", "shown"))
    assert not needs_first_notice(answered) and answered.latest_action_name == "utter_greet"
    # Story replay runs no session start: nothing pending, nothing inserted.
    assert not needs_first_notice(_tracker(_user("xin chào"), ActionExecuted("utter_greet")))
