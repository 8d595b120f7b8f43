"""Legal bases as clean items: number, kind, date, issuer and subject of each document, for every source format.

    from bot.catalog import legal
    legal.split_cells(text)                 # portal page cell -> [(title, number)], rows glued without separator
    legal.item(title, number, date=None, issuer=None)   # {"title", "number", "kind", "date", "issuer", "subject"}
    legal.line(item, chars=160)             # "Thông tư số 53/2025/TT-BCA ngày 01/07/2025 của Bộ Công an: sửa đổi…"
    legal.problems(item)                    # what looks garbled: ["number"], ["title"], ["date"] or []

The portal page format glues the table's cells ("…Luật Căn cước.53/2025/TT-BCAThông tư số 66/2023/TT-BCA …"):
rows are found by scoring every way to cut after a number (a row's title usually repeats its number, and a row
never starts with "ngày …" or "của …"). Numbers are read with the kind and issuer codes of data/legal.yml, so a
code glued to the next word ("TT-BCAThông tư", "QH13Quy định") is cut where the known code ends.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

VOCAB_FILE = Path(__file__).with_name("data") / "legal.yml"

_LOWER = "a-zà-ỹđ"
_UPPER = "A-ZĐÀ-ỸẠ-Ỹ"
# Words that continue a title; a row (or a title) never starts with them.
_CONTINUATION_RE = re.compile(r"^(?:ngày|của|năm|tháng|và|số|tại)\b|^[,;.:)\-]", re.I)
_DATE = r"(\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(\d{1,2})\s*(?:/|-|\.|\s+năm\s+)\s*((?:19|20)\d\d)"
_OWN_DATE_RE = re.compile(r"^\s*[,-]?\s*(?:ban hành\s+)?ngày\s*" + _DATE, re.I)
_ANY_DATE_RE = re.compile(r"ngày\s*" + _DATE, re.I)


@functools.lru_cache(maxsize=1)
def vocab() -> dict:
    return yaml.safe_load(VOCAB_FILE.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def number_re() -> re.Pattern:
    """ "53/2025/TT-BCA", "66.7/2025/NQ-CP", "58/2014/QH13", "5166/QĐ-BQP", "08/2012/TTLT-BLĐTBXH-BNV-BTC"; a code
    glued to the next word stops where the known code ends ("BCAThông" -> "BCA"); an unknown all-capitals code is
    taken when no lower-case letter follows."""
    v = vocab()
    codes = sorted({*v["kinds"], *v["issuers"]} - {"QH", "UBTVQH"}, key=len, reverse=True)
    code = r"(?:UBTVQH\d{2}|QH\d{2}|" + "|".join(map(re.escape, codes)) + rf"|[A-ZĐ]{{2,}}(?![{_LOWER}A-ZĐ]))"
    # A number may be glued after a year ("Luật Công chứng năm 202446/2024/QH15", "ngày 15/5/2026.55/2026/TT-BTC")
    # or a law's number cell after the same number in its title ("Luật 84/2015/QH1384/2015/QH13").
    start = r"(?:(?<=(?:19|20)\d\d)|(?<=(?:19|20)\d\d\.)|(?<=QH\d\d)|(?<![\d/])(?<!\d\.))"
    sep = r"(?:-\s?|_|/)"  # "TTLT- BQP", "TT_BCA", "TTLT/BQP" as typed on the portal
    return re.compile(start + r"(\d{1,4}(?:\.\d{1,2})?)(?:/((?:19|20)\d\d))?/(" + code + r"(?:" + sep + code + r")*)")


def find_numbers(text: str | None) -> list[re.Match]:
    return list(number_re().finditer(text or ""))


def normal_number(number: str) -> str:
    """The number as it should be typed: "21/2008/TTLT- BQP" -> "21/2008/TTLT-BQP", "TT_BCA" -> "TT-BCA"; a year
    glued in front by the portal ("năm 2025.09/2026/TT-BNNMT") dropped."""
    number = re.sub(r"^(?:19|20)\d\d\.(?=\d{1,4}/(?:19|20)\d\d/)", "", number)
    return re.sub(r"-\s+|_", "-", number)


def find_number(text: str | None) -> str | None:
    found = number_re().search(text or "")
    return normal_number(found.group(0)) if found else None


def _codes(number: str) -> list[str]:
    m = number_re().fullmatch(number)
    return re.split(r"[-/_]\s?", m.group(3)) if m else []


def number_complete(number: str | None) -> bool:
    """The number reads whole with known kind and issuer codes (not "53/2025/TT-BC", not "96/2016/NĐ-CP9")."""
    if not number:
        return False
    m = number_re().fullmatch(number)
    if not m:
        return False
    v = vocab()
    known = {*v["kinds"], *v["issuers"]}
    return all(c in known or re.fullmatch(r"(?:UBTVQH|QH)\d{2}", c) for c in _codes(number))


# ---------------------------------------------------------------- splitting the portal page cell


def _ws(text: str) -> str:
    return " ".join(text.split())


@functools.lru_cache(maxsize=1)
def _kind_re() -> re.Pattern:
    kinds = "|".join(map(re.escape, vocab()["title_kinds"]))
    return re.compile(rf"^(?:{kinds})\b", re.I)


@functools.lru_cache(maxsize=1)
def _cell_prefix_re() -> re.Pattern:
    """A kind word glued to the end of a title is the number cell's own prefix ("…thú yLuật", "…vyThông tư số")."""
    kinds = "|".join(map(re.escape, vocab()["title_kinds"] + ["Luất"]))
    return re.compile(rf"(?:(?<=\S)|^)(?:{kinds})(?:\s+số)?\s*$")


