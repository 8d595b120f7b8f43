"""Complaints (phản ánh, kiến nghị) in the conversation: the form, the receipt, the status, the handled notice.

Storage and rules live in bot/ops/complaints.py; this file only reads the conversation and answers. The optional
dossier code is checked with bot/dossier/codes.py and looked up with the dossier actions' client; an overdue
dossier flags the complaint. A contact is asked for only after consent, stored for the call-back, and never
echoed (the answer names its kind only); the tracker store keeps it redacted like any identifier.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# The dossier actions' client and errors; a question typed into the form is answered as any other.
from actions.dossier import (
    DossierNotFound,
    DossierUnavailable,
    default_client,
    default_settings,
    explain_invalid,
    is_operator,
    status_labels,
)
from actions.procedures import ActionAnswerProcedure
from bot import portal
from bot.catalog import load_catalog
from bot.dossier.codes import CodeError, find_code
from bot.dossier.status import VN_TZ, now_vn
from bot.feedback import channel_of
from bot.ops import complaints as model
from bot.ops.db import ops_engine
from bot.understanding.reading import asks_a_procedure, names_a_grievance_procedure
from bot.understanding.topics import find_cues
from bot.vntext import fold

FORM_SLOTS = (
    "complaint_category",
    "complaint_dossier_code",
    "complaint_description",
    "complaint_consent",
    "complaint_contact",
)
EXTRA_SLOTS = ("complaint_dossier_status", "complaint_dossier_overdue", "complaint_agency", "complaint_cancelled")
NONE = "none"  # the person has no dossier code
AGREE, REFUSE = "agree", "refuse"


@functools.lru_cache(maxsize=1)
def store() -> model.ComplaintStore:
    return model.ComplaintStore(ops_engine())


def _date(iso: Optional[str]) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(VN_TZ).strftime("%d/%m/%Y") if iso else ""


def _reset() -> List[EventType]:
    return [SlotSet(name, None) for name in FORM_SLOTS + EXTRA_SLOTS]


def check_dossier(dispatcher: CollectingDispatcher, text: str) -> Optional[Dict[Text, Any]]:
    """Slots for a valid dossier code in `text` (looked up, overdue flagged); None after saying what is wrong."""
    result = find_code(text, now_vn().date())
    if not result.ok:
        if result.error is not CodeError.NO_CODE:
            explain_invalid(dispatcher, result)
        return None
    slots: Dict[Text, Any] = {"complaint_dossier_code": result.code}
    try:
        dossier = default_client().get_dossier(result.code)
    except DossierNotFound:
        dispatcher.utter_message(response="utter_dossier_not_found", code=result.code)
        return None
    except DossierUnavailable:
        dispatcher.utter_message(response="utter_complaint_dossier_unavailable")
        return slots
    now = now_vn()
    overdue = dossier.is_overdue(now)
    dispatcher.utter_message(
        response="utter_complaint_dossier_found",
        code=dossier.code,
        procedure_name=dossier.procedure_name,
        agency=dossier.agency,
        status_label=status_labels().get(dossier.status.value, dossier.status.value),
    )
    if overdue:
        dispatcher.utter_message(response="utter_complaint_dossier_overdue", days_late=dossier.days_late(now))
    return {
        **slots,
        "complaint_dossier_status": dossier.status.value,
        "complaint_dossier_overdue": overdue,
        "complaint_agency": dossier.agency,
    }


# Where the form asks something short (which kind, which dossier), a procedure question ends it; the description
# is free text and may well name a procedure.
_QUESTION_ENDS = ("complaint_category", "complaint_dossier_code")


def _left_for_question(text: str) -> bool:
    """A procedure question typed instead of the form's answer ("dân hỏi thêm: tiền polyme cháy đổi ở đâu")."""
    return find_code(text, None).error is CodeError.NO_CODE and asks_a_procedure(load_catalog(), text)


