"""Through the web page's relay: one browser inventing a new sender id per request cannot enumerate dossier
codes; the reference service's access log counts what reached the dossier API."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from tests.web.test_server_process import run_web_module

pytestmark = pytest.mark.rasa


def _api_calls(rasa_server: Any, masked_prefix: str) -> int:
    log = rasa_server.stack.log_dir / "dossier-service.log"
    return sum(
        1
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
        if "GET /dossiers/" in line and masked_prefix in line
    )


def test_thirty_unknown_codes_with_thirty_invented_sender_ids_reach_the_api_at_most_ten_times(rasa_server):
    day = "261029"  # a day no other test uses: its lines in the access log are this test's
    masked = f"000.00.12.H29-{day}-****"
    before = _api_calls(rasa_server, masked)
    answers = []
    with run_web_module(rasa_server.url) as web_url:
        for i in range(30):
            sender = f"web:{uuid.uuid4().hex[:16]}"
            response = requests.post(
                f"{web_url}/webhooks/rest/webhook",
                timeout=30,
                json={"sender": sender, "message": f"tra cứu hồ sơ 000.00.12.H29-{day}-{i + 1:04d}"},
            )
            assert response.status_code == 200
            answers.append(" ".join(m.get("text", "") for m in response.json()))
    reached = _api_calls(rasa_server, masked) - before
    assert 1 <= reached <= 10, reached
    assert "không tìm thấy" in answers[0].lower() or "không có" in answers[0].lower(), answers[0]
    assert "nhiều mã hồ sơ không tồn tại" in answers[-1], answers[-1]
