"""Where the operations tables live, and where the tracker store's events are.

Operations tables (complaints, feedback, unanswered questions): OPS_DB_URL, else DATABASE_URL (the PostgreSQL
database the tracker store uses when scaled out), else the SQLite file var/ops.sqlite. Tracker store: DATABASE_URL,
else var/tracker.db (as bot/stack/rasa_config.py configures Rasa). Both are read with SQLAlchemy Core, so the same
SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import sqlalchemy as sa

from bot.privacy.database import engine_for
from bot.settings import REPO_ROOT


def var_dir() -> Path:
    return Path(os.environ.get("VAR_DIR") or REPO_ROOT / "var")


def ops_url() -> str:
    return (os.environ.get("OPS_DB_URL") or os.environ.get("DATABASE_URL") or "").strip() or str(
        var_dir() / "ops.sqlite"
    )


def tracker_url() -> str:
    return (os.environ.get("DATABASE_URL") or "").strip() or str(var_dir() / "tracker.db")


@functools.lru_cache(maxsize=16)
def engine(url: str) -> sa.engine.Engine:
    """One engine per URL and process (a postgresql:// URL, an SQLAlchemy URL or a SQLite file path)."""
    return engine_for(url)


def ops_engine() -> sa.engine.Engine:
    return engine(ops_url())


def tracker_engine() -> sa.engine.Engine:
    return engine(tracker_url())
