"""A province's own procedures (and newer versions of national ones), kept apart from the shipped catalog.

`python -m bot.catalog add PATH…` writes cleaned records to one JSON Lines file, by default
var/catalog/local.jsonl (VAR_DIR, git-ignored; $CATALOG_LOCAL_PATH overrides it). The shipped
data/catalog.jsonl.gz is never touched, so it stays reproducible from the sources, and a code update
(git pull) keeps the province's additions. load_catalog() reads both; a local record replaces the shipped
record with the same code. The action server builds its search index from that merge when it starts, so
the next `make run` (or restart of the action server) answers about the added procedures; the NLU model
does not depend on the catalog and is not retrained.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def local_path() -> Path:
    env = os.environ.get("CATALOG_LOCAL_PATH")
    if env:
        return Path(env)
    return Path(os.environ.get("VAR_DIR") or REPO_ROOT / "var") / "catalog" / "local.jsonl"


def read_local(path: Path | None = None) -> list[dict]:
    path = path or local_path()
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_local(records: list[dict], path: Path | None = None) -> Path:
    """Replace the file atomically (temporary file in the same folder, then rename): never half-written."""
    path = path or local_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
        for r in sorted(records, key=lambda r: r["code"])
    )
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def merge(shipped: list[dict], local: list[dict]) -> list[dict]:
    """Shipped records with local ones added or replacing the same code, sorted by code, overlaps recomputed."""
    if not local:
        return shipped
    from bot.catalog.importer import link_overlaps

    by_code = {r["code"]: r for r in shipped}
    by_code.update({r["code"]: r for r in local})
    merged = [dict(by_code[c]) for c in sorted(by_code)]
    link_overlaps(merged)
    return merged
