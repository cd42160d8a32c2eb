"""One resident's visit across all four pages, as the hall would see it:
kiosk → ticket with QR → phone page → terminal logs in and calls → the hall screen shows
the call and announces it → the phone flips to "your turn" → finish with a rating →
the statistics count it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import STAFF, SUPERVISOR, LiveServer
from tests.e2e.test_page_kiosk import png_gray

HALL = "south-axis"


def test_a_residents_visit_from_kiosk_to_rating(live_server: LiveServer, open_page: Any) -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="the QR decoder (dev extra zxing-cpp)")
    screen = open_page(f"{live_server.url}/halls/{HALL}/screen", "story-screen", 1920, 1080)
    kiosk = open_page(f"{live_server.url}/halls/{HALL}/kiosk", "story-kiosk", 1080, 1920)

    # The kiosk: search by pinyin initials, take a ticket, read its QR.
    kiosk.page.fill("#search", "sb")
    kiosk.page.click("#result-tiles [data-service=social-security]")
    kiosk.page.click("#take")
    kiosk.page.wait_for_selector("#screen-ticket:not([hidden])")
    number = kiosk.page.locator("#t-number").inner_text().strip()
    decoded = zxingcpp.read_barcodes(png_gray(kiosk.page.locator("#t-qr svg").screenshot()))
    phone_url = decoded[0].text
    assert phone_url.startswith(f"{live_server.url}/t/") and number == "A001"
    kiosk.screenshot()

    # The resident's phone, opened from the QR code.
    phone = open_page(phone_url, "story-phone", 360, 640)
    phone.page.wait_for_function("document.body.dataset.status === 'waiting'")
    assert phone.page.locator("#number").inner_text() == number

    # The window terminal: log in, open, call next.
    terminal = open_page(f"{live_server.url}/halls/{HALL}/windows/1", "story-terminal", 1280, 800)
    terminal.page.fill("#login-form [name=username]", STAFF[0])
    terminal.page.fill("#login-form [name=password]", STAFF[1])
    terminal.page.click("#login-form button[type=submit]")
    terminal.page.click("[data-action=open]")
    terminal.page.wait_for_selector("#window-status[data-status=open]")
    terminal.page.click("[data-action=call-next]")
    terminal.page.wait_for_selector(f"#cur-number:text-is('{number}')")

    # The hall screen shows the call and queues its announcement.
    screen.page.wait_for_selector(f"#now-number:text-is('{number}')")
    assert screen.page.locator("#now-window-zh").inner_text() == "1"
    screen.page.wait_for_function("window.hallqAnnouncements.length >= 1")
    assert number in screen.page.evaluate("window.hallqAnnouncements[0]")
    screen.screenshot()

    # The phone flips to "your turn".
    phone.page.wait_for_selector("#your-turn", state="visible")
    assert phone.page.locator("#your-turn-text").inner_text() == "请到 1 号窗口"
    phone.screenshot()

    # Served and rated at the window.
    terminal.page.click("[data-action=start]")
    terminal.page.wait_for_selector("#cur-status[data-status=serving]")
    terminal.page.click("[data-action=finish]")
    terminal.page.check("#dlg-finish input[name=rating][value='5']")
    terminal.page.click("#dlg-finish button[type=submit]")
    terminal.page.wait_for_selector("#current", state="hidden")
    phone.page.wait_for_function("document.body.dataset.status === 'done'")

    # The statistics count the visit and its rating.
    boss = live_server.login(SUPERVISOR)
    stats = live_server.api("GET", f"/api/halls/{HALL}/statistics", token=boss)
    assert stats["summary"]["served"] == 1 and stats["summary"]["mean_rating"] == 5
    for opened in (kiosk, phone, terminal, screen):
        opened.assert_no_console_errors()
        opened.assert_no_horizontal_scroll()