def _title_only_kind(title: str) -> bool:
    return bool(re.fullmatch(r"(?:" + "|".join(vocab()["title_kinds"]) + r")?(?:\s*số)?", title.strip(), re.I))


def _row_score(title: str, number: str) -> int:
    start = title.strip()
    score = 6 if number in title else 0
    if not start:
        return score - 4
    if _title_only_kind(start):  # "Luật" + "28/2023/QH15": a row, unless the same number follows as its cell
        return score + 1
    if _CONTINUATION_RE.match(start) or re.match(rf"^[{_UPPER}](?:ngày|của|sửa)\b", start):
        return score - 12
    # Cells are glued without a space: "…Nghị định 123/2015/NĐ-CP hướng dẫn…" (space, then lower case) likely goes on.
    return score - 3 if re.match(rf"^\s+[{_LOWER}]", title) else score + 2


def split_cells(text: str) -> list[tuple[str, str | None]]:
    """Rows (title, number) of the portal page's legal table flattened to one string: each row is a title then a
    number cell; the cut after each number is chosen so the rows score best (see _row_score)."""
    tokens = find_numbers(text)
    if not tokens:
        title = _ws(text)
        return [(title, None)] if title else []
    n = len(tokens)
    best: list[tuple[int, list[int]]] = [(0, [])] + [(-(10**9), [])] * n  # best[j]: rows ending after token j-1
    for j in range(1, n + 1):
        for i in range(j):
            if best[i][0] == -(10**9):
                continue
            begin = tokens[i - 1].end() if i else 0
            score = best[i][0] + _row_score(text[begin : tokens[j - 1].start()], tokens[j - 1].group(0))
            if score > best[j][0]:
                best[j] = (score, best[i][1] + [j - 1])
    rows: list[tuple[str, str | None]] = []
    begin = 0
    for k in best[n][1]:
        title = _cell_prefix_re().sub("", text[begin : tokens[k].start()])
        rows.append((_ws(title).lstrip(":;,. "), normal_number(tokens[k].group(0))))
        begin = tokens[k].end()
    tail = _ws(text[begin:])
    if tail and not _title_only_kind(tail) and len(tail) > 12 and tail != "Không có thông tin":
        rows.append((tail, None))
    return rows


# ---------------------------------------------------------------- describing one document


def _sentence_case(text: str) -> str:
    """A title written in capitals in sentence case, document numbers kept as written."""
    letters = [c for c in text if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) <= 0.8 * len(letters):
        return text
    out = text[:1].upper() + text[1:].lower()
    for m in find_numbers(text):
        out = out[: m.start()] + m.group(0) + out[m.end() :]
    return out


