"""Short display names for long official procedure names (up to 1,094 characters on the portal).

    names.short_name(name)          # ≤ 80 characters, from the name alone
    names.assign(records)           # record["short_name"] for a whole catalog, distinct within each field

A short name drops, in this order and only as far as needed: the leading "Thủ tục"; bracketed asides other than the
level ("(cấp tỉnh)" stays); legal references ("theo quy định tại …", "quy định tại Nghị định …"); the cases after
the first ";" (a name listing several procedures); then it is cut between words with "…", keeping the level.
Two records of one field whose short names come out equal while their full names differ keep more of their ends,
then get their levels appended, then the words from where their names first differ ("– bị cháy, bị mất…"), then
the code, so a reply or a button never shows two procedures under one name. Used by render.display_name (chat
replies, buttons); the full name is shown once, in the overview.
"""

from __future__ import annotations

import re
from collections import defaultdict

from bot.vntext import fold

MAX_CHARS = 80
_LEVEL_RE = re.compile(r"\((?:thực hiện tại\s+)?cấp [^()]{1,30}\)", re.I)
_PAREN_RE = re.compile(r"\s*\([^()]*\)")
_REFERENCE_RE = re.compile(
    r"\s*,?\s*(?:theo quy định tại|quy định tại|theo quy định của|được sửa đổi, bổ sung"
    r"|theo (?:Luật|Nghị định|Thông tư|Quyết định|Nghị quyết)\b).*$",
    re.I,
)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-– ") + "…"


def _head_tail(text: str, limit: int, tail: int) -> str:
    """The start of `text` and its last words (about `tail` characters), "…" between: the end of a long name is
    often what tells it apart ("… quy mô lớn", "… bước 1", "… tăng vốn điều lệ")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if tail <= 0:
        return _cut(text, limit)
    words = text.split()
    end: list[str] = []
    while words and len(" ".join([words[-1], *end])) <= tail:
        end.insert(0, words.pop())
    end_text = " ".join(end).lstrip(",;:.-–) ")
    head = _cut(text, limit - len(end_text) - 3).rstrip("…").rstrip(",;:.-– ")
    return f"{head} … {end_text}" if end_text else _cut(text, limit)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def short_name(name: str | None, limit: int = MAX_CHARS, tail: int = 0) -> str:
    """`name` in at most `limit` characters, the level kept (rules in the module docstring); with `tail`, the last
    words of the name (about `tail` characters) are kept after "…"."""
    name = " ".join((name or "").split()).rstrip(" .")
    if re.match(r"^thủ tục\s+", name, re.I) and len(name) > 40:
        name = _capital(re.sub(r"^thủ tục\s+", "", name, flags=re.I))
    if len(name) <= limit:
        return name
    level = _LEVEL_RE.search(name)
    level_text = f" {level.group(0)}" if level else ""
    base = _PAREN_RE.sub("", name).strip()
    for step in (lambda t: _REFERENCE_RE.sub("", t), lambda t: t.split(";")[0].strip()):
        if len(base) + len(level_text) <= limit:
            break
        base = step(base).rstrip(",;:.- ") or base
    return _head_tail(base, limit - len(level_text), tail) + level_text


def _where_it_differs(name: str, others: list[str], chars: int = 30) -> str:
    """A few words of `name` from where it first differs from the most similar of `others` ("bị cháy, bị mất…")."""
    words = name.split()
    folded = [fold(w) for w in words]
    start = 0
    for other in others:
        theirs = [fold(w) for w in other.split()]
        same = next((i for i, (a, b) in enumerate(zip(folded, theirs)) if a != b), min(len(folded), len(theirs)))
        start = max(start, same)
    window = " ".join(words[start:]).strip(" ,;()")
    return _cut(window, chars).rstrip(")") if window else ""


def assign(records: list[dict], limit: int = MAX_CHARS) -> dict[str, str]:
    """Set record["short_name"] on every record (and return code -> short name): distinct within a field unless the
    full names are equal. A clash keeps more of the names' ends, then adds the level, then the code."""
    short = {r["code"]: short_name(r.get("name"), limit) for r in records}
    by_field: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_field[fold(r.get("field"))].append(r)

    full = {r["code"]: fold(r.get("name")) for r in records}  # folded once: clashing() runs ~1,000 times

    def clashing(group: list[dict]) -> list[dict]:
        seen: dict[str, set[str]] = defaultdict(set)
        for r in group:
            seen[fold(short[r["code"]])].add(full[r["code"]])
        return [r for r in group if len(seen[fold(short[r["code"]])]) > 1]

    for group in by_field.values():
        for tail in (24, 36, 48):
            for r in clashing(group):
                short[r["code"]] = short_name(r.get("name"), limit, tail)
        for r in clashing(group):
            extra = " – " + (", ".join(r.get("levels") or []) or r["code"])
            short[r["code"]] = short_name(r.get("name"), limit - len(extra), 36) + extra
        still = clashing(group)
        for r in still:
            others = [o.get("name") or "" for o in still if fold(o.get("name")) != fold(r.get("name"))]
            extra = " – " + (_where_it_differs(r.get("name") or "", others) or r["code"])
            short[r["code"]] = short_name(r.get("name"), limit - len(extra), 0) + extra
        for r in clashing(group):
            extra = f" (mã {r['code']})"
            short[r["code"]] = short_name(r.get("name"), limit - len(extra), 36) + extra
    for r in records:
        r["short_name"] = short[r["code"]]
    return short


def clashes(records: list[dict]) -> list[tuple[str, list[str]]]:
    """(short name, codes) shared by records of one field whose full names differ: what `assign` must leave empty."""
    by: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in records:
        by[(fold(r.get("field")), fold(r.get("short_name") or short_name(r.get("name"))))].append(r)
    return [
        (group[0].get("short_name") or "", [r["code"] for r in group])
        for group in by.values()
        if len({fold(r.get("name")) for r in group}) > 1
    ]
