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

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.catalog import render
from bot.catalog.render import FULL, NONE
from bot.guide.settings import GuideSettings

TEXTS_FILE = Path(__file__).with_name("texts.yml")

INTRO, VNEID, VNEID_HOWTO, LOGIN, FIND, AGENCY, FORM, UPLOAD, PAYMENT, RESULT, SUBMIT = (
    "intro",
    "vneid",
    "vneid_howto",
    "login",
    "find",
    "agency",
    "form",
    "upload",
    "payment",
    "result",
    "submit",
)
END = "end"
ALL_STEPS = (INTRO, VNEID, VNEID_HOWTO, LOGIN, FIND, AGENCY, FORM, UPLOAD, PAYMENT, RESULT, SUBMIT)
DOCS_IN_STEP = 12
DOCS_IN_CHECKLIST = 15
DOCS_IN_PERSON = 10

NEXT, BACK, STOP = "/guide_next", "/guide_back", "/guide_stop"
RESUME, CHECKLIST, START = "/guide_resume", "/guide_checklist", "/start_online_guide"
HAS_VNEID, NO_VNEID = "/affirm", "/deny_vneid"


@functools.lru_cache(maxsize=1)
def texts() -> dict[str, Any]:
    """The guide's own fragments (buttons, step titles, upload limits); what a record says comes from render."""
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


@dataclass
class Message:
    """One domain response to send, with its variables and buttons."""

    response: str
    variables: dict[str, str] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)


def _documents(record: dict, case: int | None, limit: int) -> str:
    return render.documents_text(record, case, limit, more="more_items_page") or render.texts()["no_documents"]


def button(kind: str, payload: str, **fmt: object) -> dict[str, str]:
    return {"title": texts()["buttons"][kind].format(**fmt), "payload": payload}


def case_payload(n: int) -> str:
    return '/guide_choose_case{"guide_case":"%d"}' % n


# ---------------------------------------------------------------- plan


def plan(record: dict) -> list[str]:
    """Ordered step keys for `record` ([] when it cannot be filed online). vneid_howto is a branch, not listed."""
    if render.availability(record) == NONE:
        return []
    keys = [INTRO, VNEID, LOGIN, FIND, AGENCY, FORM, UPLOAD]
    if render.has_fee(record, "online"):
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
    return texts()["step_titles"].get(key, "")


# ---------------------------------------------------------------- messages


def _common(record: dict, settings: GuideSettings) -> dict[str, str]:
    return {
        "procedure_name": render.display_name(record),
        "procedure_code": record.get("code") or "",
        "url": record.get("url") or settings.portal_url,
    }


def _nav(back: bool = True) -> list[dict[str, str]]:
    buttons = [button("next", NEXT)]
    if back:
        buttons.append(button("back", BACK))
    return buttons + [button("stop", STOP)]


def _upload_limits(settings: GuideSettings) -> str:
    t = texts()
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
        level = render.availability(record)
        if level == FULL:
            return Message("utter_guide_intro_full", {**variables, "portal_name": portal_name}, _nav(back=False))
        return Message(
            "utter_guide_intro_partial",
            {
                **variables,
                "portal_name": portal_name,
                "in_person_parts": render.bullets(render.in_person_parts(record)),
            },
            _nav(back=False),
        )
    if key == VNEID:
        return Message(
            "utter_guide_step_vneid",
            {**variables, "portal_name": portal_name},
            [
                button("has_vneid", HAS_VNEID),
                button("no_vneid", NO_VNEID),
                button("back", BACK),
                button("stop", STOP),
            ],
        )
    if key == VNEID_HOWTO:
        return Message("utter_guide_step_vneid_howto", {**variables, "hotline": settings.hotline}, _nav())
    if key == LOGIN:
        return Message(
            "utter_guide_step_login", {**variables, "portal_name": portal_name, "portal_url": portal_url}, _nav()
        )
    if key == FIND:
        return Message("utter_guide_step_find", {**variables, "portal_name": portal_name}, _nav())
    if key == AGENCY:
        return Message("utter_guide_step_agency", {**variables, "where": render.where_text(record)}, _nav())
    if key == FORM:
        names = render.forms(record)
        if names:
            return Message("utter_guide_step_form", {**variables, "forms": render.bullets(names)}, _nav())
        return Message("utter_guide_step_form_plain", {**variables, "forms_note": texts()["no_forms"]}, _nav())
    if key == UPLOAD:
        alts = render.alternatives(record)
        chosen = case if case and 1 <= case <= len(alts) else None
        variables.update(
            documents=_documents(record, chosen, DOCS_IN_STEP),
            limits=_upload_limits(settings),
        )
        if alts and chosen is None:
            buttons = [button("case", case_payload(i), n=i) for i in range(1, len(alts) + 1)]
            return Message("utter_guide_step_upload_cases", {**variables, "cases": str(len(alts))}, buttons + _nav())
        return Message("utter_guide_step_upload", variables, _nav())
    if key == PAYMENT:
        variables["fee"] = render.fee_text(record, "online")
        if render.online_payment(record) == "online":
            return Message(
                "utter_guide_step_payment_online",
                {
                    **variables,
                    "payment_platform": settings.payment_platform,
                    "fee_note": render.fee_payment_note(record),
                },
                _nav(),
            )
        return Message("utter_guide_step_payment_offline", variables, _nav())
    if key == RESULT:
        return Message(
            "utter_guide_step_result",
            {**variables, "result_options": render.bullets(render.result_options(record))},
            _nav(),
        )
    assert key == SUBMIT
    return Message("utter_guide_step_submit", {**variables, "portal_name": portal_name}, _nav())


def in_person_only(record: dict, settings: GuideSettings) -> Message:
    """For a procedure without an online channel: where, when, what to bring, fee, whether post works."""
    return Message(
        "utter_guide_in_person_only",
        {
            **_common(record, settings),
            "where": render.where_text(record),
            "hours": render.hours_text(record),
            "documents": _documents(record, None, DOCS_IN_PERSON),
            "fee": render.fee_text(record, "in_person") or render.missing(),
            "post": render.post_text(record),
        },
        [button("checklist", CHECKLIST)],
    )


def checklist(record: dict, settings: GuideSettings, case: int | None = None) -> Message:
    """Everything to prepare in one message, for the person or an advisory team member to copy or print."""
    variables = {
        **_common(record, settings),
        "documents": _documents(record, case, DOCS_IN_CHECKLIST),
        "where": render.where_text(record),
        "hotline": settings.hotline,
    }
    if render.availability(record) == NONE:
        return Message(
            "utter_guide_checklist_in_person",
            {
                **variables,
                "fee": render.fee_text(record, "in_person") or render.missing(),
                "hours": render.hours_text(record),
                "post": render.post_text(record),
            },
        )
    portal_name, portal_url = settings.filing_portal
    return Message(
        "utter_guide_checklist_online",
        {
            **variables,
            "fee": render.fee_text(record, "online") or render.missing(),
            "portal_name": portal_name,
            "portal_url": portal_url,
            "result_options": render.bullets(render.result_options(record)),
        },
    )
