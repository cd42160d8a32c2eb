"""The hall screen in a real browser: counts, calls, a queue of announcements, a drop."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from tests.e2e.conftest import STAFF, LiveServer

HALL = "south-axis"
_ids = itertools.count()
CAPTURE_SOCKETS = """
  window.__sockets = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
"""


def issue(server: LiveServer, service: str = "social-security", lane: str = "blue") -> Any:
    body = {"service": service, "lane": lane, "channel": "kiosk", "request_id": f"k-{next(_ids)}"}
    return server.api("POST", f"/api/halls/{HALL}/tickets", body)


def act(server: LiveServer, token: str, window: int, action: str) -> Any:
    body = {"request_id": f"{action}-{window}-{next(_ids)}"}
    return server.api("POST", f"/api/halls/{HALL}/windows/{window}/{action}", body, token)


def announced(page: Any, count: int) -> list[dict[str, Any]]:
    """Wait until `count` announcements have played out, and return their log."""
    page.wait_for_function(
        f"window.hallqAnnouncementLog.length >= {count} && !window.hallqAnnouncing", timeout=20_000
    )
    return list(page.evaluate("window.hallqAnnouncementLog"))


def open_screen(live_server: LiveServer, open_page: Any, name: str) -> Any:
    opened = open_page(f"{live_server.url}/halls/{HALL}/screen", name, 1920, 1080)
    opened.page.wait_for_function("!!window.hallqAnnouncements")
    return opened


def test_the_screen_shows_waiting_counts_and_a_call(live_server: LiveServer, open_page) -> None:  # type: ignore[no-untyped-def]
    staff = live_server.login(STAFF)
    for service, lane in [("social-security", "blue")] * 3 + [
        ("social-security", "green"),
        ("enterprise-startup", "yellow"),
        ("vaccination", "green"),
    ]:
        issue(live_server, service, lane)
    opened = open_screen(live_server, open_page, "screen")
    page = opened.page
    row = page.locator("tr[data-service='social-security']")
    assert row.locator("[data-lane='blue']").inner_text() == "3"
    assert row.locator("[data-lane='green']").inner_text() == "1"
    assert page.locator("table[data-zone='gov'] thead [data-lane='yellow']").inner_text() == "1"
    assert "号窗口" not in page.locator("#recent-list").inner_text()
    act(live_server, staff, 1, "open")
    act(live_server, staff, 5, "open")
    issue(live_server, "id-card")
    called = act(live_server, staff, 1, "call-next")["current"]["number"]
    log = announced(page, 1)
    assert log[0]["number"] == called and log[0]["window"] == 1
    assert page.locator("#now-number").inner_text() == called
    assert page.locator("#now-window-zh").inner_text() == "1"
    assert page.locator("#recent-list li").first.inner_text().startswith(called)
    page.wait_for_function(  # the board after the call: five wait in the gov zone, not six
        "[...document.querySelectorAll(\"table[data-zone='gov'] thead .n\")]"
        ".reduce((sum, cell) => sum + Number(cell.textContent), 0) === 5"
    )
    act(live_server, staff, 5, "call-next")
    page.wait_for_function("window.hallqAnnouncements.length === 2")
    assert "fresh" in page.locator("#now").get_attribute("class").split()  # highlighted
    assert page.locator("#now-number").inner_text() == "L001"
    assert "请 L001 号到 5 号窗口办理" in page.evaluate("window.hallqAnnouncements[1]")
    assert page.locator("#screen-clock").inner_text().count(":") == 2
    page.wait_for_timeout(1500)  # after the flash, still highlighted
    opened.screenshot()
    opened.assert_no_horizontal_scroll()
    page.click("[data-lang-toggle]")
    assert page.locator("#now .en").first.is_visible()
    assert "Window" in page.locator("#now-call").inner_text()
    opened.screenshot("-en")
    opened.assert_no_horizontal_scroll()
    opened.assert_no_console_errors()


def test_three_calls_in_one_second_are_all_announced_in_order_one_at_a_time(
    live_server: LiveServer, open_page
) -> None:  # type: ignore[no-untyped-def]
    staff = live_server.login(STAFF)
    for window, service in [(1, "social-security"), (3, "medical-insurance"), (5, "id-card")]:
        act(live_server, staff, window, "open")
        issue(live_server, service)
    opened = open_screen(live_server, open_page, "screen-three-calls")
    page = opened.page
    with ThreadPoolExecutor(3) as pool:
        calls = list(pool.map(lambda w: act(live_server, staff, w, "call-next"), [1, 3, 5]))
    assert {c["current"]["number"] for c in calls} == {"A001", "B001", "L001"}
    board = live_server.api("GET", f"/api/halls/{HALL}/board")
    in_order = [c["number"] for c in reversed(board["last_calls"])]
    stamps = [datetime.fromisoformat(c["at"]) for c in board["last_calls"]]
    assert (max(stamps) - min(stamps)).total_seconds() < 1  # within the same second
    log = announced(page, 3)
    page.wait_for_timeout(1500)  # nothing more comes
    log = page.evaluate("window.hallqAnnouncementLog")
    assert [e["number"] for e in log] == in_order
    texts = page.evaluate("window.hallqAnnouncements")
    assert len(texts) == 3 and all(n in t for n, t in zip(in_order, texts, strict=True))
    for before, after in itertools.pairwise(log):
        assert after["start"] >= before["end"] > before["start"], log  # never overlapping
        assert before["end"] - before["start"] >= 1100  # the chime's time, at least
    recent = page.locator("#recent-list .r-num").all_inner_texts()
    assert recent[:3] == list(reversed(in_order))
    opened.assert_no_console_errors()


def test_after_a_network_drop_the_screen_shows_and_announces_what_it_missed(
    live_server: LiveServer, open_page
) -> None:  # type: ignore[no-untyped-def]
    staff = live_server.login(STAFF)
    for window in (1, 2):
        act(live_server, staff, window, "open")
        issue(live_server)
        issue(live_server)
    opened = open_screen(live_server, open_page, "screen-offline")
    page = opened.page
    page.add_init_script(CAPTURE_SOCKETS)
    page.reload()
    page.wait_for_function("window.__sockets.length === 1 && window.__sockets[0].readyState === 1")
    act(live_server, staff, 1, "call-next")  # A001, heard live
    announced(page, 1)
    page.context.set_offline(True)
    page.evaluate("window.__sockets.forEach((s) => s.close())")
    page.wait_for_selector("body.offline .screen-offline", state="visible")
    missed = [act(live_server, staff, w, "call-next")["current"]["number"] for w in (2,)]
    act(live_server, staff, 1, "start")
    act(live_server, staff, 1, "finish")
    missed.append(act(live_server, staff, 1, "call-next")["current"]["number"])
    assert missed == ["A002", "A003"]
    page.wait_for_timeout(1000)
    assert page.locator("#recent-list .r-num").all_inner_texts() == ["A001"]
    opened.screenshot()
    opened.assert_no_horizontal_scroll()
    page.context.set_offline(False)
    log = announced(page, 3)
    assert [e["number"] for e in log] == ["A001", *missed]
    assert page.locator("#recent-list .r-num").all_inner_texts() == ["A003", "A002", "A001"]
    assert not page.locator(".screen-offline").is_visible()
    assert page.locator("#now-number").inner_text() == "A003"
    page.wait_for_function(  # and the counts are today's, not those from before the drop
        "document.querySelector(\"tr[data-service='social-security'] [data-lane='blue']\")"
        ".textContent === '1'"
    )
    opened.screenshot("-recovered")
    page.wait_for_timeout(1500)
    assert len(page.evaluate("window.hallqAnnouncements")) == 3  # each once, none twice
    # Reconnecting while offline fails, and Chromium logs each failed attempt.
    assert [e for e in opened.console_errors if "WebSocket connection" not in e] == []
