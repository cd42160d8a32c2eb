"""The kiosk in a real browser: search (Chinese, pinyin initials, English), materials,
lanes, a ticket whose QR code a decoder reads back as the phone page, and its print layout."""

from __future__ import annotations

import re
import struct
import urllib.request
import uuid
import zlib

import numpy as np
import pytest

from tests.e2e.conftest import LiveServer

SENIOR = "senior-card"

# Reference symbols (a standard encoder's output, masks fixed; texts that fill their
# version exactly): every module as one bit, row by row, in hex after a leading 1 bit.
REFERENCE = [
    ("http://hallq.test/t/abcdef", 3, 25, "3fd487f829c20dd23176eb9ebb74035d825e20ff555fc034c016e204b2d8491474e5c0f43858d73ed73453f8af7279af0ceb227e9ff00fd88ff4257e0a6e2774c5f1ba91ebdd5bdfa09b829fddeff"),
    ("http://127.0.0.1:8080/t/X-0Qmsumyx7Agj2ZzVPU_IozM3cHn6CE-abcde", 5, 33, "3fc28517f82f2c6a0dd60d3976eb37a4bb74a1b85d8274c020ff55555fc034c000105aeb1ceb9f91fcf0bb1e245995688afd9e3f9242e5f5ac418df7854dba7e6eb8b7cffd0392cd4b7e7a16adce34c6100cfd2ce606bbd1bf705e5be6e646ad4084cdb9d22a7fc00ab168aff0ac0d5a09f02a2f74dcfdfaba23f50bdd18b94de0922a6b9fde0f372"),
]  # fmt: skip


