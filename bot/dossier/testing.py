"""Test helpers: run the reference dossier service in a background thread.

from bot.dossier.testing import running_service
with running_service(tmp_path / "dossiers.sqlite", token="secret") as base_url:
    ...  # http://127.0.0.1:<free port>
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Iterator

from bot.dossier.service import make_server
from bot.dossier.store import DossierStore


@contextlib.contextmanager
def running_service(db_path: str | os.PathLike, token: str | None = None, seed_demo: bool = True) -> Iterator[str]:
    """Start the service on 127.0.0.1 and a free port; yield its base URL; stop it on exit.

    `db_path` is a SQLite file path or a postgresql:// URL.
    """
    db = str(db_path)
    url = db if db.startswith(("postgresql://", "postgres://")) else f"sqlite:///{Path(db).resolve()}"
    server = make_server(DossierStore(url), "127.0.0.1", 0, token=token, seed_demo=seed_demo)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
