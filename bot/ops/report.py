"""The operations report: one standalone HTML page (inline SVG charts, inline CSS, no script, nothing loaded from
the network). `build_report()` is what the web app serves at /bao-cao and `python -m bot.report` writes to a file.
Figures: bot/ops/figures.py; charts: bot/ops/charts.py; Vietnamese text: bot/ops/texts.yml.
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
import yaml

from bot.ops import charts
from bot.ops.complaints import categories
from bot.ops.figures import figures
from bot.privacy.database import VIETNAM

TEXTS_FILE = Path(__file__).with_name("texts.yml")
STYLE = (
    "body{font-family:system-ui,sans-serif;margin:24px;color:#1f2937;max-width:1100px}"
    "h1{font-size:22px}h2{font-size:16px;margin-top:28px}figure{margin:8px 0}"
    "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #d1d5db;padding:4px 8px;"
    "vertical-align:top;text-align:left}td.text{max-width:420px;white-space:pre-wrap;word-break:break-word}"
    "section{break-inside:avoid}"
)
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@functools.lru_cache(maxsize=1)
def texts() -> dict:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def _share(ok: int, n: int) -> float:
    return round(100 * ok / n, 1) if n else 0.0


def _names(codes: list[str]) -> dict[str, str]:
    from bot.catalog import read_records

    wanted = set(codes)
    return {r["code"]: r["name"] for r in read_records() if r["code"] in wanted}


def _section(key: str, body: str) -> str:
    return f'<section data-section="{key}"><h2>{escape(texts()["sections"][key])}</h2>{body}</section>'


def render(data: dict, generated: dt.datetime) -> str:
    t = texts()
    sec = t["sections"]
    names = _names([c for c, _ in data["procedures"]] + [r[0] for r in data["satisfaction"]["by_procedure"]])
    channels = sorted({ch for day in data["conversations"].values() for ch in day})
    series = {ch: [data["conversations"].get(day, {}).get(ch, 0) for day in data["days"]] for ch in channels}
    total_outcomes = sum(data["outcomes"].values())
    parts = [
        _section(
            "conversations_per_day",
            charts.stacked_columns(
                "conversations_per_day", sec["conversations_per_day"], data["days"], series, t["channels"]
            ),
        ),
        _section(
            "top_procedures",
            charts.bars(
                "top_procedures",
                sec["top_procedures"],
                [(code, f"{code} {names.get(code, '')}", n) for code, n in data["procedures"]],
            ),
        ),
        _section(
            "top_topics",
            charts.bars(
                "top_topics",
                sec["top_topics"],
                [(topic, t["topics"].get(topic, topic), n) for topic, n in data["topics"]],
            ),
        ),
        _section(
            "outcomes",
            charts.bars(
                "outcomes",
                sec["outcomes"],
                [(k, f"{t['outcomes'][k]} ({_share(n, total_outcomes):g}%)", n) for k, n in data["outcomes"].items()],
            ),
        ),
        _section(
            "unanswered_groups",
            charts.bars(
                "unanswered_groups",
                sec["unanswered_groups"],
                [(f"{i}", text, n) for i, (text, n) in enumerate(data["unanswered_groups"], 1)],
            ),
        ),
        _section(
            "satisfaction_channel",
            charts.bars(
                "satisfaction_channel",
                sec["satisfaction_channel"],
                [
                    (ch, f"{t['channels'].get(ch, ch)} ({t['ratings'].format(n=n)})", _share(ok, n))
                    for ch, n, ok in data["satisfaction"]["by_channel"]
                ],
                unit="%",
                maximum=100,
            ),
        ),
        _section(
            "satisfaction_procedure",
            charts.bars(
                "satisfaction_procedure",
                sec["satisfaction_procedure"],
                [
                    (code, f"{code} {names.get(code, '')} ({t['ratings'].format(n=n)})", _share(ok, n))
                    for code, n, ok in data["satisfaction"]["by_procedure"]
                ],
                unit="%",
                maximum=100,
            ),
        ),
        _section(
            "guide_funnel",
            charts.bars(
                "guide_funnel",
                sec["guide_funnel"],
                [(k, t["guide"][k], data["guide"][k]) for k in ("started", "checklist")],
            ),
        ),
        _section(
            "online_levels",
            charts.bars(
                "online_levels",
                sec["online_levels"],
                [(k, t["online_levels"][k], n) for k, n in data["online_levels"].items()],
            ),
        ),
        _section(
            "dossier_agencies",
            charts.bars(
                "dossier_agencies",
                sec["dossier_agencies"],
                [
                    item
                    for agency, lookups, overdue in data["dossier_agencies"]
                    for item in (
                        (f"{agency}|lookups", f"{agency}: {t['dossier']['lookups']}", lookups),
                        (f"{agency}|overdue", f"{agency}: {t['dossier']['overdue']}", overdue),
                    )
                ],
            ),
        ),
        _section(
            "complaints_category",
            charts.bars(
                "complaints_category",
                sec["complaints_category"],
                [(code, categories()[code], n) for code, n in data["complaints"]["by_category"]],
            ),
        ),
        _section(
            "complaints_status",
            charts.bars(
                "complaints_status",
                sec["complaints_status"],
                [(k, t["complaint_status"][k], n) for k, n in data["complaints"]["by_status"].items()],
            ),
        ),
        _section(
            "complaints_age",
            charts.bars(
                "complaints_age",
                sec["complaints_age"],
                [(str(i), label, n) for i, (label, n) in enumerate(zip(t["ages"], data["complaints"]["open_ages"]))],
            ),
        ),
        _section("complaints_latest", _complaints_table(data["complaints"]["latest"])),
    ]
    period = t["period"].format(
        start=data["days"][0],
        end=data["days"][-1],
        days=len(data["days"]),
        generated=generated.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"),
    )
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(t['title'])}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(t['title'])}</h1><p>{escape(period)}</p>{''.join(parts)}</body></html>\n"
    )


def _complaints_table(rows: list[dict]) -> str:
    t = texts()
    if not rows:
        return f"<p>{escape(t['none'])}</p>"
    columns = t["columns"]
    head = "".join(
        f"<th>{escape(columns[k])}</th>"
        for k in ("reference", "created_at", "channel", "category", "status", "overdue", "description")
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(v))}</td>"
            for v in (
                r["reference"],
                r["created_at"][:10],
                t["channels"].get(r["channel"], r["channel"]),
                categories().get(r["category"], r["category"]),
                t["complaint_status"].get(r["status"], r["status"]),
                t["overdue_mark"] if r.get("dossier_overdue") else "",
            )
        )
        + f'<td class="text">{escape(r["description"][:300])}</td></tr>'
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def build_report(
    tracker_engine: Optional[sa.engine.Engine] = None,
    ops_engine: Optional[sa.engine.Engine] = None,
    days: int = 30,
    now: Optional[dt.datetime] = None,
) -> str:
    """The whole page for the last `days` days (databases: bot/ops/db.py when not given)."""
    from bot.ops import db

    now = now or dt.datetime.now(dt.timezone.utc)
    data = figures(tracker_engine or db.tracker_engine(), ops_engine or db.ops_engine(), days, now)
    return render(data, now)
