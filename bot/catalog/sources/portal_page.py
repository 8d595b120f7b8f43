"""Flattened portal page format (raw/<ministry>/<code>.json): the parser lives in bot.catalog.parse."""

from __future__ import annotations

from bot.catalog.parse import parse_record
from bot.catalog.sources import ministry_from_decision


def parse(obj: dict, ministry: str | None = None) -> tuple[dict, dict[str, str]]:
    record, status = parse_record(obj, ministry)
    record["ministry"] = ministry or ministry_from_decision(record["decision"])
    return record, status
