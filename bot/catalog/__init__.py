"""Procedure catalog: the cleaned national procedure records shipped in data/catalog.jsonl.gz and a search index.

    from bot.catalog import load_catalog
    cat = load_catalog()                 # cached; the first call reads the file and builds the index
    cat.get("1.001193")                  # record dict or None
    hits = cat.search("làm giấy khai sinh cần gì", limit=5)   # [Hit(code, name, score)], best first
    cat.ambiguous(hits)                  # close alternatives worth asking the user about, or []
    cat.overlaps("1.001667")             # the same procedure under other ministries: ["1.014163"]
    cat.with_overlaps(["1.001667"])      # choices to offer, overlaps after each: ["1.001667", "1.014163"]
    cat.texts.rank(terms)                # records whose own texts fit a described situation (situations.py)

Rebuild the data file with `python -m bot.catalog import` (see bot/catalog/importer.py). A province's own
procedures, added with `python -m bot.catalog add`, live in var/catalog/local.jsonl (bot/catalog/local.py) and
are merged in by load_catalog() (not when a path is given).
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Iterator

from bot.catalog import names
from bot.catalog.search import AMBIGUITY_MARGIN, MIN_SCORE, Hit, SearchIndex, ambiguous
from bot.catalog.situations import TextIndex

DEFAULT_PATH = Path(__file__).with_name("data") / "catalog.jsonl.gz"

__all__ = ["Catalog", "Hit", "load_catalog", "read_records", "MIN_SCORE", "AMBIGUITY_MARGIN"]


def read_records(path: Path | str = DEFAULT_PATH) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class Catalog:
    def __init__(self, records: list[dict]):
        self._records = records
        self._by_code = {r["code"]: r for r in records}
        names.assign(records)  # record["short_name"]: distinct within a field (bot/catalog/names.py)
        self.index = SearchIndex(records)

    @functools.cached_property
    def texts(self) -> TextIndex:
        """Built on first use (about 2 s on the full catalog): only reading a question needs it."""
        return TextIndex(self._records)

    def get(self, code: str) -> dict | None:
        return self._by_code.get((code or "").strip())

    def search(self, query: str, limit: int = 5, min_score: float = MIN_SCORE) -> list[Hit]:
        return self.index.search(query, limit=limit, min_score=min_score)

    def overlaps(self, code: str) -> list[str]:
        """Codes of the same procedure published by other ministries (record["ministry"] tells them apart)."""
        record = self.get(code)
        return [c for c in (record or {}).get("overlaps") or [] if c in self._by_code]

    def with_overlaps(self, codes: list[str]) -> list[str]:
        """`codes` with each one's overlaps right after it, once each: what to offer when a question matches a
        procedure that another ministry also publishes."""
        out: list[str] = []
        for code in codes:
            for c in [code, *self.overlaps(code)]:
                if c not in out:
                    out.append(c)
        return out

    def ambiguous(self, hits: list[Hit], margin: float = AMBIGUITY_MARGIN) -> list[Hit]:
        """Close alternatives to hits[0] (itself included) when the user should choose; [] for a clear winner."""
        return ambiguous(hits, self.index, margin)

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[dict]:
        return iter(self._records)


@functools.lru_cache(maxsize=4)
def _load(path: str, local: str | None) -> Catalog:
    records = read_records(path)
    if local:
        from bot.catalog.local import merge, read_local

        records = merge(records, read_local(Path(local)))
    return Catalog(records)


def load_catalog(path: Path | str | None = None) -> Catalog:
    """The catalog at `path`, loaded once per path; by default the shipped file plus the local additions."""
    if path:
        return _load(str(Path(path)), None)
    from bot.catalog.local import local_path

    return _load(str(DEFAULT_PATH), str(local_path()))
