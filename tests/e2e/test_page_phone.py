"""A resident's phone in a real browser: live status, the call, cancel, rating, not found."""

from __future__ import annotations

import itertools
import re
import urllib.error
import urllib.request
from typing import Any

from tests.e2e.conftest import STAFF, SUPERVISOR, LiveServer

HALL = "south-axis"
_ids = itertools.count()


def issue(server: LiveServer, service: str = "social-security", lane: str = "blue") -> Any:
    body = {"service": service, "lane": lane, "channel": "mobile", "request_id": f"m-{next(_ids)}"}
    return server.api("POST", f"/api/halls/{HALL}/tickets", body)


def act(server: LiveServer, token: str, window: int, action: str) -> Any:
    body = {"request_id": f"{action}-{window}-{next(_ids)}"}
    return server.api("POST", f"/api/halls/{HALL}/windows/{window}/{action}", body, token)


def serve_next(server: LiveServer, staff: str, window: int) -> str:
    """Call the next ticket at `window`, serve it and finish; return its number."""
    number = act(server, staff, window, "call-next")["current"]["number"]
    act(server, staff, window, "start")
    act(server, staff, window, "finish")
    return str(number)


def open_phone(server: LiveServer, open_page: Any, token: str, name: str) -> Any:
    opened = open_page(f"{server.url}/t/{token}", name, 360, 640)
    opened.page.wait_for_function("typeof window.hallqAlerts === 'number'")
    return opened


def test_the_phone_follows_its_ticket_until_its_turn_and_takes_a_rating(
    live_server: LiveServer, open_page
) -> None:  # type: ignore[no-untyped-def]
    staff = live_server.login(STAFF)
    issue(live_server), issue(live_server)
    mine = issue(live_server)
    assert mine["ticket"]["number"] == "A003"
    opened = open_phone(live_server, open_page, mine["token"], "phone")
    page = opened.page
    assert page.locator("#number").inner_text() == "A003"
    assert page.locator("#ahead").inner_text() == "2"
    assert re.fullmatch(r"约 \d+(–\d+)? 分钟", page.locator("#eta .zh").inner_text())
    assert page.locator("#status").inner_text() == "排队中"
    assert "社保" in page.locator(".service").inner_text()
    assert page.locator("#summary").get_attribute("aria-live") == "polite"
    assert page.locator("#cancel").is_visible()
    opened.screenshot()
    opened.assert_no_horizontal_scroll()

    page.click("[data-lang-toggle]")
    assert re.fullmatch(r"about \d+(–\d+)? min", page.locator("#eta").inner_text())
    assert page.locator("#summary").inner_text().startswith("2 people ahead")
    opened.screenshot("-en")
    opened.assert_no_horizontal_scroll()
    page.click("[data-lang-toggle]")

    page.click("#large-toggle")
    assert page.locator("#large-toggle").get_attribute("aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.querySelector('#number')).fontSize") == "94.5px"
    opened.screenshot("-large")
    opened.assert_no_horizontal_scroll()
    page.reload()  # the choice is remembered
    page.wait_for_function("typeof window.hallqAlerts === 'number'")
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    page.click("#large-toggle")

    act(live_server, staff, 1, "open")
    serve_next(live_server, staff, 1)  # A001: someone ahead is called, then served
    page.wait_for_function("document.querySelector('#ahead').textContent === '1'")
    assert page.locator("#ahead").locator("..").inner_text() == "1人"
    assert page.locator("#summary").inner_text().startswith("前面还有 1 人")
    serve_next(live_server, staff, 1)  # A002
    page.wait_for_function("document.querySelector('#ahead').textContent === '0'")
    assert page.locator("#summary").inner_text() == "您是下一位，请留意叫号"
    assert page.evaluate("window.hallqAlerts") == 0

    act(live_server, staff, 1, "call-next")  # A003: our turn
    page.wait_for_selector("#your-turn", state="visible")
    assert page.locator("#your-turn-text").inner_text() == "请到 1 号窗口"
    assert page.locator("#your-turn-number").inner_text() == "A003"
    assert page.locator("#alert-live").get_attribute("aria-live") == "assertive"
    assert "1 号窗口" in page.locator("#alert-live").inner_text()
    page.wait_for_timeout(500)  # the status and the call message both arrive: one alert
    assert page.evaluate("window.hallqAlerts") == 1
    opened.screenshot("-called")
    opened.assert_no_horizontal_scroll()
    page.click("#your-turn-ok")
    assert not page.locator("#your-turn").is_visible()
    assert page.locator("#status").inner_text() == "请到 1 号窗口"
    assert not page.locator("#cancel").is_visible()  # only while waiting

    act(live_server, staff, 1, "start")
    page.wait_for_function("document.body.dataset.status === 'serving'")
    act(live_server, staff, 1, "finish")
    page.wait_for_selector("#rating", state="visible")
    assert page.locator("#rate").is_disabled()
    page.locator("#stars label").nth(3).click()  # four stars
    assert page.locator("#stars label.on").count() == 4
    page.fill("#comment", "办得很快，谢谢")
    page.locator("#rate").scroll_into_view_if_needed()
    opened.screenshot("-rating")
    page.click("#rate")
    page.wait_for_selector("#thanks", state="visible")  # once the hall has the rating
    assert page.locator("#thanks").inner_text() == "谢谢！"
    assert not page.locator("#rating").is_visible()
    saved = page.evaluate(
        "Object.entries(localStorage).filter(([k]) => k.startsWith('hallq-rating:'))"
    )
    assert len(saved) == 1 and saved[0][0].endswith(":A003") and '"stars":4' in saved[0][1]
    boss = live_server.login(SUPERVISOR)
    stats = live_server.api("GET", "/api/halls/south-axis/statistics", token=boss)
    assert stats["summary"]["mean_rating"] == 4  # the phone's rating reached the hall
    opened.assert_no_horizontal_scroll()
    opened.assert_no_console_errors()


