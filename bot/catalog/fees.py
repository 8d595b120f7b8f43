"""Fees as the record states them (issue 14): amounts with unit and condition, dated provisions, local fees.

Import side (pure, used by every source importer so all three formats give the same shape):

    fee = fees.structure(fee, cell="Miễn phí", note="- Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần. - …")

adds to a channel's fee object (amount / free / text / currency, as before):
- `stated`:     the VND amounts the text states outside dated provisions, each {amount, unit, condition};
- `provisions`: dated clauses (reductions, transitional rates, temporary exemptions), each
                {start, end (ISO dates or None), effect ("rate" | "percent" | "exempt" | "dated"), amount, unit,
                percent (what is paid, in % of the fee), text (the clause as written)};
- `headline`:   what the record says is charged, without the dated clauses ("" when only those say it);
- `local`:      the fee is set locally (the provincial People's Council, "địa phương"), or the record charges
                one without any amount or national instrument; the chat then says it may vary by locality.
A "Miễn phí" or "Không có thông tin" cell whose note states a positive amount, or says the fee is set elsewhere
(by the provincial People's Council, at a circular's rate), is not free: `free` is False, `amount` is the note's
amount when it states exactly one, and the headline is the note. `status(provision, today)` judges a provision at a
date (current / upcoming / ended); bot/catalog/render.py (`fee_value`) words it from texts.yml (`fee_provisions`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

# ---------------------------------------------------------------- what the texts look like

# A date "31/12/2026", "01 tháng 7 năm 2025".
_DATE = r"\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
# "(kể) từ ngày A đến (hết) (ngày) B", "đến hết ngày B", "từ ngày A" (never "ngày A" after a circular's number,
# which is the date it was signed).
_RANGE_RE = re.compile(
    rf"(?:(?:kể\s+)?từ\s+)+(?:ngày\s+)?(?P<a>{_DATE})\s*,?\s*(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s+)?(?P<b>{_DATE})",
    re.I,
)
_UNTIL_RE = re.compile(rf"đến\s+hết\s+(?:ngày\s+)?(?P<b>{_DATE})", re.I)
_SINCE_RE = re.compile(rf"(?:(?:kể\s+)?từ\s+)+ngày\s+(?P<a>{_DATE})", re.I)
# A VND amount: "135.000 đồng", "5.000.000đồng", "01 triệu đồng", "50.000đ", "1700000 Đồng", "20.000 VNĐ";
# then an optional unit "/lần cấp", "/01 Giấy chứng nhận", "/GT-lần". Malformed numbers ("10.000.0000") are skipped.
_AMOUNT_RE = re.compile(
    r"(?<![\d.,/])(?P<n>\d{1,3}(?:[.,]\d{3})+|\d{4,}|\d{1,3}(?=\s*triệu))(?!\d)\s*(?P<m>triệu\s*)?"
    r"(?P<c>đồng|Đồng|VNĐ|VND|đ(?![a-zà-ỹ]))"
    r"(?:\s*/\s*(?P<u>[^\s.;,()\n]+(?:\s(?!(?:Miễn|Miễ|kể|từ|áp|theo|đối|riêng|trường|Trường|Đối|và|hoặc)\b)"
    r"[^\s.;,()\n/]+){0,3}))?"
)
_EXEMPT_RE = re.compile(r"(?:Miễn|Miễ)\s*(?:phí|lệ phí)?\s*(?:kể\s+)?$", re.I)
_PERCENT_RE = re.compile(r"(?P<kind>bằng|giảm)\s+(?P<p>\d{1,3})\s*%", re.I)
# Clause boundaries inside a fee text: new line, "; ", ". " before a capital or a bullet, " - " / "* " bullets.
_BOUNDARY_RE = re.compile(r"\n|;\s*|\.\s+(?=[A-ZĐÀ-Ỹ\-*+•])|(?:^|\s)[-*•]\s+")
# The fee is set locally: by the provincial People's Council or "theo quy định của (chính quyền) địa phương".
_LOCAL_RE = re.compile(
    r"Hội đồng nhân dân|HĐND|theo quy định của (?:chính quyền )?địa phương|do (?:Ủy ban nhân dân|UBND) (?:cấp )?tỉnh",
    re.I,
)
# A note under a "Miễn phí" cell that refers to the fee's rate set elsewhere ("Phí kiểm dịch …: theo Thông tư …",
# "Giá dịch vụ … theo quy định tại Thông tư …", "Theo quy định của Bộ Tài chính (nếu có)"), and one saying it is free.
_RATE_REF_RE = re.compile(r"mức thu|mức phí|giá dịch vụ|biểu (?:phí|giá)|Bộ Tài chính|nộp (?:phí|lệ phí)|/TT-BTC", re.I)
_FREE_WORDS_RE = re.compile(r"miễn|không thu|không phải nộp|không mất", re.I)
# A national instrument or an amount in another currency: a charge without a VND amount is still national.
_NATIONAL_RE = re.compile(r"Thông tư|Nghị định|Luật|Quyết định|Pháp lệnh|Bộ Tài chính|/BTC|USD|%", re.I)
# A circular's signing date and issuer after its number, left out of a provision's display text.
_SIGNED_RE = re.compile(
    r"(\d+/\d{4}/[A-ZĐ][A-ZĐa-z-]*)\s*:?\s*ngày\s+(?:ngày\s+)?(?:" + _DATE + r")(?:\s+của\s+[^():;\n]*)?"
)


def _iso(text: str) -> str | None:
    nums = [int(n) for n in re.findall(r"\d+", text)]
    try:
        return dt.date(nums[2], nums[1], nums[0]).isoformat()
    except (ValueError, IndexError):
        return None


def _number(match: re.Match) -> int:
    value = int(re.sub(r"[.,]", "", match.group("n")))
    return value * 1_000_000 if match.group("m") else value


def amounts(text: str | None) -> list[dict]:
    """Every VND amount of `text`: {amount, unit, start, end} (unit "đồng/lần cấp" or "đồng")."""
    out = []
    for m in _AMOUNT_RE.finditer(text or ""):
        value = _number(m)
        if value <= 0:
            continue
        unit = "đồng" + (f"/{m.group('u').strip()}" if m.group("u") else "")
        out.append({"amount": value, "unit": unit, "start": m.start(), "end": m.end()})
    return out


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of `text` around [start, end): between the nearest boundaries."""
    left, right = 0, len(text)
    for b in _BOUNDARY_RE.finditer(text):
        if b.end() <= start:
            left = b.end()
        elif b.start() >= end:
            right = b.start()
            break
    return left, right


