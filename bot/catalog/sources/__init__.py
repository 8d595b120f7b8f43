"""One importer per source format, all producing the same cleaned record (bot.catalog.parse.assemble).

    fmt = detect(obj)                 # "portal_page" | "bqp_word" | "portal_api" | None
    record, status = parse(obj, fmt, ministry=None)

Formats (see ../shared/data/procedures/README.md and supplements/README.md):
- portal_page: a flattened procedure page of the national portal (raw/<ministry>/<code>.json), parser in parse.py;
- bqp_word:    the portal's Word export as extracted to JSON (supplements/bqp/: metadata / content / tables);
- portal_api:  the portal API's procedure detail JSON (supplements/portal-api/: executionMethods, executionCases…).
Every record carries `source` (its format) and `ministry` (who published it).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Callable

import yaml

from bot.catalog import parse as page

VOCAB_FILE = Path(__file__).resolve().parents[1] / "data" / "sources.yml"


@functools.lru_cache(maxsize=1)
def vocab() -> dict:
    return yaml.safe_load(VOCAB_FILE.read_text(encoding="utf-8"))


def ministry_name(name: str | None) -> str | None:
    name = page.one_line(name)
    return vocab()["ministry_spellings"].get(name, name) if name else None


def ministry_from_decision(decision: str | None) -> str | None:
    """ "Quyết định số 6375/QĐ-BQP" -> "Bộ Quốc phòng" (None when the issuer is not a known ministry)."""
    m = re.search(r"QĐ-([A-ZĐ]+)", decision or "")
    return vocab()["decision_suffixes"].get(m.group(1)) if m else None


def _is_page(obj: dict) -> bool:
    return "ma_thu_tuc" in obj or "ten_thu_tuc" in obj


def _is_bqp(obj: dict) -> bool:
    return isinstance(obj.get("metadata"), dict) and ("tables" in obj or "content" in obj)


def _is_api(obj: dict) -> bool:
    return "executionMethods" in obj or "executionCases" in obj


def _parsers() -> dict[str, Callable[..., tuple[dict, dict]]]:
    from bot.catalog.sources import bqp_word, portal_api, portal_page

    return {"portal_page": portal_page.parse, "bqp_word": bqp_word.parse, "portal_api": portal_api.parse}


_DETECTORS = [("bqp_word", _is_bqp), ("portal_api", _is_api), ("portal_page", _is_page)]
FORMATS = [name for name, _ in _DETECTORS]


def detect(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    return next((name for name, test in _DETECTORS if test(obj)), None)


def code_and_name(obj: dict, fmt: str) -> tuple[str, str]:
    """The procedure code and name as the file gives them ("" when missing), before any cleaning."""
    if fmt == "bqp_word":
        meta = obj.get("metadata") or {}
        return str(meta.get("mã_thủ_tục") or obj.get("thu_tuc_id") or "").strip(), str(
            meta.get("tên_thủ_tục") or ""
        ).strip()
    if fmt == "portal_api":
        return str(obj.get("code") or obj.get("codeNotation") or "").strip(), str(obj.get("name") or "").strip()
    return str(obj.get("ma_thu_tuc") or "").strip(), str(obj.get("ten_thu_tuc") or "").strip()


def parse(obj: dict, fmt: str, ministry: str | None = None) -> tuple[dict, dict[str, str]]:
    """Cleaned record and per-field quality status; `ministry` is a hint used when the file does not say."""
    return _parsers()[fmt](obj, ministry)


# "78/2015/QH13", "142/2008/QĐ-TTg", "144/2008/TTLT-BQP-BLĐTBXH-BTC", "5166/QĐ-BQP" (also inside "Luật số …").
LEGAL_NUMBER_RE = re.compile(r"\d[\d.]*/(?:\d{4}/)?[A-ZĐ][A-ZĐa-z]*\d{0,2}(?:-[A-ZĐ][A-ZĐa-z]*\d{0,2})*")


def legal_number(number: str | None, title: str | None) -> str | None:
    """The document number: found in the number cell ("Thông tư số 104/2024/TT-BQP"), else in the title; else
    the cell as written."""
    from bot.catalog import legal

    return legal.find_number(number) or legal.find_number(title) or (number or None)


def money(amount: float) -> str:
    """12500000 -> "12.500.000" (Vietnamese thousands), 1.5 -> "1,5"."""
    if float(amount).is_integer():
        return f"{int(amount):,}".replace(",", ".")
    return f"{amount}".replace(".", ",")
