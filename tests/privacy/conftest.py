"""Tracker stores on SQLite and on a throw-away PostgreSQL (tests/servers.py), the shipped domain."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from rasa.shared.core.domain import Domain

from bot.tracker_store import RedactingSQLTrackerStore
from tests import servers
from tests.channels.conftest import fake_telegram  # noqa: F401 (the fake Bot API fixture, for test_e2e)
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An SQLAlchemy URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        with servers.postgres(tmp_path / "pg") as url:
            yield url


def store_for(url: str, domain: Domain) -> RedactingSQLTrackerStore:
    """The store as Rasa builds it from endpoints (bot/stack/rasa_config.py writes these keys)."""
    if url.startswith("sqlite:///"):
        return RedactingSQLTrackerStore(domain=domain, dialect="sqlite", db=url[len("sqlite:///") :])
    parsed = urlparse(url)
    return RedactingSQLTrackerStore(
        domain=domain,
        dialect="postgresql",
        host=parsed.hostname,
        port=parsed.port,
        db=parsed.path.lstrip("/"),
        username=parsed.username,
        password="",
    )
