"""A resident's whole appointment on a phone-sized browser: from the service guide to a
booking, a check-in that is too early and one on time, to being called first.

The server runs in a thread of this test with a `ManualClock` (Monday 09:00 in the hall's
zone), so the slots and the check-in window never depend on when the test runs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from hallq.serve import free_port
from hallq.settings import Settings
from hallq.web import create_app
from queue_core.ports import ManualClock
from tests.conftest import MORNING
from tests.e2e.conftest import STAFF, ServedApi

HALL = "south-axis"


@dataclass
class ClockedServer(ServedApi):
    clock: ManualClock


@pytest.fixture
def clocked_server(settings: Settings) -> Iterator[ClockedServer]:
    clock = ManualClock(MORNING)
    port = free_port("127.0.0.1")
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(settings, clock))
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(30), "the test server did not start"
    yield ClockedServer(f"http://127.0.0.1:{port}", clock)
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_guide_to_booking_to_check_in_to_being_called_on_a_phone(
    clocked_server: ClockedServer, open_page: Any, tmp_path: Path
) -> None:
    server = clocked_server
    opened = open_page(
        f"{server.url}/halls/{HALL}/guide/social-security", "booking-guide", 360, 740
    )
    page = opened.page
    page.click("#book")
    page.wait_for_url("**/book?service=social-security")
    page.wait_for_selector(".slot")  # today is picked, its slots are drawn
    opened.name = "booking-slots"
    opened.screenshot()
    opened.assert_no_horizontal_scroll()
    ten = page.locator(".slot", has_text="10:00")
    before = ten.locator(".free").inner_text()
    ten.click()
    page.fill("#phone", "13812345678")
    opened.screenshot("-phone")
    page.click("#submit")
    page.wait_for_url("**/b/*")
    assert "已预约" in page.locator("#status").inner_text()
    assert "10:00–10:30" in page.locator("#when").inner_text()
    assert page.locator("#qr svg").is_visible()
    opened.name = "booking"
    opened.screenshot()
    opened.assert_no_horizontal_scroll()

    page.click("#check-in")  # 09:00: check-in opens at 09:45
    page.wait_for_selector("#error:not([hidden])")
    assert "签到" in page.locator("#error").inner_text()

    server.clock.advance(50 * 60)  # 09:50
    page.click("#check-in")
    page.wait_for_selector("#ticket-box:not([hidden])")
    number = page.locator("#ticket-number").inner_text()
    assert number.startswith("A")
    opened.screenshot("-checked-in")

    walk_in = server.api(
        "POST", f"/api/halls/{HALL}/tickets", {"service": "social-security", "request_id": "w"}
    )
    page.click("#ticket-link")
    page.wait_for_url("**/t/*")
    assert page.locator("#number").inner_text() == number
    server.clock.advance(10 * 60)  # 10:00: the slot begins
    staff = server.login(STAFF)
    server.api("POST", f"/api/halls/{HALL}/windows/1/open", {"request_id": "o"}, staff)
    called = server.api(
        "POST", f"/api/halls/{HALL}/windows/1/call-next", {"request_id": "c"}, staff
    )
    assert (
        called["current"]["number"] == number != walk_in["ticket"]["number"]
    )  # ahead of the walk-in
    page.wait_for_function("document.body.dataset.status === 'called'")
    opened.name = "booking-called"
    opened.screenshot()
    # The browser logs the refused early check-in (409) as a failed load; nothing else.
    assert [e for e in opened.console_errors if "409" not in e] == []

    mine = open_page(f"{server.url}/halls/{HALL}/mine", "booking-mine", 360, 740)
    mine.page.fill("#phone", "+86 138 1234 5678")
    mine.page.click("#lookup button[type=submit]")
    mine.page.wait_for_selector("#found li")
    assert "社保" in mine.page.locator("#found").inner_text()
    assert before  # the slot showed its free places


def test_a_kiosk_scanning_the_booking_s_qr_checks_it_in(
    clocked_server: ClockedServer, open_page: Any
) -> None:
    server = clocked_server
    body = {"request_id": "k", "service": "social-security", "start": "2026-03-02T10:00:00+08:00", "phone": "13912345678"}  # fmt: skip
    booked = server.api("POST", f"/api/halls/{HALL}/appointments", body)
    server.clock.advance(50 * 60)  # 09:50
    kiosk = open_page(f"{server.url}/halls/{HALL}/kiosk", "kiosk-booking-check-in", 1080, 1920)
    kiosk.page.fill("#arrive-code", server.url + booked["page_url"])  # what a scanner types
    kiosk.page.press("#arrive-code", "Enter")
    kiosk.page.wait_for_selector("#arrive-result:not([hidden])")
    shown = server.api("GET", f"/api/appointments/{booked['token']}")["booking"]
    assert (
        shown["status"] == "checked_in"
        and shown["ticket"]["number"] in kiosk.page.locator("#arrive-result").inner_text()
    )
    kiosk.screenshot()


def test_a_ticket_taken_from_home_on_the_guide_page_waits_as_remote(
    clocked_server: ClockedServer, open_page: Any
) -> None:
    server = clocked_server
    staff = server.login(STAFF)
    server.api("POST", f"/api/halls/{HALL}/windows/1/open", {"request_id": "o"}, staff)
    opened = open_page(f"{server.url}/halls/{HALL}/guide/social-security", "guide-remote", 360, 740)
    opened.page.click("#remote")
    opened.page.wait_for_url("**/t/*")
    opened.page.wait_for_selector("#remote-box:not([hidden])")
    token = opened.page.url.rsplit("/", 1)[1]
    status = server.api("GET", f"/api/tickets/{token}")
    assert status["remote"] is True and status["arrived"] is False
    opened.screenshot()
    opened.assert_no_console_errors()
