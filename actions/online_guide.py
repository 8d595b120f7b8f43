"""Rasa custom actions for the guided online filing (issue 5).

- action_online_guide: every guide intent (start_online_guide, guide_next/back/stop/resume/checklist,
  guide_choose_case, affirm, deny_vneid) and, while the bot waits for the procedure to guide (slot
  guide_pending), choose_procedure and ask_overview. It finds the procedure (same resolution and choices as
  the procedure answers), then walks the steps built by bot/guide/steps.py one message at a time.
- action_guide_offer_resume: after a question answered mid-way (rules conditioned on guide_active), offers
  to continue at the same step.

Slots: guide_active (walkthrough running), guide_step (current step key, kept when stopped so "tiếp tục hướng
dẫn" resumes), guide_procedure (code being guided), guide_case (chosen document case), guide_pending (waiting
for the procedure name or choice). Run with the action server: `python -m actions`.
Tests: `.venv/bin/python -m pytest tests/guide -q -m "not rasa"`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import feedback, procedures
from bot.catalog import render
from bot.guide import steps
from bot.guide.settings import GuideSettings, guide_settings
from bot.understanding import ANSWER, CHOOSE, FOLLOW_UP, NO_PROCEDURE, NOT_IN_CATALOG, read
from bot.understanding.choices import parse_choice, parse_ordinal
from bot.understanding.reading import is_payload
from bot.understanding.topics import after_guide_words, without_guide_words

ACTIVE, STEP, PROCEDURE, CASE, PENDING = "guide_active", "guide_step", "guide_procedure", "guide_case", "guide_pending"
SLOT_CODE, SLOT_OFFERED = "procedure_code", "offered_procedures"
CHECKLIST_STEP, IN_PERSON_STEP = "checklist", "in_person_only"


def _catalog() -> Any:
    from bot.catalog import load_catalog  # lazily: loaded once on first use, cached

    return load_catalog()


def _guide_query(text: Optional[Text]) -> Text:
    return text or "" if is_payload(text) else without_guide_words(text)


def _intent(tracker: Tracker) -> Text:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def _case(tracker: Tracker) -> Optional[int]:
    value = tracker.get_slot(CASE)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class Guide:
    """One run of action_online_guide: the tracker state, the catalog, the settings, and the replies."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.catalog = _catalog()
        self.settings: GuideSettings = guide_settings()
        self.code: Optional[Text] = tracker.get_slot(PROCEDURE)
        self.record: Optional[Dict[Text, Any]] = self.catalog.get(self.code) if self.code else None
        self.step: Optional[Text] = tracker.get_slot(STEP) if self.record else None
        self.active = bool(tracker.get_slot(ACTIVE)) and self.step is not None
        self.case = _case(tracker)
        self.text = tracker.latest_message.get("text") or ""

    # ------------------------------------------------------------ sending

    def show(self, key: Text, case: Optional[int] = None) -> List[Dict[Text, Any]]:
        message = steps.build_step(self.record, key, self.settings, case)
        self._send(message, key)
        return [SlotSet(STEP, key), SlotSet(ACTIVE, True), SlotSet(PENDING, False)]

    def _send(self, message: steps.Message, key: Text) -> None:
        self.dispatcher.utter_message(response=message.response, buttons=message.buttons, **message.variables)
        self.dispatcher.utter_message(
            json_message={"type": "online_guide", "procedure_code": self.record["code"], "step": key}
        )

    def not_active(self) -> List[Dict[Text, Any]]:
        self.dispatcher.utter_message(response="utter_guide_not_active", buttons=[steps.button("start", steps.START)])
        return []

    # ------------------------------------------------------------ choosing the procedure

    def start(self) -> List[Dict[Text, Any]]:
        current = self.tracker.get_slot(SLOT_CODE)
        if current and not self.catalog.get(current):
            current = None
        shown = [c for c in self.tracker.get_slot(SLOT_OFFERED) or [] if self.catalog.get(c)]
        reading = read(self.catalog, _guide_query(self.text), current, online=True, alone=not shown)
        if reading.verdict in (NOT_IN_CATALOG, NO_PROCEDURE) and not is_payload(self.text):
            # Words around the guide words ("đôi bạn trẻ muốn đăng ký kết hôn …") read apart from them: the whole
            # message, as a question about the procedure reads it.
            whole = read(self.catalog, self.text, current, online=True, alone=not shown)
            reading = whole if whole.verdict in (ANSWER, CHOOSE) else reading
        if reading.verdict in (NOT_IN_CATALOG, NO_PROCEDURE) and not is_payload(self.text):
            # A case told before the request ("đang ngồi cùng một anh mới có con, nhờ hướng dẫn đăng ký khai
            # sinh online"): the procedure is named after the words asking to be guided.
            tail = read(self.catalog, after_guide_words(self.text), current, online=True, alone=not shown)
            reading = tail if tail.verdict in (ANSWER, CHOOSE) else reading
        if reading.verdict in (ANSWER, FOLLOW_UP):
            return self.begin(reading.code)
        if reading.verdict == CHOOSE:
            return self.offer_choices([c.code for c in reading.choices])
        if shown and not reading.candidates:
            # "hướng dẫn mình nộp online" under the buttons of a question: the guide is for one of them.
            if len(shown) == 1 and not self.tracker.get_slot(procedures.SLOT_OFFERED_UNKNOWN):
                return self.begin(shown[0])
            return self.offer_choices(shown)
        response = "utter_guide_not_found" if reading.verdict == NOT_IN_CATALOG else "utter_guide_ask_which"
        self.dispatcher.utter_message(response=response, hotline=self.settings.hotline)
        return [SlotSet(PENDING, True), SlotSet(ACTIVE, False)]

    def offer_choices(self, codes: List[Text]) -> List[Dict[Text, Any]]:
        response = "utter_guide_did_you_mean" if len(codes) == 1 else "utter_guide_choices"
        offered = procedures.offer_choices(self.dispatcher, self.catalog, codes, response=response)
        return [
            SlotSet(SLOT_OFFERED, offered),
            SlotSet(procedures.SLOT_OFFERED_UNKNOWN, None),
            SlotSet(PENDING, True),
            SlotSet(ACTIVE, False),
        ]

    def choose(self) -> List[Dict[Text, Any]]:
        code = next(self.tracker.get_latest_entity_values(SLOT_CODE), None)
        if not code:
            offered = [
                {"code": c, "name": (self.catalog.get(c) or {}).get("name") or c}
                for c in self.tracker.get_slot(SLOT_OFFERED) or []
            ]
            code = parse_choice(self.text, offered)
        if code and self.catalog.get(code):
            return self.begin(code)
        return self.start()

    def begin(self, code: Text) -> List[Dict[Text, Any]]:
        self.code, self.record = code, self.catalog.get(code)
        events = [
            SlotSet(SLOT_CODE, code),
            SlotSet(PROCEDURE, code),
            SlotSet(CASE, None),
            SlotSet(SLOT_OFFERED, None),
            SlotSet(PENDING, False),
        ]
        if not steps.plan(self.record):
            self._send(steps.in_person_only(self.record, self.settings), IN_PERSON_STEP)
            return events + [SlotSet(ACTIVE, False), SlotSet(STEP, None)]
        return events + self.show(steps.INTRO)

    # ------------------------------------------------------------ walking the steps

    def next(self) -> List[Dict[Text, Any]]:
        offered = self.tracker.get_slot(SLOT_OFFERED) or []
        if not self.step and self.tracker.get_slot(PENDING) and len(offered) == 1 and self.catalog.get(offered[0]):
            return self.begin(offered[0])  # "bước tiếp" under "is it this procedure?": yes, go on
        if not self.step:
            return self.not_active()
        if not self.active:
            return self.show(self.step, self.case)  # "tiếp" after a stop continues where it stopped
        key = steps.next_step(self.record, self.step)
        if key == steps.END:
            return self.checklist(finished=True)
        return self.show(key, self.case)

    def back(self) -> List[Dict[Text, Any]]:
        if not self.step:
            return self.not_active()
        if not self.active:
            return self.show(self.step, self.case)
        key = steps.previous_step(self.record, self.step)
        if key == self.step:
            self.dispatcher.utter_message(response="utter_guide_at_first")
        return self.show(key, self.case)

    def no_vneid(self) -> List[Dict[Text, Any]]:
        if not self.step:
            return self.not_active()
        return self.show(steps.VNEID_HOWTO)

    def choose_case(self) -> List[Dict[Text, Any]]:
        if not self.step:
            return self.not_active()
        alts = render.alternatives(self.record)
        value = next(self.tracker.get_latest_entity_values(CASE), None)
        case = int(value) if value and str(value).isdigit() else None
        if case is None:
            index = parse_ordinal(self.text, len(alts))
            case = index + 1 if index is not None else None
        if case is None or not 1 <= case <= len(alts):
            return self.show(steps.UPLOAD, self.case)
        return [SlotSet(CASE, str(case))] + self.show(steps.UPLOAD, case)

    def stop(self) -> List[Dict[Text, Any]]:
        if not self.step:
            return self.not_active()
        self.dispatcher.utter_message(
            response="utter_guide_stopped",
            buttons=[steps.button("resume", steps.RESUME), steps.button("checklist", steps.CHECKLIST)],
            procedure_name=render.display_name(self.record) or self.code,
        )
        return [SlotSet(ACTIVE, False)]

    def resume(self) -> List[Dict[Text, Any]]:
        if not self.step:
            return self.not_active()
        return self.show(self.step, self.case)

    def checklist(self, finished: bool = False) -> List[Dict[Text, Any]]:
        """The printable list for the guided procedure, or the one named in the message."""
        record, case = self.record, self.case
        if not finished:
            current = self.code or self.tracker.get_slot(SLOT_CODE)
            reading = read(self.catalog, _guide_query(self.text), current, online=True)
            if reading.verdict == CHOOSE:
                return self.offer_choices([c.code for c in reading.choices])
            if reading.verdict not in (ANSWER, FOLLOW_UP) or not self.catalog.get(reading.code):
                self.dispatcher.utter_message(response="utter_guide_ask_which", hotline=self.settings.hotline)
                return [SlotSet(PENDING, True), SlotSet(ACTIVE, False)]
            if reading.code != self.code:
                record, case = self.catalog.get(reading.code), None
        message = steps.checklist(record, self.settings, case)
        buttons = []
        if self.active and not finished and record is self.record:
            buttons = [steps.button("resume", steps.RESUME), steps.button("stop", steps.STOP)]
        self.dispatcher.utter_message(response=message.response, buttons=buttons, **message.variables)
        self.dispatcher.utter_message(
            json_message={"type": "online_guide", "procedure_code": record["code"], "step": CHECKLIST_STEP}
        )
        events = [SlotSet(SLOT_CODE, record["code"]), SlotSet(PENDING, False)]
        if finished:
            events += [SlotSet(ACTIVE, False), SlotSet(STEP, None)]
            feedback.offer_after(self.dispatcher, self.tracker, events)  # a guided filing done: the survey (issue 12)
        elif record is not self.record and not self.active:
            events += [SlotSet(PROCEDURE, record["code"]), SlotSet(STEP, None), SlotSet(CASE, None)]
        return events


