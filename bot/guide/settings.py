"""Settings of the guided online filing: portal names and URLs, hotline, upload limits.

Read from environment variables each time `guide_settings()` is called (never at import), with the national
defaults from bot/guide/portals.yml. Variables (documented in .env.example):
PORTAL_NAME, PORTAL_URL, HOTLINE (shared with the procedure answers), PROVINCE_PORTAL_NAME, PROVINCE_PORTAL_URL
(both set: people log in and file there instead of the national portal), GUIDE_UPLOAD_MAX_MB, GUIDE_UPLOAD_FORMATS.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import yaml

_PORTALS_FILE = Path(__file__).with_name("portals.yml")


@functools.lru_cache(maxsize=1)
def _defaults() -> dict:
    return yaml.safe_load(_PORTALS_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class GuideSettings:
    portal_name: str
    portal_url: str
    hotline: str
    payment_platform: str
    province_portal_name: str = ""
    province_portal_url: str = ""
    upload_max_mb: str = ""
    upload_formats: str = ""

    @property
    def filing_portal(self) -> tuple[str, str]:
        """(name, url) of the portal people log in to: the province's when configured, else the national one."""
        if self.province_portal_name and self.province_portal_url:
            return self.province_portal_name, self.province_portal_url
        return self.portal_name, self.portal_url


def guide_settings(env: Mapping[str, str] | None = None) -> GuideSettings:
    env = os.environ if env is None else env
    national = _defaults()["national"]
    upload = _defaults()["upload"]

    def get(name: str, default: str = "") -> str:
        return (env.get(name) or "").strip() or default

    return GuideSettings(
        portal_name=get("PORTAL_NAME", national["portal_name"]),
        portal_url=get("PORTAL_URL", national["portal_url"]),
        hotline=get("HOTLINE", national["hotline"]),
        payment_platform=national["payment_platform"],
        province_portal_name=get("PROVINCE_PORTAL_NAME"),
        province_portal_url=get("PROVINCE_PORTAL_URL"),
        upload_max_mb=get("GUIDE_UPLOAD_MAX_MB", str(upload.get("max_mb") or "")),
        upload_formats=get("GUIDE_UPLOAD_FORMATS", str(upload.get("formats") or "")),
    )
