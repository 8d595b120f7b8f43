"""Storage of the reference dossier service: SQLite (default) or PostgreSQL (psycopg2), plain DB-API.

DOSSIER_DB_URL: ``sqlite:///relative/or/absolute.sqlite`` (relative to the repository root), a bare file path,
or ``postgresql://user:pass@host:port/db``. Default: sqlite file var/dossier_service.sqlite under the repo root.
A connection is opened per operation: the service is a reference, simplicity beats pooling here.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ContextManager

from bot import sqldb
from bot.dossier import demo
from bot.dossier.status import FINAL_STATUSES, RETURN_METHODS, Status, iso, now_vn

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_URL = "sqlite:///var/dossier_service.sqlite"
FIELDS = (
    "code",
    "procedure_code",
    "procedure_name",
    "agency",
    "status",
    "received_at",
    "due_at",
    "completed_at",
    "return_method",
    "note",
    "applicant_phone_last4",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY, procedure_code TEXT NOT NULL, procedure_name TEXT NOT NULL, agency TEXT NOT NULL,
    status TEXT NOT NULL, received_at TEXT NOT NULL, due_at TEXT NOT NULL, completed_at TEXT,
    return_method TEXT, note TEXT, applicant_phone_last4 TEXT, is_demo INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dossier_history (
    id {serial}, code TEXT NOT NULL REFERENCES dossiers(code) ON DELETE CASCADE, status TEXT NOT NULL,
    at TEXT NOT NULL, note TEXT);
CREATE INDEX IF NOT EXISTS dossier_history_code ON dossier_history(code, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class StoreError(ValueError):
    """Invalid data given to the store (unknown status, bad date ...)."""


def resolve_db_url(url: str | None = None) -> str:
    url = url or os.environ.get("DOSSIER_DB_URL") or DEFAULT_DB_URL
    if url.startswith(("postgresql://", "postgres://")):
        return url
    path = Path(url[len("sqlite:///") :] if url.startswith("sqlite:///") else url)
    if not path.is_absolute():
        path = REPO_ROOT / path
    return f"sqlite:///{path}"


@dataclass
class DossierStore:
    url: str

    @classmethod
    def from_env(cls, url: str | None = None) -> "DossierStore":
        return cls(resolve_db_url(url))

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith(("postgresql://", "postgres://"))

    def _connect(self) -> ContextManager[Any]:
        target = self.url if self.is_postgres else Path(self.url[len("sqlite:///") :])
        return sqldb.transaction(target)

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.is_postgres else sql

    def _rows(self, conn: Any, sql: str, params: tuple = ()) -> list[dict]:
        cur = conn.cursor()
        cur.execute(self._sql(sql), params)
        if cur.description is None:
            return []
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    # --- schema and demo data -------------------------------------------------------------------------
    def init(self, seed_demo: bool = True, now: dt.datetime | None = None) -> None:
        """Create tables; seed the demo dossiers on first start, re-base untouched demo rows afterwards."""
        serial = "BIGSERIAL PRIMARY KEY" if self.is_postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
        with self._connect() as conn:
            cur = conn.cursor()
            for statement in _SCHEMA.format(serial=serial).split(";"):
                if statement.strip():
                    cur.execute(statement)
        if seed_demo:
            self._seed_demo(now or now_vn())

    def _seed_demo(self, now: dt.datetime) -> None:
        with self._connect() as conn:
            seeded = self._rows(conn, "SELECT value FROM meta WHERE key = 'demo_seeded'")
            for dossier, history in demo.demo_dossiers(now):
                row = self._rows(conn, "SELECT is_demo FROM dossiers WHERE code = ?", (dossier["code"],))
                if row and not row[0]["is_demo"]:
                    continue  # changed by someone: leave it alone
                if not row and seeded:
                    continue  # deleted on purpose after the first seeding
                self._rows(conn, "DELETE FROM dossier_history WHERE code = ?", (dossier["code"],))
                self._rows(conn, "DELETE FROM dossiers WHERE code = ?", (dossier["code"],))
                self._insert(conn, dossier, is_demo=True, now=now)
                for entry in history:
                    self._rows(
                        conn,
                        "INSERT INTO dossier_history (code, status, at, note) VALUES (?, ?, ?, ?)",
                        (dossier["code"], entry["status"], iso(entry["at"]), entry["note"]),
                    )
            if not seeded:
                self._rows(conn, "INSERT INTO meta (key, value) VALUES ('demo_seeded', ?)", (iso(now),))

    def _insert(self, conn: Any, d: dict, is_demo: bool, now: dt.datetime) -> None:
        values = [iso(d[f]) if isinstance(d.get(f), dt.datetime) else d.get(f) for f in FIELDS]
        self._rows(
            conn,
            f"INSERT INTO dossiers ({', '.join(FIELDS)}, is_demo, updated_at) "
            f"VALUES ({', '.join('?' * (len(FIELDS) + 2))})",
            (*values, int(is_demo), iso(now)),
        )

    # --- reads ----------------------------------------------------------------------------------------
    def get(self, code: str) -> dict | None:
        with self._connect() as conn:
            rows = self._rows(conn, f"SELECT {', '.join(FIELDS)} FROM dossiers WHERE code = ?", (code,))
        return rows[0] if rows else None

    def history(self, code: str) -> list[dict] | None:
        with self._connect() as conn:
            if not self._rows(conn, "SELECT 1 FROM dossiers WHERE code = ?", (code,)):
                return None
            return self._rows(conn, "SELECT status, at, note FROM dossier_history WHERE code = ? ORDER BY id", (code,))

    def list(self, status: str | None = None, limit: int = 100) -> list[dict]:
        sql = f"SELECT {', '.join(FIELDS)} FROM dossiers"
        params: tuple = ()
        if status:
            sql += " WHERE status = ?"
            params = (_status(status),)
        with self._connect() as conn:
            return self._rows(conn, sql + " ORDER BY code LIMIT ?", (*params, int(limit)))

    # --- writes (CLI, tests, integrators) --------------------------------------------------------------
    def add(self, dossier: dict, now: dt.datetime | None = None) -> dict:
        now = now or now_vn()
        d = {f: dossier.get(f) for f in FIELDS}
        d["status"] = _status(d["status"] or Status.RECEIVED.value)
        for f in ("code", "procedure_code", "procedure_name", "agency"):
            if not d[f]:
                raise StoreError(f"missing {f}")
        d["received_at"] = _moment(d["received_at"]) or now
        d["due_at"] = _moment(d["due_at"])
        if d["due_at"] is None:
            raise StoreError("missing due_at")
        d["completed_at"] = _moment(d["completed_at"])
        _check_method(d["return_method"])
        with self._connect() as conn:
            if self._rows(conn, "SELECT 1 FROM dossiers WHERE code = ?", (d["code"],)):
                raise StoreError(f"dossier {d['code']} exists")
            self._insert(conn, d, is_demo=False, now=now)
            self._rows(
                conn,
                "INSERT INTO dossier_history (code, status, at, note) VALUES (?, ?, ?, ?)",
                (d["code"], d["status"], iso(d["received_at"]), d["note"]),
            )
        return self.get(d["code"])  # type: ignore[return-value]

    def update(
        self,
        code: str,
        status: str | None = None,
        note: str | None = None,
        due_at: str | dt.datetime | None = None,
        return_method: str | None = None,
        now: dt.datetime | None = None,
    ) -> dict:
        """Change a dossier; a status change appends to its history (and sets completed_at when final)."""
        now = now or now_vn()
        with self._connect() as conn:
            rows = self._rows(conn, f"SELECT {', '.join(FIELDS)} FROM dossiers WHERE code = ?", (code,))
            if not rows:
                raise KeyError(code)
            current = rows[0]
            changes: dict[str, Any] = {"is_demo": 0, "updated_at": iso(now)}
            if note is not None:
                changes["note"] = note or None
            if due_at is not None:
                changes["due_at"] = iso(_moment(due_at))
            if return_method is not None:
                changes["return_method"] = _check_method(return_method)
            new_status = _status(status) if status else None
            if new_status and new_status != current["status"]:
                changes["status"] = new_status
                if Status(new_status) in FINAL_STATUSES and not current["completed_at"]:
                    changes["completed_at"] = iso(now)
            sets = ", ".join(f"{k} = ?" for k in changes)
            self._rows(conn, f"UPDATE dossiers SET {sets} WHERE code = ?", (*changes.values(), code))
            if new_status and new_status != current["status"]:
                self._rows(
                    conn,
                    "INSERT INTO dossier_history (code, status, at, note) VALUES (?, ?, ?, ?)",
                    (code, new_status, iso(now), changes.get("note", note)),
                )
        return self.get(code)  # type: ignore[return-value]


def _status(value: str) -> str:
    try:
        return Status(value.strip().upper()).value
    except ValueError:
        raise StoreError(f"unknown status {value!r}; one of {', '.join(s.value for s in Status)}") from None


def _check_method(value: str | None) -> str | None:
    if value is not None and value not in RETURN_METHODS:
        raise StoreError(f"unknown return method {value!r}; one of {', '.join(RETURN_METHODS)}")
    return value


def _moment(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise StoreError(f"not an ISO 8601 date-time: {value!r}") from None
    if moment.tzinfo is None:
        from bot.dossier.status import VN_TZ

        moment = moment.replace(tzinfo=VN_TZ)
    return moment
