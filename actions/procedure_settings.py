"""Settings for the procedure actions, read from environment variables when asked (never at import).

HOTLINE: support phone number offered when nothing is found; PORTAL_URL: link given when a record has no page of
its own. Both come from bot.portal, which holds the national defaults for every answer.
"""

from __future__ import annotations

from bot.portal import hotline, portal_url

__all__ = ["hotline", "portal_url"]
