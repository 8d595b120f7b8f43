"""Documents by case, the common case first: the order rules the renderer (bot/catalog/render.py `groups`) applies.

The portal lists a procedure's cases and papers in whatever order its editors typed them (birth registration lists
the abandoned-child and surrogacy papers before the birth certificate; permanent residence starts with the papers for
living on a boat). The record does not mark the common case, so it is read from the record itself:

Cases a person picks one of (alternatives), in this order:
1. a label saying it is the general case ("thông thường", "trường hợp chung", "hồ sơ chung") first;
2. a label naming a situation few applicants are in (abandoned child, surrogacy, abroad, armed forces, religious
   premises, lost papers, authorisation … data/cases.yml `special`) last;
3. when every alternative is numbered in its label ("Trường hợp 2:", "1.", "a)", "(ii)"), by that number (the
   portal sometimes sorts them as text: 1, 10, 11, 2);
4. a label stating no condition ("Hồ sơ gia hạn tạm trú gồm": none of "trường hợp", "đối với", "theo", "khi",
   "nếu", "tại") before one that does ("Gia hạn tạm trú theo danh sách");
5. a case listing the application form (a template file or a "Tờ khai"/"Đơn" item) before one without it: the
   portal attaches the form to the main case;
6. otherwise the record's order.
Two alternatives with the same label are one case (the portal split it), the one with the form first.

Papers within a case: the application form first, then papers everyone brings, then papers needed "trong trường
hợp …" / "(nếu có)", then papers whose line starts with a situation ("Trường hợp trẻ em bị bỏ rơi …", "Đối với …").
The order is stable otherwise, papers the record numbers keep its order, and nothing is dropped.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Sequence

import yaml

from bot.vntext import fold

VOCAB_FILE = Path(__file__).with_name("data") / "cases.yml"

# "mẫu CT01", "Mẫu số 01", "mẫu 02.LH", "Mẫu DC02", "Mẫu số 09a", "mẫu TK1-TS" (in a name or a template file name).
_FORM_CODE_RE = re.compile(
    r"\b[Mm](?:ẫu|au)\s*(số\s+|so\s+)?([A-ZĐ]{1,4}\s?\d{1,3}[a-z]?(?:-[A-ZĐ]{1,4})?|\d{1,3}[a-z]?(?:\.[A-ZĐ]{1,4})?)(?![\w/])"
)
_NUMBERED_RE = re.compile(r"^\s*(?:trường hợp\s+(\d+)|(\d{1,2})[.)]|\(?([a-h])\)|\(([ivx]+)\))", re.I)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


@functools.lru_cache(maxsize=1)
def vocab() -> dict[str, list[str]]:
    return yaml.safe_load(VOCAB_FILE.read_text(encoding="utf-8"))


def _has(folded: str, phrases: Sequence[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", folded) for p in phrases)


def _starts(folded: str, phrases: Sequence[str]) -> bool:
    return any(re.match(rf"{re.escape(p)}(?!\w)", folded) for p in phrases)


def form_code(item: dict) -> str | None:
    """The form's code as people ask for it ("CT01", "số 01"), from the paper's name or its template file."""
    for text in (item.get("name"), item.get("template")):
        m = _FORM_CODE_RE.search(text or "")
        if m:
            code = m.group(2).replace(" ", "")
            return f"số {code}" if m.group(1) else code
    return None


def is_form(item: dict) -> bool:
    """The application form itself: it comes with a template, or its name starts with "Tờ khai", "Đơn" …"""
    return bool(item.get("template")) or _starts(
        fold(item.get("name")).lstrip("-+*•0123456789.) "), vocab()["form_starts"]
    )


def item_rank(item: dict) -> int:
    """0 the form, 1 a paper everyone brings, 2 one needed in some situation, 3 one whose line starts with it."""
    name = fold(item.get("name")).lstrip("-+*•0123456789.) ")
    if _starts(name, vocab()["condition_starts"]):
        return 3
    if is_form(item):
        return 0
    if _has(name, vocab()["condition_inside"]):
        return 2
    return 1


_ITEM_NUMBER_RE = re.compile(r"^\s*(?:thành phần hồ sơ\s*)?(?:\d{1,2}|[a-h])\s*[.):]", re.I)


def sort_items(items: list[dict]) -> list[dict]:
    """Papers by `item_rank` (stable: the record's order within a rank); papers the record numbers ("1. …",
    "a) …", "Thành phần hồ sơ 2: …") keep its order."""
    if sum(bool(_ITEM_NUMBER_RE.match(i.get("name") or "")) for i in items) * 2 >= len(items) > 1:
        return list(items)
    return sorted(items, key=item_rank)


def _number(label: str) -> int | None:
    m = _NUMBERED_RE.match(label or "")
    if not m:
        return None
    if m.group(1) or m.group(2):
        return int(m.group(1) or m.group(2))
    if m.group(3):
        return ord(m.group(3).lower()) - ord("a") + 1
    return _ROMAN.get(m.group(4).lower())


def order_cases(cases: list[tuple[str, list[dict]]]) -> list[tuple[str, list[dict]]]:
    """Alternatives (label, items) merged by label and ordered by the rules of the module docstring."""
    merged: dict[str, tuple[str, list[list[dict]]]] = {}
    for label, items in cases:
        key = fold(label) or f"#{len(merged)}"
        merged.setdefault(key, (label, []))[1].append(items)
    labels = [
        (label, [i for part in sorted(parts, key=lambda p: not any(map(is_form, p))) for i in part])
        for label, parts in merged.values()
    ]
    numbers = [_number(label) for label, _ in labels]
    numbered = all(n is not None for n in numbers) and len(set(numbers)) == len(numbers)
    v = vocab()

    def key(entry: tuple[int, tuple[str, list[dict]]]) -> tuple[Any, ...]:
        index, (label, items) = entry
        folded = fold(label)
        return (
            not _has(folded, v["general"]),
            _has(folded, v["special"]),
            numbers[index] if numbered else 0,
            _has(_NUMBERED_RE.sub("", folded), v["condition_words"]),  # "Trường hợp 2:" is numbering
            not any(map(is_form, items)),
            index,
        )

    return [case for _, case in sorted(enumerate(labels), key=key)]


def is_note_group(label: str, items: list[dict]) -> bool:
    """A group that only explains ("Lưu ý: …"): shown after the cases."""
    notes = vocab()["note_starts"]
    return _starts(fold(label), notes) or all(_starts(fold(i.get("name")), notes) for i in items)


def order_commons(groups: list[tuple[str, list[dict]]]) -> list[int]:
    """Indexes of the common groups (papers everyone brings) in display order: a group with the application form
    first (khai sinh's unlabelled "Tờ khai" group before "Giấy tờ phải nộp"), notes last, else the record's order."""
    return sorted(
        range(len(groups)),
        key=lambda i: (is_note_group(*groups[i]), not any(map(is_form, groups[i][1])), i),
    )
