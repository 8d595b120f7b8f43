"""Pure helpers for procedure answers: topic mapping and formatting (how a message is read: bot.understanding).

Nothing here imports Rasa; everything works on catalog records (plain dicts, schema in bot/catalog) so it
is unit-tested directly: `.venv/bin/python -m pytest tests/procedures -q -m "not rasa"`.
Whole sentences live in the domain responses (utter_procedure_*); this module only builds the variables
(lists, short values) that fill them. Short word fragments come from actions/data/procedure_text.yml.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from bot.understanding.topics import TOPICS
from bot.vntext import fold

_TEXT_FILE = Path(__file__).with_name("data") / "procedure_text.yml"

INTENT_TOPIC = {f"ask_{topic}": topic for topic in TOPICS}
# Follow-up buttons offered after an answer, in this order, without the topic just answered.
FOLLOW_UP_ORDER = ("documents", "fee", "processing_time", "agency", "steps", "online", "overview")
MAX_FOLLOW_UPS = 5
MAX_CHOICES = 5
MAX_LIST_ITEMS = 8
MAX_STEPS = 6
MAX_ITEM_CHARS = 220
MAX_STEP_CHARS = 300
MAX_TEXT_CHARS = 700


@functools.lru_cache(maxsize=1)
def texts() -> dict[str, Any]:
    """Word fragments used in formatted lists (channel names, button titles ...)."""
    return yaml.safe_load(_TEXT_FILE.read_text(encoding="utf-8"))


def topic_for_intent(intent: str | None) -> str | None:
    return INTENT_TOPIC.get(intent or "")


def topic_label(topic: str) -> str:
    return texts()["topics"][topic]


# ---------------------------------------------------------------- formatting

@dataclass
class Answer:
    """One domain response to send, with its template variables."""
    response: str
    variables: dict[str, str] = field(default_factory=dict)


def shorten(text: str | None, limit: int) -> str:
    """Single-spaced text cut at a word boundary to at most `limit` characters (… appended when cut)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-")
    return cut + "…"


def bullet_list(items: Iterable[str], limit: int, max_chars: int, numbered: bool = False) -> str:
    """Lines "• item" (or "1. item"), at most `limit` of them, then "… và N mục khác"."""
    items = [shorten(i, max_chars) for i in items if i and i.strip()]
    shown = items[:limit]
    lines = [f"{n}. {item}" if numbered else f"• {item}" for n, item in enumerate(shown, 1)]
    if len(items) > limit:
        lines.append(texts()["more_items"].format(n=len(items) - limit))
    return "\n".join(lines)


def _missing() -> str:
    return texts()["not_in_record"]


def _channel_values(record: dict, key: str) -> list[tuple[str, str]]:
    """[(channel label, text)] for the channels whose `key` (time / fee) is known."""
    labels = texts()["channels"]
    values = []
    for channel in record.get("channels") or []:
        value = channel.get(key)
        if not value:
            continue
        if key == "fee":
            text = value.get("text") or (texts()["free"] if value.get("free") else "")
        else:
            text = value.get("text") or " ".join(
                str(v) for v in (value.get("value"), value.get("unit")) if v not in (None, "")
            )
        text = shorten(text, MAX_ITEM_CHARS)
        if key == "time" and re.fullmatch(r"\d+(?:[.,]\d+)?", text):
            text = f"{text} ({texts()['unit_missing']})"
        if text:
            values.append((labels.get(channel.get("channel"), channel.get("channel") or ""), text))
    return values


def per_channel(record: dict, key: str) -> str:
    """Fee or time per channel; one line when every channel says the same. Empty string when unknown."""
    values = _channel_values(record, key)
    if not values:
        return ""
    distinct = {text for _, text in values}
    if len(distinct) == 1:
        return values[0][1]
    return "\n".join(f"• {label}: {text}" for label, text in values)


def channel_names(record: dict) -> str:
    labels = texts()["channels"]
    names = []
    for channel in record.get("channels") or []:
        label = labels.get(channel.get("channel"))
        if label and label not in names:
            names.append(label)
    return ", ".join(names)


