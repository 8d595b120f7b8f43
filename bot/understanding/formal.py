"""Questions that quote a procedure's official name (portal style): the quoted qualifier and level decide.

Near-identical records differ by a level ("(cấp tỉnh)", "tại Phòng Quản lý xuất nhập cảnh Công an tỉnh"), a
qualifier ("loại III", "(đối với giống bố mẹ)", "cấp đặc biệt, cấp I, cấp II") or an action ("cấp lại" / "cấp").
The search scores names without their level phrase, expands aliases and prefers the commune level for citizens,
so a question that quotes a long name almost whole is matched here against every record's full name instead:
the record whose name it quotes, with no word of a rival's name that this one lacks, wins.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from bot.catalog.search import Hit, tokens
from bot.vntext import fold

# Share of a name's distinct words the question must contain to count as quoting it (to decide / to compete).
QUOTE_COVERAGE = 0.75
RIVAL_COVERAGE = 0.6
# A quote is said in one piece: the longest run of the name's words in the question's order, as a share of the
# name (whole or without brackets). Everyday questions share a long name's words scattered ("công ty … xin giấy
# phép … lần đầu") and are left to the search.
QUOTE_RUN = 0.6
# The frame of a level phrase ("(thực hiện tại cấp tỉnh)"): only the level itself tells records apart, and a
# formal question says "thực hiện" of anything ("cơ quan thực hiện", "do Cục … thực hiện").
_LEVEL_FRAME = {"thuc", "hien", "tai", "o", "cap"}
# A quote decides on its own (whatever the search ranked first) from this share of a name's words.
QUOTE_SURE = 0.9
# Names shorter than this (distinct words; the name without its brackets counts only when it is this long too)
# are said in everyday questions ("cấp thẻ bảo hiểm y tế"), not quoted.
QUOTE_MIN_WORDS = 7
# Hits this close to the best are re-ranked by how fully the question quotes them.
QUOTE_WINDOW = 0.3
_LEVELS = {"xa": "Cấp xã", "tinh": "Cấp tỉnh", "bo": "Cấp bộ", "trung uong": "Cấp bộ"}
_LEVEL_RE = re.compile(r"\b(?:cap|tai|thuoc|cua|o)\s+(xa|tinh|bo|trung uong)\b")
_BRACKETS_RE = re.compile(r"\([^()]*\)")


def _level_phrases(question: str) -> list[str]:
    """The level words a question says ("tinh" of "cấp tỉnh", "trung uong" of "tại cấp trung ương")."""
    return _LEVEL_RE.findall(" ".join(tokens(question)))


def levels_named(question: str) -> set[str]:
    """Levels a question names ("cấp tỉnh", "tại cấp xã", "(cấp Bộ)", "UBND cấp xã")."""
    return {_LEVELS[m] for m in _level_phrases(question)}


def coverage(question_words: set[str], name: str) -> tuple[float, int]:
    """(share of the name's distinct words found in the question, how many of its words are not there)."""
    words = set(tokens(name))
    if not words:
        return 0.0, 0
    missing = len(words - question_words)
    return 1 - missing / len(words), missing


@dataclass
class Quote:
    code: str
    name: str
    coverage: float
    missing: int
    foreign: int  # naming words of the question a rival's name has and this one lacks, or this one excludes
    level: int  # 1 when the record is at a level the question names
    long: bool  # the quoted form of the name is long enough to decide alone


_NEGATED_RE = re.compile(r"\bkhong (?:phai |thuoc |co )?(?:la )?([a-z0-9 ]+)")
# A name's own exclusions: "(trừ cơ sở … theo yêu cầu của nước nhập khẩu)".
_EXCLUDED_RE = re.compile(r"\(tru ([^)]*)\)")


def negated(question: str) -> set[str]:
    """Words a question says a record is not ("(không thuộc giai đoạn chuyển tiếp)"), up to the clause's end."""
    folded = fold(question)
    return {w for m in _NEGATED_RE.finditer(folded) for w in m.group(1).split()}


class QuotedNames:
    """Every record's name as a set of folded words, whole and without its bracketed parts (a question may
    quote "Cấp giấy phép xây dựng mới công trình cấp đặc biệt, cấp I, cấp II" and leave out the brackets)."""

    def __init__(self, records: Any):
        self.codes = [r["code"] for r in records]
        self.names = [r["name"] for r in records]
        self.levels = [set(r.get("levels") or []) for r in records]
        self.words = [set(tokens(n)) for n in self.names]
        self.excluded = [_excluded(n) for n in self.names]
        # Coverage leaves out the level frame: "cấp", "tại" of "(thực hiện tại cấp tỉnh)" quote nothing.
        fulls = [w - _LEVEL_FRAME for w in self.words]
        cores = [set(tokens(_BRACKETS_RE.sub(" ", n))) - _LEVEL_FRAME for n in self.names]
        vocab = {w: i for i, w in enumerate(sorted(set().union(*fulls)))}
        self.vocab = vocab
        self.full = self._matrix(fulls, vocab)
        self.core = self._matrix(cores, vocab)
        self.full_len = np.array([max(len(w), 1) for w in fulls], dtype=float)
        self.core_len = np.array([max(len(w), 1) for w in cores], dtype=float)

    @staticmethod
    def _matrix(rows: list[set[str]], vocab: dict[str, int]) -> sparse.csc_matrix:
        data = [(i, vocab[w]) for i, words in enumerate(rows) for w in words if w in vocab]
        r, c = zip(*data) if data else ((), ())
        return sparse.csc_matrix((np.ones(len(data)), (r, c)), shape=(len(rows), len(vocab)))

    def quoted(self, question: str, naming: set[str]) -> list[Quote]:
        """Records whose name the question quotes (≥ QUOTE_COVERAGE of it), best first: at the level named, then
        the fewest naming words of the question (not "thủ tục", "hồ sơ": those ask) that only a rival's name
        has, then the most of the name quoted. Short names compete but only a long one decides (`long`)."""
        said = set(tokens(question))
        cols = [self.vocab[w] for w in said if w in self.vocab]
        if len(cols) < QUOTE_MIN_WORDS:
            return []
        full = np.asarray(self.full[:, cols].sum(axis=1)).ravel() / self.full_len
        core = np.asarray(self.core[:, cols].sum(axis=1)).ravel() / self.core_len
        share = np.maximum(full, core)
        found = np.flatnonzero(share >= RIVAL_COVERAGE)
        if not len(found):
            return []
        phrases = _level_phrases(question)
        levels = {_LEVELS[m] for m in phrases}
        level_words = {w for m in phrases for w in m.split()}
        no = negated(question)
        rivals = set().union(*(self.words[i] for i in found)) & ((naming - _LEVEL_FRAME) | level_words)
        quotes = []
        for i in found:
            words = self.words[i]
            contradicted = no & words if "khong" not in words else set()
            contradicted |= self.excluded[i] & (said - no)
            long = (full[i] >= QUOTE_COVERAGE and self.full_len[i] >= QUOTE_MIN_WORDS) or (
                core[i] >= QUOTE_COVERAGE and self.core_len[i] >= QUOTE_MIN_WORDS
            )
            quotes.append(
                Quote(
                    self.codes[i],
                    self.names[i],
                    round(float(share[i]), 3),
                    len(words - said),
                    len(rivals - words) + len(contradicted),
                    int(bool(levels & self.levels[i])),
                    bool(long),
                )
            )
        return sorted(quotes, key=_order)


def said_in_one_piece(question: str, name: str) -> bool:
    """The question holds a run of at least QUOTE_RUN of the name's words, in order (whole or brackets left out)."""
    said = tokens(question)
    return any(
        _longest_run(said, form) >= QUOTE_RUN * len(form)
        for form in (tokens(name), tokens(_BRACKETS_RE.sub(" ", name)))
        if form
    )


def _longest_run(a: list[str], b: list[str]) -> int:
    best, prev = 0, [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _excluded(name: str) -> set[str]:
    """Words only a name's "(trừ …)" part has: a question saying them is about another record."""
    folded = fold(name)
    out = {w for m in _EXCLUDED_RE.finditer(folded) for w in m.group(1).split()}
    return out - set(tokens(_EXCLUDED_RE.sub(" ", folded)))


def _order(q: Quote) -> tuple:
    return -q.level, q.foreign, -q.coverage, q.missing


@functools.lru_cache(maxsize=4)
def quoted_names(catalog: Any) -> QuotedNames:
    return QuotedNames(list(catalog))


def rerank(catalog: Any, question: str, hits: list[Hit], naming: set[str]) -> tuple[list[Hit], bool]:
    """Hits re-ordered when the question quotes a record's long name almost whole, and whether the quote
    decides (the first is at the level named, or quoted with fewer rival words, or more fully, than every
    other). `naming`: the question's words that can name a procedure (folded, question words left out)."""
    quotes = quoted_names(catalog).quoted(question, naming)
    shown = {h.code for h in hits}
    # `long` holds only where the whole name or its bracket-less form is quoted ≥ QUOTE_COVERAGE.
    if quotes and quotes[0].long and said_in_one_piece(question, quotes[0].name):
        top = quotes[0]
        decided = len(quotes) == 1 or _order(top) < _order(quotes[1])
        # A near whole quote decides over the search; a looser one puts first a record the search found
        # too, and the reading's doubts still apply (a question may share most of a name and ask another thing).
        if decided and (top.coverage >= QUOTE_SURE or top.code in shown):
            lifted = Hit(top.code, top.name, max([h.score for h in hits] + [1.0]))
            return [lifted] + [h for h in hits if h.code != top.code], top.coverage >= QUOTE_SURE
    return _rerank_close(catalog, question, hits)


def _rerank_close(catalog: Any, question: str, hits: list[Hit]) -> tuple[list[Hit], bool]:
    """Among hits close to the best, the one quoted most fully (at the level named) when it is quoted at all."""
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
