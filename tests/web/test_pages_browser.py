"""Headless Chromium tests of /thu-tuc, /thu-tuc/<code> and /tong-dai (issue 13): search with and without accents,
each filter, the documents of a page equal to the chat's documents answer (one renderer), print CSS on A4, keyboard
only, 360 px wide, the console refused without the token and working with it, bad input escaped."""

from __future__ import annotations

import base64
import re
from typing import Any, Callable, List
from urllib.parse import quote

import pytest
from rasa_sdk.executor import CollectingDispatcher
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from actions.procedures import ActionAnswerProcedure
from bot.catalog import load_catalog, render
from tests.procedures.conftest import make_tracker
from tests.web.conftest import FakeRasa, set_viewport
from tests.web.test_page import wait_for

TOKEN = "tong-dai-bi-mat-42"
CODE = "000.00.12.H29-261102-0002"


@pytest.fixture
def browser(driver: Any) -> Any:
    driver.set_page_load_timeout(120)  # the first page of a server process loads the catalog
    set_viewport(driver, 1280, 900)
    yield driver
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    driver.delete_all_cookies()


@pytest.fixture
def console_url(fake_rasa: FakeRasa, web_factory: Callable[..., str], tmp_path: Any) -> str:
    return web_factory(
        fake_rasa.url, rasa_timeout=3.0, operator_token=TOKEN, subscriptions_db=str(tmp_path / "subs.sqlite")
    )


def result_codes(driver: Any) -> List[str]:
    return [e.get_attribute("data-code") for e in driver.find_elements(By.CSS_SELECTOR, "li.result")]


def navigating(driver: Any, act: Callable[[], Any], timeout: float = 120) -> None:
    """Do what leads to another page (submit a form, follow a link), then wait for that page: the old document,
    marked beforehand, is gone and the new one has loaded. Elements found before that could be the old page's,
    going stale under the test (the browser is shared by the whole session, so nothing else tells when a
    navigation is over)."""
    driver.execute_script("window.__oldPage = true")
    act()
    wait_for(driver, new_page_loaded, timeout=timeout)


def new_page_loaded(driver: Any) -> bool:
    """The marked document is gone and its successor has loaded. Mid-navigation Chromium can answer any command with
    an error about a node or context that left the document: that means "not yet", not a failure."""
    try:
        return bool(driver.execute_script("return !window.__oldPage && document.readyState === 'complete'"))
    except WebDriverException:
        return False


def submit(driver: Any, field_id: str, text: str) -> None:
    """Type into a form field and press Enter (the forms submit without any script); wait for the next page."""
    navigating(driver, lambda: driver.find_element(By.ID, field_id).send_keys(text, Keys.ENTER))


def search_for(driver: Any, base: str, query: str) -> None:
    driver.get(base + "/thu-tuc")
    submit(driver, "q", query)
    assert "q=" in driver.current_url and driver.find_element(By.ID, "summary")


def active(driver: Any) -> Any:
    return driver.switch_to.active_element


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("query", ["đăng ký khai sinh", "dang ky khai sinh", "DANG KY KHAI SINH cho con"])
def test_search_with_and_without_accents(browser: Any, web_url: str, query: str) -> None:
    search_for(browser, web_url, query)
    codes = result_codes(browser)
    assert codes[0] == "1.001193", codes[:5]
    first = browser.find_element(By.CSS_SELECTOR, "li.result a")
    assert first.text == "Thủ tục đăng ký khai sinh"
    assert browser.find_element(By.CSS_SELECTOR, "li.result .tag").text == "Khớp nhất với câu hỏi"
    navigating(browser, first.click)
    assert browser.current_url.endswith("/thu-tuc/1.001193")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Thủ tục đăng ký khai sinh"


@pytest.mark.parametrize(
    "name,value,holds",
    [
        ("level", "xa", lambda r: "Cấp xã" in (r.get("levels") or [])),
        ("online", "full", lambda r: render.availability(r) == "full"),
        ("online", "partial", lambda r: render.availability(r) == "partial"),
        ("online", "none", lambda r: render.availability(r) == "none"),
        ("fee", "free", lambda r: not any(render.has_fee(r, c["channel"]) for c in r["channels"])),
        ("fee", "paid", lambda r: any(render.has_fee(r, c["channel"]) for c in r["channels"])),
        ("field", "Hộ tịch", lambda r: r.get("field") == "Hộ tịch"),
    ],
)
def test_each_filter(browser: Any, web_url: str, name: str, value: str, holds: Callable[[dict], bool]) -> None:
    search_for(browser, web_url, "đăng ký")
    unfiltered = result_codes(browser)
    Select(browser.find_element(By.ID, f"f-{name}")).select_by_value(value)
    navigating(browser, browser.find_element(By.ID, "apply").click)
    assert f"{name}={quote(value)}" in browser.current_url.replace("+", "%20")
    codes = result_codes(browser)
    catalog = load_catalog()
    assert codes, "the filter left nothing"
    assert all(holds(catalog.get(code)) for code in codes)
    assert codes != unfiltered or all(holds(catalog.get(c)) for c in unfiltered)
    # The choice stays selected on the result page, and the question too.
    assert Select(browser.find_element(By.ID, f"f-{name}")).first_selected_option.get_attribute("value") == value
    assert browser.find_element(By.ID, "q").get_attribute("value") == "đăng ký"


