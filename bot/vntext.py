"""Vietnamese text normalisation shared by the NLU pipeline, the catalog search and the actions.

normalize(): NFC, one tone-mark placement (classic style: hòa, thủy, khỏe), lower case, single spaces,
common abbreviations and teencode expanded (ko -> không, dc -> được, hs -> hồ sơ ...).
fold(): normalize() with diacritics removed and đ -> d, for accent-insensitive matching.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

_ABBREVIATIONS_FILE = Path(__file__).with_name("data") / "abbreviations.tsv"

# Combining marks of the five Vietnamese tones (after NFD).
_TONE_MARKS = {"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}
# Vowels (already stripped of tone, NFC) and the ones carrying a shape mark.
_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")


def _split_tone(syllable: str) -> tuple[str, str | None]:
    """Return the syllable without its tone mark (NFC) and the tone mark, if any."""
    tone = None
    chars = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONE_MARKS:
            tone = ch
        else:
            chars.append(ch)
    return unicodedata.normalize("NFC", "".join(chars)), tone


def _tone_position(base: str) -> int | None:
    """Index in `base` (lower case, toneless) of the vowel that carries the tone, classic style."""
    lower = base.lower()
    start = 0
    # "qu" and "gi" + vowel: the u / i belongs to the consonant.
    if lower.startswith("qu") and len(lower) > 2 and lower[2] in _VOWELS:
        start = 2
    elif lower.startswith("gi") and len(lower) > 2 and lower[2] in _VOWELS:
        start = 2
    i = start
    while i < len(lower) and lower[i] not in _VOWELS:
        i += 1
    first = i
    while i < len(lower) and lower[i] in _VOWELS:
        i += 1
    last = i  # one past the vowel cluster
    if first == last:
        # "gì", "gìn": only the i of "gi" is a vowel.
        if start == 2 and lower[1] == "i":
            return 1
        return None
    cluster = range(first, last)
    marked = [j for j in cluster if lower[j] in _MARKED_VOWELS]
    if marked:
        return marked[-1]  # ươ -> ơ; otherwise the single marked vowel
    if last < len(lower):  # closed syllable: toán, thuyết -> last vowel
        return last - 1
    if last - first >= 3:  # open, three vowels: khuỷu, ngoài -> middle
        return first + 1
    return first  # open: hòa, thủy, mùa


@functools.lru_cache(maxsize=1 << 16)  # a few thousand syllables make up every text; this runs for each word
def _place_tone(syllable: str) -> str:
    base, tone = _split_tone(syllable)
    if tone is None:
        return syllable
    pos = _tone_position(base)
    if pos is None:
        return syllable
    return unicodedata.normalize("NFC", base[:pos] + base[pos] + tone + base[pos + 1 :])


def canonical_tones(text: str) -> str:
    """NFC with every syllable's tone mark on the same vowel (hoà -> hòa, thuỷ -> thủy)."""
    text = unicodedata.normalize("NFC", text)
    return _WORD_RE.sub(lambda m: _place_tone(m.group(0)), text)


@functools.lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """Abbreviation -> expansion, keys in lower case; from bot/data/abbreviations.tsv."""
    table = {}
    for line in _ABBREVIATIONS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        short, _, full = line.partition("\t")
        table[canonical_tones(short.strip().lower())] = canonical_tones(full.strip().lower())
    return table


def expand_abbreviations(text: str) -> str:
    table = abbreviations()
    return _WORD_RE.sub(lambda m: table.get(m.group(0), m.group(0)), text)


@functools.lru_cache(maxsize=1 << 14)
def normalize(text: str | None) -> str:
    """Canonical form of what a person typed: NFC, one tone placement, lower case, abbreviations expanded."""
    if not text:
        return ""
    text = canonical_tones(text).lower()
    text = _SPACE_RE.sub(" ", text).strip()
    return expand_abbreviations(text)


@functools.lru_cache(maxsize=None)  # one entry per distinct character ever seen
def _bare(ch: str) -> str:
    """A character's NFD form without its combining marks."""
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1 << 14)  # loading the catalog strips the same names and words many times
def strip_diacritics(text: str) -> str:
    """Remove every diacritic and map đ/Đ to d/D (Unicode does not decompose đ). Character by character, which is
    the same as decomposing the whole text: only combining marks are dropped, and reordering moves only those."""
    text = text.replace("đ", "d").replace("Đ", "D")
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", "".join(map(_bare, text)))


def fold(text: str | None) -> str:
    """normalize() without diacritics: the form used for accent-insensitive matching."""
    return strip_diacritics(normalize(text))


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != text
