"""Words of ordinary Vietnamese in the catalog's own text: `python -m bot.understanding.general_words` rewrites
data/general_words.txt from the shipped catalog.

A rare word of a question that no procedure name explains can mean the question is about another procedure
("mai táng", "karaoke"). But a word that one record in ten uses somewhere in its documents, steps or conditions
("ghi", "lĩnh", "bước", "mẫu") is ordinary language, not the name of something the catalog lacks. Counting takes
about 20 s over 2,894 records, so the list is written once, after the catalog changes, and read at start.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator

from bot.catalog.search import word_pairs
from bot.vntext import fold, has_diacritics

GENERAL_WORDS_FILE = Path(__file__).with_name("data") / "general_words.txt"
# Share of records whose text (name and raw source left out) uses a word or a word pair.
GENERAL_SHARE = 0.1
_SKIPPED = ("name", "raw", "short_name", "keywords")


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)


def count(records: Iterable[dict]) -> list[str]:
    """Words and word pairs ("a_b"), as written, used by at least GENERAL_SHARE of the records' texts, sorted."""
    seen: Counter[str] = Counter()
    n = 0
    for record in records:
        n += 1
        words = [w for _, w in word_pairs(" ".join(_texts({k: v for k, v in record.items() if k not in _SKIPPED})))]
        seen.update(set(words) | {f"{a}_{b}" for a, b in zip(words, words[1:])})
    return sorted(w for w, c in seen.items() if c >= GENERAL_SHARE * n)


@functools.lru_cache(maxsize=1)
def _general() -> tuple[frozenset[str], frozenset[str]]:
    """(as written, folded)."""
    if not GENERAL_WORDS_FILE.exists():
        return frozenset(), frozenset()
    lines = GENERAL_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    words = frozenset(w for w in lines if w and not w.startswith("#"))
    return words, frozenset(fold(w) for w in words)


def is_general(folded: str, typed: str) -> bool:
    """A word or pair ("a_b") is ordinary language: as typed when typed with diacritics ("dược" is not
    "được"), folded when typed without."""
    written, folded_words = _general()
    return typed in written if has_diacritics(typed) else folded in folded_words


def render(words: list[str]) -> str:
    header = f"# Written by `python -m bot.understanding.general_words` from the catalog (share ≥ {GENERAL_SHARE}).\n"
    return header + "".join(f"{w}\n" for w in words)


def main() -> None:
    from bot.catalog import load_catalog

    words = count(load_catalog())
    GENERAL_WORDS_FILE.write_text(render(words), encoding="utf-8")
    print(f"{len(words)} general words and pairs -> {GENERAL_WORDS_FILE}")


if __name__ == "__main__":
    main()