def _tidy(text: str) -> str:
    """Spaces collapsed, stray bullets, brackets and separators trimmed at both ends."""
    text = re.sub(r"[ \t\u00a0]*\n\s*", "\n", re.sub(r"[ \t\u00a0]+", " ", text))
    previous = None
    while text != previous:
        previous = text
        text = text.lstrip(" -+*•;,:.").rstrip(" -+*•;,:")
        if text.startswith("(") and text.count("(") > text.count(")"):
            text = text[1:]
        if text.endswith(")") and text.count(")") > text.count("("):
            text = text[:-1]
        if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
            text = text[1:-1]
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


def _periods(text: str) -> list[tuple[int, int, str | None, str | None]]:
    """(start, end, from ISO, to ISO) of each dated phrase, left to right, without overlaps."""
    found: list[tuple[int, int, str | None, str | None]] = []
    taken: list[tuple[int, int]] = []
    for regex in (_RANGE_RE, _UNTIL_RE, _SINCE_RE):
        for m in regex.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            groups = m.groupdict()
            a = _iso(groups["a"]) if groups.get("a") else None
            b = _iso(groups["b"]) if groups.get("b") else None
            if a or b:
                found.append((m.start(), m.end(), a, b))
                taken.append((m.start(), m.end()))
    return sorted(found)


