"""Operations tests: the same tables on a SQLite file and on a throw-away PostgreSQL server."""

from __future__ import annotations

import pytest

from tests import servers


@pytest.fixture(params=["sqlite", "postgresql"])
def ops_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        yield str(tmp_path / "ops.sqlite")
    else:
        with servers.postgres(tmp_path / "pg") as url:
            yield url
