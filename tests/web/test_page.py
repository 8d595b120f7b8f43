"""Headless Chromium tests of the chat page against the bot.web server and a fake Rasa REST server."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable, List

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.web.conftest import CHOOSE_PAYLOAD, FakeRasa, set_viewport

WAIT = 10
UUID_SENDER = re.compile(r"^web:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def wait_for(driver: Any, condition: Callable[[Any], Any], timeout: float = WAIT) -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)


def bot_texts(driver: Any) -> List[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#messages .msg-bot .bubble")]


def user_texts(driver: Any) -> List[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#messages .msg-user .bubble")]


def type_and_send(driver: Any, text: str) -> None:
    box = driver.find_element(By.ID, "chat-input")
    box.send_keys(text)
    driver.find_element(By.ID, "send").click()


def wait_bot_says(driver: Any, text: str) -> None:
    wait_for(driver, lambda d: text in bot_texts(d))


def test_question_gets_answer(open_page: Callable, web_url: str, fake_rasa: FakeRasa) -> None:
    driver = open_page(web_url)
    assert driver.title == "Trợ lý Dịch vụ công"
    assert driver.find_element(By.ID, "chat-input").get_attribute("placeholder") == "Nhập câu hỏi…"
    assert driver.find_element(By.ID, "send").text == "Gửi"
    type_and_send(driver, "Làm giấy khai sinh cần gì?")
    wait_bot_says(driver, "Bạn hỏi: Làm giấy khai sinh cần gì?")
    assert user_texts(driver) == ["Làm giấy khai sinh cần gì?"]
    assert driver.find_element(By.ID, "chat-input").get_attribute("value") == ""
    sender = fake_rasa.received[0]["sender"]
    assert UUID_SENDER.match(sender)
    assert fake_rasa.received[0]["metadata"] == {"client_ip": "127.0.0.1"}  # added by the relay
    # Same tab keeps its conversation (sender id and what was said) across a reload.
    driver.refresh()
    wait_for(driver, lambda d: "Bạn hỏi: Làm giấy khai sinh cần gì?" in bot_texts(d))
    type_and_send(driver, "tiếp")
    wait_bot_says(driver, "Bạn hỏi: tiếp")
    assert fake_rasa.received[1]["sender"] == sender


def test_bot_text_keeps_lines_and_links(open_page: Callable, web_url: str) -> None:
    driver = open_page(web_url)
    type_and_send(driver, "liên kết")
    wait_for(driver, lambda d: any("Dòng một" in t for t in bot_texts(d)))
    bubble = driver.find_elements(By.CSS_SELECTOR, "#messages .msg-bot .bubble")[-1]
    assert bubble.text.startswith("Dòng một\nXem https://dichvucong.gov.vn/p/home. Hết quan trọng")
    link = bubble.find_element(By.TAG_NAME, "a")
    assert link.get_attribute("href") == "https://dichvucong.gov.vn/p/home"  # trailing "." left out
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert bubble.find_element(By.TAG_NAME, "strong").text == "quan trọng"


def test_quick_reply_click_sends_payload(open_page: Callable, web_url: str, fake_rasa: FakeRasa) -> None:
    driver = open_page(web_url)
    driver.find_element(By.CSS_SELECTOR, "#welcome .quick-reply[data-payload='/ask_capabilities']").click()
    wait_for(driver, lambda d: d.find_elements(By.XPATH, "//button[@class='quick-reply' and .='Đăng ký khai sinh']"))
    assert fake_rasa.messages() == ["/ask_capabilities"]
    assert user_texts(driver) == ["Trợ lý giúp được gì?"]
    driver.find_element(By.XPATH, "//button[@class='quick-reply' and .='Đăng ký khai sinh']").click()
    wait_for(driver, lambda d: len(fake_rasa.received) == 2)
    assert fake_rasa.messages()[1] == CHOOSE_PAYLOAD
    wait_for(driver, lambda d: user_texts(d)[-1:] == ["Đăng ký khai sinh"])


def test_cards_render(open_page: Callable, web_url: str) -> None:
    driver = open_page(web_url)
    type_and_send(driver, "thẻ")
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card")) == 4)  # unknown type ignored

    procedure = driver.find_element(By.CSS_SELECTOR, ".card-procedure")
    assert "Thủ tục 1.001193" in procedure.text
    assert procedure.find_element(By.CSS_SELECTOR, ".chip").text == "Thành phần hồ sơ"
    link = procedure.find_element(By.TAG_NAME, "a")
    assert link.get_attribute("href") == web_url + "/thu-tuc/1.001193"  # the app's own procedure page

    choices = driver.find_element(By.CSS_SELECTOR, ".card-choices")
    assert [a.text for a in choices.find_elements(By.CSS_SELECTOR, "li a")] == ["1.001193", "2.000528"]

    late, done = driver.find_elements(By.CSS_SELECTOR, ".card-dossier")
    assert "Hồ sơ 000.00.12.H29-261120-0001" in late.text
    assert late.find_element(By.CSS_SELECTOR, ".status").text == "Đang giải quyết"
    badge = late.find_element(By.CSS_SELECTOR, ".badge-overdue")
    assert badge.text == "Trễ hạn"
    assert badge.value_of_css_property("background-color") == "rgba(180, 35, 24, 1)"  # red
    assert done.find_element(By.CSS_SELECTOR, ".status").text == "Đã có kết quả"
    assert not done.find_elements(By.CSS_SELECTOR, ".badge-overdue")


def test_markup_from_user_is_shown_literally(open_page: Callable, web_url: str) -> None:
    driver = open_page(web_url)
    evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>đậm</b>'
    driver.find_element(By.ID, "chat-input").send_keys(evil)
    driver.find_element(By.ID, "send").click()
    wait_bot_says(driver, "Bạn hỏi: " + evil)  # the bot echoes it back: also literal
    assert user_texts(driver) == [evil]
    assert driver.find_elements(By.CSS_SELECTOR, "#messages img, #messages script, #messages b") == []
    assert driver.execute_script("return window.__pwned === undefined")


def test_rasa_down_then_retry(open_page: Callable, web_url: str, fake_rasa: FakeRasa) -> None:
    driver = open_page(web_url)
    fake_rasa.stop()
    type_and_send(driver, "Hồ sơ của tôi đến đâu rồi?")
    error = wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".msg-user .msg-error"))
    assert "tạm thời không phản hồi" in error.text
    assert error.get_attribute("role") == "alert"
    assert user_texts(driver) == ["Hồ sơ của tôi đến đâu rồi?"]  # nothing lost
    assert bot_texts(driver)[1:] == []
    assert not driver.find_element(By.ID, "typing").is_displayed()

    fake_rasa.start()
    retry = driver.find_element(By.CSS_SELECTOR, ".msg-user .btn-retry")
    assert retry.text == "Thử lại"
    retry.click()
    wait_bot_says(driver, "Bạn hỏi: Hồ sơ của tôi đến đâu rồi?")
    assert driver.find_elements(By.CSS_SELECTOR, ".msg-error") == []
    assert user_texts(driver) == ["Hồ sơ của tôi đến đâu rồi?"]
    assert fake_rasa.messages() == ["Hồ sơ của tôi đến đâu rồi?"]


def test_typing_indicator_while_waiting(open_page: Callable, web_url: str, fake_rasa: FakeRasa) -> None:
    driver = open_page(web_url)
    typing = driver.find_element(By.ID, "typing")
    assert not typing.is_displayed()
    fake_rasa.delay = 1.0
    type_and_send(driver, "chậm")
    wait_for(driver, lambda d: typing.is_displayed(), timeout=2)
    assert "Trợ lý đang trả lời" in typing.text
    wait_bot_says(driver, "Bạn hỏi: chậm")
    assert not typing.is_displayed()


def test_empty_input_is_not_sent(open_page: Callable, web_url: str, fake_rasa: FakeRasa) -> None:
    driver = open_page(web_url)
    box = driver.find_element(By.ID, "chat-input")
    box.send_keys("   ")
    box.send_keys(Keys.ENTER)
    driver.find_element(By.ID, "send").click()
    type_and_send(driver, "có nội dung")  # a real message afterwards proves the page was working
    wait_bot_says(driver, "Bạn hỏi: có nội dung")
    assert fake_rasa.messages() == ["có nội dung"]
    assert user_texts(driver) == ["có nội dung"]


def test_long_input_is_trimmed_with_notice(open_page: Callable, web_url: str, fake_rasa: FakeRasa) -> None:
    driver = open_page(web_url)
    long_text = "Tôi muốn hỏi về thủ tục. " * 300  # 7,500 characters
    driver.execute_script("document.getElementById('chat-input').value = arguments[0];", long_text)
    driver.find_element(By.ID, "chat-input").send_keys(Keys.ENTER)
    wait_for(driver, lambda d: len(fake_rasa.received) == 1)
    assert fake_rasa.messages()[0] == long_text[:5000]
    notice = driver.find_element(By.ID, "composer-notice")
    assert "5.000" in notice.text and "ký tự" in notice.text


def test_operator_token_from_url_goes_into_metadata(open_page: Callable, web_url: str, fake_rasa: FakeRasa) -> None:
    driver = open_page(web_url + "/?operator_token=tong-dai-42")
    assert "operator_token" not in driver.current_url  # removed from the address bar
    type_and_send(driver, "xin chào")
    wait_bot_says(driver, "Bạn hỏi: xin chào")
    assert fake_rasa.received[0]["metadata"] == {"operator_token": "tong-dai-42", "client_ip": "127.0.0.1"}

    # The settings field shows and changes it.
    toggle = driver.find_element(By.ID, "settings-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    field = driver.find_element(By.ID, "operator-token")
    assert driver.switch_to.active_element == field
    assert field.get_attribute("value") == "tong-dai-42"
    field.clear()
    field.send_keys("moi-99")
    field.send_keys(Keys.ENTER)
    wait_for(driver, lambda d: d.find_element(By.ID, "settings-status").text)
    type_and_send(driver, "lần hai")
    wait_bot_says(driver, "Bạn hỏi: lần hai")
    assert fake_rasa.received[1]["metadata"] == {"operator_token": "moi-99", "client_ip": "127.0.0.1"}
    driver.find_element(By.ID, "operator-token-clear").click()
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)  # closes the panel, focus back on the toggle
    assert not driver.find_element(By.ID, "settings").is_displayed()
    assert driver.switch_to.active_element == toggle
    type_and_send(driver, "lần ba")
    wait_bot_says(driver, "Bạn hỏi: lần ba")
    assert fake_rasa.received[2]["metadata"] == {"client_ip": "127.0.0.1"}


def test_new_conversation_gets_new_sender(open_page: Callable, web_url: str, fake_rasa: FakeRasa) -> None:
    driver = open_page(web_url)
    type_and_send(driver, "một")
    wait_bot_says(driver, "Bạn hỏi: một")
    driver.find_element(By.ID, "new-conversation").click()
    assert user_texts(driver) == []
    assert driver.find_elements(By.CSS_SELECTOR, "#welcome .quick-reply")  # welcome and its buttons are back
    type_and_send(driver, "hai")
    wait_bot_says(driver, "Bạn hỏi: hai")
    first, second = (b["sender"] for b in fake_rasa.received)
    assert first != second and UUID_SENDER.match(second)
    assert driver.execute_script("return sessionStorage.getItem('tdvc.sender')") == second


def test_keyboard_only(open_page: Callable, web_url: str, fake_rasa: FakeRasa) -> None:
    driver = open_page(web_url)
    active = driver.switch_to.active_element
    assert active.get_attribute("id") == "chat-input"  # autofocus
    active.send_keys("bàn phím")
    active.send_keys(Keys.ENTER)
    wait_bot_says(driver, "Bạn hỏi: bàn phím")
    # Shift+Enter makes a new line instead of sending.
    box = driver.switch_to.active_element
    box.send_keys("dòng 1", Keys.SHIFT, Keys.ENTER, Keys.SHIFT, "dòng 2", Keys.ENTER)
    wait_bot_says(driver, "Bạn hỏi: dòng 1\ndòng 2")

    # The first Tab stop of the page is a skip link that leads to the question box.
    title = driver.find_element(By.CSS_SELECTOR, ".brand-title")
    title.click()  # a click moves the sequential focus starting point to the title
    driver.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)  # the skip link sits before it
    skip = driver.switch_to.active_element
    assert skip.get_attribute("class") == "skip-link"
    skip.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "chat-input"

    # Tab reaches the welcome quick replies; Enter activates one.
    title.click()
    driver.switch_to.active_element.send_keys(Keys.TAB)
    target = None
    for _ in range(15):
        el: WebElement = driver.switch_to.active_element
        if el.get_attribute("data-payload") == "/ask_capabilities":
            target = el
            break
        el.send_keys(Keys.TAB)
    assert target is not None, "Tab never reached the quick reply"
    assert target.value_of_css_property("outline-style") != "none"  # visible focus
    target.send_keys(Keys.ENTER)
    wait_for(driver, lambda d: "/ask_capabilities" in fake_rasa.messages())
    wait_for(driver, lambda d: d.find_elements(By.XPATH, "//button[@class='quick-reply' and .='Tra cứu hồ sơ']"))


def test_accessibility_basics(open_page: Callable, web_url: str) -> None:
    driver = open_page(web_url)
    log = driver.find_element(By.ID, "messages")
    assert log.get_attribute("aria-live") == "polite" and log.get_attribute("role") == "log"
    assert driver.find_element(By.CSS_SELECTOR, "label[for='chat-input']").get_attribute("textContent")
    assert driver.find_element(By.CSS_SELECTOR, "label[for='operator-token']").get_attribute("textContent")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    size = driver.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('#welcome .bubble')).fontSize)"
    )
    assert size >= 16


def test_phone_viewport_has_no_horizontal_scroll(open_page: Callable, web_url: str, driver: Any) -> None:
    open_page(web_url)
    set_viewport(driver, 360, 640, mobile=True)
    driver.refresh()
    wait_for(driver, lambda d: d.execute_script("return document.documentElement.dataset.ready === '1'"))
    type_and_send(driver, "thẻ")
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card")) == 4)
    type_and_send(driver, "x" * 300 + " https://dichvucong.gov.vn/" + "a" * 200)
    wait_for(driver, lambda d: len(bot_texts(d)) >= 3)
    width = driver.execute_script("return window.innerWidth")
    assert width == 360
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    assert driver.execute_script("return document.body.scrollWidth") <= width
    chat_overflow = driver.execute_script(
        "var c = document.getElementById('chat'); return c.scrollWidth - c.clientWidth"
    )
    assert chat_overflow <= 0


def test_screenshots(open_page: Callable, web_url: str, driver: Any, tmp_path: Path) -> None:
    """Desktop and phone screenshots (copied to WEB_SCREENSHOT_DIR when set, for a person to look at)."""
    out_dir = Path(os.environ.get("WEB_SCREENSHOT_DIR") or tmp_path)
    for name, (w, h, mobile) in {"web-1280x800.png": (1280, 800, False), "web-360x640.png": (360, 640, True)}.items():
        open_page(web_url)
        set_viewport(driver, w, h, mobile=mobile)
        type_and_send(driver, "Đăng ký khai sinh cho con cần giấy tờ gì?")
        wait_bot_says(driver, "Bạn hỏi: Đăng ký khai sinh cho con cần giấy tờ gì?")
        type_and_send(driver, "thẻ")
        wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card")) == 4)
        driver.find_element(By.ID, "chat-input").click()
        assert driver.execute_script(
            "return document.documentElement.scrollHeight <= innerHeight"
            " && document.documentElement.scrollWidth <= innerWidth"
        )
        path = out_dir / name
        assert driver.save_screenshot(str(path))
        assert path.stat().st_size > 5_000
