"""Settings of the guided online filing: portal names and URLs, hotline, upload limits.

Read from environment variables each time `guide_settings()` is called (never at import), with the national
defaults from bot/data/portal.yml (bot.portal, shared with the other answers). Variables (documented in .env.example):
PORTAL_NAME, PORTAL_URL, HOTLINE (shared with the procedure answers), PROVINCE_PORTAL_NAME, PROVINCE_PORTAL_URL
(both set: people log in and file there instead of the national portal), GUIDE_UPLOAD_MAX_MB, GUIDE_UPLOAD_FORMATS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from bot import portal


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
    national = portal.defaults()["national"]
    upload = portal.defaults()["upload"]

    def get(name: str, default: str = "") -> str:
        return portal.setting(name, default, env)

    return GuideSettings(
        portal_name=portal.portal_name(env),
        portal_url=portal.portal_url(env),
        hotline=portal.hotline(env),
        payment_platform=national["payment_platform"],
        province_portal_name=get("PROVINCE_PORTAL_NAME"),
        province_portal_url=get("PROVINCE_PORTAL_URL"),
        upload_max_mb=get("GUIDE_UPLOAD_MAX_MB", str(upload.get("max_mb") or "")),
        upload_formats=get("GUIDE_UPLOAD_FORMATS", str(upload.get("formats") or "")),
    )
