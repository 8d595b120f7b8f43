"""Step builder of the guided online filing: which steps a procedure has and the message of each step.

Pure: takes a catalog record and GuideSettings, returns `Message(response, variables, buttons)` where
`response` is a domain response name (utter_guide_*), `variables` fill its placeholders and `buttons` carry
Rasa payloads (/guide_next, /guide_back, /guide_stop ...). The action (actions/online_guide.py) only sends them.

Steps for a procedure that can be filed online (toàn trình or một phần):
  intro → vneid (→ vneid_howto when the person has no account) → login → find → agency → form → upload
  → payment (only when the online channel charges a fee) → result → submit → END (checklist)
An in-person-only procedure has no steps: `in_person_only()` says where, when, what to bring and whether post
works. Run the tests: `.venv/bin/python -m pytest tests/guide -q -m "not rasa"`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.guide import facts
from bot.guide.settings import GuideSettings

INTRO, VNEID, VNEID_HOWTO, LOGIN, FIND, AGENCY, FORM, UPLOAD, PAYMENT, RESULT, SUBMIT = (
    "intro", "vneid", "vneid_howto", "login", "find", "agency", "form", "upload", "payment", "result", "submit",
)
END = "end"
ALL_STEPS = (INTRO, VNEID, VNEID_HOWTO, LOGIN, FIND, AGENCY, FORM, UPLOAD, PAYMENT, RESULT, SUBMIT)
DOCS_IN_STEP = 12
DOCS_IN_CHECKLIST = 15
DOCS_IN_PERSON = 10

NEXT, BACK, STOP = "/guide_next", "/guide_back", "/guide_stop"
RESUME, CHECKLIST, START = "/guide_resume", "/guide_checklist", "/start_online_guide"
HAS_VNEID, NO_VNEID = "/affirm", "/deny_vneid"


@dataclass
class Message:
    """One domain response to send, with its variables and buttons."""
    response: str
    variables: dict[str, str] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)


def button(kind: str, payload: str, **fmt: object) -> dict[str, str]:
    return {"title": facts.texts()["buttons"][kind].format(**fmt), "payload": payload}


def case_payload(n: int) -> str:
    return '/guide_choose_case{"guide_case":"%d"}' % n


# ---------------------------------------------------------------- plan


def plan(record: dict) -> list[str]:
    """Ordered step keys for `record` ([] when it cannot be filed online). vneid_howto is a branch, not listed."""
    if facts.availability(record) == facts.NONE:
        return []
    keys = [INTRO, VNEID, LOGIN, FIND, AGENCY, FORM, UPLOAD]
    if facts.has_fee(record, "online"):
        keys.append(PAYMENT)
    return keys + [RESULT, SUBMIT]


def next_step(record: dict, key: str | None) -> str:
    keys = plan(record)
    if not keys:
        return END
    if key == VNEID_HOWTO:
        return LOGIN
    if key not in keys:
        return keys[0]
    index = keys.index(key) + 1
    return keys[index] if index < len(keys) else END


def previous_step(record: dict, key: str | None) -> str:
    keys = plan(record)
    if not keys:
        return END
    if key == VNEID_HOWTO:
        return VNEID
    if key not in keys:
        return keys[0]
    return keys[max(0, keys.index(key) - 1)]


def position(record: dict, key: str) -> tuple[int, int]:
    """(n, total) for "Bước n/total"; the intro is step 0 and the no-VNeID branch shares the VNeID number."""
    keys = [k for k in plan(record) if k != INTRO]
    if key == VNEID_HOWTO:
        key = VNEID
    return (keys.index(key) + 1 if key in keys else 0), len(keys)


def title(key: str) -> str:
    return facts.texts()["step_titles"].get(key, "")


# ---------------------------------------------------------------- messages


def _common(record: dict, settings: GuideSettings) -> dict[str, str]:
    return {
        "procedure_name": record.get("name") or record.get("code") or "",
        "procedure_code": record.get("code") or "",
        "url": record.get("url") or settings.portal_url,
    }


def _nav(back: bool = True) -> list[dict[str, str]]:
    buttons = [button("next", NEXT)]
    if back:
        buttons.append(button("back", BACK))
    return buttons + [button("stop", STOP)]


def _upload_limits(settings: GuideSettings) -> str:
    t = facts.texts()
    if settings.upload_max_mb and settings.upload_formats:
        return t["limits"].format(max_mb=settings.upload_max_mb, formats=settings.upload_formats)
    if settings.upload_max_mb:
        return t["limits_size"].format(max_mb=settings.upload_max_mb)
    if settings.upload_formats:
        return t["limits_formats"].format(formats=settings.upload_formats)
    return t["limits_unknown"]


def build_step(record: dict, key: str, settings: GuideSettings, case: int | None = None) -> Message:
    """The message of step `key` for `record`; `case` (1-based) narrows the documents to one alternative."""
    if key not in ALL_STEPS:
        raise ValueError(f"unknown step {key!r}")
    portal_name, portal_url = settings.filing_portal
    n, total = position(record, key)
    variables = {**_common(record, settings), "step": str(n), "total": str(total), "title": title(key)}
    if key == INTRO:
        level = facts.availability(record)
        if level == facts.FULL:
            return Message("utter_guide_intro_full", {**variables, "portal_name": portal_name}, _nav(back=False))
        return Message(
            "utter_guide_intro_partial",
            {**variables, "portal_name": portal_name, "in_person_parts": facts.bullets(facts.in_person_parts(record))},
            _nav(back=False),
        )
    if key == VNEID:
        return Message("utter_guide_step_vneid", {**variables, "portal_name": portal_name}, [
            button("has_vneid", HAS_VNEID), button("no_vneid", NO_VNEID), button("back", BACK), button("stop", STOP),
        ])
    if key == VNEID_HOWTO:
        return Message("utter_guide_step_vneid_howto", {**variables, "hotline": settings.hotline}, _nav())
    if key == LOGIN:
        return Message("utter_guide_step_login", {**variables, "portal_name": portal_name, "portal_url": portal_url},
                       _nav())
    if key == FIND:
        return Message("utter_guide_step_find", {**variables, "portal_name": portal_name}, _nav())
    if key == AGENCY:
        return Message("utter_guide_step_agency", {**variables, "where": facts.where_text(record)}, _nav())
    if key == FORM:
        names = facts.forms(record)
        if names:
            return Message("utter_guide_step_form", {**variables, "forms": facts.bullets(names)}, _nav())
        return Message("utter_guide_step_form_plain", {**variables, "forms_note": facts.texts()["no_forms"]}, _nav())
    if key == UPLOAD:
        alts = facts.alternatives(record)
        chosen = case if case and 1 <= case <= len(alts) else None
        variables.update(
            documents=facts.documents_text(record, chosen, DOCS_IN_STEP),
            limits=_upload_limits(settings),
        )
        if alts and chosen is None:
            buttons = [button("case", case_payload(i), n=i) for i in range(1, len(alts) + 1)]
            return Message("utter_guide_step_upload_cases", {**variables, "cases": str(len(alts))},
                           buttons + _nav())
        return Message("utter_guide_step_upload", variables, _nav())
    if key == PAYMENT:
        variables["fee"] = facts.fee_text(record, "online")
        if facts.online_payment_stated(record):
            return Message("utter_guide_step_payment_online",
                           {**variables, "payment_platform": settings.payment_platform}, _nav())
        return Message("utter_guide_step_payment_offline", variables, _nav())
    if key == RESULT:
        return Message("utter_guide_step_result",
                       {**variables, "result_options": facts.bullets(facts.result_options(record))}, _nav())
    assert key == SUBMIT
    return Message("utter_guide_step_submit", {**variables, "portal_name": portal_name}, _nav())


def in_person_only(record: dict, settings: GuideSettings) -> Message:
    """For a procedure without an online channel: where, when, what to bring, fee, whether post works."""
    t = facts.texts()
    return Message("utter_guide_in_person_only", {
        **_common(record, settings),
        "where": facts.where_text(record),
        "hours": facts.hours_text(record),
        "documents": facts.documents_text(record, None, DOCS_IN_PERSON),
        "fee": facts.fee_text(record, "in_person") or t["not_in_record"],
        "post": t["post_yes"] if facts.has_post(record) else t["post_no"],
    }, [button("checklist", CHECKLIST)])


def checklist(record: dict, settings: GuideSettings, case: int | None = None) -> Message:
    """Everything to prepare in one message, for the person or an advisory team member to copy or print."""
    t = facts.texts()
    variables = {
        **_common(record, settings),
        "documents": facts.documents_text(record, case, DOCS_IN_CHECKLIST),
        "where": facts.where_text(record),
        "hotline": settings.hotline,
    }
    if facts.availability(record) == facts.NONE:
        return Message("utter_guide_checklist_in_person", {
            **variables,
            "fee": facts.fee_text(record, "in_person") or t["not_in_record"],
            "hours": facts.hours_text(record),
            "post": t["post_yes"] if facts.has_post(record) else t["post_no"],
        })
    portal_name, portal_url = settings.filing_portal
    return Message("utter_guide_checklist_online", {
        **variables,
        "fee": facts.fee_text(record, "online") or t["not_in_record"],
        "portal_name": portal_name,
        "portal_url": portal_url,
        "result_options": facts.bullets(facts.result_options(record)),
    })
