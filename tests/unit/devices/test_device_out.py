"""What LEDs, speakers and printers are sent."""

from __future__ import annotations

from typing import Any

import orjson

from displays.device_out import LedState, announcement, led_of_call, leds_of_board, ticket_print
from hallq.bootstrap import load_hall_document
from hallq.settings import reference_hall_path
from queue_core.hall_spec import hall_spec_from_mapping

CALL = {"number": "H023", "window": 5, "service": "id-card", "recall": False, "at": "…"}


def test_a_call_shows_its_number_on_its_windows_led() -> None:
    led = led_of_call("south-axis", CALL)
    assert led == LedState("south-axis", 5, "H023", "open")
    shown = orjson.loads(led.payload(42))
    assert shown == {
        "hall": "south-axis", "window": 5, "number": "H023", "status": "open",
        "text_zh": "请 H023 号", "text_en": "Number H023, please", "recall": False, "seq": 42,
    }  # fmt: skip


def test_a_window_without_a_ticket_says_why_in_both_languages() -> None:
    board: dict[str, Any] = {
        "hall": "south-axis",
        "windows": [
            {"number": 1, "status": "open", "current": "A001"},
            {"number": 2, "status": "open", "current": None},
            {"number": 3, "status": "paused", "current": None},
            {"number": 4, "status": "closed", "current": None},
        ],
    }
    texts = [orjson.loads(led.payload(1))["text_zh"] for led in leds_of_board(board)]
    assert texts == ["请 A001 号", "请稍候", "暂停服务", "本窗口已关闭"]
    assert leds_of_board(board)[0] == led_of_call("south-axis", {"number": "A001", "window": 1})


def test_the_speakers_say_what_the_hall_screen_says() -> None:
    spoken = orjson.loads(announcement("south-axis", {**CALL, "recall": True}, 7))
    assert spoken["text_zh"] == "请 H023 号到 5 号窗口办理"
    assert spoken["text_en"] == "Ticket H023, please go to window 5"
    assert spoken["recall"] is True


def test_a_printed_ticket_has_names_people_ahead_its_url_and_the_halls_time() -> None:
    spec = hall_spec_from_mapping(load_hall_document(reference_hall_path()))
    status = {
        "number": "H003", "service": "id-card", "lane": "blue", "people_ahead": 2,
        "eta_simple_min": 9, "issued_at": "2026-03-02T01:00:00+00:00",
    }  # fmt: skip
    ticket = orjson.loads(ticket_print(spec, "1", status, "https://hall.example/t/tok", "r7"))
    assert ticket["service_zh"] == spec.service("id-card").name_zh
    assert ticket["service_en"] == spec.service("id-card").name_en
    assert (ticket["people_ahead"], ticket["eta_min"]) == (2, 9)
    assert ticket["status_url"] == "https://hall.example/t/tok" and ticket["request_id"] == "r7"
    assert ticket["issued_at"] == "2026-03-02T09:00:00+08:00"
