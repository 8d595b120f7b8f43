"""Decide which procedure a message is about: keep the current one, switch, offer choices, or nothing found.

Pure given a catalog object (bot.catalog.Catalog or anything with .search(text, limit) ->
[Hit(.code, .name, .score)], .get(code) and optionally .ambiguous(hits)); tested in tests/procedures/test_resolve.py with the real shipped catalog.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from actions.procedure_format import MAX_CHOICES, content_words, is_payload

ANSWER, CHOOSE, NOT_FOUND, ASK_WHICH = "answer", "choose", "not_found", "ask_which"
# Without a catalog-provided verdict: hits within this fraction of the best score are "close".
CLOSE_RATIO = 0.85
# With a current procedure, a message switches to another one only on a clear hit at least this good, and
# offers choices only when the best alternatives are this strong (catalog scores: ~1.0 for an exact name,
# ~0.85 for a close paraphrase; aliases get +0.25). Weaker matches are follow-ups about the current one.
SWITCH_SCORE = 0.75
CHOOSE_SCORE = 0.9
# With a current procedure, a message that names no procedure the search can find and has at most this many
# other words is a follow-up ("đăng ký ở phường nơi vợ hay nơi chồng cũng được hả"); the answer names the
# procedure it is about, so a wrong guess is visible.
FOLLOW_UP_WORDS = 8


@dataclass
class Resolution:
    kind: str  # ANSWER / CHOOSE / NOT_FOUND / ASK_WHICH
    code: str | None = None
    hits: list[Any] = field(default_factory=list)


def close_hits(catalog: Any, hits: Sequence[Any]) -> list[Any]:
    """The best hit plus the alternatives too close to tell apart (one element = a clear winner).

    Uses the catalog's verdict (`catalog.ambiguous(hits)`: close alternatives, [] for a clear winner; level
    variants of one procedure are not alternatives), else plain score ratios.
    """
    if not hits:
        return []
    verdict = getattr(catalog, "ambiguous", None)
    if callable(verdict):
        return list(verdict(list(hits))) or [hits[0]]
    top = hits[0].score
    return [h for h in hits if top <= 0 or h.score >= top * CLOSE_RATIO]


def resolve(catalog: Any, text: str | None, current_code: str | None) -> Resolution:
    """What the message refers to, given the procedure the conversation is about (may be None).

    A follow-up without procedure words ("còn lệ phí thì sao") stays on the current procedure; a message
    naming another procedure switches only when the search has a clear winner.
    """
    words = [] if is_payload(text) else content_words(text)
    if not words:
        return Resolution(ANSWER, current_code) if current_code else Resolution(ASK_WHICH)
    # The catalog search reads accents, aliases and question words itself: give it the text as typed.
    hits = list(catalog.search(text or "", limit=MAX_CHOICES))
    if not hits:
        if current_code and len(words) <= FOLLOW_UP_WORDS:
            return Resolution(ANSWER, current_code)
        return Resolution(NOT_FOUND)
    group = close_hits(catalog, hits)
    if current_code:
        if current_code in [h.code for h in group]:
            return Resolution(ANSWER, current_code)
        if len(group) == 1 and group[0].score >= SWITCH_SCORE:
            return Resolution(ANSWER, group[0].code, group)
        if len(group) > 1 and group[0].score >= CHOOSE_SCORE:
            return Resolution(CHOOSE, None, group[:MAX_CHOICES])
        return Resolution(ANSWER, current_code)
    if len(group) == 1:
        return Resolution(ANSWER, group[0].code, group)
    return Resolution(CHOOSE, None, group[:MAX_CHOICES])
