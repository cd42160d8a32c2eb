"""Device → server messages: an MQTT topic and payload in, a checked frozen value out.

A message is accepted only from a known device of that hall, of the kind the topic is
for and bound to that very window or kiosk, with a valid signature (see
`callers.device_signing`); presses and ticket requests must also be fresh (`ts`, Unix
seconds, within `FRESH_S` of the server's wall clock), so a recorded press cannot be
played back later. Everything else raises `BadDeviceMessage` with a reason in zh and
en; its `device` is set once the signature has been checked, so only the real device
is ever answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson

from callers.device_registry import Device, DeviceKind, DeviceRegistry
from callers.device_signing import verify
from callers.device_topics import (
    BadDeviceMessage,
    ButtonTopic,
    DeviceTopic,
    KioskTopic,
    StatusTopic,
    parse_topic,
)

MAX_PAYLOAD = 1024
FRESH_S = 120.0  # how far a device's clock (NTP) may be from the server's
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,48}")
# `start` is for boxes with a fifth key; on a four-key box `finish` also starts the service
# of a ticket that was only called (see `callers.device_bridge.press_commands`).
BUTTON_ACTIONS = ("call-next", "recall", "no-show", "start", "finish")
STATES = {"online": True, "offline": False}


@dataclass(frozen=True)
class ButtonPress:
    device: str
    hall: str
    window: int
    action: str  # one of BUTTON_ACTIONS
    request_id: str  # the device's own; see `callers.device_bridge.command_request_id`


@dataclass(frozen=True)
class KioskRequest:
    device: str
    hall: str
    kiosk: str
    service: str
    lane: str | None
    request_id: str


@dataclass(frozen=True)
class DeviceStatus:
    device: Device
    online: bool


DeviceMessage = ButtonPress | KioskRequest | DeviceStatus

# per topic: (required fields, optional fields), `sig` included
FIELDS: dict[type, tuple[frozenset[str], frozenset[str]]] = {
    ButtonTopic: (frozenset({"device", "request_id", "action", "ts", "sig"}), frozenset()),
    KioskTopic: (frozenset({"device", "request_id", "service", "ts", "sig"}), frozenset({"lane"})),
    StatusTopic: (frozenset({"device", "state", "sig"}), frozenset({"ts"})),
}


def read_device_message(
    topic: str, payload: bytes, registry: DeviceRegistry, now_s: float
) -> DeviceMessage:
    """The message `payload` on `topic` carries; `BadDeviceMessage` if it is not one."""
    address = parse_topic(topic)
    body = _body(payload)
    device = _sender(address, body, registry)
    if not verify(device.secret, topic, body):
        raise BadDeviceMessage(
            f"签名无效（设备 {device.id}）", f"bad signature (device {device.id})"
        )
    _check_fields(address, body, device.id, now_s)
    if isinstance(address, ButtonTopic):
        if body["action"] not in BUTTON_ACTIONS:
            raise _told(
                device.id,
                f"按键不支持操作 “{body['action'][:40]}”",
                f"a button cannot '{body['action'][:40]}'; one of: {' '.join(BUTTON_ACTIONS)}",
            )
        return ButtonPress(
            device.id, address.hall, address.window, body["action"], body["request_id"]
        )
    if isinstance(address, KioskTopic):
        return KioskRequest(
            device.id,
            address.hall,
            address.kiosk,
            body["service"],
            body.get("lane"),
            body["request_id"],
        )
    return DeviceStatus(device, STATES[body["state"]])


def _body(payload: bytes) -> dict[str, str]:
    if len(payload) > MAX_PAYLOAD:
        raise BadDeviceMessage(
            f"消息过长（{len(payload)} 字节）", f"message too long ({len(payload)} bytes)"
        )
    try:
        body = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise BadDeviceMessage("消息不是有效的 JSON", "the message is not valid JSON") from None
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        raise BadDeviceMessage(
            "消息须为字段值均为字符串的 JSON 对象", "the message must be a JSON object of strings"
        )
    return body


def _sender(address: DeviceTopic, body: dict[str, str], registry: DeviceRegistry) -> Device:
    """The registered device that may send on this topic, before its signature is checked."""
    device_id = body.get("device", "")
    device = registry.get(device_id)
    if device is None or device.hall != address.hall:
        raise BadDeviceMessage(
            f"未登记的设备：{device_id[:64]!r}", f"unknown device: {device_id[:64]!r}"
        )
    if isinstance(address, ButtonTopic) and not (
        device.kind is DeviceKind.BUTTON and device.window == address.window
    ):
        raise BadDeviceMessage(
            f"{device.id} 不是 {address.window} 号窗口的按键",
            f"{device.id} is not the button of window {address.window}",
        )
    if isinstance(address, KioskTopic) and not (
        device.kind is DeviceKind.KIOSK and device.kiosk == address.kiosk
    ):
        raise BadDeviceMessage(
            f"{device.id} 不是取号机 {address.kiosk}", f"{device.id} is not kiosk {address.kiosk}"
        )
    if isinstance(address, StatusTopic) and device.id != address.device:
        raise BadDeviceMessage(
            f"{device.id} 不能报告 {address.device} 的状态",
            f"{device.id} cannot report the status of {address.device}",
        )
    return device


def _check_fields(address: DeviceTopic, body: dict[str, str], device: str, now_s: float) -> None:
    required, optional = FIELDS[type(address)]
    missing, unknown = sorted(required - body.keys()), sorted(body.keys() - required - optional)
    if missing or unknown:
        shown = ", ".join([f"-{n}" for n in missing] + [f"+{n[:32]}" for n in unknown][:8])
        raise _told(device, f"字段不符：{shown}", f"wrong fields: {shown}")
    if "request_id" in body and not REQUEST_ID.fullmatch(body["request_id"]):
        raise _told(
            device,
            "request_id 须为 1–48 个字母、数字或 ._:-",
            "request_id: 1–48 of A-Z a-z 0-9 . _ : -",
        )
    if "state" in body and body["state"] not in STATES:
        raise _told(device, "state 须为 online 或 offline", "state must be online or offline")
    # A status may be a retained message or a Last Will, fixed when the device connected:
    # its `ts` is not checked (it says what the device is, not what to do).
    if not isinstance(address, StatusTopic) and not _fresh(body["ts"], now_s):
        raise _told(
            device,
            "时间戳过期或无效（请校准设备时钟）",
            "stale or invalid ts (check the device's clock)",
        )


def _fresh(ts: str, now_s: float) -> bool:
    return ts.isascii() and ts.isdigit() and len(ts) <= 12 and abs(int(ts) - now_s) <= FRESH_S


def _told(device: str, message_zh: str, message_en: str) -> BadDeviceMessage:
    """A refusal the (authenticated) device is told about."""
    return BadDeviceMessage(message_zh, message_en, device=device)
