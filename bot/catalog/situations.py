"""Which records a described situation fits: BM25 over each record's own texts.

The name search (search.py) scores a question by the share of its words a record's name explains, so a story
("đoàn sinh viên nước ngoài muốn lên tham quan tàu huấn luyện neo ở cảng…") scores low against every name even
when one fits it well. This index ranks records by the question's words found anywhere in what the record says of
itself: its name (weighted), field, applicants, conditions, document cases and items, results and agency. It is
a second opinion, never the only one: reading.py answers on it only where this ranking has a clear winner among
the name search's first three; where the name search has nothing, that winner is only offered ("Có phải…?").

Measured on the spent blind sets (2,327 in-catalog questions, 327 outside it): its top record is right 70 % of the
time on supplement questions where the name search's top is right 65 %; where both agree they are right 91-95 %.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from scipy import sparse

from bot.vntext import strip_diacritics

NAME_WEIGHT = 4  # the name counted this many times: what a record is called says more than its paperwork
K1 = 1.2  # BM25 term-frequency saturation and length normalisation (the usual defaults; 0.8/0.5 measured no better)
B = 0.75
AGENCY_WORD_RECORDS = 20  # a word in this many records' agency names an office ("ủy ban", "phường"), not a procedure
_TOKEN_RE = re.compile(r"[a-z0-9]+")


def record_text(record: dict) -> str:
    parts = [record.get("name") or ""] * NAME_WEIGHT
    parts += [record.get(k) or "" for k in ("field", "applicants", "conditions", "agency")]
    for group in record.get("documents") or []:
        parts.append(group.get("case") or "")
        parts += [item.get("name") or "" for item in group.get("items") or []]
    parts += record.get("results") or []
    return " ".join(p for p in parts if isinstance(p, str))


def terms(text: str) -> list[str]:
    """Folded words and word pairs, the same shape as SearchIndex.query_terms' terms."""
    words = _TOKEN_RE.findall(strip_diacritics(text.lower()))
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:])]


class TextIndex:
    def __init__(self, records: list[dict]):
        self.codes = [r["code"] for r in records]
        agency = Counter(t for r in records for t in set(terms(r.get("agency") or "")))
        self.agency_words = {t for t, n in agency.items() if n >= AGENCY_WORD_RECORDS}
        counts = [Counter(terms(record_text(r))) for r in records]
        lengths = np.array([sum(c.values()) for c in counts], dtype=float)
        average = lengths.mean() if len(lengths) else 1.0
        df: Counter = Counter(t for c in counts for t in c)
        n = len(records)
        idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.vocab: dict[str, int] = {}
        rows, cols, data = [], [], []
        for j, c in enumerate(counts):
            norm = K1 * (1 - B + B * lengths[j] / average)
            for t, tf in c.items():
                rows.append(self.vocab.setdefault(t, len(self.vocab)))
                cols.append(j)
                data.append(idf[t] * tf * (K1 + 1) / (tf + norm))
        self.matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(self.vocab), n))
        self.column = {code: j for j, code in enumerate(self.codes)}

    def says(self, code: str, term: str) -> bool:
        """Whether the record's texts (record_text) contain the term."""
        row = self.vocab.get(term)
        return row is not None and self.matrix[row, self.column[code]] != 0

    def rank(self, query_terms: set[str], limit: int = 3) -> list[tuple[str, float]]:
        """(code, score) best first, for the question's naming terms (SearchIndex.query_terms)."""
        ids = [self.vocab[t] for t in query_terms if t in self.vocab]
        if not ids:
            return []
        scores = np.asarray(self.matrix[ids].sum(axis=0)).ravel()
        top = np.argsort(-scores, kind="stable")[:limit]
        return [(self.codes[i], float(scores[i])) for i in top if scores[i] > 0]
