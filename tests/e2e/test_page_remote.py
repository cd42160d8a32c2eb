"""A remote ticket (远程取号) on a phone-sized page: waiting remotely, then the large "come
now" banner with the QR a kiosk scans; the kiosk's scan confirms arrival."""

from __future__ import annotations

import itertools
from typing import Any

from tests.e2e.conftest import STAFF, LiveServer
from tests.e2e.test_page_phone import act, issue, open_phone

HALL = "south-axis"
_ids = itertools.count()


def issue_remote(server: LiveServer) -> Any:
    body = {"service": "social-security", "remote": True, "request_id": f"r-{next(_ids)}"}
    return server.api("POST", f"/api/halls/{HALL}/tickets", body)


def test_the_phone_shows_waiting_remotely_then_come_now_and_the_kiosk_confirms(
    live_server: LiveServer, open_page
) -> None:  # type: ignore[no-untyped-def]
    staff = live_server.login(STAFF)
    act(live_server, staff, 1, "open")
    for _ in range(6):
        issue(live_server)
    mine = issue_remote(live_server)  # A007: 6 ahead, more than the hall's 5
    opened = open_phone(live_server, open_page, mine["token"], "phone-remote")
    page = opened.page
    assert page.locator("#status").inner_text() == "远程排队中"
    assert page.locator("#remote-banner").inner_text() == "远程排队中"
    assert page.locator("#remote-qr svg").is_visible()
    opened.assert_no_horizontal_scroll()

    act(live_server, staff, 1, "call-next")  # 5 ahead: time to come
    page.wait_for_selector("#remote-box.come-now")
    assert page.locator("#remote-banner").inner_text() == "请现在前往大厅，并在取号机扫码确认到达"
    page.click("[data-lang-toggle]")
    assert page.locator("#remote-banner").inner_text() == (
        "Please come to the hall now and scan at a kiosk to confirm"
    )
    opened.screenshot("-come-now")
    opened.assert_no_horizontal_scroll()

    kiosk = open_page(f"{live_server.url}/halls/{HALL}/kiosk?kiosk=K7", "kiosk-arrive", 1080, 1920)
    kiosk.page.fill("#arrive-code", f"{live_server.url}/t/{mine['token']}")
    kiosk.page.press("#arrive-code", "Enter")
    kiosk.page.wait_for_selector("#arrive-result:not([hidden])")
    assert "A007 号已确认到达" in kiosk.page.locator("#arrive-result").inner_text()
    page.wait_for_function("document.body.dataset.status === 'waiting'")
    assert page.locator("#remote-box").is_hidden()
