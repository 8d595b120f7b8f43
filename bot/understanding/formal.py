"""Questions that quote a procedure's official name (portal style): the quoted qualifier and level decide.

Near-identical records differ by a level ("(cấp tỉnh)", "thuộc thẩm quyền của UBND cấp xã") or a qualifier
("loại III", "(đối với giống bố mẹ)"). The search scores names without their level phrase and prefers the
commune level for citizens; a question that quotes a whole name is better served by how much of each full
name, level and qualifiers included, it contains.
"""

from __future__ import annotations

import re
from typing import Any

from bot.catalog.search import Hit, tokens

# Share of a full name's words the question must contain to count as quoting it.
QUOTE_COVERAGE = 0.75
# Hits this close to the best are re-ranked by how fully the question quotes them.
QUOTE_WINDOW = 0.3
_LEVELS = {"xa": "Cấp xã", "tinh": "Cấp tỉnh", "bo": "Cấp bộ", "trung uong": "Cấp bộ"}
_LEVEL_RE = re.compile(r"\b(?:cap|tai|thuoc|cua|o)\s+(xa|tinh|bo|trung uong)\b")


def levels_named(question: str) -> set[str]:
    """Levels a question names ("cấp tỉnh", "tại cấp xã", "(cấp Bộ)", "UBND cấp xã")."""
    return {_LEVELS[m] for m in _LEVEL_RE.findall(" ".join(tokens(question)))}


def coverage(question_words: set[str], name: str) -> tuple[float, int]:
    """(share of the name's distinct words found in the question, how many of its words are not there)."""
    words = set(tokens(name))
    if not words:
        return 0.0, 0
    missing = len(words - question_words)
    return 1 - missing / len(words), missing


def rerank(catalog: Any, question: str, hits: list[Hit]) -> tuple[list[Hit], bool]:
    """Hits re-ordered when the question quotes one of the close ones almost whole, and whether the quote
    decides (the first is quoted more fully, or at the level named, than every other)."""
    if len(hits) < 2:
        return hits, False
    said = set(tokens(question))
    close = [h for h in hits if hits[0].score - h.score <= QUOTE_WINDOW]
    quoted = {h.code: coverage(said, h.name) for h in close}
    if max(c for c, _ in quoted.values()) < QUOTE_COVERAGE:
        return hits, False
    levels = levels_named(question)

    def level_fit(h: Hit) -> int:
        record = catalog.get(h.code) or {}
        return int(bool(levels & set(record.get("levels") or []))) if levels else 0

    def key(h: Hit) -> tuple:
        return -level_fit(h), -round(quoted[h.code][0], 3), quoted[h.code][1]

    ordered = sorted(close, key=lambda h: (*key(h), -h.score))
    top = ordered[0]
    decided = len(ordered) == 1 or key(top) < key(ordered[1])
    lifted = Hit(top.code, top.name, max(h.score for h in close))
    return [lifted] + [h for h in hits if h.code != top.code], decided