def _iso(day: str, month: str, year: str, number: str | None) -> str | None:
    d, m, y = int(day), int(month), int(year)
    if not (1 <= d <= 31 and 1 <= m <= 12):
        return None
    num_year = re.search(r"/((?:19|20)\d\d)/", number or "")
    if num_year and int(num_year.group(1)) != y:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def parse_date(text: str | None, number: str | None = None) -> str | None:
    """ "16-02-2024", "15/5/2021", "12 tháng 5 năm 2023" -> ISO date (None when not a date of the number's year)."""
    m = re.search(_DATE, text or "")
    return _iso(*m.groups(), number) if m else None


def issuer_of(number: str | None) -> str | None:
    """Issuing authority read from the number's codes ("TT-BCA" -> "Bộ Công an"); several for joint documents."""
    if not number:
        return None
    issuers = vocab()["issuers"]
    names = []
    for code in _codes(number):
        name = issuers.get(re.sub(r"\d+$", "", code) if re.fullmatch(r"(?:UBTVQH|QH)\d{2}", code) else code)
        if name and name not in names:
            names.append(name)
    return ", ".join(names) or None


def _kind_from_number(number: str | None) -> str | None:
    if not number:
        return None
    codes = _codes(number)
    return vocab()["kinds"].get(codes[0]) if codes else None


def item(
    title: str | None, number: str | None, date: str | None = None, issuer: str | None = None
) -> dict[str, str | None]:
    """One clean legal basis: `title` as written (one line), `number`, `kind` ("Thông tư", "Luật Cư trú"), `date`
    (ISO, the document's own date when the title or the source states it), `issuer` and `subject` (the title
    without what the other fields say). `date` and `issuer` are hints from sources that have those columns."""
    title = number_re().sub(lambda m: normal_number(m.group(0)), _ws(title or "")) or None
    number = normal_number(number) if number else find_number(title)
    if number and "/" not in number:  # "BỘ LUẬT HÀNG HẢI VIỆT NAM", "54": the cell holds no document number
        number = None
    text = _sentence_case(title or "")
    kind = None
    rest = text
    found = _kind_re().match(text)
    if found:
        kind = next(k for k in vocab()["title_kinds"] if k.lower() == found.group(0).lower())
        rest = text[found.end() :]
        if kind.lower() in ("luật", "bộ luật", "pháp lệnh", "hiến pháp"):
            # A law's name runs on after a comma that a lower-case word continues ("Luật Phòng, chống ma túy",
            # "Luật Trật tự, an toàn giao thông đường bộ"); it ends at its number, date, issuer or punctuation.
            law = re.match(
                r"^\s*((?:[^,:;(\-]|,(?=\s*[a-zà-ỹđ]))*?)"
                r"(?=\s+số\b|\s+năm\b|\s+ngày\b|\s+của\s+(?:Quốc hội|Ủy ban|Chính phủ)|\s*\d|\s*[:;(\-]"
                r"|\s*,(?!\s*[a-zà-ỹđ])|$)",
                rest,
            )
            name = law.group(1).strip() if law else ""
            if name and not re.match(r"^(?:sửa|số)\b", name, re.I):  # "Luật sửa đổi, bổ sung…" has no short name
                kind = f"{kind} {name}"
                rest = rest[law.end() :]
    kind = kind or _kind_from_number(number)
    rest = re.sub(r"^\s*số\b", "", rest)
    own_date = None
    if number and number in rest:
        before, _, after = rest.partition(number)
        # The title starts with this document's own number (after at most a few words: "định số 96/2026/NĐ-CP")
        if not before.strip(" ,.-") or (len(before) <= 40 and not re.search(r"\d", before)):
            rest = after
            m = _OWN_DATE_RE.match(rest)
            if m:
                own_date = _iso(*m.groups(), number)
                rest = rest[m.end() :]
    elif not found and re.match(r"^\s*ngày", rest):
        rest = rest  # a title that starts with a date is not this document's head: keep it as written
    iss = issuer_of(number) or (_ws(issuer) if issuer else None)
    if iss:
        head = re.match(
            r"^\s*,?\s*của\s+(?:Bộ trưởng\s+|Thủ trưởng\s+|Thống đốc\s+|Chủ nhiệm\s+)?" + re.escape(iss.split(", ")[0]),
            rest,
            re.I,
        )
        if head:
            rest = rest[head.end() :]
    subject = re.sub(r"^\s*(?:(?:năm\s+)?(?:19|20)\d\d\b)?[\s:,.\-–]*", "", rest).strip()
    if subject and number and subject == number:
        subject = ""
    return {
        "title": title or number,
        "number": number,
        "kind": kind,
        "date": own_date or (parse_date(date, number) if date else None),
        "issuer": iss,
        "subject": subject or None,
    }