def test_filters_without_a_question_list_procedures(browser: Any, web_url: str) -> None:
    browser.get(web_url + "/thu-tuc?level=xa&online=full&fee=paid")
    codes = result_codes(browser)
    catalog = load_catalog()
    expected = [
        r
        for r in catalog
        if "Cấp xã" in (r["levels"] or [])
        and render.availability(r) == "full"
        and any(render.has_fee(r, c["channel"]) for c in r["channels"])
    ]
    assert len(codes) == min(len(expected), 50) and set(codes) <= {r["code"] for r in expected}
    assert str(len(expected)) in browser.find_element(By.ID, "summary").text


# ---------------------------------------------------------------- one renderer


async def chat_documents(code: str) -> str:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("/ask_documents", "ask_documents", slots={"procedure_code": code})
    await ActionAnswerProcedure().run(dispatcher, tracker, {})
    [answer] = [m for m in dispatcher.messages if m.get("response") == "utter_procedure_documents"]
    return answer["documents"]


def page_document_lines(driver: Any) -> List[str]:
    lines = []
    for element in driver.find_elements(By.CSS_SELECTOR, "#documents .group-heading, #documents .doc-line"):
        if "group-heading" in element.get_attribute("class"):
            lines.append(re.sub(r" \(\d+ giấy tờ\)$", "", element.text))
        else:
            lines.append("• " + element.text)
    return lines


async def test_page_documents_equal_the_chat_answer(browser: Any, web_url: str) -> None:
    code = "1.012549"  # căn cước under 14: four cases, forms; short enough that the chat lists it whole
    chat = await chat_documents(code)
    assert "…" not in chat and "mục khác" not in chat
    browser.get(f"{web_url}/thu-tuc/{code}")
    assert page_document_lines(browser) == chat.split("\n")
    forms = browser.find_elements(By.CSS_SELECTOR, "#documents .form a")
    assert forms and all(f.get_attribute("href").startswith("https://dichvucong.gov.vn/") for f in forms)


async def test_page_lists_in_full_what_the_chat_cuts(browser: Any, web_url: str) -> None:
    code = "1.004194"  # tạm trú: the chat cuts long names at 220 characters and lists 8 papers at most
    chat = (await chat_documents(code)).split("\n")
    browser.get(f"{web_url}/thu-tuc/{code}")
    page = page_document_lines(browser)
    assert len(page) >= len(chat)
    for chat_line, page_line in zip(chat, page):
        if chat_line.endswith("…") or "…" in chat_line:
            head = chat_line.split("…")[0]
            assert page_line.startswith(head) and len(page_line) > len(chat_line) - 1
        else:
            assert chat_line == page_line
    assert "7 giấy tờ" in browser.find_element(By.ID, "h-documents").text


# ---------------------------------------------------------------- print, keyboard, 360 px


def test_print_view_is_clean_a4(browser: Any, web_url: str) -> None:
    browser.get(web_url + "/thu-tuc/1.001193")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    for selector in ("header.site", "nav.toc", "#zalo", ".skip"):
        assert not browser.find_element(By.CSS_SELECTOR, selector).is_displayed(), selector
    for selector in ("h1", "#documents", "#fee", "#online", "#checklist", "#portal-link"):
        assert browser.find_element(By.CSS_SELECTOR, selector).is_displayed(), selector
    after = browser.execute_script("return getComputedStyle(document.getElementById('portal-link'), '::after').content")
    assert "dichvucong.gov.vn" in after  # the link's address is printed
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box and abs(float(box.group(1)) - 595.3) < 2 and abs(float(box.group(2)) - 841.9) < 2  # A4 in points


def test_keyboard_only_search_and_procedure(browser: Any, web_url: str) -> None:
    browser.get(web_url + "/thu-tuc")
    keys = ActionChains(browser)
    keys.send_keys(Keys.TAB).perform()
    assert active(browser).get_attribute("class") == "skip"
    keys.send_keys(Keys.ENTER).perform()
    assert active(browser).get_attribute("id") == "main"
    keys.send_keys(Keys.TAB).perform()
    assert active(browser).get_attribute("id") == "q"
    navigating(browser, keys.send_keys("tam tru", Keys.ENTER).perform)
    assert result_codes(browser)
    # Tab from the question through the filters to the first result, then open it with Enter.
    for _ in range(30):
        keys.send_keys(Keys.TAB).perform()
        if active(browser).get_attribute("href") and "/thu-tuc/" in active(browser).get_attribute("href"):
            break
    link = active(browser)
    assert link.get_attribute("href").endswith("/thu-tuc/" + result_codes(browser)[0])
    navigating(browser, keys.send_keys(Keys.ENTER).perform)
    assert browser.find_elements(By.ID, "documents")
    # On the page, the table of contents is reachable and moves to its section.
    for _ in range(15):
        keys.send_keys(Keys.TAB).perform()
        if (active(browser).get_attribute("href") or "").endswith("#fee"):
            break
    assert (active(browser).get_attribute("href") or "").endswith("#fee")
    focus_ring = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert focus_ring == "solid"  # the focused link is visibly marked
    keys.send_keys(Keys.ENTER).perform()
    assert browser.current_url.endswith("#fee")


