"""The hotline console /tong-dai: dossier lookup with the operator view, recent lookups, subscriptions of a code.

Behind OPERATOR_TOKEN: `Authorization: Bearer <token>` for scripts, or the login form, which sets an HttpOnly,
SameSite=Strict cookie holding an HMAC of the token (never the token). No credentials: 401; wrong ones: 403;
OPERATOR_TOKEN unset: 403, the console is off. A lookup is a POST (the code never appears in a URL) relayed to
Rasa as "tra cứu hồ sơ <code>" with the operator token as metadata, so the operator view (officer's note,
history) comes from the dossier actions and their client, exactly as in the chat. Lookups are kept in memory for
"recent lookups" and never logged.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import hmac
import uuid
from typing import Any

from sanic import Sanic, response
from sanic.request import Request

from bot.dossier.codes import parse_code
from bot.web.config import WebSettings

COOKIE = "tong_dai"
RECENT = 20


def session_value(token: str) -> str:
    return hmac.new(token.encode(), b"tong-dai-session", hashlib.sha256).hexdigest()


def auth_state(request: Request, settings: WebSettings) -> str:
    """ "ok", "missing" (no credentials: 401), "wrong" (403) or "disabled" (no OPERATOR_TOKEN: 403)."""
    token = settings.operator_token
    if not token:
        return "disabled"
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, given = header.partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
        return "ok" if ok else "wrong"
    cookie = request.cookies.get(COOKIE)
    if cookie:
        return "ok" if hmac.compare_digest(cookie.encode(), session_value(token).encode()) else "wrong"
    return "missing"


def _refused(state: str, status: int | None = None) -> response.HTTPResponse:
    from bot.web.pages import page

    status = status or (401 if state == "missing" else 403)
    resp = page("console_login.html", status=status, disabled=state == "disabled", wrong=state == "wrong")
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="tong-dai"'
    return resp


def mask_sender(sender_id: str) -> str:
    """Channel prefix and the last two characters only: enough to tell subscribers apart, not to reach them."""
    prefix, _, rest = sender_id.rpartition(":")
    return f"{prefix + ':' if prefix else ''}{'*' * max(len(rest) - 2, 3)}{rest[-2:]}"


def subscriptions_of(settings: WebSettings, code: str) -> list[dict[str, str]]:
    from bot.dossier.subscriptions import SubscriptionStore

    labels = _labels()
    return [
        {
            "channel": s.channel or "",
            "sender": mask_sender(s.sender_id),
            "status": labels.get(s.last_status, s.last_status),
        }
        for s in SubscriptionStore(settings.subscriptions_db).all()
        if s.code == code
    ]


def _labels() -> dict[str, str]:
    from bot.web.server import load_strings

    return load_strings()["dossier_card"]["statuses"]


async def lookup(settings: WebSettings, code: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Texts and dossier_status cards of the operator's answer for `code`, from the real actions via Rasa."""
    from bot.web.server import relay

    body = {
        "sender": f"web:tongdai-{uuid.uuid4().hex[:16]}",
        "message": f"tra cứu hồ sơ {code}",
        "metadata": {"operator_token": settings.operator_token},
    }
    messages = await relay(settings, body)
    texts = [m["text"] for m in messages if isinstance(m, dict) and m.get("text")]
    labels = _labels()
    cards = []
    for m in messages:
        custom = m.get("custom") if isinstance(m, dict) else None
        if isinstance(custom, dict) and custom.get("type") == "dossier_status":
            status = str(custom.get("status") or "")
            cards.append({"label": labels.get(status, status), "overdue": bool(custom.get("overdue"))})
    return texts, cards


def complaints_queue(limit: int = 50) -> list[dict[str, Any]]:
    """Open complaints, newest first, as operators may see them: no contact details, no sender."""
    from bot.ops.complaints import OPEN, ComplaintStore, categories
    from bot.ops.db import ops_engine

    labels = categories()
    return [
        {
            "reference": c.reference,
            "at": (c.created_at or "")[:16].replace("T", " "),
            "category": labels.get(c.category, c.category),
            "dossier": c.dossier_code or "",
            "overdue": bool(c.dossier_overdue),
            "description": (c.description or "")[:300],
        }
        for c in ComplaintStore(ops_engine()).list(status=OPEN, limit=limit)
    ]


