"""Dossier status actions: look up a dossier by its code, ask for the code, subscribe to status changes.

Actions: validate_dossier_code_form, action_check_dossier_status, action_subscribe_dossier,
action_unsubscribe_dossier, action_dossier_status_changed (answers EXTERNAL_dossier_status_changed sent by
python -m bot.dossier.notifier). All user text is in domain responses (domain.yml).

Privacy rule: citizens see status, procedure, agency and dates; the officer's note only when the status is
SUPPLEMENT_REQUIRED (they need to know what to bring). Operators (OPERATOR_SENDER_IDS, or OPERATOR_TOKEN in
the message metadata) also see every note and the status history. Nobody sees applicant_phone_last4.
"""

from __future__ import annotations

import abc
import functools
import hmac
import logging
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import feedback, procedures
from bot.dossier.client import (
    Dossier,
    DossierClient,
    DossierNotFound,
    DossierUnavailable,
)
from bot.dossier.codes import CodeError, ParseResult, find_code, is_canonical
from bot.dossier.limits import LimitPolicy, LookupLimiter, client_key, store_from_env
from bot.dossier.settings import DossierSettings
from bot.dossier.status import VN_TZ, Status, now_vn
from bot.dossier.subscriptions import SubscriptionStore

logger = logging.getLogger(__name__)

ENTITY = "dossier_code"
SLOT_CODE = "dossier_code"
SLOT_LAST_CODE = "dossier_last_code"
SLOT_LOOKUPS = "dossier_lookups"
_LABELS_FILE = Path(__file__).resolve().parents[1] / "bot" / "dossier" / "labels.yml"


@functools.lru_cache(maxsize=1)
def default_settings() -> DossierSettings:
    return DossierSettings.from_env()


@functools.lru_cache(maxsize=1)
def default_client() -> DossierClient:
    # One client per action-server process so the circuit breaker sees every lookup.
    return DossierClient(default_settings())


@functools.lru_cache(maxsize=1)
def default_limiter() -> LookupLimiter:
    return LookupLimiter(store_from_env(default_settings().limits_db), LimitPolicy.from_env())


@functools.lru_cache(maxsize=1)
def status_labels() -> Dict[str, str]:
    return yaml.safe_load(_LABELS_FILE.read_text(encoding="utf-8"))


def fmt_time(moment) -> str:
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


def code_from_tracker(tracker: Tracker, use_slot: bool = True) -> ParseResult:
    """First valid code from the slot, the entities or the raw text (re-parsed, the regex may miss some);
    else the first code-like mistake; else NO_CODE."""
    message = tracker.latest_message or {}
    candidates = [tracker.get_slot(SLOT_CODE)] if use_slot else []
    candidates += [e.get("value") for e in message.get("entities") or [] if e.get("entity") == ENTITY]
    candidates.append(message.get("text"))
    today = now_vn().date()
    first_error: Optional[ParseResult] = None
    for candidate in candidates:
        if not candidate or not isinstance(candidate, str):
            continue
        result = find_code(candidate, today)
        if result.ok:
            return result
        if first_error is None and result.error is not CodeError.NO_CODE:
            first_error = result
    return first_error or ParseResult(error=CodeError.NO_CODE)


def explain_invalid(dispatcher: CollectingDispatcher, result: ParseResult) -> None:
    dispatcher.utter_message(
        response=f"utter_dossier_code_invalid_{result.error.value}", candidate=result.candidate or ""
    )
    dispatcher.utter_message(response="utter_dossier_code_help")


def is_operator(tracker: Tracker, settings: DossierSettings) -> bool:
    if tracker.sender_id in settings.operator_sender_ids:
        return True
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    given = metadata.get("operator_token") if isinstance(metadata, dict) else None
    return bool(
        settings.operator_token
        and isinstance(given, str)
        and hmac.compare_digest(given.encode(), settings.operator_token.encode())
    )