_HANDLERS = {
    "start_online_guide": Guide.start,
    "ask_overview": Guide.start,  # a bare procedure name while guide_pending
    "choose_procedure": Guide.choose,
    "guide_next": Guide.next,
    "affirm": Guide.next,  # "đã có" VNeID, "ok"
    "guide_back": Guide.back,
    "guide_stop": Guide.stop,
    "guide_resume": Guide.resume,
    "guide_checklist": Guide.checklist,
    "deny_vneid": Guide.no_vneid,
    "guide_choose_case": Guide.choose_case,
}


class ActionOnlineGuide(Action):
    def name(self) -> Text:
        return "action_online_guide"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        guide = Guide(dispatcher, tracker)
        # "tam vang nvqs" is no yes, "sân bay … tạm dừng hoạt động" no "stop"; a request for the walkthrough names
        # its procedure, which the walkthrough takes.
        if not guide.active and _intent(tracker) != "start_online_guide" and procedures.misrouted(tracker):
            return procedures.respond(dispatcher, tracker, "overview")
        handler = _HANDLERS.get(_intent(tracker), Guide.start)
        return handler(guide)


class ActionGuideOfferResume(Action):
    """After a question answered mid-way: offer to continue the walkthrough at the same step."""

    def name(self) -> Text:
        return "action_guide_offer_resume"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        guide = Guide(dispatcher, tracker)
        if not guide.active:
            return []
        step, total = steps.position(guide.record, guide.step)
        dispatcher.utter_message(
            response="utter_guide_offer_resume",
            buttons=[steps.button("resume", steps.RESUME), steps.button("stop", steps.STOP)],
            procedure_name=render.display_name(guide.record) or guide.code,
            step=str(step),
            total=str(total),
            title=steps.title(guide.step),
        )
        return []