def provisions(text: str | None) -> tuple[list[dict], list[tuple[int, int]]]:
    """The dated provisions of a fee text and the spans they occupy in it."""
    text = text or ""
    out: list[dict] = []
    spans: list[tuple[int, int]] = []
    for start, end, a, b in _periods(text):
        left, right = _clause(text, start, end)
        if spans and left < spans[-1][1]:  # two dates in one clause ("đến hết ngày …" after a range): one
            continue
        clause = text[left:right]
        before = text[max(left, start - 25) : start]
        percent = _PERCENT_RE.search(clause)
        near = sorted(
            amounts(clause), key=lambda x: min(abs(x["start"] - (start - left)), abs(x["end"] - (end - left)))
        )
        provision: dict[str, Any] = {"start": a, "end": b, "effect": "dated", "amount": None, "unit": None}
        provision["percent"] = None
        if _EXEMPT_RE.search(before):
            provision.update(effect="exempt", amount=0, percent=0)
            # Only the exemption phrase is dated; the amounts before it in the clause are the fee itself.
            exempt = re.search(r"(?:Miễn|Miễ)\s*(?:phí|lệ phí)?\s*(?:kể\s+)?$", before, re.I)
            left = max(left, start - len(before) + exempt.start())
            right = _until_circular_end(text, end, right)
        elif percent:
            paid = int(percent.group("p"))
            provision.update(effect="percent", percent=paid if percent.group("kind").lower() == "bằng" else 100 - paid)
        elif near:
            provision.update(effect="rate", amount=near[0]["amount"], unit=near[0]["unit"])
        provision["text"] = _display(text[left:right])
        out.append(provision)
        spans.append((left, right))
    return out, spans


def _until_circular_end(text: str, end: int, right: int) -> int:
    """End of "… theo (quy định tại) Thông tư (số) N" after a dated phrase, within the clause."""
    m = re.match(r"\s*theo\s+(?:quy định tại\s+)?(?:Thông tư|Nghị định)\s+(?:số\s+)?[\w/.-]+", text[end:right])
    return end + m.end() if m else end


def _display(clause: str) -> str:
    """A provision clause for display: tidy, without the circular's signing date and issuer."""
    return _tidy(_SIGNED_RE.sub(r"\1", _tidy(clause)).rstrip(" ."))


def _remove(text: str, spans: list[tuple[int, int]]) -> str:
    for left, right in sorted(spans, reverse=True):
        text = text[:left] + " " + text[right:]
    if spans:  # separators left behind by a removed clause ("135.000 đồng/lần. - ." -> "135.000 đồng/lần.")
        text = re.sub(r"\s+([.;,)])", r"\1", text)
        text = re.sub(r"([.;,])(?:\s*[-.;,])+(?=\s|$)", r"\1", text)
        text = re.sub(r"\(\s*\)", "", text)
    return text


def _condition(text: str, start: int) -> str | None:
    """The words before an amount in its clause ("Lệ phí cấp mới", "Cấp lại do hết hạn"), if short."""
    left, _ = _clause(text, start, start)
    words = _tidy(text[left:start])
    return words if words and len(words) <= 160 else None


def stated(body: str) -> list[dict]:
    """The amounts a text states (outside dated provisions), each with its unit and condition; an amount the next
    one repeats with its unit ("Lệ phí: 135.000 Đồng (… 135.000 đồng/lần)") is given once."""
    found = amounts(body)
    items = []
    for i, a in enumerate(found):
        following = found[i + 1] if i + 1 < len(found) else None
        if a["unit"] == "đồng" and following and following["amount"] == a["amount"] and following["unit"] != "đồng":
            continue
        items.append({"amount": a["amount"], "unit": a["unit"], "condition": _condition(body, a["start"])})
    return items


_FREE_CELL = "Miễn phí"


