"""PostgreSQL and Redis servers run by the stack itself, for `make run-cluster` on one machine and the cluster
tests, when DATABASE_URL / REDIS_URL do not point at real ones (Debian packages `postgresql`, `redis-server`).

Both are ordinary supervised services (bot.stack.processes): in the foreground, bound to 127.0.0.1, data in a
folder of their own, stopped and restarted like any other. PostgreSQL refuses to run as root, so as root it runs
as the `postgres` account (which must reach the folder).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional

from bot.stack.processes import Service

PG_USER = "assistant"


def postgres_bindir() -> Optional[Path]:
    for candidate in [shutil.which("initdb"), *sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))]:
        if candidate:
            return Path(candidate).resolve().parent
    return None


def as_postgres_user(folder: Path) -> list[str]:
    """argv prefix to run PostgreSQL's programs: as root, the `postgres` account, which must reach `folder`."""
    if os.geteuid() != 0:
        return []
    os.chmod(folder, 0o777)
    for parent in folder.parents:
        if parent == Path("/"):
            break
        os.chmod(parent, parent.stat().st_mode | 0o011)
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


def _accepts_logins(url: str) -> bool:
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=2).close()
        return True
    except psycopg2.OperationalError:
        return False


def postgres_service(folder: Path, port: int) -> tuple[Service, str]:
    """(service, postgresql:// URL); creates the cluster in `folder`/pgdata on first use (trust auth, UTF8)."""
    bindir = postgres_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server not installed (Debian package postgresql)")
    folder.mkdir(parents=True, exist_ok=True)
    run_as = as_postgres_user(folder)
    data = folder / "pgdata"
    if not (data / "PG_VERSION").exists():
        subprocess.run(
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                PG_USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ],
            check=True,
            capture_output=True,
        )
    url = f"postgresql://{PG_USER}@127.0.0.1:{port}/postgres"
    argv = [
        *run_as,
        str(bindir / "postgres"),
        "-D",
        str(data),
        "-p",
        str(port),
        "-k",
        str(folder),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "max_connections=200",
    ]
    return Service("postgresql", argv, port=port, ready=lambda: _accepts_logins(url), ready_timeout=60), url


def redis_service(folder: Path, port: int) -> tuple[Service, str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise FileNotFoundError("redis-server not installed (Debian package redis-server)")
    folder.mkdir(parents=True, exist_ok=True)
    argv = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(folder),
        "--save",
        "",
        "--appendonly",
        "yes",
    ]
    return Service("redis", argv, port=port, ready_timeout=20), f"redis://127.0.0.1:{port}/0"
