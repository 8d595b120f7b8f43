"""Build bot/catalog/data/catalog.jsonl.gz from every source and print a quality report.

Run: python -m bot.catalog import [--raw DIR] [--supplements DIR] [--out FILE]
Sources (bot.catalog.sources, one importer per format):
  raw/<ministry>/<code>.json      flattened portal pages      ($CATALOG_RAW_DIR or <repo>/../shared/data/procedures/raw)
  supplements/bqp/<code>.json     Word-export JSON, Bộ Quốc phòng  (default: the raw directory's sibling supplements/)
  supplements/portal-api/*.json   portal API detail JSON
Output is byte-reproducible: records sorted by code, fixed JSON formatting, gzip mtime=0.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

from bot.catalog import sources
from bot.catalog.overlaps import find_overlaps
from bot.catalog.quality import report_markdown

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = Path(__file__).with_name("data") / "catalog.jsonl.gz"
# Folders of the supplements directory and their format.
SUPPLEMENT_DIRS = [("bqp", "bqp_word"), ("portal-api", "portal_api")]


def default_raw_dir() -> Path:
    env = os.environ.get("CATALOG_RAW_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data" / "procedures" / "raw"


def default_supplements_dir(raw_dir: Path) -> Path:
    env = os.environ.get("CATALOG_SUPPLEMENTS_DIR")
    return Path(env) if env else raw_dir.parent / "supplements"


def source_files(raw_dir: Path, supplements_dir: Path | None) -> list[tuple[Path, str, str | None]]:
    """(file, format, ministry hint) of every source record, in a fixed order."""
    dirs = sources.vocab()["ministry_dirs"]
    files = [(p, "portal_page", dirs.get(p.parent.name)) for p in sorted(raw_dir.glob("*/*.json"))]
    if not files:
        raise FileNotFoundError(f"no raw records under {raw_dir}")
    if supplements_dir is not None and supplements_dir.is_dir():
        for folder, fmt in SUPPLEMENT_DIRS:
            files += [(p, fmt, dirs.get(folder)) for p in sorted((supplements_dir / folder).glob("*.json"))]
    return files


def build(raw_dir: Path, supplements_dir: Path | None = None) -> list[dict]:
    """Parse every source record; records sorted by code, each with the codes it overlaps."""
    records: dict[str, dict] = {}
    for path, fmt, ministry in source_files(raw_dir, supplements_dir):
        obj = json.loads(path.read_text(encoding="utf-8"))
        found = sources.detect(obj)
        if found != fmt:
            raise ValueError(f"{path}: expected the {fmt} format, found {found}")
        record, _ = sources.parse(obj, fmt, ministry)
        if record["code"] in records:
            raise ValueError(f"{path}: code {record['code']} already imported from another file")
        records[record["code"]] = record
    ordered = [records[c] for c in sorted(records)]
    link_overlaps(ordered)
    return ordered


def link_overlaps(records: list[dict]) -> None:
    overlaps = find_overlaps(records)
    for r in records:
        r["overlaps"] = overlaps.get(r["code"], [])


def serialize(records: list[dict]) -> bytes:
    """gzip of one JSON object per line; mtime=0 and no file name so the bytes depend only on the data."""
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n" for r in records)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def run(raw_dir: Path | None = None, out: Path | None = None, supplements_dir: Path | None = None) -> str:
    raw_dir = raw_dir or default_raw_dir()
    supplements_dir = supplements_dir or default_supplements_dir(raw_dir)
    out = out or DEFAULT_OUT
    records = build(raw_dir, supplements_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(serialize(records))
    os.replace(tmp, out)
    return report_markdown(records)
