"""The web chat page shows the chat's privacy notice (issue 16): one text, from domain.yml."""

from __future__ import annotations

from typing import Callable

import requests
from selenium.webdriver.common.by import By

from bot.privacy.notice import notice_text
from tests.web.test_page import wait_for


def test_config_carries_the_chat_notice(web_url: str, monkeypatch) -> None:
    monkeypatch.setenv("PRIVACY_RETENTION_DAYS", "30")
    notice = requests.get(web_url + "/config.json", timeout=5).json()["privacy_notice"]
    assert notice == notice_text(30) and "trong 30 ngày rồi tự xóa" in notice and "xóa dữ liệu của tôi" in notice


def test_page_shows_the_notice_under_quyen_rieng_tu(open_page: Callable, web_url: str) -> None:
    driver = open_page(web_url)
    summary = driver.find_element(By.CSS_SELECTOR, "#privacy summary")
    assert summary.text == "Quyền riêng tư"
    summary.click()
    wait_for(driver, lambda d: d.find_element(By.ID, "privacy-notice").text == notice_text(90))
