"""The MQTT topic scheme of a hall's devices (docs/devices.md): names out, addresses in.

Pure: topic strings are built and parsed here; the bridge (`hallq/devices.py`) does the
I/O. Server → device topics are only built; device → server topics are also parsed, and
anything that is not exactly one of them is refused with a reason in zh and en.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from queue_core.errors import DomainError

ROOT = "hallq"
BRIDGE_STATUS = f"{ROOT}/bridge/status"  # retained online/offline of the bridge (its Will)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # halls
DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")  # devices and kiosks
WINDOW = re.compile(r"[1-9][0-9]{0,3}")
MAX_TOPIC = 256


class BadDeviceMessage(DomainError):
    """A device message that is dropped. `device` is the device id when the message was
    proven to come from it (its signature checked), so it may be told why; else None."""

    code = "bad_device_message"

    def __init__(self, message_zh: str, message_en: str, device: str | None = None) -> None:
        super().__init__(message_zh, message_en)
        self.device = device


@dataclass(frozen=True)
class ButtonTopic:
    hall: str
    window: int


@dataclass(frozen=True)
class KioskTopic:
    hall: str
    kiosk: str


@dataclass(frozen=True)
class StatusTopic:
    hall: str
    device: str


DeviceTopic = ButtonTopic | KioskTopic | StatusTopic


def display_topic(hall: str, window: int) -> str:
    """Retained: what the window's LED shows now."""
    return f"{ROOT}/{hall}/window/{window}/display"


def button_topic(hall: str, window: int) -> str:
    return f"{ROOT}/{hall}/window/{window}/button"


def kiosk_request_topic(hall: str, kiosk: str) -> str:
    return f"{ROOT}/{hall}/kiosk/{kiosk}/request"


def print_topic(hall: str, kiosk: str) -> str:
    """The ticket the kiosk's thermal printer prints."""
    return f"{ROOT}/{hall}/kiosk/{kiosk}/print"


def announce_topic(hall: str) -> str:
    """Text for the hall's speakers, zh and en."""
    return f"{ROOT}/{hall}/announce"


def status_topic(hall: str, device: str) -> str:
    """Retained online/offline of one device; its Last Will says offline."""
    return f"{ROOT}/{hall}/device/{device}/status"


def result_topic(request_topic: str) -> str:
    """Where the answer to a device's request goes: `…/button/result`, `…/request/result`."""
    return f"{request_topic}/result"


def subscriptions(hall: str) -> list[str]:
    """The filters the bridge subscribes to for one hall."""
    return [
        f"{ROOT}/{hall}/window/+/button",
        f"{ROOT}/{hall}/kiosk/+/request",
        f"{ROOT}/{hall}/device/+/status",
    ]


def parse_topic(topic: str) -> DeviceTopic:
    """The address of a device → server topic; `BadDeviceMessage` for anything else."""
    parts = topic.split("/") if len(topic) <= MAX_TOPIC else []
    if len(parts) != 5 or parts[0] != ROOT or not NAME.fullmatch(parts[1]):
        raise _unknown(topic)
    _, hall, kind, unit, leaf = parts
    if (kind, leaf) == ("window", "button") and WINDOW.fullmatch(unit):
        return ButtonTopic(hall, int(unit))
    if (kind, leaf) == ("kiosk", "request") and DEVICE_ID.fullmatch(unit):
        return KioskTopic(hall, unit)
    if (kind, leaf) == ("device", "status") and DEVICE_ID.fullmatch(unit):
        return StatusTopic(hall, unit)
    raise _unknown(topic)


def _unknown(topic: str) -> BadDeviceMessage:
    shown = topic[:80] + ("…" if len(topic) > 80 else "")
    return BadDeviceMessage(f"未知主题：{shown}", f"unknown topic: {shown}")
