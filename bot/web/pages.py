"""Procedure pages for ward advisory teams: /thu-tuc (search with filters) and /thu-tuc/<code> (every topic).

Server-rendered with Jinja2 (templates/, autoescaped), no JavaScript needed; the text of a record comes from the
one renderer (bot/catalog/render.py), page wording from bot/web/texts.yml. The search reads the question as the
chat does (bot.understanding.read: topic words left out, accents optional), then asks the catalog search.
"""

from __future__ import annotations

import asyncio
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import NotFound
from sanic.request import Request

from bot import portal
from bot.catalog import render

PACKAGE_DIR = Path(__file__).resolve().parent
DOMAIN_FILE = PACKAGE_DIR.parents[1] / "domain.yml"
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
TEXTS_FILE = PACKAGE_DIR / "texts.yml"
CODE_RE = re.compile(r"^\d{1,3}\.\d{6}$")
MAX_QUERY_CHARS = 300
MAX_RESULTS = 50
LEVELS = {"xa": "Cấp xã", "tinh": "Cấp tỉnh", "bo": "Cấp bộ"}
ONLINE = ("full", "partial", "none")
FEES = ("free", "paid")
FILTERS = ("field", "level", "online", "fee")


@functools.lru_cache(maxsize=1)
def texts() -> dict[str, Any]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(PACKAGE_DIR / "templates")),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(t=texts(), render=render, rt=render.texts())
    return env


def page(name: str, status: int = 200, **context: Any) -> response.HTTPResponse:
    html = environment().get_template(name).render(**context)
    return response.html(html, status=status)


def catalog() -> Any:
    from bot.catalog import load_catalog  # loaded once, on the first page that needs it

    return load_catalog()


@functools.lru_cache(maxsize=1)
def fields() -> list[str]:
    return sorted({r.get("field") for r in catalog() if r.get("field")})


@functools.lru_cache(maxsize=1)
def _responses() -> dict[str, Any]:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]


def response_text(name: str, variables: dict[str, str]) -> str:
    """A domain response filled as Rasa fills it, so a page shows what the chat sends (first variant)."""
    text = _responses()[name][0]["text"]
    return _PLACEHOLDER_RE.sub(lambda m: str(variables.get(m.group(1), m.group(0))), text)


# ---------------------------------------------------------------- search


@dataclass
class Search:
    query: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # filter names whose value was not understood
    truncated: bool = False
    results: list[dict] = field(default_factory=list)
    total: int = 0
    best: str | None = None  # the code the chat would answer about


def _fee_kind(record: dict) -> str:
    return "paid" if any(render.has_fee(record, c.get("channel")) for c in record.get("channels") or []) else "free"


def matches(record: dict, filters: dict[str, str]) -> bool:
    if "field" in filters and record.get("field") != filters["field"]:
        return False
    if "level" in filters and LEVELS[filters["level"]] not in (record.get("levels") or []):
        return False
    if "online" in filters and render.availability(record) != filters["online"]:
        return False
    return not ("fee" in filters and _fee_kind(record) != filters["fee"])


def parse_filters(args: Any) -> tuple[dict[str, str], list[str]]:
    """Known filters with valid values; the names of the rest (unknown names or values) to say they were ignored."""
    allowed = {"level": set(LEVELS), "online": set(ONLINE), "fee": set(FEES)}
    filters, ignored = {}, []
    for name in args:
        value = (args.get(name) or "").strip()
        if name == "q":
            continue
        if name not in FILTERS:
            ignored.append(name)
        elif not value:
            continue
        elif name == "field" and value in fields() or name != "field" and value in allowed[name]:
            filters[name] = value
        else:
            ignored.append(name)
    return filters, ignored


def search(args: Any) -> Search:
    from bot.understanding import ANSWER, read

    query = " ".join((args.get("q") or "").split())
    result = Search(query=query)
    if len(query) > MAX_QUERY_CHARS:
        result.query, result.truncated = query[:MAX_QUERY_CHARS], True
    result.filters, result.ignored = parse_filters(args)
    cat = catalog()
    if result.query:
        reading = read(cat, result.query)
        codes = [c.code for c in reading.candidates]
        if reading.verdict == ANSWER and reading.code:
            result.best = reading.code
            codes.insert(0, reading.code)
        codes += [h.code for h in cat.search(reading.span or result.query, limit=200)]
        seen: set[str] = set()
        records = []
        for code in codes:
            if code not in seen:
                seen.add(code)
                records.append(cat.get(code))
    elif result.filters:
        records = sorted(cat, key=lambda r: r.get("name") or "")
    else:
        records = []
    found = [r for r in records if r and matches(r, result.filters)]
    result.total = len(found)
    result.results = found[:MAX_RESULTS]
    return result


# ---------------------------------------------------------------- routes


def not_found_page(request: Request) -> response.HTTPResponse:
    return page("not_found.html", status=404)


def too_long_page(request: Request) -> response.HTTPResponse:
    """A search address longer than the server reads (a very long question typed with accents): 414, said plainly."""
    return page("message.html", status=414, title=texts()["too_long"]["title"], text=texts()["too_long"]["text"])


def procedure_context(record: dict) -> dict[str, Any]:
    from bot.guide import guide_settings, steps

    settings = guide_settings()
    message = steps.checklist(record, settings)
    checklist = response_text(message.response, message.variables)
    return {
        "record": record,
        "groups": render.groups(record),
        "sections": render.sections(record),
        "zalo": render.zalo_messages(record),
        "checklist": checklist,
        "guide_steps": [steps.title(k) for k in steps.plan(record) if k != steps.INTRO],
        "portal_url": record.get("url") or portal.portal_url(),
    }


def search_page(args: dict[str, str]) -> response.HTTPResponse:
    return page(
        "search.html",
        s=search(args),
        fields=fields(),
        levels=LEVELS,
        online_levels=ONLINE,
        fees=FEES,
        max_query=MAX_QUERY_CHARS,
    )


def procedure_page(code: str) -> response.HTTPResponse:
    record = catalog().get(code) if CODE_RE.match(code or "") else None
    if record is None:
        raise NotFound("unknown procedure")
    return page("procedure.html", **procedure_context(record))


async def in_thread(function: Any, *args: Any) -> Any:
    """Catalog loading, search and rendering are CPU work: off the event loop, so the chat relay never waits."""
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


def setup(app: Sanic) -> None:
    @app.route("/thu-tuc", methods=["GET", "HEAD"], name="procedure_search")
    async def search_route(request: Request) -> response.HTTPResponse:
        return await in_thread(search_page, {name: request.args.get(name) for name in request.args})

    @app.route("/thu-tuc/<code>", methods=["GET", "HEAD"], name="procedure_page")
    async def procedure_route(request: Request, code: str) -> response.HTTPResponse:
        return await in_thread(procedure_page, code)