@pytest.mark.parametrize(
    "path", ["/thu-tuc?q=dang+ky+tam+tru", "/thu-tuc/1.002755", "/thu-tuc/2.002032", "/tong-dai", "/thu-tuc/0.000000"]
)
def test_fits_360_px(browser: Any, console_url: str, path: str) -> None:
    set_viewport(browser, 360, 740, mobile=True)
    browser.get(console_url + path)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
    assert browser.execute_script("return document.documentElement.lang") == "vi"
    for element in browser.find_elements(By.CSS_SELECTOR, "main a, main button, main input, main select"):
        if element.is_displayed():
            rect = element.rect
            assert rect["x"] >= 0 and rect["x"] + rect["width"] <= 361, (path, element.text)


def test_zalo_messages_copy_button(browser: Any, web_url: str) -> None:
    browser.get(web_url + "/thu-tuc/1.001193")
    boxes = browser.find_elements(By.CSS_SELECTOR, "#zalo textarea")
    record = load_catalog().get("1.001193")
    assert [b.get_attribute("value") for b in boxes] == render.zalo_messages(record)
    assert all(len(b.get_attribute("value")) <= 2000 for b in boxes)
    buttons = browser.find_elements(By.CSS_SELECTOR, "#zalo button.copy")
    assert len(buttons) == len(boxes)  # added by pages.js; the boxes work without it
    buttons[0].click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#zalo button.copy")[0].text == "Đã sao chép")


# ---------------------------------------------------------------- bad input


def test_script_in_the_question_does_not_run(browser: Any, web_url: str) -> None:
    browser.get(
        web_url
        + "/thu-tuc?q="
        + quote("<script>window.pwned=1</script><img src=x onerror=window.pwned=2>")
        + "&level=<b>x</b>"
    )
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_element(By.ID, "q").get_attribute("value").startswith("<script>window.pwned=1</script>")
    assert "Bộ lọc không hợp lệ đã được bỏ qua: level." in browser.find_element(By.ID, "notices").text
    assert browser.find_element(By.ID, "summary").text.startswith("Không tìm thấy thủ tục phù hợp")


def test_empty_and_very_long_questions(browser: Any, web_url: str) -> None:
    browser.get(web_url + "/thu-tuc?q=")
    assert browser.find_element(By.ID, "summary").text.startswith("Nhập tên thủ tục hoặc câu hỏi")
    browser.get(web_url + "/thu-tuc?q=" + quote(("dang ky tam tru " * 320)[:5000]))
    assert "Câu tìm kiếm quá dài: chỉ dùng 300 ký tự đầu." in browser.find_element(By.ID, "notices").text
    assert result_codes(browser)[0] == "1.004194"
    # 5,000 characters with accents make an address longer than any server reads: a clear page, not an error dump.
    browser.get(web_url + "/thu-tuc?q=" + quote("đăng ký tạm trú " * 320))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Câu tìm kiếm quá dài"


def test_unknown_code_page(browser: Any, web_url: str) -> None:
    browser.get(web_url + "/thu-tuc/9.999999")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Không tìm thấy trang"
    navigating(browser, browser.find_element(By.LINK_TEXT, "Tra cứu thủ tục").click)
    assert browser.current_url.endswith("/thu-tuc")


# ---------------------------------------------------------------- the console


def test_console_refused_without_the_token_and_working_with_it(
    browser: Any, console_url: str, fake_rasa: FakeRasa
) -> None:
    browser.get(console_url + "/tong-dai")
    browser.delete_all_cookies()  # the browser is shared: no login left by another test (cookies ignore ports)
    browser.get(console_url + "/tong-dai")
    assert browser.find_element(By.ID, "console-message").text.startswith("Trang dành cho tổng đài viên")
    assert not browser.find_elements(By.ID, "code")
    submit(browser, "token", "sai-ma")
    assert browser.find_element(By.ID, "console-message").text == "Mã tổng đài viên không đúng."
    assert not browser.get_cookies()
    submit(browser, "token", TOKEN)  # the login answers with a redirect to the console
    assert browser.find_elements(By.ID, "code")
    [cookie] = browser.get_cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and TOKEN not in cookie["value"]
    assert browser.execute_script("return document.cookie") == ""  # not readable by scripts
    submit(browser, "code", CODE.lower())
    answer = browser.find_element(By.ID, "answer").text
    assert "[Cán bộ] Ghi chú: chờ xác minh <b>nơi cư trú</b>." in answer  # shown as text, not markup
    assert "Trễ hạn" in answer
    assert CODE not in browser.current_url and "261102" not in browser.current_url
    assert CODE in browser.find_element(By.ID, "recent").text
    assert fake_rasa.received[-1]["metadata"] == {"operator_token": TOKEN}
    navigating(browser, browser.find_element(By.CSS_SELECTOR, "form.logout button").click)
    assert browser.find_elements(By.ID, "token")
