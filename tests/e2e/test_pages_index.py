"""The page skeleton: the index lists each hall's pages, in Chinese with an English toggle."""

from __future__ import annotations

from tests.e2e.conftest import LiveServer


def test_the_index_lists_the_pages_and_switches_language(
    live_server: LiveServer, open_page
) -> None:  # type: ignore[no-untyped-def]
    opened = open_page(live_server.url + "/", "index", 1280, 800)
    page = opened.page
    assert page.locator("h2 .zh").first.inner_text() == "南中轴综合服务中心"
    assert page.locator("a[href='/halls/south-axis/screen']").count() == 1
    page.click("[data-lang-toggle]")
    assert (
        page.locator("h2 .en").first.is_visible() and not page.locator("h2 .zh").first.is_visible()
    )
    opened.screenshot()
    opened.assert_no_horizontal_scroll()
    opened.assert_no_console_errors()