def _sets_rate(note: str) -> bool:
    """The note under a free cell says a fee is set elsewhere: by the province (even with exemptions for some people,
    "Miễn lệ phí cho người thuộc hộ nghèo"), or at a rate the record refers to without saying it is free."""
    if not note:
        return False
    return bool(_LOCAL_RE.search(note)) or bool(_RATE_REF_RE.search(note) and not _FREE_WORDS_RE.search(note))


def structure(fee: dict | None, cell: str | None = None, note: str | None = None) -> dict | None:
    """`fee` with `stated`, `provisions`, `headline` and `local` (see the module doc); `cell` and `note` are the
    portal table's fee cell and its bracketed note when the source has them (else the whole text is the note)."""
    if not fee:
        return fee
    whole = fee.get("text") or ""
    if cell is None and fee.get("free") and whole.startswith(_FREE_CELL):  # Word export / API: "Miễn phí (notes)"
        cell, note = _FREE_CELL, whole[len(_FREE_CELL) :]
    note = whole if cell is None else (note or "")
    found, spans = provisions(note)
    body = _tidy(_remove(note, spans))
    items = stated(body)
    positive = [i["amount"] for i in items] + [p["amount"] for p in found if p["amount"]]
    cell_priced = cell is not None and bool(amounts(cell) or re.match(r"\d", cell))
    restated = not fee.get("amount") or fee["amount"] in {i["amount"] for i in items}
    if cell is None:
        headline = _tidy(_remove(whole, spans)) if spans else whole
    elif (items and restated) or not cell_priced:
        # The note states the fee itself ("Miễn phí (- Lệ phí …: 135.000 đồng/lần …)"): say that, not the cell.
        headline = body if (items or not positive) else ""
        if not items and not positive and cell and cell != "Không có thông tin":
            # "Miễn phí (Theo quy định của HĐND cấp tỉnh)", "Miễn phí (Phí kiểm dịch …: theo Thông tư …)": the note
            # says a fee is set elsewhere, so the headline is the note, not "Miễn phí".
            headline = body if _sets_rate(body) else cell + (f" ({body})" if body else "")
    elif not items and fee.get("amount") and fee["amount"] in {p["amount"] for p in found}:
        headline = body  # the cell repeats a dated rate ("40,000 VNĐ (40.000đ/… áp dụng đến hết ngày 31/12/2024)")
    else:  # the cell's amount, with the note when it does not restate it (another fee, a case, a contradiction)
        headline = cell + (f" ({body})" if body else "")
    out = dict(fee)
    if out.get("free") and cell is not None and _sets_rate(body):
        out.update(free=False, amount=None)  # charged at a rate the record refers to, not free
    if out.get("free") and positive:
        out["free"] = False
        distinct = {i["amount"] for i in items}
        out["amount"] = distinct.pop() if len(distinct) == 1 else None
    elif not out.get("amount") and not out.get("free") and cell is not None and not cell_priced:
        distinct = {i["amount"] for i in items}
        out["amount"] = distinct.pop() if len(distinct) == 1 else out.get("amount")
    local = bool(_LOCAL_RE.search(whole))
    if not local and not out.get("free") and not re.search(r"\d", whole):  # a charge with no amount at all
        local = bool(whole.strip()) and not whole.startswith("Không có thông tin") and not _NATIONAL_RE.search(whole)
    out.update(stated=items, provisions=found, headline=headline, local=local)
    return out


# ---------------------------------------------------------------- judging provisions against a date

CURRENT, UPCOMING, ENDED = "current", "upcoming", "ended"


def status(provision: dict, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    start = dt.date.fromisoformat(provision["start"]) if provision.get("start") else None
    end = dt.date.fromisoformat(provision["end"]) if provision.get("end") else None
    if start and today < start:
        return UPCOMING
    if end and today > end:
        return ENDED
    return CURRENT


def day(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def day_after(iso: str) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).strftime("%d/%m/%Y")


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")
