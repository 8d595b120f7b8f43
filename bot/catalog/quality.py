"""Quality report of the catalog: per source and per ministry, how many records have each field structured, kept
as raw text, or empty. Computed from the cleaned records (parse.field_status), so it describes what is shipped.

Run: python -m bot.catalog report [--catalog FILE]   (markdown, the README's "Catalog quality" tables)
"""

from __future__ import annotations

from collections import Counter

from bot.catalog.parse import EMPTY, RAW, REPORT_FIELDS, STRUCTURED, field_status

SOURCE_NAMES = {
    "portal_page": "raw/ (portal pages)",
    "bqp_word": "supplements/bqp (Word export)",
    "portal_api": "supplements/portal-api (portal API)",
}


def _cell(c: Counter) -> str:
    return f"{c[STRUCTURED]} / {c[RAW]} / {c[EMPTY]}"


def _table(records: list[dict], key: str, title: str, names: dict | None = None) -> list[str]:
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(r.get(key) or "?", []).append(r)
    fields = list(REPORT_FIELDS)
    lines = [f"| {title} | records | " + " | ".join(fields) + " |", "|---|---:|" + "---:|" * len(fields)]
    for name in sorted(groups, key=lambda g: (-len(groups[g]), g)):
        rs = groups[name]
        cells = [_cell(Counter(field_status(r, f) for r in rs)) for f in fields]
        lines.append(f"| {(names or {}).get(name, name)} | {len(rs)} | " + " | ".join(cells) + " |")
    return lines


def report_markdown(records: list[dict]) -> str:
    """Two tables (per source, per ministry); each cell is structured / kept as raw text / empty."""
    out = [f"{len(records)} records; each cell: structured / kept as raw text / empty.", ""]
    out += _table(records, "source", "source", SOURCE_NAMES)
    out += [""]
    out += _table(records, "ministry", "ministry")
    return "\n".join(out) + "\n"
