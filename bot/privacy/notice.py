"""The privacy notice and the names of identifier kinds, read from one place each (domain.yml, texts.yml)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from bot.settings import REPO_ROOT

DOMAIN_FILE = REPO_ROOT / "domain.yml"
TEXTS_FILE = Path(__file__).with_name("texts.yml")
NOTICE_RESPONSE = "utter_privacy_notice"


@functools.lru_cache(maxsize=1)
def _texts() -> dict:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _notice_template() -> str:
    domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    return domain["responses"][NOTICE_RESPONSE][0]["text"]


def notice_text(retention_days: int) -> str:
    """The notice as the chat sends it (utter_privacy_notice), for the web page."""
    return _notice_template().replace("{retention_days}", str(retention_days))


def kinds_phrase(kinds: list[str]) -> str:
    """["CCCD", "SĐT", "EMAIL"] -> "số CCCD, số điện thoại và địa chỉ email"."""
    names = [_texts()["kinds"].get(kind, kind) for kind in kinds]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {_texts()['and']} {names[-1]}"
