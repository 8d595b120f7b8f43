"""A stated age picks among records that differ only by the age their names set ("Cấp thẻ căn cước cho người
dưới 14 tuổi" / "… từ đủ 14 tuổi trở lên"): "làm căn cước cho con 15 tuổi" is the second, and "thế còn thằng anh
16t thì sao" while on the first switches to the second.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from bot.vntext import fold

# "6 tuổi", "15 tuoi" (folded); "16t" only after a person ("thằng anh 16t"): "hết 2t" is two million đồng.
_AGE_RE = re.compile(
    r"(?<![\d.,])(\d{1,3})\s*tuoi\b"
    r"|\b(?:anh|chi|em|con|chau|be|thang|dua|ong|ba|bo|me|nguoi|no)\s+(?:[a-z]+\s+){0,2}(\d{1,2})\s*t\b"
)
MAX_AGE = 120
# The age ranges names set, as written in the catalog.
_BELOW_RE = re.compile(r"\s*dưới (\d{1,3}) tuổi", re.IGNORECASE)
_FROM_RE = re.compile(r"\s*từ đủ (\d{1,3}) tuổi trở lên", re.IGNORECASE)


def stated_age(text: str | None) -> int | None:
    """The first age the message states, if any; a bound stands for an age inside it ("dưới 14 tuổi": 13)."""
    folded = fold(text or "")
    for m in _AGE_RE.finditer(folded):
        age = int(m.group(1) or m.group(2))
        if age > MAX_AGE:
            continue
        before = folded[: m.start()].split()[-1:]
        return age - 1 if before == ["duoi"] else age + 1 if before == ["tren"] else age
    return None


def age_range(name: str) -> tuple[int, int] | None:
    """(youngest, oldest) the name admits, or None when it sets no age."""
    if m := _BELOW_RE.search(name):
        return 0, int(m.group(1)) - 1
    if m := _FROM_RE.search(name):
        return int(m.group(1)), MAX_AGE
    return None


def _without_age(name: str) -> str:
    return _FROM_RE.sub("", _BELOW_RE.sub("", name)).strip().lower()


@functools.lru_cache(maxsize=4)
def _siblings(catalog: Any) -> dict[str, list[str]]:
    """Records that set an age, by their name without it (the level phrase kept: a sibling is at the same level)."""
    groups: dict[str, list[str]] = {}
    for record in catalog:
        if age_range(record["name"]):
            groups.setdefault(_without_age(record["name"]), []).append(record["code"])
    return groups


def admits(catalog: Any, code: str, age: int) -> bool:
    """The record's name admits the age (or sets none)."""
    span = age_range((catalog.get(code) or {}).get("name") or "")
    return not span or span[0] <= age <= span[1]


def for_age(catalog: Any, code: str, age: int) -> str:
    """The record to answer for someone of this age: `code` when its name admits the age (or sets none), else its
    sibling that does; `code` when there is none."""
    if admits(catalog, code, age):
        return code
    siblings = _siblings(catalog).get(_without_age(catalog.get(code)["name"]), [])
    return next((other for other in siblings if admits(catalog, other, age)), code)
