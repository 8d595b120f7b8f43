"""Dossier client against the real reference service and small fault servers on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest

from bot.dossier.client import (
    CircuitBreaker,
    DossierBadResponse,
    DossierClient,
    DossierNotFound,
    DossierUnavailable,
    parse_dossier,
)
from bot.dossier.settings import DossierSettings
from bot.dossier.status import Status
from bot.dossier.testing import running_service
from tests.dossier.conftest import (
    COMPLETED,
    OVERDUE_PROCESSING,
    OVERDUE_RECEIVED,
    PROCESSING,
    SUPPLEMENT,
    UNKNOWN,
    free_port,
)

VALID = {
    "code": PROCESSING,
    "procedure_code": "1.001193",
    "procedure_name": "Thủ tục đăng ký khai sinh",
    "agency": "UBND phường Bến Thành",
    "status": "PROCESSING",
    "received_at": "2026-11-20T09:15:00+07:00",
    "due_at": "2026-11-25T17:00:00+07:00",
    "completed_at": None,
    "return_method": "IN_PERSON",
    "note": "x",
    "applicant_phone_last4": "1234",
}


def test_reads_a_dossier(client):
    dossier = client.get_dossier(SUPPLEMENT)
    assert dossier.status is Status.SUPPLEMENT_REQUIRED
    assert dossier.due_at.tzinfo is not None
    assert not hasattr(dossier, "applicant_phone_last4")
    assert "1234" not in repr(client.get_dossier("000.00.12.H29-261102-0001"))


def test_overdue_derived_from_due_and_status(client):
    assert client.get_dossier(OVERDUE_PROCESSING).is_overdue()
    assert client.get_dossier(OVERDUE_PROCESSING).days_late() >= 3
    assert client.get_dossier(OVERDUE_RECEIVED).days_late() >= 1
    assert not client.get_dossier(PROCESSING).is_overdue()
    completed = client.get_dossier(COMPLETED)  # due date passed, but final
    assert completed.due_at < dt.datetime.now(dt.timezone.utc) and not completed.is_overdue()
    later = client.get_dossier(PROCESSING).due_at + dt.timedelta(hours=1)
    assert client.get_dossier(PROCESSING).is_overdue(later) and client.get_dossier(PROCESSING).days_late(later) == 1


def test_not_found_and_history(client):
    with pytest.raises(DossierNotFound):
        client.get_dossier(UNKNOWN)
    assert [h.status for h in client.get_history(SUPPLEMENT)][-1] is Status.SUPPLEMENT_REQUIRED
    with pytest.raises(ValueError):
        client.get_dossier("000.00.12.h29-261102-0002")  # callers pass canonical codes


def test_token_sent_and_wrong_token_is_unavailable(tmp_path, fast_settings):
    with running_service(tmp_path / "d.sqlite", token="s3cret") as url:
        assert DossierClient(fast_settings(url, api_token="s3cret")).get_dossier(PROCESSING).code == PROCESSING
        with pytest.raises(DossierUnavailable, match="401"):
            DossierClient(fast_settings(url, api_token="nope")).get_dossier(PROCESSING)
        with pytest.raises(DossierUnavailable, match="401"):
            DossierClient(fast_settings(url)).get_dossier(PROCESSING)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"status": "DONE"}, "status"),
        ({"status": None}, "status"),
        ({"due_at": "25/11/2026"}, "due_at"),
        ({"due_at": "2026-11-25T17:00:00"}, "offset"),
        ({"received_at": None}, "received_at"),
        ({"agency": ""}, "agency"),
        ({"code": "abc"}, "code"),
        ({"return_method": "FAX"}, "return_method"),
        ({"note": 5}, "note"),
    ],
)
def test_strict_parsing(change, message):
    with pytest.raises(DossierBadResponse, match=message):
        parse_dossier({**VALID, **change})
    with pytest.raises(DossierBadResponse):
        parse_dossier([VALID])
    assert parse_dossier(VALID).note == "x"


def test_service_down_fails_fast_with_retries(fast_settings):
    client = DossierClient(fast_settings(f"http://127.0.0.1:{free_port()}"))
    started = time.monotonic()
    with pytest.raises(DossierUnavailable, match="connection"):
        client.get_dossier(PROCESSING)
    assert time.monotonic() - started < 2


def test_500_retried_then_unavailable(fault_server, fast_settings):
    server = fault_server("500")
    with pytest.raises(DossierUnavailable, match="http 500"):
        DossierClient(fast_settings(server.url)).get_dossier(PROCESSING)
    assert server.hits == 3  # 1 + 2 retries


def test_slow_service_times_out_without_retry(fault_server, fast_settings):
    server = fault_server("ok", delay=2.0)
    started = time.monotonic()
    with pytest.raises(DossierUnavailable, match="timeout"):
        DossierClient(fast_settings(server.url)).get_dossier(PROCESSING)
    assert time.monotonic() - started < 1.5
    assert server.hits == 1


@pytest.mark.parametrize("behaviour", ["malformed", "missing_field"])
def test_bad_bodies_are_a_clear_error(fault_server, fast_settings, behaviour):
    server = fault_server(behaviour)
    with pytest.raises(DossierBadResponse):
        DossierClient(fast_settings(server.url)).get_dossier(PROCESSING)


@pytest.mark.parametrize("behaviour, delay", [("ok", 12.0), ("500", 1.0)])
def test_default_settings_stay_within_ten_seconds(fault_server, behaviour, delay):
    server = fault_server(behaviour, delay=delay)
    started = time.monotonic()
    with pytest.raises(DossierUnavailable):
        DossierClient(DossierSettings(api_url=server.url)).get_dossier(PROCESSING)
    assert time.monotonic() - started < 10


def test_circuit_breaker_opens_fails_fast_and_recovers(tmp_path, fast_settings, fault_server):
    """On the breaker's fake clock: time moves when the test says so, no sleeping."""
    now = [0.0]
    server = fault_server("500")
    settings = fast_settings(server.url, retries=0, breaker_threshold=2, breaker_cooldown=30)
    client = DossierClient(settings, breaker=CircuitBreaker(2, 30, clock=lambda: now[0]))
    for _ in range(2):
        with pytest.raises(DossierUnavailable, match="http 500"):
            client.get_dossier(PROCESSING)
    assert client.breaker.state == "open"
    hits = server.hits
    with pytest.raises(DossierUnavailable, match="circuit open"):
        client.get_dossier(PROCESSING)
    assert server.hits == hits  # no request while open
    now[0] = 29.9
    assert client.breaker.state == "open"
    now[0] = 30.0
    assert client.breaker.state == "half-open"
    with pytest.raises(DossierUnavailable, match="http 500"):  # the trial fails: open again at once
        client.get_dossier(PROCESSING)
    assert client.breaker.state == "open" and server.hits == hits + 1
    with running_service(tmp_path / "d.sqlite") as url:  # the service is back
        client.settings = fast_settings(url, retries=0)
        with pytest.raises(DossierUnavailable, match="circuit open"):
            client.get_dossier(PROCESSING)
        now[0] = 60.0
        assert client.get_dossier(PROCESSING).code == PROCESSING
        assert client.breaker.state == "closed"


def test_breaker_allows_a_single_trial_call():
    now = [0.0]
    breaker = CircuitBreaker(threshold=1, cooldown=10, clock=lambda: now[0])
    breaker.record_failure()
    assert not breaker.allow()
    now[0] = 10
    assert breaker.allow() and not breaker.allow()  # second caller while the trial runs
    breaker.record_success()
    assert breaker.state == "closed" and breaker.allow()


def test_not_found_does_not_open_the_breaker(client):
    for _ in range(5):
        with pytest.raises(DossierNotFound):
            client.get_dossier(UNKNOWN)
    assert client.breaker.state == "closed"


def test_logs_never_hold_the_full_code(fault_server, fast_settings, caplog):
    server = fault_server("500")
    with caplog.at_level(logging.DEBUG, logger="bot.dossier.client"):
        with pytest.raises(DossierUnavailable):
            DossierClient(fast_settings(server.url)).get_dossier(PROCESSING)
    assert caplog.records and PROCESSING not in caplog.text and "261102-****" in caplog.text