def _date_text(iso: str | None) -> str:
    if not iso:
        return ""
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def line(doc: dict, chars: int | None = 160, texts: dict | None = None) -> str:
    """ "<kind> số <number> ngày <d/m/y> của <issuer>: <subject>"; the subject cut at `chars` (None: whole). Items
    of older catalogs (title and number only) are rendered from their title."""
    from bot.catalog.render import shorten

    if "subject" not in doc:
        doc = item(doc.get("title"), doc.get("number"))
    t = (texts or {}).get("legal") or {}
    number = doc.get("number")
    parts = []
    if number:
        kind = doc.get("kind")
        parts.append(t.get("kind_number", "{kind} số {number}").format(kind=kind, number=number) if kind else number)
        if doc.get("date"):
            parts.append(t.get("date", "ngày {date}").format(date=_date_text(doc["date"])))
        if doc.get("issuer"):
            parts.append(t.get("issuer", "của {issuer}").format(issuer=doc["issuer"]))
        head = " ".join(parts)
        subject = doc.get("subject")
        return f"{head}: {shorten(subject, chars)}" if subject else head
    return shorten(doc.get("title"), chars)


# ---------------------------------------------------------------- the garbling check (measured in the README)


def _starts_mid_word(title: str) -> bool:
    """A title cut from its neighbour: "Angày 01/7/2025…", "Csửa đổi…", "UẬT Bảo hiểm…", "5 của Quốc hội…"."""
    first = (title.split() or [""])[0]
    if not first:
        return True
    if _CONTINUATION_RE.match(title) and not re.match(r"^số\s+\d", title, re.I):
        return True
    if re.match(r"^\d+\s+(?:của|ngày)\b", title):
        return True
    if re.match(rf"^[{_UPPER}](?:ngày|của|năm|sửa|quy|hướng|ban|bãi|về|thông|luật|nghị)", first):
        return True
    # A kind word in capitals that lost its first letters ("UẬT" of "LUẬT", "HÔNG TƯ" of "THÔNG TƯ").
    heads = {k.split()[0].upper() for k in vocab()["title_kinds"]}
    return first.isupper() and any(h != first and h.endswith(first) for h in heads)


def problems(doc: dict) -> list[str]:
    """What looks garbled in one legal basis item: "number" (missing or cut), "title" (starts mid-word) and
    "date" (the title dates the document right after its number, but no date was read)."""
    found = []
    title = doc.get("title") or ""
    number = doc.get("number")
    if not number_complete(number):
        found.append("number")
    if _starts_mid_word(title):
        found.append("title")
    head = r"^(?:[^\d]{0,40}?\s*)?(?:số\s*)?" + re.escape(number or "") + r"\s*,?\s*(?:ban hành\s+)?ngày\s*" + _DATE
    own = re.match(head, title, re.I) if number else None
    date = doc["date"] if "date" in doc else (item(title, number)["date"] if number else None)
    if own and _iso(*own.groups()[-3:], number) and not date:
        found.append("date")
    return found


def audit(records: list[dict]) -> dict[str, int]:
    """Counts over a catalog: legal items, items with any problem, and per problem (see `problems`)."""
    counts = {"items": 0, "garbled": 0, "number": 0, "title": 0, "date": 0}
    for record in records:
        for doc in record.get("legal_basis") or []:
            found = problems(doc)
            counts["items"] += 1
            counts["garbled"] += bool(found)
            for name in found:
                counts[name] += 1
    return counts


if __name__ == "__main__":  # python -m bot.catalog.legal [catalog.jsonl.gz]: the garbling count of a catalog
    import sys

    from bot.catalog import DEFAULT_PATH, read_records

    print(audit(read_records(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PATH)))