def png_gray(data: bytes) -> np.ndarray:
    """A screenshot (8-bit RGB or RGBA PNG) as grey levels, with no imaging library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and body[12] == 0, "8-bit, not interlaced"
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    rows = np.zeros((height, stride), dtype=np.int64)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], np.frombuffer(raw, np.uint8, stride, start + 1).astype(np.int64)
        if kind == 0:
            cur = line
        elif kind == 1:  # sub: a running sum along each channel
            cur = np.cumsum(line.reshape(width, channels), axis=0).reshape(-1) % 256
        elif kind == 2:
            cur = (line + prev) % 256
        else:  # average, paeth: each byte depends on the one before
            cur = np.zeros(stride, dtype=np.int64)
            for i in range(stride):
                a = int(cur[i - channels]) if i >= channels else 0
                b, c = int(prev[i]), int(prev[i - channels]) if i >= channels else 0
                if kind == 3:
                    cur[i] = (line[i] + (a + b) // 2) % 256
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    near = a if pa <= pb and pa <= pc else b if pb <= pc else c
                    cur[i] = (line[i] + near) % 256
        rows[y], prev = cur, cur
    rgb = rows.reshape(height, width, channels)[:, :, :3]
    return rgb.mean(axis=2).astype(np.uint8)


def found(page, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    page.fill("#search", query)
    return page.eval_on_selector_all("#result-tiles .tile", "ts => ts.map(t => t.dataset.service)")


def waiting(server: LiveServer, service: str) -> int:
    board = server.api("GET", "/api/halls/south-axis/board")
    return sum(next(s for s in board["services"] if s["service"] == service)["waiting"].values())


def test_the_qr_encoder_matches_reference_symbols(live_server: LiveServer, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(live_server.url + "/halls/south-axis/kiosk", "kiosk-qr", 800, 600).page
    for text, mask, size, hexbits in REFERENCE:
        rows = page.evaluate(
            "([t, m]) => HallqQR.encode(t, m).modules.map(r => r.map(x => x ? '1' : '0').join(''))",
            [text, mask],
        )
        assert len(rows) == size
        assert "".join(rows) == bin(int(hexbits, 16))[3:], text


def test_the_kiosk_searches_by_chinese_initials_and_english(
    live_server: LiveServer, open_page
) -> None:  # type: ignore[no-untyped-def]
    opened = open_page(live_server.url + "/halls/south-axis/kiosk", "kiosk-portrait", 1080, 1920)
    page = opened.page
    assert page.locator("#zones .tile").count() == 4
    opened.screenshot()
    for query in ("老年", "lnz", "senior card", "Senior  CARD"):
        assert found(page, query) == [SENIOR], query
    assert "social-security" in found(page, "sb")
    assert found(page, "zzzz") == [] and page.locator("#no-results").is_visible()
    page.fill("#search", "")
    page.click("#keypad-toggle")  # the on-screen letters type into the search
    for key in "lnz":
        page.click(f"#keypad [data-key='{key}']")
    assert page.input_value("#search") == "lnz"
    assert page.eval_on_selector_all("#result-tiles .tile", "ts => ts.length") == 1
    opened.screenshot("-search")
    page.click("[data-lang-toggle]")
    opened.screenshot("-search-en")
    opened.assert_no_horizontal_scroll()
    opened.assert_no_console_errors()


@pytest.mark.parametrize("orientation,width,height", [("portrait", 1080, 1920), ("landscape", 1920, 1080)])  # fmt: skip
def test_a_kiosk_ticket_shows_its_place_and_a_qr_code_for_the_phone(
    live_server: LiveServer, open_page, orientation: str, width: int, height: int
) -> None:  # type: ignore[no-untyped-def]
    try:
        import zxingcpp  # the QR decoder (PyPI: zxing-cpp)
    except ImportError:
        zxingcpp = None
    live_server.api(
        "POST",
        "/api/halls/south-axis/tickets",
        {"service": SENIOR, "lane": "blue", "channel": "kiosk", "request_id": str(uuid.uuid4())},
    )
    opened = open_page(
        live_server.url + "/halls/south-axis/kiosk", f"kiosk-{orientation}", width, height
    )
    page = opened.page
    page.click("#zones .zone-life")
    opened.screenshot("-zone")
    page.click(f"#service-tiles [data-service={SENIOR}]")
    materials = page.locator("#materials").inner_text()
    assert "身份证" in materials and "一寸照片" in materials
    assert page.eval_on_selector_all("#lanes [data-lane]", "ls => ls.map(l => l.dataset.lane)") == [
        "green",
        "blue",
    ]
    assert "本人申报" in page.locator(".declare").inner_text()
    page.check("#materials input >> nth=0")
    opened.screenshot("-service")

    before = waiting(live_server, SENIOR)
    page.dblclick("#take")  # a double tap takes one ticket
    page.wait_for_selector("#screen-ticket:not([hidden])")
    page.wait_for_timeout(300)
    assert waiting(live_server, SENIOR) == before + 1
    number = page.inner_text("#t-number")
    assert re.fullmatch(r"T\d{3}", number)
    assert page.inner_text("#t-ahead") == "1"
    assert re.fullmatch(r"\d+–\d+", page.inner_text("#t-eta"))
    assert page.inner_text("#t-service-zh") == "老年优待证"
    opened.screenshot("-ticket")

    # The QR code as the screen shows it, read by a real decoder.
    url = page.get_attribute("#t-qr", "data-url") or ""
    if zxingcpp is not None:
        results = zxingcpp.read_barcodes(png_gray(page.locator("#t-qr svg").screenshot()))
        assert len(results) == 1 and results[0].format == zxingcpp.BarcodeFormat.QRCode
        assert results[0].text == url
    assert url.startswith(live_server.url + "/t/")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
    token = url.rsplit("/", 1)[1]
    status = live_server.api("GET", f"/api/tickets/{token}")
    assert status["number"] == number and status["people_ahead"] == 1

    page.click("[data-lang-toggle]")
    opened.screenshot("-ticket-en")
    opened.assert_no_horizontal_scroll()

    page.emulate_media(media="print")
    box = page.locator("#ticket").bounding_box()
    assert box is not None and abs(box["width"] - 80 / 25.4 * 96) < 2  # 80 mm
    assert not page.locator(".bar").is_visible() and not page.locator("#print").is_visible()
    if zxingcpp is not None:  # 36 mm on paper, still read
        printed = zxingcpp.read_barcodes(png_gray(page.locator("#t-qr svg").screenshot()))
        assert [r.text for r in printed] == [url]
    opened.screenshot("-print")
    page.emulate_media(media="screen")
    opened.assert_no_console_errors()
    if zxingcpp is None:
        pytest.skip("zxing-cpp is not installed: the QR code was not decoded")


def test_the_kiosk_goes_back_to_the_start_when_left_alone(
    live_server: LiveServer, open_page
) -> None:  # type: ignore[no-untyped-def]
    opened = open_page(live_server.url + "/halls/south-axis/kiosk", "kiosk-idle", 1080, 1920)
    page = opened.page
    page.clock.install()
    page.reload()
    page.fill("#search", "sb")
    page.click("#result-tiles [data-service=social-security]")
    page.click("#take")
    page.wait_for_selector("#screen-ticket:not([hidden])")
    page.clock.run_for(10_000)
    assert page.locator("#screen-ticket").is_visible()
    left = int(re.findall(r"\d+", page.inner_text("#countdown"))[0])
    assert 5 <= left <= 11
    page.clock.run_for(11_000)
    assert page.locator("#screen-start").is_visible() and page.input_value("#search") == ""
    opened.assert_no_console_errors()