def take_lookup(tracker: Tracker, settings: DossierSettings, now: float) -> tuple[bool, list[float], int]:
    """(allowed, new slot value, minutes to wait): a sliding window of lookup times kept in a slot."""
    window = settings.rate_limit_window
    recent = [t for t in (tracker.get_slot(SLOT_LOOKUPS) or []) if isinstance(t, (int, float)) and now - t < window]
    if len(recent) >= settings.rate_limit_count:
        wait = max(1, int((min(recent) + window - now) // 60) + 1)
        return False, recent, wait
    return True, recent + [now], 0


def utter_status(
    dispatcher: CollectingDispatcher, dossier: Dossier, settings: DossierSettings, operator: bool, client: DossierClient
) -> None:
    """The citizen's answer for one dossier (+ the operator's extras) and the dossier_status payload."""
    now = now_vn()
    overdue = dossier.is_overdue(now)
    common = dict(
        code=dossier.code,
        procedure_name=dossier.procedure_name,
        agency=dossier.agency,
        received_at=fmt_time(dossier.received_at),
        due_at=fmt_time(dossier.due_at),
        completed_at=fmt_time(dossier.completed_at),
        hotline=settings.hotline,
    )
    status = dossier.status.value.lower()
    # An overdue dossier still open never gets "bạn chưa cần làm gì thêm": its own wording, then the apology.
    suffix = "_overdue" if overdue and dossier.status in (Status.RECEIVED, Status.PROCESSING) else ""
    dispatcher.utter_message(response=f"utter_dossier_status_{status}{suffix}", **common)
    if overdue:
        dispatcher.utter_message(response="utter_dossier_overdue", days_late=dossier.days_late(now), **common)
    if dossier.status is Status.SUPPLEMENT_REQUIRED:
        if dossier.note:
            dispatcher.utter_message(response="utter_dossier_supplement_note", note=dossier.note, **common)
        else:
            dispatcher.utter_message(response="utter_dossier_supplement_no_note", **common)
    if dossier.status is Status.COMPLETED:
        method = (dossier.return_method or "unknown").lower()
        dispatcher.utter_message(response=f"utter_dossier_result_{method}", **common)
    if operator:
        _utter_operator_view(dispatcher, dossier, client)
    dispatcher.utter_message(
        json_message={
            "type": "dossier_status",
            "code": dossier.code,
            "status": dossier.status.value,
            "overdue": overdue,
            "agency": dossier.agency,
        }
    )  # agency: the report's overdue share


def _utter_operator_view(dispatcher: CollectingDispatcher, dossier: Dossier, client: DossierClient) -> None:
    if dossier.note:
        dispatcher.utter_message(response="utter_dossier_operator_note", note=dossier.note)
    else:
        dispatcher.utter_message(response="utter_dossier_operator_no_note")
    try:
        history = client.get_history(dossier.code)
    except (DossierUnavailable, DossierNotFound):
        dispatcher.utter_message(response="utter_dossier_operator_history_unavailable")
        return
    labels = status_labels()
    dispatcher.utter_message(response="utter_dossier_operator_history_header", count=len(history))
    for entry in history:
        dispatcher.utter_message(
            response="utter_dossier_operator_history_entry",
            at=fmt_time(entry.at),
            status_label=labels.get(entry.status.value, entry.status.value),
            note=entry.note or "—",
        )


class _DossierAction(Action, abc.ABC):
    """Shared plumbing; abstract so the action server does not register it."""

    @abc.abstractmethod
    def name(self) -> Text: ...

    def __init__(
        self,
        settings: Optional[DossierSettings] = None,
        client: Optional[DossierClient] = None,
        subscriptions: Optional[SubscriptionStore] = None,
        limiter: Optional[LookupLimiter] = None,
    ) -> None:
        self._settings = settings
        self._client = client
        self._subscriptions = subscriptions
        self._limiter = limiter

    @property
    def settings(self) -> DossierSettings:
        return self._settings or default_settings()

    @property
    def client(self) -> DossierClient:
        return self._client or default_client()

    @property
    def subscriptions(self) -> SubscriptionStore:
        if self._subscriptions is None:
            self._subscriptions = SubscriptionStore(self.settings.subscriptions_db)
        return self._subscriptions

    @property
    def limiter(self) -> LookupLimiter:
        if self._limiter is None:
            self._limiter = (
                default_limiter()
                if self._settings is None
                else LookupLimiter(store_from_env(self._settings.limits_db), LimitPolicy.from_env())
            )
        return self._limiter

    def fetch(
        self, dispatcher: CollectingDispatcher, code: str, tracker: Optional[Tracker] = None
    ) -> Optional[Dossier]:
        """The dossier, or None after telling the user it is unknown or the service is unavailable.
        With the tracker, an unknown code counts against its client (enumeration limits)."""
        try:
            return self.client.get_dossier(code)
        except DossierNotFound:
            if tracker is not None and not is_operator(tracker, self.settings):
                self._record_miss(tracker)
            dispatcher.utter_message(response="utter_dossier_not_found", code=code)
            dispatcher.utter_message(response="utter_dossier_offer_help", hotline=self.settings.hotline)
        except DossierUnavailable:
            dispatcher.utter_message(response="utter_dossier_service_unavailable", hotline=self.settings.hotline)
        return None

    def rate_limited(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, operator: bool
    ) -> tuple[bool, List[EventType]]:
        if operator:
            return False, []
        allowed, lookups, wait = take_lookup(tracker, self.settings, time.time())
        if not allowed:
            dispatcher.utter_message(response="utter_dossier_rate_limited", minutes=wait, hotline=self.settings.hotline)
            return True, []
        if not self._client_may_look_up(dispatcher, tracker):
            return True, []
        return False, [SlotSet(SLOT_LOOKUPS, lookups)]

    def _client_may_look_up(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        """The limits shared by every conversation of one client and by all clients (bot/dossier/limits.py)."""
        client = client_key(tracker.sender_id, (tracker.latest_message or {}).get("metadata"))
        try:
            verdict = self.limiter.acquire(client)
        except Exception:  # noqa: BLE001 - store down (Redis restarting): refuse politely, never let it all through
            logger.exception("lookup limits unavailable")
            dispatcher.utter_message(response="utter_dossier_service_unavailable", hotline=self.settings.hotline)
            return False
        if verdict.allowed:
            return True
        response = {"not_found": "utter_dossier_lookup_slowed", "global": "utter_dossier_lookup_busy"}.get(
            verdict.reason, "utter_dossier_rate_limited"
        )
        dispatcher.utter_message(response=response, minutes=verdict.minutes, hotline=self.settings.hotline)
        return False

    def _record_miss(self, tracker: Tracker) -> None:
        try:
            self.limiter.record_miss(client_key(tracker.sender_id, (tracker.latest_message or {}).get("metadata")))
        except Exception:  # noqa: BLE001 - best effort: the lookup itself was already counted
            logger.exception("could not record an unknown dossier code")


class ValidateDossierCodeForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_dossier_code_form"

    async def extract_dossier_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # The entity regex may miss a code typed oddly; our parser reads the raw text too.
        if tracker.get_slot("requested_slot") != SLOT_CODE:
            return {}
        result = code_from_tracker(tracker, use_slot=False)
        return {SLOT_CODE: result.code} if result.ok else {}

    def validate_dossier_code(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        result = find_code(slot_value if isinstance(slot_value, str) else "", now_vn().date())
        if not result.ok:
            fallback = code_from_tracker(tracker, use_slot=False)
            result = fallback if fallback.ok or result.error is CodeError.NO_CODE else result
        if result.ok:
            return {SLOT_CODE: result.code}
        explain_invalid(dispatcher, result)
        return {SLOT_CODE: None}


class ActionCheckDossierStatus(_DossierAction):
    def name(self) -> Text:
        return "action_check_dossier_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        result = code_from_tracker(tracker)
        if result.error is CodeError.NO_CODE:
            return [FollowupAction("dossier_code_form")]
        if not result.ok:
            explain_invalid(dispatcher, result)
            return [SlotSet(SLOT_CODE, None)]
        operator = is_operator(tracker, self.settings)
        limited, events = self.rate_limited(dispatcher, tracker, operator)
        events.append(SlotSet(SLOT_CODE, None))
        if limited:
            return events
        dossier = self.fetch(dispatcher, result.code, tracker)
        if dossier is not None:
            utter_status(dispatcher, dossier, self.settings, operator, self.client)
            events += [SlotSet(SLOT_LAST_CODE, dossier.code)] + procedure_in_context(dossier)
            if not operator:  # a citizen's lookup: the survey (issue 12); hotline operators are not surveyed
                feedback.offer_after(dispatcher, tracker, events)
        return events


def procedure_in_context(dossier: Dossier) -> List[EventType]:
    """After a lookup, "thủ tục này" is the dossier's procedure (when the catalog has it)."""
    from bot.catalog import load_catalog  # lazily: cached, built once per process

    if dossier.procedure_code and load_catalog().get(dossier.procedure_code):
        return [SlotSet("procedure_code", dossier.procedure_code)]
    return []


class ActionDossierDetail(_DossierAction):
    """Questions about the dossier just looked up ("vì sao chậm", "cần bổ sung gì", "trả lời dân sao"): answered
    from that dossier (status, officer's note, days late) and, for operators, the script to read to the citizen."""

    def name(self) -> Text:
        return "action_dossier_detail"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        typed = code_from_tracker(tracker, use_slot=False)  # "hs <mã> chậm vì sao" names its own dossier
        code = typed.code if typed.ok else tracker.get_slot(SLOT_LAST_CODE)
        if not code and procedures.misrouted(tracker):  # no dossier in hand: "hồ sơ … cần thêm gì" of a procedure
            return procedures.respond(dispatcher, tracker, "documents")
        if not code or not is_canonical(code):
            dispatcher.utter_message(response="utter_dossier_detail_need_code")
            return []
        operator = is_operator(tracker, self.settings)
        limited, events = self.rate_limited(dispatcher, tracker, operator)
        if limited:
            return events
        dossier = self.fetch(dispatcher, code, tracker)
        if dossier is None:
            return events
        now = now_vn()
        common = dict(
            code=dossier.code,
            procedure_name=dossier.procedure_name,
            agency=dossier.agency,
            due_at=fmt_time(dossier.due_at),
            hotline=self.settings.hotline,
            note=dossier.note or "—",
            status_label=status_labels().get(dossier.status.value, ""),
        )
        if dossier.is_overdue(now):
            dispatcher.utter_message(
                response="utter_dossier_detail_overdue", days_late=dossier.days_late(now), **common
            )
        elif dossier.status is Status.SUPPLEMENT_REQUIRED:
            dispatcher.utter_message(
                response="utter_dossier_detail_supplement" if dossier.note else "utter_dossier_supplement_no_note",
                **common,
            )
        else:
            dispatcher.utter_message(response="utter_dossier_detail_on_time", **common)
        if operator:
            dispatcher.utter_message(
                response="utter_dossier_operator_script_overdue"
                if dossier.is_overdue(now)
                else "utter_dossier_operator_script",
                **common,
            )
        dispatcher.utter_message(
            json_message={
                "type": "dossier_status",
                "code": dossier.code,
                "status": dossier.status.value,
                "overdue": dossier.is_overdue(now),
                "agency": dossier.agency,
            }
        )
        return events + [SlotSet(SLOT_LAST_CODE, dossier.code)] + procedure_in_context(dossier)


class ActionSubscribeDossier(_DossierAction):
    def name(self) -> Text:
        return "action_subscribe_dossier"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        result = code_from_tracker(tracker)
        if result.error is CodeError.NO_CODE and is_canonical(tracker.get_slot(SLOT_LAST_CODE) or ""):
            result = ParseResult(code=tracker.get_slot(SLOT_LAST_CODE))
        if result.error is CodeError.NO_CODE:
            dispatcher.utter_message(response="utter_dossier_subscribe_need_code")
            return []
        if not result.ok:
            explain_invalid(dispatcher, result)
            return [SlotSet(SLOT_CODE, None)]
        code = result.code
        store = self.subscriptions
        existing = {s.code for s in store.for_sender(tracker.sender_id)}
        if code in existing:
            dispatcher.utter_message(response="utter_dossier_subscribe_already", code=code)
            return [SlotSet(SLOT_CODE, None)]
        if len(existing) >= self.settings.max_subscriptions:
            dispatcher.utter_message(response="utter_dossier_subscribe_too_many", max=self.settings.max_subscriptions)
            return [SlotSet(SLOT_CODE, None)]
        limited, events = self.rate_limited(dispatcher, tracker, is_operator(tracker, self.settings))
        events.append(SlotSet(SLOT_CODE, None))
        if limited:
            return events
        dossier = self.fetch(dispatcher, code, tracker)
        if dossier is None:
            return events
        if dossier.status in (Status.COMPLETED, Status.RETURNED, Status.REJECTED, Status.WITHDRAWN):
            dispatcher.utter_message(response="utter_dossier_subscribe_final", code=code)
            utter_status(dispatcher, dossier, self.settings, False, self.client)
        else:
            store.subscribe(tracker.sender_id, tracker.get_latest_input_channel(), code, dossier.status.value)
            dispatcher.utter_message(response="utter_dossier_subscribed", code=code)
        return events + [SlotSet(SLOT_LAST_CODE, code)]


class ActionUnsubscribeDossier(_DossierAction):
    def name(self) -> Text:
        return "action_unsubscribe_dossier"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        result = code_from_tracker(tracker)
        removed = self.subscriptions.unsubscribe(tracker.sender_id, result.code if result.ok else None)
        if removed:
            dispatcher.utter_message(response="utter_dossier_unsubscribed", count=removed)
        else:
            dispatcher.utter_message(response="utter_dossier_unsubscribed_none")
        return [SlotSet(SLOT_CODE, None)]


class ActionDossierStatusChanged(_DossierAction):
    """Answers EXTERNAL_dossier_status_changed: re-reads the status (the trigger only carries the code)."""

    def name(self) -> Text:
        return "action_dossier_status_changed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        entities = (tracker.latest_message or {}).get("entities") or []
        code = next((str(e.get("value")) for e in entities if e.get("entity") == ENTITY), "")
        if not is_canonical(code):
            return []
        try:
            dossier = self.client.get_dossier(code)
        except (DossierNotFound, DossierUnavailable):
            dispatcher.utter_message(
                response="utter_dossier_status_changed_unavailable", code=code, hotline=self.settings.hotline
            )
            return []
        dispatcher.utter_message(response="utter_dossier_status_changed_intro", code=code)
        utter_status(dispatcher, dossier, self.settings, is_operator(tracker, self.settings), self.client)
        return [SlotSet(SLOT_LAST_CODE, code)]