class ActionComplaintStart(Action):
    """Clears an earlier complaint and takes what the first message already says (category, dossier code) or,
    without a code, the dossier looked up last in this conversation."""

    def name(self) -> Text:
        return "action_complaint_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        events = _reset()
        if names_a_grievance_procedure(load_catalog(), text):
            # "khiếu nại lần hai lên quân khu thế nào": the form ends at once and action_submit_complaint answers.
            return events + [SlotSet("complaint_cancelled", True)]
        last = tracker.get_slot("dossier_last_code")
        if last and is_operator(tracker, default_settings()) and any(c.strong for c in find_cues(text)):
            # "dân muốn phản ánh trễ hạn thì gửi ở đâu" from the hotline, dossier in hand: what to tell the citizen.
            return events + [FollowupAction("action_dossier_detail")]
        category = model.category_in(text)
        if category and category != "other":
            events.append(SlotSet("complaint_category", category))
        # A code in the message, else the dossier just looked up ("hồ sơ trễ rồi, tôi muốn phản ánh").
        coded = find_code(text, now_vn().date()).error is not CodeError.NO_CODE
        dossier = text if coded else last
        if dossier:
            found = check_dossier(dispatcher, dossier)
            events += [SlotSet(name, value) for name, value in (found or {}).items()]
        return events


def _typed(validate: Any) -> Any:
    """A slot that comes in as None was cleared by action_complaint_start, not typed: nothing to check or answer
    (before, "tôi muốn phản ánh" got four "chưa rõ" messages at once, one per cleared slot)."""

    @functools.wraps(validate)
    def checked(self: Any, value: Any, *args: Any) -> Dict[Text, Any]:
        if value is None:
            return {validate.__name__.removeprefix("validate_"): None}
        return validate(self, value, *args)

    return checked


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_complaint_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot("complaint_cancelled"):
            return []
        if tracker.get_slot("complaint_consent") == REFUSE:
            return [s for s in domain_slots if s != "complaint_contact"]
        return domain_slots

    @staticmethod
    def _cancel(value: Any, slot: Text) -> Optional[Dict[Text, Any]]:
        """ "hủy", or a procedure question where the category or the dossier code is asked: the form ends
        (required_slots becomes empty), nothing is stored, and action_submit_complaint answers the question."""
        text = str(value or "")
        if model.answer_in(text, "cancel") or (slot in _QUESTION_ENDS and _left_for_question(text)):
            return {"complaint_cancelled": True, slot: None}
        return None

    @_typed
    def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value in model.categories():
            return {"complaint_category": value}  # set by action_complaint_start
        cancel = self._cancel(value, "complaint_category")
        if cancel:
            return cancel
        category = model.category_in(str(value or ""))
        if category is None:
            dispatcher.utter_message(response="utter_complaint_category_unclear")
        return {"complaint_category": category}

    @_typed
    def validate_complaint_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "")
        if tracker.get_slot("complaint_dossier_status") or value == NONE:
            return {"complaint_dossier_code": value}  # looked up by action_complaint_start
        cancel = self._cancel(text, "complaint_dossier_code")
        if cancel:
            return cancel
        found = check_dossier(dispatcher, text)
        if found:
            return found
        if find_code(text, now_vn().date()).error is CodeError.NO_CODE and (
            model.answer_in(text, "none") or fold(text).startswith("khong co")
        ):
            return {"complaint_dossier_code": NONE}
        return {"complaint_dossier_code": None}

    @_typed
    def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "")
        cancel = self._cancel(text, "complaint_description")
        if cancel:
            return cancel
        stored, cut = model.clean_description(text)
        if not stored:
            dispatcher.utter_message(response="utter_complaint_description_empty")
            return {"complaint_description": None}
        if cut:
            dispatcher.utter_message(response="utter_complaint_description_cut", max_length=model.MAX_DESCRIPTION)
        return {"complaint_description": stored}

    @_typed
    def validate_complaint_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "")
        if model.answer_in(text, "agree"):
            return {"complaint_consent": AGREE}
        if model.answer_in(text, "refuse") or model.answer_in(text, "none"):
            return {"complaint_consent": REFUSE}
        cancel = self._cancel(text, "complaint_consent")
        if cancel:
            return cancel
        if model.contact_in(text):  # gave the contact straight away: that is consent
            return {"complaint_consent": AGREE, "complaint_contact": model.contact_in(text)}
        dispatcher.utter_message(response="utter_complaint_consent_unclear")
        return {"complaint_consent": None}

    @_typed
    def validate_complaint_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "")
        contact = model.contact_in(text)
        if contact:
            return {"complaint_contact": contact}
        if model.answer_in(text, "refuse") or model.answer_in(text, "cancel"):
            return {"complaint_consent": REFUSE, "complaint_contact": None}
        dispatcher.utter_message(response="utter_complaint_contact_invalid")
        return {"complaint_contact": None}


