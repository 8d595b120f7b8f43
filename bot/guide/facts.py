"""Facts the guided online filing needs, read from one catalog record (schema in bot/catalog/__init__.py).

Pure functions on plain dicts: what the procedure allows online, fee per channel, document groups and cases,
forms, where and when to file in person, how the result comes back. Short word fragments come from
bot/guide/texts.yml; whole sentences are domain responses. Tested in tests/guide/test_steps.py.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.vntext import fold

_TEXTS_FILE = Path(__file__).with_name("texts.yml")

FULL, PARTIAL, NONE = "full", "partial", "none"
ITEM_CHARS = 180
FEE_CHARS = 220
NOTE_CHARS = 250
# Document groups every applicant prepares (not alternatives to choose between), by folded case name prefix.
_COMMON_CASE_PREFIXES = (
    "giay to phai", "cac giay to phai", "luu y", "thanh phan ho so", "a) thanh phan ho so", "bao gom",
)
# A note of a channel that says when to come ("giờ hành chính", "thứ 2 đến thứ 6", "sáng thứ 7").
_HOURS_RE = re.compile(r"\bgio\b|\bthu (?:2|hai)\b|\bsang thu 7\b")


@functools.lru_cache(maxsize=1)
def texts() -> dict[str, Any]:
    return yaml.safe_load(_TEXTS_FILE.read_text(encoding="utf-8"))


def shorten(text: str | None, limit: int) -> str:
    """Single-spaced text cut at a word boundary to at most `limit` characters, "…" appended when cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-") + "…"


def availability(record: dict) -> str:
    """full (toàn trình), partial (một phần) or none (in person / post only), from the catalog's online level."""
    level = (record.get("online") or {}).get("level")
    if level in (FULL, PARTIAL, NONE):
        return level
    return PARTIAL if channels(record, "online") else NONE


def channels(record: dict, name: str) -> list[dict]:
    return [c for c in record.get("channels") or [] if c.get("channel") == name]


def _fee_text(fee: dict | None) -> str:
    if not fee:
        return ""
    text = shorten(fee.get("text"), FEE_CHARS)
    if text:
        return text
    if fee.get("free"):
        return texts()["free"]
    amount = fee.get("amount")
    return f"{amount:,.0f} đồng".replace(",", ".") if amount else ""


def _charges(fee: dict | None) -> bool:
    """True when the record says money is due: not marked free, and an amount or a text is given."""
    return bool(fee) and not fee.get("free") and bool(fee.get("amount") or (fee.get("text") or "").strip())


def fee_text(record: dict, channel: str) -> str:
    """Fee of `channel` as the record words it (distinct texts joined by "; "); "" when the record has none."""
    found: list[str] = []
    for item in channels(record, channel):
        text = _fee_text(item.get("fee"))
        if text and text not in found:
            found.append(text)
    return "; ".join(found)


def has_fee(record: dict, channel: str) -> bool:
    return any(_charges(item.get("fee")) for item in channels(record, channel))


def online_payment_stated(record: dict) -> bool:
    """False when the catalog's rule says online payment is not mentioned for this procedure."""
    rule = fold((record.get("online") or {}).get("rule"))
    return "khong neu thanh toan truc tuyen" not in rule


def electronic_result(record: dict) -> bool:
    rule = fold((record.get("online") or {}).get("rule"))
    return availability(record) == FULL or "co tra ket qua dien tu" in rule


def has_post(record: dict) -> bool:
    return bool(channels(record, "post"))


# ---------------------------------------------------------------- documents


@dataclass
class Group:
    """Documents of one case of the record, explanatory rows left out."""
    case: str
    items: list[dict]
    common: bool  # prepared by everyone (e.g. "Giấy tờ phải nộp"), not one alternative among several


def _is_note(item: dict) -> bool:
    """Rows listed with zero originals and zero copies explain something; they are not papers to bring."""
    return not item.get("originals") and not item.get("copies") \
        and re.match(r"^\s*0\b", item.get("quantity_text") or "") is not None


def groups(record: dict) -> list[Group]:
    result = []
    for case in record.get("documents") or []:
        items = [i for i in case.get("items") or [] if (i.get("name") or "").strip() and not _is_note(i)]
        if not items:
            continue
        name = " ".join((case.get("case") or "").split())
        folded = fold(name)
        common = not folded or folded.startswith(_COMMON_CASE_PREFIXES)
        result.append(Group(name, items, common))
    return result


