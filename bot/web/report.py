"""The dashboard /bao-cao (issue 12): the city report of bot/ops/report.py behind the operator token (bearer header
or the console's login cookie; 401/403 without). `?days=N` (1–365, default 30) sets the period."""

from __future__ import annotations

import asyncio

from sanic import Request, Sanic, response

from bot.web.config import WebSettings
from bot.web.console import _refused, auth_state


def period(raw: str | None) -> int:
    try:
        return min(max(int(raw or 30), 1), 365)
    except ValueError:
        return 30


def setup(app: Sanic) -> None:
    settings: WebSettings = app.ctx.settings

    @app.route("/bao-cao", methods=["GET", "HEAD"], name="report")
    async def report(request: Request) -> response.HTTPResponse:
        state = auth_state(request, settings)
        if state != "ok":
            return _refused(state)
        from bot.ops.report import build_report

        html = await asyncio.get_running_loop().run_in_executor(
            None, build_report, None, None, period(request.args.get("days"))
        )
        return response.html(html, headers={"Cache-Control": "no-store"})
