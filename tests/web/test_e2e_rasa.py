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