def handle_complaint(reference: str, note: str) -> bool:
    """Mark a complaint handled with the operator's note and tell the citizen on their channel (as the CLI does)."""
    from bot.channels.push import Push
    from bot.ops import notices
    from bot.ops.complaints import ComplaintStore
    from bot.ops.db import ops_engine

    store = ComplaintStore(ops_engine())
    if store.handle(reference, note) is None:
        return False
    notices.deliver_pending(store, Push.from_env())
    return True


def setup(app: Sanic) -> None:
    from bot.web.pages import page, texts
    from bot.web.server import RelayError

    settings: WebSettings = app.ctx.settings
    app.ctx.recent = collections.deque(maxlen=RECENT)

    def console_page(status: int = 200, **context: Any) -> response.HTTPResponse:
        context.setdefault("code", "")
        context.setdefault("complaints", complaints_queue())
        return page("console.html", status=status, recent=list(app.ctx.recent), **context)

    @app.post("/tong-dai/phan-anh", name="console_complaint")
    async def complaint(request: Request) -> response.HTTPResponse:
        state = auth_state(request, settings)
        if state != "ok":
            return _refused(state)
        form = request.form or {}
        reference = (form.get("reference") or "").strip()[:20]
        note = (form.get("note") or "").strip()[:1000]
        if not note:
            return console_page(400, error=texts()["console"]["complaint_note_needed"])
        if not handle_complaint(reference, note):
            return console_page(404, error=texts()["console"]["complaint_unknown"])
        return response.redirect("/tong-dai", status=303)

    @app.route("/tong-dai", methods=["GET", "HEAD"], name="console")
    async def console(request: Request) -> response.HTTPResponse:
        state = auth_state(request, settings)
        return console_page() if state == "ok" else _refused(state)

    @app.post("/tong-dai/dang-nhap", name="console_login")
    async def login(request: Request) -> response.HTTPResponse:
        given = (request.form.get("token") or "") if request.form else ""
        if not settings.operator_token:
            return _refused("disabled")
        if not given or not hmac.compare_digest(given.encode(), settings.operator_token.encode()):
            return _refused("wrong", 403)
        resp = response.redirect("/tong-dai", status=303)
        resp.cookies[COOKIE] = session_value(settings.operator_token)
        resp.cookies[COOKIE]["httponly"] = True
        resp.cookies[COOKIE]["samesite"] = "Strict"
        resp.cookies[COOKIE]["path"] = "/"  # the console and the dashboard /bao-cao
        return resp

    @app.post("/tong-dai/dang-xuat", name="console_logout")
    async def logout(request: Request) -> response.HTTPResponse:
        resp = response.redirect("/tong-dai", status=303)
        resp.cookies[COOKIE] = ""
        resp.cookies[COOKIE]["max-age"] = 0
        resp.cookies[COOKIE]["httponly"] = True
        resp.cookies[COOKIE]["path"] = "/"
        return resp

    @app.post("/tong-dai/tra-cuu", name="console_lookup")
    async def lookup_page(request: Request) -> response.HTTPResponse:
        state = auth_state(request, settings)
        if state != "ok":
            return _refused(state)
        typed = ((request.form.get("code") or "") if request.form else "").strip()[:100]
        parsed = parse_code(typed)
        if not parsed.ok:
            return console_page(400, code=typed, error=texts()["console"]["bad_code"])
        try:
            answer, cards = await lookup(settings, parsed.code)
        except RelayError:
            return console_page(502, code=parsed.code, error=texts()["console"]["rasa_down"])
        app.ctx.recent.appendleft(
            {
                "at": dt.datetime.now().strftime("%H:%M %d/%m"),
                "code": parsed.code,
                "label": cards[0]["label"] if cards else "—",
            }
        )
        return console_page(
            code=parsed.code, answer=answer, cards=cards, subscriptions=subscriptions_of(settings, parsed.code)
        )
