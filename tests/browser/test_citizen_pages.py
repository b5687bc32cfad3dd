"""The pages behind the QR codes in a real browser on a phone-sized screen: the place in the
line changes as the queue moves, the call shows large, nothing is fetched from elsewhere."""

from __future__ import annotations

from typing import Any

from tests import live
from tests.server.checks import DOSSIER

WAIT_S = 10


def text_of(driver: Any, element_id: str) -> str:
    return str(driver.find_element("id", element_id).text)


def wait_for_text(driver: Any, element_id: str, expected: str) -> None:
    """Until the element's text starts with ``expected`` (the page refreshes itself)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT_S).until(
        lambda d: text_of(d, element_id).startswith(expected),
        message=f"#{element_id} never showed {expected!r} (it shows {text_of(driver, element_id)!r})",
    )


def test_the_ticket_page_follows_the_queue_live(fast_server: live.LiveServer, browser: Any) -> None:
    kiosk, officer = fast_server.device("kiosk-1"), fast_server.user("canbo1")
    tickets = [kiosk.post("/tickets", json={"service_id": 1}).json() for _ in range(3)]
    mine = tickets[2]
    browser.get(f"{fast_server.base_url}/tra-cuu/so/{mine['public_token']}")
    assert text_of(browser, "number") == "A003"
    assert text_of(browser, "detail").startswith("Còn 2 người trước bạn.")
    assert not browser.find_element("id", "big").is_displayed()
    officer.post("/counters/1/open").raise_for_status()
    officer.post("/counters/1/call-next").raise_for_status()
    wait_for_text(browser, "detail", "Còn 1 người trước bạn.")
    for ticket in tickets[:2]:  # A001 served; then A002 called, then served
        officer.post(f"/tickets/{ticket['id']}/start").raise_for_status()
        officer.post(f"/tickets/{ticket['id']}/finish").raise_for_status()
        officer.post("/counters/1/call-next").raise_for_status()
        if ticket is tickets[0]:
            wait_for_text(browser, "detail", "Bạn là người tiếp theo.")
    wait_for_text(browser, "big", "QUẦY 1")
    assert text_of(browser, "headline") == "Mời bạn đến quầy"
    big = browser.find_element("id", "big")
    assert big.size["height"] >= 50 and big.size["width"] <= 360  # large, and fits the phone
    # Everything the page loaded came from the centre's server: no tracking, no CDN.
    origins = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).origin);"
    )
    assert set(origins) <= {fast_server.base_url}
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360  # no sideways scroll


def test_the_receipt_page_on_a_phone(fast_server: live.LiveServer, browser: Any) -> None:
    officer = fast_server.user("canbo1")
    dossier = officer.post("/dossiers", json=DOSSIER, headers={"Idempotency-Key": "browser-receipt-1"}).json()
    browser.get(f"{fast_server.base_url}/tra-cuu/ho-so/{dossier['code']}/{dossier['public_token']}")
    body = browser.find_element("tag name", "body").text
    assert "Đã tiếp nhận, đang giải quyết" in body and "Trong hạn, đang giải quyết" in body
    assert "N. V. An" in body and "Nguyễn Văn An" not in body
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
