"""Portal facts shared by every answer: portal name and URL, hotline. One source for the defaults.

Read from the environment each time they are asked for (PORTAL_NAME, PORTAL_URL, HOTLINE), with the national
defaults from bot/data/portal.yml.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Mapping, Optional

import yaml

_DEFAULTS_FILE = Path(__file__).with_name("data") / "portal.yml"


@functools.lru_cache(maxsize=1)
def defaults() -> dict:
    return yaml.safe_load(_DEFAULTS_FILE.read_text(encoding="utf-8"))


def setting(name: str, default: str = "", env: Optional[Mapping[str, str]] = None) -> str:
    env = os.environ if env is None else env
    return (env.get(name) or "").strip() or default


def hotline(env: Optional[Mapping[str, str]] = None) -> str:
    return setting("HOTLINE", defaults()["national"]["hotline"], env)


def portal_url(env: Optional[Mapping[str, str]] = None) -> str:
    return setting("PORTAL_URL", defaults()["national"]["portal_url"], env)


def portal_name(env: Optional[Mapping[str, str]] = None) -> str:
    return setting("PORTAL_NAME", defaults()["national"]["portal_name"], env)
