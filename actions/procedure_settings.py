"""Settings for the procedure actions, read from environment variables when asked (never at import).

HOTLINE: support phone number offered when nothing is found (default: the national public service portal's
hotline 1800 1096, printed in the footer of dichvucong.gov.vn).
PORTAL_URL: link given when a record has no page of its own (default https://dichvucong.gov.vn).
"""
from __future__ import annotations

import os

DEFAULT_HOTLINE = "1800 1096"
DEFAULT_PORTAL_URL = "https://dichvucong.gov.vn"


def hotline() -> str:
    return os.environ.get("HOTLINE", "").strip() or DEFAULT_HOTLINE


def portal_url() -> str:
    return os.environ.get("PORTAL_URL", "").strip() or DEFAULT_PORTAL_URL