def agency_text(record: dict) -> str:
    """Who handles it and where to file: agency, deciding agency, receiving address, else the levels."""
    t = texts()
    lines = []
    agency = record.get("agency")
    if agency:
        lines.append(f"• {shorten(agency, MAX_ITEM_CHARS)}")
    deciding = record.get("deciding_agency")
    if deciding and fold(deciding) != fold(agency):
        lines.append(f"• {t['deciding_agency']}: {shorten(deciding, MAX_ITEM_CHARS)}")
    address = record.get("receiving_address")
    if address and fold(address) not in {fold(agency), fold(deciding)}:
        lines.append(f"• {t['receiving_address']}: {shorten(address, MAX_ITEM_CHARS)}")
    levels = record.get("levels") or []
    if levels and not lines:
        lines.append(f"• {t['level_prefix']}: {', '.join(levels)}")
    return "\n".join(lines)


def _document_line(item: dict) -> str:
    name = shorten(item.get("name"), MAX_ITEM_CHARS)
    quantity = (item.get("quantity_text") or "").strip()
    return f"{name} ({quantity})" if quantity else name


def _is_note(item: dict) -> bool:
    """Rows the portal lists with zero originals and zero copies are explanations, not papers to bring."""
    return not item.get("originals") and not item.get("copies") and item.get("quantity_text") is not None \
        and re.match(r"^\s*0\b", item.get("quantity_text") or "") is not None


def documents_text(record: dict, limit: int = MAX_LIST_ITEMS) -> str:
    """Documents grouped by case; papers to bring first, explanatory rows (quantity 0) left out."""
    groups = []
    for case in record.get("documents") or []:
        items = [i for i in case.get("items") or [] if i.get("name") and not _is_note(i)]
        if items:
            groups.append((case.get("case") or "", items))
    if not groups:
        return ""
    lines: list[str] = []
    shown = total = 0
    for case, items in groups:
        total += len(items)
        if shown >= limit:
            continue
        if len(groups) > 1 or case:
            lines.append(shorten(case, MAX_ITEM_CHARS) or texts()["case_default"])
        for item in items:
            if shown >= limit:
                break
            lines.append(f"• {_document_line(item)}")
            shown += 1
    if total > shown:
        lines.append(texts()["more_items"].format(n=total - shown))
    return "\n".join(lines)


# "Bước 1:", "Bước 2." — the list is numbered already.
_STEP_PREFIX_RE = re.compile(r"^\s*Bước\s*\d+\s*[:.)-]?\s*", re.IGNORECASE)


def _common(record: dict) -> dict[str, str]:
    return {
        "procedure_name": record.get("name") or record.get("code") or "",
        "procedure_code": record.get("code") or "",
        "url": record.get("url") or "",
    }


def _missing_answer(record: dict, topic: str) -> list[Answer]:
    return [Answer("utter_procedure_missing", {**_common(record), "topic_label": topic_label(topic)})]


