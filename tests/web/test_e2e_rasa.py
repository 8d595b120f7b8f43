"""End-to-end: `python -m bot.web` in front of the real Rasa server (lead's `rasa_server` fixture), in Chromium."""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.web.test_server_process import run_web_module

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)


@pytest.mark.rasa
def test_greeting_through_real_rasa(rasa_server: Any, open_page: Callable, tmp_path: Any) -> None:
    with run_web_module(rasa_server.url) as web_url:
        driver = open_page(web_url)
        box = driver.find_element(By.ID, "chat-input")
        box.send_keys("xin chào")
        driver.find_element(By.ID, "send").click()

        def answered(d: Any) -> Any:
            if d.find_elements(By.CSS_SELECTOR, ".msg-error"):
                raise AssertionError(d.find_element(By.CSS_SELECTOR, ".msg-error").text)
            bubbles = d.find_elements(By.CSS_SELECTOR, "#messages .msg-bot:not(#welcome) .bubble")
            return bubbles[0].text if bubbles else None

        answer = WebDriverWait(driver, 60, poll_frequency=0.2).until(answered)
        assert VIETNAMESE.search(answer), answer


@pytest.mark.rasa
def test_console_operator_view_through_real_rasa_and_dossier_service(rasa_server: Any) -> None:
    """/tong-dai in front of the real stack: the operator view (officer's note, history) comes from the dossier
    actions and their client, as in the chat; without the token the console refuses and Rasa is not asked."""
    import requests

    from tests.conftest import OPERATOR_TOKEN

    code = "000.00.12.H29-261102-0002"  # PROCESSING, with an officer's note for operators only
    with run_web_module(rasa_server.url, OPERATOR_TOKEN=OPERATOR_TOKEN) as web_url:
        refused = requests.post(f"{web_url}/tong-dai/tra-cuu", data={"code": code}, timeout=60)
        assert refused.status_code == 401
        answer = requests.post(
            f"{web_url}/tong-dai/tra-cuu",
            data={"code": code},
            timeout=60,
            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
        )
        assert answer.status_code == 200
        assert "[Cán bộ] Lịch sử trạng thái" in answer.text
        assert "Đang giải quyết" in answer.text
