"""Throw-away PostgreSQL and Redis servers for the tests that need them (Debian packages; .ci/run installs them).

Each runs from a folder under the test's tmp path on a free 127.0.0.1 port and is stopped afterwards.
Outside CI, a missing server binary skips the test with the reason; in CI (CI=true) it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from bot.stack.local_db import as_postgres_user as _as_postgres_user
from bot.stack.local_db import postgres_bindir as _postgres_bindir
from bot.stack.processes import free_port, port_open


def _missing(what: str) -> None:
    message = f"{what} is not installed (Debian package; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _wait_for_postgres(url: str, log: Path, timeout: float = 60.0) -> None:
    import psycopg2

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg2.connect(url, connect_timeout=2).close()
            return
        except psycopg2.OperationalError as error:
            if time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"PostgreSQL did not accept connections:\n{tail}") from error
            time.sleep(0.1)


@contextlib.contextmanager
def postgres(folder: Path, user: str = "assistant") -> Iterator[str]:
    """Yield a postgresql:// URL (database `postgres`, trust auth) of a fresh cluster in `folder`."""
    bindir = _postgres_bindir()
    if bindir is None:
        _missing("PostgreSQL server (initdb, pg_ctl)")
    folder.mkdir(parents=True, exist_ok=True)
    run_as = _as_postgres_user(folder)
    data, port = folder / "pgdata", free_port()
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-locale"],
        check=True,
        capture_output=True,
    )
    # No `pg_ctl -w`: it compares wall-clock start times and has timed out here on a server that was ready;
    # a connection attempt is the readiness check that matters.
    subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-W",
            "-l",
            str(folder / "pg.log"),
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    url = f"postgresql://{user}@127.0.0.1:{port}/postgres"
    try:
        _wait_for_postgres(url, folder / "pg.log")
        yield url
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )


@contextlib.contextmanager
def redis(folder: Path) -> Iterator[str]:
    """Yield a redis:// URL of a fresh redis-server with its files in `folder`."""
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
