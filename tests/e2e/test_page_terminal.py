"""A window's terminal in a real browser: log in, open, call, serve, transfer, park, return,
pause; shortcuts; refusals shown with the server's own message; live waiting counts."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import STAFF, LiveServer

PATH = "/halls/south-axis/windows/1"  # skills: social-security (assigned), medical-insurance …
RULES_ZH = {"等候时间×通道权重", "取号顺序", "超过保障时限", "预约时段", "转办/回队优先"}


def issue(server: LiveServer, service: str, lane: str = "blue") -> str:
    body = {"service": service, "lane": lane, "channel": "kiosk", "request_id": str(uuid.uuid4())}
    return str(server.api("POST", "/api/halls/south-axis/tickets", body)["ticket"]["number"])


def log_in(page, who: tuple[str, str] = STAFF) -> None:  # type: ignore[no-untyped-def]
    page.fill("#login-form [name=username]", who[0])
    page.fill("#login-form [name=password]", who[1])
    page.click("#login-form button[type=submit]")


def waits_for(page, service: str, lane: str, count: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "([s, l, n]) => { const td = document.querySelector(`#waiting tr[data-service=${s}] td.lane-${l}`);"
        " return td && td.textContent === String(n); }",
        arg=[service, lane, count],
    )


def status_is(page, status: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"#window-status[data-status={status}]")


def shortcut(page, key: str) -> None:  # type: ignore[no-untyped-def]
    """Press a keyboard shortcut once its button is available, as staff would: a push
    can show the new state a moment before the request that caused it has returned, and
    until then the buttons are held (one request at a time) and the key does nothing."""
    page.wait_for_selector(f"button[data-key='{key}']:not([disabled])")
    page.keyboard.press(key)


def only_refusals(errors: list[str]) -> bool:
    """Chromium logs every non-2xx fetch; the refusals this test provokes are 409s."""
    return all("status of 409" in e for e in errors)


def test_the_terminal_serves_a_ticket_from_call_to_finish(
    live_server: LiveServer, open_page
) -> None:  # type: ignore[no-untyped-def]
    opened = open_page(live_server.url + PATH, "terminal", 1280, 800)
    page = opened.page
    assert page.locator("#login").is_visible() and not page.locator("#desk").is_visible()
    opened.screenshot("-login")
    log_in(page)
    status_is(page, "closed")
    assert page.is_enabled("[data-action=open]") and page.is_disabled("[data-action=call-next]")
    page.click("[data-action=open]")
    status_is(page, "open")

    # Tickets issued by someone else show up live in the waiting counts.
    first = issue(live_server, "social-security", "blue")
    second = issue(live_server, "social-security", "green")
    waits_for(page, "social-security", "green", 1)
    waits_for(page, "social-security", "blue", 1)

    shortcut(page, "n")  # shortcut: call next
    page.wait_for_selector("#current:not([hidden])")
    called = page.inner_text("#cur-number")
    other = second if called == first else first
    assert called in (first, second)
    assert page.inner_text("#last-rule") in RULES_ZH
    assert "叫号" in page.inner_text("#cur-history")
    assert page.is_enabled("[data-action=start]") and page.is_disabled("[data-action=finish]")
    opened.screenshot("-current")
    page.click("[data-lang-toggle]")
    assert "Call next" in page.inner_text("[data-action=call-next]")
    opened.screenshot("-current-en")
    page.click("[data-lang-toggle]")
    opened.assert_no_console_errors()

    # Finish before start: the button is off, but the server is the judge when it is on.
    page.evaluate("document.querySelector('[data-action=finish]').disabled = false")
    page.click("[data-action=finish]")
    page.click("#dlg-finish button[type=submit]")
    refusal = page.locator("#dlg-finish [data-error]")
    refusal.wait_for()
    assert "不能办结" in refusal.inner_text()
    assert "cannot be given 'finish'" in (refusal.locator(".en").text_content() or "")
    opened.screenshot("-refused")
    page.click("#dlg-finish [data-cancel]")
    assert only_refusals(opened.console_errors)

    shortcut(page, "s")
    page.wait_for_selector("#cur-status[data-status=serving]")

    # Transfer to another service: the ticket leaves this counter and waits there.
    shortcut(page, "t")
    page.select_option("#dlg-transfer [name=to_service]", "medical-insurance")
    page.fill("#dlg-transfer [name=note]", "请补医保卡")
    opened.screenshot("-transfer")
    page.click("#dlg-transfer button[type=submit]")
    page.wait_for_selector("#current", state="hidden")
    assert not page.locator("#dlg-transfer").is_visible()
    lane = "green" if called == second else "blue"
    waits_for(page, "medical-insurance", lane, 1)

    # Park the next one for missing materials, then return it to the queue.
    shortcut(page, "n")
    page.wait_for_selector(f"#cur-number:text-is('{other}')")
    shortcut(page, "p")
    assert page.input_value("#dlg-park [name=minutes]") == "30"
    assert "身份证" in page.inner_text("#park-materials")
    page.check("#park-materials input >> nth=0")
    opened.screenshot("-park")
    page.click("#dlg-park button[type=submit]")
    page.wait_for_selector("#current", state="hidden")
    shortcut(page, "b")
    assert page.is_checked(f"#return-choices input[value={other}]")
    page.click("#dlg-return button[type=submit]")
    page.wait_for_selector("#dlg-return", state="hidden")
    waits_for(page, "social-security", "green" if other == second else "blue", 1)

    # A double click sends one call: a second would be refused ("still handling").
    page.dblclick("[data-action=call-next]")
    page.wait_for_selector(f"#cur-number:text-is('{other}')")
    page.wait_for_timeout(500)
    assert not page.locator("#error").is_visible()

    shortcut(page, " ")  # pause, with a reason
    page.check("#dlg-pause input[value='会议 meeting']")
    page.click("#dlg-pause button[type=submit]")
    status_is(page, "paused")
    assert "会议" in page.inner_text("#pause-reason")
    shortcut(page, " ")  # resume
    status_is(page, "open")

    shortcut(page, "s")
    page.wait_for_selector("#cur-status[data-status=serving]")
    shortcut(page, "f")
    page.check("#dlg-finish input[name=rating][value='5']")
    page.click("#dlg-finish button[type=submit]")
    page.wait_for_selector("#current", state="hidden")
    page.click("[data-action=close]")
    status_is(page, "closed")
    assert not page.locator("#error").is_visible()
    opened.assert_no_horizontal_scroll()
    assert only_refusals(opened.console_errors)

    page.click("#logout")
    assert page.locator("#login").is_visible() and not page.locator("#desk").is_visible()


def test_the_terminal_refuses_a_wrong_password_and_keeps_a_session_over_reload(
    live_server: LiveServer, open_page
) -> None:  # type: ignore[no-untyped-def]
    opened = open_page(live_server.url + PATH, "terminal-narrow", 1024, 768)
    page = opened.page
    log_in(page, (STAFF[0], "wrong"))
    page.wait_for_selector("#error:not([hidden])")
    assert "用户名或密码错误" in page.inner_text("#error")
    log_in(page)
    status_is(page, "closed")
    assert not page.locator("#error").is_visible()
    token = live_server.login(STAFF)
    live_server.api("POST", "/api/halls/south-axis/windows/1/open", {"request_id": "o1"}, token)
    issue(live_server, "housing-fund", "yellow")
    status_is(page, "open")
    waits_for(page, "housing-fund", "yellow", 1)
    page.reload()
    status_is(page, "open")  # still logged in: the token is kept for this tab
    page.click("[data-action=call-next]")  # only a backup skill waits: 兼办
    page.wait_for_selector("#current:not([hidden])")
    assert page.inner_text("#last-rule").startswith("兼办")
    page.click("[data-lang-toggle]")
    opened.screenshot("-en")
    opened.assert_no_horizontal_scroll()
    assert only_refusals([e for e in opened.console_errors if "status of 401" not in e])
