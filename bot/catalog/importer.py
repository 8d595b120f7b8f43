"""Build bot/catalog/data/catalog.jsonl.gz from the raw portal records and print a quality report.

Run: python -m bot.catalog import [--raw DIR] [--out FILE]
The raw directory defaults to $CATALOG_RAW_DIR or <repo>/../shared/data/procedures/raw.
Output is byte-reproducible: records sorted by code, fixed JSON formatting, gzip mtime=0.
"""
from __future__ import annotations

import gzip
import io
import json
import os
from collections import Counter
from pathlib import Path

from bot.catalog.parse import EMPTY, RAW, STRUCTURED, parse_record

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = Path(__file__).with_name("data") / "catalog.jsonl.gz"
REPORT_FIELDS = [
    "cach_thuc_thuc_hien", "thanh_phan_ho_so", "trinh_tu_thuc_hien", "ket_qua_xu_ly", "can_cu_phap_ly",
    "yeu_cau_dieu_kien", "co_quan_thuc_hien", "co_quan_co_tham_quyen", "dia_chi_tiep_nhan",
    "doi_tuong_thuc_hien", "loai_thu_tuc",
]


def default_raw_dir() -> Path:
    env = os.environ.get("CATALOG_RAW_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data" / "procedures" / "raw"


def read_raw(raw_dir: Path) -> list[dict]:
    records = []
    for path in sorted(raw_dir.glob("*/*.json")):
        with path.open(encoding="utf-8") as fh:
            records.append(json.load(fh))
    if not records:
        raise FileNotFoundError(f"no raw records under {raw_dir}")
    return records


def build(raw_dir: Path) -> tuple[list[dict], dict[str, Counter]]:
    """Parse every raw record; returns records sorted by code and status counts per field."""
    records: dict[str, dict] = {}
    report: dict[str, Counter] = {f: Counter() for f in REPORT_FIELDS}
    for raw in read_raw(raw_dir):
        record, status = parse_record(raw)
        if record["code"] in records:
            continue  # codes are unique in the source; keep the first if that ever changes
        records[record["code"]] = record
        for field in REPORT_FIELDS:
            report[field][status.get(field, EMPTY)] += 1
    return [records[c] for c in sorted(records)], report


def serialize(records: list[dict]) -> bytes:
    """gzip of one JSON object per line; mtime=0 and no file name so the bytes depend only on the data."""
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n" for r in records)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def report_table(report: dict[str, Counter], total: int) -> str:
    lines = ["| raw field | structured | kept as raw text | empty |", "|---|---:|---:|---:|"]
    for field in REPORT_FIELDS:
        c = report[field]
        lines.append(f"| {field} | {c[STRUCTURED]} | {c[RAW]} | {c[EMPTY]} |")
    lines.append(f"\n{total} records")
    return "\n".join(lines)


def run(raw_dir: Path | None = None, out: Path | None = None) -> str:
    raw_dir = raw_dir or default_raw_dir()
    out = out or DEFAULT_OUT
    records, report = build(raw_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(serialize(records))
    return report_table(report, len(records))
