"""Reading device messages: only a registered device, on its own topic, signed and fresh."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from callers.device_messages import (
    FRESH_S,
    ButtonPress,
    DeviceStatus,
    KioskRequest,
    read_device_message,
)
from callers.device_registry import DeviceRegistry, new_device
from callers.device_signing import signed
from callers.device_topics import (
    BadDeviceMessage,
    button_topic,
    kiosk_request_topic,
    status_topic,
)

HALL = "south-axis"
NOW = 1_767_225_600.0
BUTTON = button_topic(HALL, 5)


@pytest.fixture
def registry(tmp_path: Path) -> DeviceRegistry:
    devices = DeviceRegistry(tmp_path / "devices.json")
    devices.add(new_device("btn-5", HALL, "button", window=5))
    devices.add(new_device("btn-6", HALL, "button", window=6))
    devices.add(new_device("kiosk-1", HALL, "kiosk", kiosk="1"))
    devices.add(new_device("led-5", HALL, "led", window=5))
    devices.add(new_device("btn-north", "north", "button", window=5))
    return devices


def body(registry: DeviceRegistry, device: str, topic: str, **fields: str) -> bytes:
    found = registry.get(device)
    assert found is not None
    return orjson.dumps(signed(found.secret, topic, {"device": device, **fields}))


def press(
    registry: DeviceRegistry, device: str = "btn-5", topic: str = BUTTON, **over: str
) -> bytes:
    fields = {"request_id": "r1", "action": "call-next", "ts": str(int(NOW)), **over}
    return body(registry, device, topic, **fields)


def read(registry: DeviceRegistry, payload: bytes, topic: str = BUTTON) -> object:
    return read_device_message(topic, payload, registry, NOW)


def test_a_signed_press_of_its_own_button_is_read(registry: DeviceRegistry) -> None:
    assert read(registry, press(registry)) == ButtonPress("btn-5", HALL, 5, "call-next", "r1")


def test_a_signed_kiosk_request_is_read_with_its_lane(registry: DeviceRegistry) -> None:
    topic = kiosk_request_topic(HALL, "1")
    payload = body(
        registry,
        "kiosk-1",
        topic,
        request_id="k1",
        service="id-card",
        lane="green",
        ts=str(int(NOW)),
    )
    assert read(registry, payload, topic) == KioskRequest(
        "kiosk-1", HALL, "1", "id-card", "green", "k1"
    )


def test_a_status_needs_no_timestamp_as_a_last_will_is_fixed_at_connect(
    registry: DeviceRegistry,
) -> None:
    topic = status_topic(HALL, "led-5")
    message = read(registry, body(registry, "led-5", topic, state="offline"), topic)
    assert isinstance(message, DeviceStatus)
    assert (message.device.id, message.online) == ("led-5", False)


def reason(registry: DeviceRegistry, payload: bytes, topic: str = BUTTON) -> BadDeviceMessage:
    with pytest.raises(BadDeviceMessage) as refused:
        read(registry, payload, topic)
    assert refused.value.message_zh and refused.value.message_en
    return refused.value


def test_an_unproven_sender_is_never_answered(registry: DeviceRegistry) -> None:
    forged = orjson.loads(press(registry))
    cases = {
        "bad signature": orjson.dumps({**forged, "sig": "0" * 64}),
        "unknown device": orjson.dumps({**forged, "device": "btn-99"}),
        "no device": orjson.dumps({k: v for k, v in forged.items() if k != "device"}),
        "another window's button": press(registry, "btn-6"),
        "a led pressing": press(registry, "led-5"),
        "another hall's button": press(registry, "btn-north"),
        "not json": b'{"device": ',
        "not an object": b'["btn-5"]',
        "a number field": orjson.dumps({**forged, "ts": int(NOW)}),
        "too long": orjson.dumps({**forged, "pad": "x" * 2000}),
    }
    for case, payload in cases.items():
        assert reason(registry, payload).device is None, case


def test_a_signed_but_wrong_request_is_answered_to_its_device(registry: DeviceRegistry) -> None:
    cases = {
        "unknown action": press(registry, action="close"),
        "stale": press(registry, ts=str(int(NOW - FRESH_S - 1))),
        "from the future": press(registry, ts=str(int(NOW + FRESH_S + 1))),
        "not a time": press(registry, ts="soon"),
        "bad request id": press(registry, request_id="a b"),
        "unknown field": press(registry, colour="red"),
    }
    for case, payload in cases.items():
        assert reason(registry, payload).device == "btn-5", case


def test_a_status_for_another_device_is_refused(registry: DeviceRegistry) -> None:
    topic = status_topic(HALL, "led-5")
    assert reason(registry, body(registry, "btn-5", topic, state="offline"), topic).device is None


def test_a_device_added_while_running_is_known_at_its_first_message(
    registry: DeviceRegistry,
) -> None:
    registry.get("btn-5")  # the file has been read
    registry.add(new_device("btn-7", HALL, "button", window=7))
    topic = button_topic(HALL, 7)
    assert isinstance(read(registry, press(registry, "btn-7", topic), topic), ButtonPress)
