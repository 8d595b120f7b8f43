"""The reference dossier service over real HTTP on 127.0.0.1: contract, demo data, auth, history, storage."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml

from bot.dossier.status import FINAL_STATUSES, Status, is_overdue
from bot.dossier.store import DossierStore
from bot.dossier.testing import running_service
from tests import servers
from tests.dossier.conftest import (
    COMPLETED,
    OVERDUE_PROCESSING,
    OVERDUE_RECEIVED,
    OVERDUE_SUPPLEMENT,
    PROCESSING,
    RECEIVED,
    REJECTED,
    RETURNED,
    SUPPLEMENT,
    UNKNOWN,
    WITHDRAWN,
    free_port,
)

CONTRACT_FIELDS = {
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
}


def test_every_status_has_a_demo_dossier_with_contract_fields(service_url):
    seen = {}
    for code in (RECEIVED, PROCESSING, SUPPLEMENT, COMPLETED, RETURNED, REJECTED, WITHDRAWN):
        response = requests.get(f"{service_url}/dossiers/{code}", timeout=5)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == CONTRACT_FIELDS
        assert body["code"] == code
        seen[body["status"]] = code
    assert set(seen) == {s.value for s in Status}


@pytest.mark.parametrize(
    "code, overdue",
    [
        (OVERDUE_PROCESSING, True),
        (OVERDUE_RECEIVED, True),
        (OVERDUE_SUPPLEMENT, True),
        (PROCESSING, False),
        (RECEIVED, False),
        (COMPLETED, False),
        (RETURNED, False),
        (REJECTED, False),
    ],
)
def test_demo_overdue_is_relative_to_now(service_url, code, overdue):
    body = requests.get(f"{service_url}/dossiers/{code}", timeout=5).json()
    due = dt.datetime.fromisoformat(body["due_at"])
    assert is_overdue(body["status"], due, dt.datetime.now(dt.timezone.utc)) is overdue


def test_lower_case_path_and_unknown_and_invalid(service_url):
    assert requests.get(f"{service_url}/dossiers/{PROCESSING.lower()}", timeout=5).json()["code"] == PROCESSING
    unknown = requests.get(f"{service_url}/dossiers/{UNKNOWN}", timeout=5)
    assert (unknown.status_code, unknown.json()) == (404, {"error": "not_found"})
    invalid = requests.get(f"{service_url}/dossiers/not-a-code", timeout=5)
    assert (invalid.status_code, invalid.json()) == (400, {"error": "invalid_code"})
    assert requests.get(f"{service_url}/nothing", timeout=5).status_code == 404


def test_history_ends_with_current_status(service_url):
    body = requests.get(f"{service_url}/dossiers/{RETURNED}/history", timeout=5).json()
    assert [h["status"] for h in body["history"]] == ["RECEIVED", "PROCESSING", "COMPLETED", "RETURNED"]
    times = [dt.datetime.fromisoformat(h["at"]) for h in body["history"]]
    assert times == sorted(times)
    assert requests.get(f"{service_url}/dossiers/{UNKNOWN}/history", timeout=5).status_code == 404


def test_openapi_is_served_and_documents_history(service_url):
    response = requests.get(f"{service_url}/openapi.yaml", timeout=5)
    assert response.status_code == 200
    spec = yaml.safe_load(response.text)
    assert "/dossiers/{code}" in spec["paths"] and "/dossiers/{code}/history" in spec["paths"]
    statuses = spec["components"]["schemas"]["Status"]["enum"]
    assert set(statuses) == {s.value for s in Status}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "secret"}, {"Authorization": "Basic secret"}]
)
def test_token_required_when_configured(tmp_path, headers):
    with running_service(tmp_path / "d.sqlite", token="secret") as url:
        for path in (f"/dossiers/{PROCESSING}", f"/dossiers/{PROCESSING}/history"):
            response = requests.get(url + path, headers=headers, timeout=5)
            assert response.status_code == 401
            assert response.json() == {"error": "unauthorized"}
            assert "applicant_phone_last4" not in response.text
        ok = requests.get(f"{url}/dossiers/{PROCESSING}", headers={"Authorization": "Bearer secret"}, timeout=5)
        assert ok.status_code == 200
        assert requests.get(f"{url}/health", timeout=5).status_code == 200


def test_demo_rows_rebased_on_restart_but_edited_rows_kept(db_path):
    store = DossierStore(f"sqlite:///{db_path}")
    long_ago = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    store.init(now=long_ago)
    store.update(REJECTED, note="sửa tay")
    store.init()  # second start, "now" is much later
    due = dt.datetime.fromisoformat(store.get(PROCESSING)["due_at"])
    assert due > dt.datetime.now(dt.timezone.utc)  # still on time
    assert store.get(REJECTED)["note"] == "sửa tay"


def test_update_appends_history_and_sets_completed_at(db_path):
    store = DossierStore(f"sqlite:///{db_path}")
    store.init()
    updated = store.update(PROCESSING, status="COMPLETED", note="Mời nhận kết quả")
    assert updated["status"] == "COMPLETED" and updated["completed_at"]
    history = store.history(PROCESSING)
    assert history[-1]["status"] == "COMPLETED" and history[-1]["note"] == "Mời nhận kết quả"
    assert Status.COMPLETED in FINAL_STATUSES


def test_service_module_starts_from_env(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DOSSIER_SERVICE_PORT": str(port),
        "DOSSIER_DB_URL": str(tmp_path / "s.sqlite"),
        "DOSSIER_API_TOKEN": "t0ken",
    }
    proc = subprocess.Popen(
        [str(Path(os.sys.executable)), "-m", "bot.dossier.service"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                response = requests.get(
                    f"http://127.0.0.1:{port}/dossiers/{PROCESSING}",
                    headers={"Authorization": "Bearer t0ken"},
                    timeout=1,
                )
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert response.json()["status"] == "PROCESSING"
        assert (tmp_path / "s.sqlite").exists()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert b"261102-0002" not in err  # access log masks codes


@pytest.fixture
def postgres_url(tmp_path):
    """A throwaway PostgreSQL cluster (tests/servers.py)."""
    with servers.postgres(tmp_path / "pg", user="dossier") as url:
        yield url


def test_postgresql_storage(postgres_url):
    with running_service(postgres_url) as url:
        body = requests.get(f"{url}/dossiers/{SUPPLEMENT}", timeout=5).json()
        assert body["status"] == "SUPPLEMENT_REQUIRED"
        history = requests.get(f"{url}/dossiers/{SUPPLEMENT}/history", timeout=5).json()["history"]
        assert history[-1]["status"] == "SUPPLEMENT_REQUIRED"
        store = DossierStore(postgres_url)
        store.update(SUPPLEMENT, status="PROCESSING")
        assert requests.get(f"{url}/dossiers/{SUPPLEMENT}", timeout=5).json()["status"] == "PROCESSING"
    with running_service(postgres_url) as url:  # restart keeps the edited row
        assert requests.get(f"{url}/dossiers/{SUPPLEMENT}", timeout=5).json()["status"] == "PROCESSING"