class ActionSubmitComplaint(Action):
    def name(self) -> Text:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot("complaint_cancelled") or not tracker.get_slot("complaint_category"):
            text = tracker.latest_message.get("text") or ""
            if tracker.get_slot("complaint_cancelled") and not model.answer_in(text, "cancel"):
                # Ended by other than "hủy": action_complaint_start found a grievance procedure named, or a procedure
                # question was typed where the form asked something short (ValidateComplaintForm._cancel).
                if not names_a_grievance_procedure(load_catalog(), text):
                    dispatcher.utter_message(response="utter_complaint_left_for_question")
                return _reset() + await ActionAnswerProcedure().run(dispatcher, tracker, domain)
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return _reset()
        code = tracker.get_slot("complaint_dossier_code")
        consented = tracker.get_slot("complaint_consent") == AGREE
        contact = model.contact_in(tracker.get_slot("complaint_contact")) if consented else None
        complaint = store().create(
            sender_id=tracker.sender_id,
            channel=channel_of(tracker.sender_id, tracker.get_latest_input_channel()),
            category=tracker.get_slot("complaint_category"),
            description=tracker.get_slot("complaint_description") or "",
            contact=contact,
            dossier_code=code if code and code != NONE else None,
            dossier_status=tracker.get_slot("complaint_dossier_status"),
            dossier_overdue=tracker.get_slot("complaint_dossier_overdue"),
            agency=tracker.get_slot("complaint_agency"),
        )
        label = model.categories()[complaint.category]
        dispatcher.utter_message(
            response="utter_complaint_receipt",
            reference=complaint.reference,
            category=label,
            portal_name=portal.portal_name(),
            portal_url=portal.portal_url(),
            hotline=portal.hotline(),
        )
        if contact:
            dispatcher.utter_message(response="utter_complaint_contact_kept", kind=model.contact_kind(contact))
        else:
            dispatcher.utter_message(response="utter_complaint_no_contact")
        dispatcher.utter_message(
            json_message={"type": "complaint_receipt", "reference": complaint.reference, "category": complaint.category}
        )
        return _reset()


def _reference(tracker: Tracker) -> Optional[str]:
    for value in tracker.get_latest_entity_values("complaint_reference"):
        found = model.find_reference(value)
        if found:
            return found
    return model.find_reference(tracker.latest_message.get("text"))


def utter_complaint(dispatcher: CollectingDispatcher, complaint: model.Complaint, response: str) -> None:
    dispatcher.utter_message(
        response=response,
        reference=complaint.reference,
        category=model.categories()[complaint.category],
        created_at=_date(complaint.created_at),
        handled_at=_date(complaint.handled_at),
        note=complaint.handler_note or "—",
    )
    dispatcher.utter_message(
        json_message={"type": "complaint_status", "reference": complaint.reference, "status": complaint.status}
    )


class ActionComplaintStatus(Action):
    def name(self) -> Text:
        return "action_complaint_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        reference = _reference(tracker)
        if reference is None:
            dispatcher.utter_message(response="utter_complaint_ask_reference")
            return []
        complaint = store().get(reference)
        if complaint is None:
            dispatcher.utter_message(
                response="utter_complaint_unknown_reference", reference=reference, hotline=portal.hotline()
            )
            dispatcher.utter_message(
                json_message={"type": "complaint_status", "reference": reference, "status": "not_found"}
            )
            return []
        utter_complaint(dispatcher, complaint, f"utter_complaint_status_{complaint.status}")
        return []


class ActionComplaintHandled(Action):
    """Answers EXTERNAL_complaint_handled, sent by `python -m bot.ops.complaints handle` through bot/ops/notices."""

    def name(self) -> Text:
        return "action_complaint_handled"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        complaint = store().get(_reference(tracker))
        if complaint is not None and complaint.sender_id == tracker.sender_id:
            utter_complaint(dispatcher, complaint, "utter_complaint_handled")
        return []
