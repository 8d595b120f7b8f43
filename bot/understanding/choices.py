"""Which of the offered procedures a typed answer picks: "cái thứ 2", "số 1", "cái cuối", a code or a name.

Pure functions over the offered list ([{"code", "name"}] in the order shown), unit-tested in
tests/procedures/test_choice.py.
"""

from __future__ import annotations

import functools
import re
from typing import Sequence

from bot.catalog.search import load_stopwords, word_pairs
from bot.understanding.topics import cue_words
from bot.vntext import fold

_ORDINAL_WORDS = {
    "nhat": 1,
    "dau tien": 1,
    "dau": 1,
    "mot": 1,
    "hai": 2,
    "nhi": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
}
_ORDINAL_TOKEN = r"(\d{1,2}|dau tien|nhat|nhi|hai|ba|bon|tu|nam|mot|dau)"
_ORDINAL_PATTERNS = (
    re.compile(r"\b(?:cai|so|muc|lua chon|phuong an|chon|thu tuc|dong|y|loai)\s+(?:thu\s+)?" + _ORDINAL_TOKEN + r"\b"),
    re.compile(r"\bthu\s+" + _ORDINAL_TOKEN + r"\b"),
    re.compile(r"\b(dau tien)\b"),
    re.compile(r"^\s*#?(\d{1,2})\s*$"),
)
_LAST_RE = re.compile(r"\b(?:cuoi cung|cuoi)\b")


def parse_ordinal(text: str | None, count: int) -> int | None:
    """0-based index chosen by "cái thứ 2", "số 1", "thủ tục đầu tiên", "cái cuối"; None if none or out of range."""
    folded = fold(text)
    folded = re.sub(r"[^\w\s#]", " ", folded)
    if _LAST_RE.search(folded):
        return count - 1 if count else None
    for pattern in _ORDINAL_PATTERNS:
        match = pattern.search(folded)
        if match:
            token = match.group(1)
            number = int(token) if token.isdigit() else _ORDINAL_WORDS[token]
            return number - 1 if 1 <= number <= count else None
    return None


@functools.lru_cache(maxsize=1)
def _stopwords():
    return load_stopwords()


def _name_words(name: str) -> set[str]:
    """Folded words of a name or answer that can tell procedures apart (question words and cues left out)."""
    stop = _stopwords()
    cues = cue_words()
    return {f for f, a in word_pairs(name) if not stop.is_stop((f, a)) and f not in cues and not f.isdigit()}


def parse_choice(text: str | None, offered: Sequence[dict[str, str]]) -> str | None:
    """Code of the offered procedure the user picked, by code, ordinal or (distinctive part of the) name.

    `offered` is [{"code", "name"}] in the order shown. Returns None when the answer is not clearly one of them.
    """
    if not text or not offered:
        return None
    for item in offered:
        if item["code"] in text:
            return item["code"]
    index = parse_ordinal(text, len(offered))
    if index is not None:
        return offered[index]["code"]
    said = _name_words(text)
    if not said:
        return None
    names = [_name_words(item["name"]) for item in offered]
    for item, words in zip(offered, names):
        if words and words == said:
            return item["code"]
    common = set.intersection(*names) if names else set()
    scores = []
    for words in names:
        distinct = words - common
        scores.append(len(said & distinct) - 0.5 * len(said - words))
    best = max(scores)
    if best <= 0 or scores.count(best) > 1:
        return None
    return offered[scores.index(best)]["code"]