def build_answer(record: dict, topic: str) -> list[Answer]:
    """The responses (with variables) that answer `topic` about `record`, never adding facts it lacks."""
    common = _common(record)
    if topic == "overview":
        return [Answer("utter_procedure_overview", {
            **common,
            "field": record.get("field") or _missing(),
            "agency": shorten(record.get("agency") or ", ".join(record.get("levels") or []), MAX_ITEM_CHARS)
            or _missing(),
            "channels": channel_names(record) or _missing(),
            "processing_time": per_channel(record, "time") or _missing(),
            "fee": per_channel(record, "fee") or _missing(),
        })]
    if topic == "documents":
        value = documents_text(record)
        return [Answer("utter_procedure_documents", {**common, "documents": value})] if value \
            else _missing_answer(record, topic)
    if topic in ("fee", "processing_time"):
        value = per_channel(record, "fee" if topic == "fee" else "time")
        return [Answer(f"utter_procedure_{topic}", {**common, topic: value})] if value \
            else _missing_answer(record, topic)
    if topic == "agency":
        value = agency_text(record)
        return [Answer("utter_procedure_agency", {**common, "agency": value})] if value \
            else _missing_answer(record, topic)
    if topic == "steps":
        steps = [_STEP_PREFIX_RE.sub("", step) for step in record.get("steps") or []]
        value = bullet_list(steps, MAX_STEPS, MAX_STEP_CHARS, numbered=True)
        return [Answer("utter_procedure_steps", {**common, "steps": value})] if value \
            else _missing_answer(record, topic)
    if topic == "conditions":
        value = shorten(record.get("conditions"), MAX_TEXT_CHARS)
        return [Answer("utter_procedure_conditions", {**common, "conditions": value})] if value \
            else _missing_answer(record, topic)
    if topic == "result":
        value = bullet_list(record.get("results") or [], MAX_LIST_ITEMS, MAX_ITEM_CHARS)
        return [Answer("utter_procedure_result", {**common, "results": value})] if value \
            else _missing_answer(record, topic)
    if topic == "legal_basis":
        items = []
        for doc in record.get("legal_basis") or []:
            title, number = (doc.get("title") or "").strip(), (doc.get("number") or "").strip()
            if number and number not in title:
                items.append(f"{shorten(title, 160)} ({number})" if title else number)
            elif title:
                items.append(title)
        value = bullet_list(items, MAX_LIST_ITEMS, MAX_ITEM_CHARS)
        return [Answer("utter_procedure_legal_basis", {**common, "legal_basis": value})] if value \
            else _missing_answer(record, topic)
    if topic == "online":
        level = (record.get("online") or {}).get("level")
        has_online_channel = any(c.get("channel") == "online" for c in record.get("channels") or [])
        if level not in ("full", "partial", "none"):
            level = "partial" if has_online_channel else None
        if level is None:
            return _missing_answer(record, topic)
        return [Answer(f"utter_procedure_online_{level}", {**common, "channels": channel_names(record) or _missing()})]
    raise ValueError(f"unknown topic {topic!r}")


def follow_up_buttons(topic: str) -> list[dict[str, str]]:
    """Buttons for other topics of the same procedure, then the guided online filing."""
    titles = texts()["buttons"]
    buttons = [
        {"title": titles[t], "payload": f"/ask_{t}"} for t in FOLLOW_UP_ORDER if t != topic
    ][:MAX_FOLLOW_UPS]
    buttons.append({"title": titles["online_guide"], "payload": "/start_online_guide"})
    return buttons


def choice_buttons(hits: Sequence[Any]) -> list[dict[str, str]]:
    """One button per candidate procedure (name as title), at most MAX_CHOICES."""
    return [
        {"title": shorten(h.name, 120), "payload": '/choose_procedure{"procedure_code":"%s"}' % h.code}
        for h in list(hits)[:MAX_CHOICES]
    ]


def distinct_titles(choices: Sequence[tuple[str, Sequence[str]]], limit: int = 120) -> list[str]:
    """Button titles for (name, levels) candidates: near-identical names show what sets each apart (the
    qualifier words the others lack, then the level), so a long shared name never hides the difference."""
    words = [[(w, fold(w)) for w in name.split()] for name, _ in choices]
    sets = [{f for _, f in ws} for ws in words]
    common = set.intersection(*sets) if sets else set()
    folded_names = [fold(name) for name, _ in choices]
    titles = []
    for (name, levels), ws, folded in zip(choices, words, folded_names):
        extra = " ".join(w for w, f in ws if f not in common).strip(" ,;()")
        level = ", ".join(levels)
        same_name = folded_names.count(folded) > 1
        if not extra or len(name) <= limit and not same_name:
            title = name
        else:
            title = f"{shorten(name, max(limit - len(extra) - 3, 40))} – {extra}" if extra not in shorten(name, limit) \
                else name
        if same_name and level:
            title = f"{shorten(title, limit - len(level) - 3)} ({level})"
        titles.append(shorten(title, limit))
    return titles
