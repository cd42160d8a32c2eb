"""The service guide on a phone-sized browser: search as you type, one service, the
printable checklist, and the same search without JavaScript."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.e2e.conftest import LiveServer

HALL = "south-axis"
PHONE = (360, 740)


def test_a_resident_finds_the_senior_card_reads_it_and_prints_the_checklist(
    live_server: LiveServer, open_page: Any
) -> None:
    opened = open_page(f"{live_server.url}/halls/{HALL}/guide", "guide", *PHONE)
    page = opened.page
    assert page.locator(".zone").count() == 4  # no query yet: every service, by zone
    opened.assert_no_horizontal_scroll()
    page.locator("#q").press_sequentially("老年证")
    page.wait_for_function(
        "document.querySelector('#results .result-name')?.textContent === '老年优待证'"
    )
    assert page.locator("#results .result").count() == 1
    assert page.url.endswith("?q=%E8%80%81%E5%B9%B4%E8%AF%81")  # the address follows the box
    opened.screenshot("-search")
    opened.assert_no_horizontal_scroll()

    page.locator("#results .result").first.click()
    page.wait_for_url(f"**/halls/{HALL}/guide/senior-card")
    required = page.locator("#required .materials").first.inner_text()
    assert "身份证" in required and "一寸照片" in required
    assert "11、12 号窗口" in page.locator(".facts").inner_text()
    assert page.locator("#book").get_attribute("href") == f"/halls/{HALL}/book?service=senior-card"
    font = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.materials li')).fontSize)"
    )
    assert font >= 18  # large enough for older readers
    opened.screenshot("-service")
    opened.assert_no_horizontal_scroll()

    page.click("[data-lang-toggle]")
    assert "ID card" in page.locator("#required").inner_text()
    opened.screenshot("-service-en")
    opened.assert_no_horizontal_scroll()
    opened.assert_no_console_errors()

    page.click("[data-lang-toggle]")
    page.click("#print-link")
    page.wait_for_url("**/guide/senior-card/print")
    assert page.locator("#required li").count() == 2
    assert page.locator("#required .box").count() == 2
    assert "南中轴综合服务中心" in page.locator("header").inner_text()
    day = page.locator("time").get_attribute("datetime")
    assert dt.date.fromisoformat(day or "")  # the hall's date, ISO
    opened.screenshot("-print")
    opened.assert_no_horizontal_scroll()
    page.emulate_media(media="print")
    assert not page.locator(".no-print").is_visible()
    opened.assert_no_console_errors()


def test_the_search_works_without_javascript(live_server: LiveServer, open_page: Any) -> None:
    opened = open_page(
        f"{live_server.url}/halls/{HALL}/guide", "guide-nojs", *PHONE, java_script_enabled=False
    )
    page = opened.page
    page.fill("#q", "senior card")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/guide?q=senior+card")
    assert page.locator("#results .result-name").first.inner_text() == "老年优待证"
    opened.assert_no_horizontal_scroll()


def test_the_kiosk_links_to_the_guide(live_server: LiveServer, open_page: Any) -> None:
    opened = open_page(f"{live_server.url}/halls/{HALL}/kiosk", "guide-from-kiosk", 1080, 1920)
    assert opened.page.locator(f"a[href='/halls/{HALL}/guide']").count() == 1
