"""Classify what is wrong with a message before it reaches the classifier (pure, unit-tested).

The NLU pipeline and the actions both use this so they agree on what counts as bad input.
"""

from __future__ import annotations

import html
import re
import unicodedata

MAX_CHARS = 1000  # longer messages are refused politely; also bounds NLU latency
_TAG_RE = re.compile(r"<[^>]{0,200}>")
# Scripts a Vietnamese-only assistant cannot read: CJK, Hangul, Kana, Thai, Lao, Khmer, Cyrillic, Arabic, ...
_FOREIGN_SCRIPT_RE = re.compile(
    "[\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0e00-\u0eff\u1780-\u17ff"
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)

EMPTY = "empty"
NO_TEXT = "no_text"  # emoji, punctuation, stickers as text
TOO_LONG = "too_long"
FOREIGN = "foreign_script"
MARKUP_ONLY = "markup_only"


def strip_markup(text: str) -> str:
    """Drop HTML-like tags and unescape entities: what is left is what the person wrote."""
    return html.unescape(_TAG_RE.sub(" ", text))


def _has_letters_or_digits(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text)


def input_problem(text: str | None) -> str | None:
    """Return why a message cannot be understood as a question, or None when it can be tried."""
    if text is None or not text.strip():
        return EMPTY
    if len(text) > MAX_CHARS:
        return TOO_LONG
    visible = strip_markup(text)
    if not _has_letters_or_digits(visible):
        return MARKUP_ONLY if _TAG_RE.search(text) else NO_TEXT
    letters = [ch for ch in visible if unicodedata.category(ch)[0] == "L"]
    foreign = sum(1 for ch in letters if _FOREIGN_SCRIPT_RE.match(ch))
    if letters and foreign / len(letters) > 0.5:
        return FOREIGN
    return None
