"""What earlier askers meant: the closest questions people asked before, and the procedures they were about.

The name search and the records' texts know how the catalog words a procedure; people word it otherwise ("đi nghĩa
vụ", "xin trợ cấp cho ông ngoại là bộ đội"), and the same wording comes back from one asker to the next.
data/asked.tsv holds 12,232 questions of the spent blind sets (of conversations, the first message), each with the
codes a ward officer accepted, or "-" when the catalog does not hold what was asked. A message is compared with them
(TF-IDF over accent-folded words and word pairs, cosine) and its K closest vote, each for its first code with its
similarity.

Measured on the first 9,330 of them, leaving one set out at a time (each set against the questions of all the
others, 8,170 in the catalog, 1,160 outside it): the vote's first code is right 86 % of the time where the
reading alone answers right 62 %; reading.py settles with it what the reading leaves open (right answers 62 → 73 %).
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from sklearn.feature_extraction.text import TfidfVectorizer

from bot.settings import REPO_ROOT
from bot.vntext import fold

ASKED = REPO_ROOT / "bot" / "understanding" / "data" / "asked.tsv"
OUTSIDE = "-"  # the vote of questions about something the catalog does not hold
K = 5  # neighbours that vote (3 and 10 measured no better)
_WORD_RE = re.compile(r"[a-z0-9]+")


def _words(text: str) -> str:
    return " ".join(_WORD_RE.findall(fold(text)))


class Memory:
    def __init__(self, lines: list[tuple[str, str]]):
        """lines: (question, first code or OUTSIDE)."""
        self.codes = [code for _, code in lines]
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"[a-z0-9]+")
        self.matrix = self.vectorizer.fit_transform([_words(q) for q, _ in lines])

    def vote(self, text: str) -> tuple[tuple[str, float], ...]:
        """(code or OUTSIDE, summed similarity of the K closest questions), best first."""
        words = _words(text)
        if not words:
            return ()
        sims = (self.matrix @ self.vectorizer.transform([words]).T).toarray().ravel()
        votes: Counter = Counter()
        for j in sims.argsort()[::-1][:K]:
            if sims[j] > 0:
                votes[self.codes[j]] += float(sims[j])
        return tuple(votes.most_common())


def load_lines(path=ASKED) -> list[tuple[str, str]]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        question, codes, _ = line.split("\t")
        lines.append((question, codes.split(",")[0]))
    return lines


@functools.lru_cache(maxsize=1)
def memory() -> Memory:
    return Memory(load_lines())


@functools.lru_cache(maxsize=256)  # a message is read more than once while it is answered
def recall(text: str) -> tuple[tuple[str, float], ...]:
    return memory().vote(text)
