"""Procedures of two ministries that mean the same thing to a citizen (issue 15, point 4).

After the 2025 reorganisation the portal publishes some procedures twice, under the old and the new ministry, with
different codes (social insurance benefits under Bộ Tài chính in raw/ and under Bộ Nội vụ in the portal's current
data), and several ministries run the same procedure for their own people (health insurance cards, clinic licences
under Bộ Y tế and Bộ Quốc phòng / Bộ Công an). When a question matches one of them, the conversation should offer
all of them with the ministry shown rather than pick one silently.

Two records overlap when their ministries differ and either
- their base names are equal (lower case, no accents, without "thủ tục", the level phrase and (...) qualifiers), or
- data/overlaps.tsv pairs them (same benefit, different wording: "chế độ ốm đau" / "trợ cấp ốm đau").
`find_overlaps(records)` returns {code: [codes of the same procedure under other ministries]}, symmetric.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.vntext import fold

CURATED_FILE = Path(__file__).with_name("data") / "overlaps.tsv"
_QUALIFIER_RE = re.compile(r"\([^)]*\)")
_LEADING_RE = re.compile(r"^(?:thu tuc|giai quyet)\s+")


def base_name(name: str) -> str:
    text = fold(_QUALIFIER_RE.sub(" ", name or ""))
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    while _LEADING_RE.match(text):
        text = _LEADING_RE.sub("", text)
    return text


_CODE_RE = re.compile(r"^\d+\.\d+$")


def curated_pairs(path: Path = CURATED_FILE) -> list[tuple[str, str]]:
    """Every pair of codes on each line (columns: codes…, then what they are)."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            codes = [c.strip() for c in line.split("\t") if _CODE_RE.match(c.strip())]
            pairs += [(a, b) for i, a in enumerate(codes) for b in codes[i + 1 :]]
    return pairs


def find_overlaps(records: list[dict], curated: list[tuple[str, str]] | None = None) -> dict[str, list[str]]:
    by_code = {r["code"]: r for r in records}
    links: dict[str, set[str]] = {}

    def link(a: str, b: str) -> None:
        ra, rb = by_code.get(a), by_code.get(b)
        if a == b or ra is None or rb is None or not ra.get("ministry") or ra.get("ministry") == rb.get("ministry"):
            return
        links.setdefault(a, set()).add(b)
        links.setdefault(b, set()).add(a)

    groups: dict[str, list[str]] = {}
    for r in records:
        key = base_name(r["name"])
        if key:
            groups.setdefault(key, []).append(r["code"])
    for codes in groups.values():
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                link(a, b)
    for a, b in curated if curated is not None else curated_pairs():
        link(a, b)
    return {code: sorted(others) for code, others in sorted(links.items())}