def test_a_resident_cancels_after_confirming(live_server: LiveServer, open_page) -> None:  # type: ignore[no-untyped-def]
    mine = issue(live_server, "vaccination", "green")
    opened = open_phone(live_server, open_page, mine["token"], "phone-cancel")
    page = opened.page
    assert page.locator("#lane").inner_text() == "绿色通道"
    page.click("#cancel")
    assert page.locator("#cancel-confirm").is_visible()
    page.click("#cancel-no")  # changed their mind
    assert not page.locator("#cancel-confirm").is_visible()
    assert live_server.api("GET", f"/api/tickets/{mine['token']}")["status"] == "waiting"
    page.click("#cancel")
    page.click("#cancel-yes")
    page.wait_for_function("document.body.dataset.status === 'cancelled'")
    assert page.locator("#status").inner_text() == "已取消"
    assert not page.locator("#cancel-box").is_visible()
    assert live_server.api("GET", f"/api/tickets/{mine['token']}")["status"] == "cancelled"
    opened.screenshot()
    opened.assert_no_horizontal_scroll()
    opened.assert_no_console_errors()


def test_an_unknown_ticket_is_a_bilingual_404_page(live_server: LiveServer, open_page) -> None:  # type: ignore[no-untyped-def]
    url = f"{live_server.url}/t/no-such-token-0000000000000000"
    try:
        urllib.request.urlopen(url, timeout=5)
        raise AssertionError("expected 404")
    except urllib.error.HTTPError as error:
        assert error.code == 404
        assert "text/html" in error.headers["Content-Type"]
    opened = open_page(url, "phone-not-found", 360, 640)
    text = opened.page.locator("main").inner_text()
    assert "找不到这张号票" in text and "Ticket not found" in text
    opened.screenshot()
    opened.assert_no_horizontal_scroll()


def test_a_phone_that_slept_through_its_call_shows_it_on_waking(
    live_server: LiveServer, open_page
) -> None:  # type: ignore[no-untyped-def]
    staff = live_server.login(STAFF)
    act(live_server, staff, 1, "open")
    mine = issue(live_server)
    opened = open_phone(live_server, open_page, mine["token"], "phone-woke")
    page = opened.page
    page.add_init_script(
        "window.__sockets = []; const N = window.WebSocket; window.WebSocket = class extends N"
        " { constructor(...a) { super(...a); window.__sockets.push(this); } };"
    )
    page.reload()
    page.wait_for_function("window.__sockets.length === 1 && window.__sockets[0].readyState === 1")
    # Asleep: the socket is gone and cannot come back yet. Closed while still online, so the
    # close handshake completes at once (offline, Chromium may hold `onclose` back for long).
    page.evaluate("window.__sockets.forEach((s) => s.close())")
    page.context.set_offline(True)
    page.wait_for_selector(".offline-banner", state="visible")
    act(live_server, staff, 1, "call-next")
    page.wait_for_timeout(800)
    assert not page.locator("#your-turn").is_visible()
    page.context.set_offline(False)  # awake: a fresh status arrives on the new socket
    page.wait_for_selector("#your-turn", state="visible", timeout=15_000)
    assert page.locator("#your-turn-text").inner_text() == "请到 1 号窗口"
    assert page.evaluate("window.hallqAlerts") == 1
    assert not page.locator(".offline-banner").is_visible()