def alternatives(record: dict, all_groups: list[Group] | None = None) -> list[Group]:
    """The cases a person picks one of (from `all_groups` when given); [] unless there are at least two."""
    alts = [g for g in (groups(record) if all_groups is None else all_groups) if not g.common]
    return alts if len(alts) >= 2 else []


def quantity(item: dict) -> str:
    """"1 bản chính", "1 bản sao" ... without the zero parts the portal lists ("0 bản chính,1 bản sao")."""
    parts = [p.strip() for p in (item.get("quantity_text") or "").split(",")]
    return ", ".join(p for p in parts if p and not re.match(r"^0\b", p))


def document_line(item: dict) -> str:
    name = shorten(item.get("name"), ITEM_CHARS)
    qty = quantity(item)
    return f"• {name} ({qty})" if qty else f"• {name}"


def documents_text(record: dict, case: int | None = None, limit: int = 15) -> str:
    """Documents as bullet lines under case headings; with `case` (1-based among alternatives) only the common
    groups and that case. At most `limit` documents, then "… và N mục khác"."""
    t = texts()
    all_groups = groups(record)
    alts = alternatives(record, all_groups)
    chosen = alts[case - 1] if case and 1 <= case <= len(alts) else None
    shown_groups = [g for g in all_groups if chosen is None or g.common or g is chosen]
    if not shown_groups:
        return t["no_documents"]
    lines: list[str] = []
    shown = total = 0
    headed = len(shown_groups) > 1 or any(g.case for g in shown_groups)
    for group in shown_groups:
        total += len(group.items)
        if shown >= limit:
            continue
        if headed:
            if group in alts:
                heading = t["case_heading"].format(n=alts.index(group) + 1, case=shorten(group.case, ITEM_CHARS))
            else:
                heading = shorten(group.case, ITEM_CHARS) or t["case_default"]
            lines.append(heading)
        for item in group.items:
            if shown >= limit:
                break
            lines.append(document_line(item))
            shown += 1
    if total > shown:
        lines.append(t["more_items"].format(n=total - shown))
    return "\n".join(lines)


def forms(record: dict) -> list[str]:
    """Names of the documents that come with a template (tờ khai, đơn ...), in record order, without repeats."""
    names: list[str] = []
    for group in groups(record):
        for item in group.items:
            name = shorten(item.get("name"), ITEM_CHARS)
            if item.get("template") and name not in names:
                names.append(name)
    return names


# ---------------------------------------------------------------- where, when, result


def where_text(record: dict) -> str:
    """Agency and receiving address, else the level of government ("Cấp thực hiện: Cấp xã")."""
    t = texts()
    agency = shorten(record.get("agency"), ITEM_CHARS)
    address = shorten(record.get("receiving_address"), ITEM_CHARS)
    parts = [agency] if agency else []
    if address and fold(address) != fold(agency):
        parts.append(f"{t['receiving_address']}: {address}")
    if not parts and record.get("levels"):
        parts.append(f"{t['level_prefix']}: {', '.join(record['levels'])}")
    return "; ".join(parts) or t["not_in_record"]


def hours_text(record: dict) -> str:
    """When the in-person desk receives dossiers, from the channel notes; a hedge when the record does not say."""
    for channel in channels(record, "in_person") + channels(record, "online"):
        note = channel.get("note") or ""
        if _HOURS_RE.search(fold(note)):
            return shorten(note.lstrip("- "), NOTE_CHARS)
    return texts()["hours_unknown"]


def in_person_parts(record: dict) -> list[str]:
    """What a "một phần" procedure may still need a visit for, from the catalog's online rule."""
    t = texts()["in_person_parts"]
    parts = []
    if has_fee(record, "online") and not online_payment_stated(record):
        parts.append(t["no_online_payment"])
    if not electronic_result(record):
        parts.append(t["no_e_result"])
    parts.append(t["originals"])
    return parts


def result_options(record: dict) -> list[str]:
    t = texts()["result_options"]
    options = []
    if electronic_result(record):
        options.append(t["online"])
    if has_post(record):
        options.append(t["post"])
    options.append(t["in_person"])
    return options


def bullets(lines: list[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)
