"""The topic scheme: what the bridge builds for devices and what it accepts from them."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callers.device_topics import (
    BadDeviceMessage,
    ButtonTopic,
    KioskTopic,
    StatusTopic,
    announce_topic,
    button_topic,
    display_topic,
    kiosk_request_topic,
    parse_topic,
    print_topic,
    result_topic,
    status_topic,
    subscriptions,
)

names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", fullmatch=True)
windows = st.integers(1, 9999)


@given(names, windows)
def test_a_button_topic_reads_back_as_its_hall_and_window(hall: str, window: int) -> None:
    assert parse_topic(button_topic(hall, window)) == ButtonTopic(hall, window)


@given(names, names)
def test_kiosk_and_status_topics_read_back(hall: str, unit: str) -> None:
    assert parse_topic(kiosk_request_topic(hall, unit)) == KioskTopic(hall, unit)
    assert parse_topic(status_topic(hall, unit)) == StatusTopic(hall, unit)


def test_the_scheme_reads_as_documented() -> None:
    assert display_topic("south-axis", 5) == "hallq/south-axis/window/5/display"
    assert button_topic("south-axis", 5) == "hallq/south-axis/window/5/button"
    assert result_topic(button_topic("south-axis", 5)) == "hallq/south-axis/window/5/button/result"
    assert kiosk_request_topic("south-axis", "1") == "hallq/south-axis/kiosk/1/request"
    assert print_topic("south-axis", "1") == "hallq/south-axis/kiosk/1/print"
    assert announce_topic("south-axis") == "hallq/south-axis/announce"
    assert status_topic("south-axis", "led-5") == "hallq/south-axis/device/led-5/status"
    assert subscriptions("south-axis") == [
        "hallq/south-axis/window/+/button",
        "hallq/south-axis/kiosk/+/request",
        "hallq/south-axis/device/+/status",
    ]


@pytest.mark.parametrize(
    "topic",
    [
        display_topic("south-axis", 5),  # server → device topics are never read
        print_topic("south-axis", "1"),
        announce_topic("south-axis"),
        result_topic(button_topic("south-axis", 5)),
        "hallq/south-axis/window/0/button",
        "hallq/south-axis/window/05/button",
        "hallq/south-axis/window/five/button",
        "hallq/south-axis/window/+/button",
        "hallq/south axis/window/5/button",
        "hallq//window/5/button",
        "other/south-axis/window/5/button",
        "hallq/south-axis/kiosk/#/request",
        "hallq/south-axis/device/" + "x" * 41 + "/status",
        "",
        "hallq/" + "a" * 300,
    ],
)
def test_anything_else_is_refused_with_a_reason_in_both_languages(topic: str) -> None:
    with pytest.raises(BadDeviceMessage) as refused:
        parse_topic(topic)
    assert refused.value.message_zh.startswith("未知主题")
    assert refused.value.message_en.startswith("unknown topic")
    assert refused.value.device is None


@given(st.text(max_size=300))
def test_no_topic_makes_the_parser_fail_otherwise(topic: str) -> None:
    with contextlib.suppress(BadDeviceMessage):
        parse_topic(topic)
