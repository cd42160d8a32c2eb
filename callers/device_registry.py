"""The hall's devices and their secrets: one JSON file, written by `hallq device add`.

Each device has an id, a hall, a kind and what it is bound to (a window for buttons and
LEDs, a kiosk for kiosks and printers, nothing for speakers), and a secret that signs
what it sends (see `callers.device_signing`). HMAC needs the secret on both sides, so the
file holds them: it is written whole and readable by its owner only (mode 0600), like
the staff accounts. It is read again whenever it changed, so a device added while the
server runs is known at its first message. Secrets never appear in a `repr` or a log.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from callers.accounts import write_private
from callers.device_topics import DEVICE_ID, NAME, WINDOW


class DeviceKind(Enum):
    BUTTON = "button"
    LED = "led"
    KIOSK = "kiosk"
    PRINTER = "printer"
    SPEAKER = "speaker"

    @property
    def binding(self) -> str | None:
        """What a device of this kind is bound to: `window`, `kiosk` or nothing."""
        if self in (DeviceKind.BUTTON, DeviceKind.LED):
            return "window"
        if self in (DeviceKind.KIOSK, DeviceKind.PRINTER):
            return "kiosk"
        return None


@dataclass(frozen=True)
class Device:
    id: str
    hall: str
    kind: DeviceKind
    window: int | None = None
    kiosk: str | None = None
    secret: str = field(default="", repr=False)

    def describe(self) -> str:
        """`btn-5 (button, south-axis window 5)`: for logs and the CLI; never the secret."""
        where = (
            f" window {self.window}"
            if self.window
            else f" kiosk {self.kiosk}"
            if self.kiosk
            else ""
        )
        return f"{self.id} ({self.kind.value}, {self.hall}{where})"


def new_device(
    device_id: str, hall: str, kind: str, window: int | None = None, kiosk: str | None = None
) -> Device:
    """A device with a fresh secret; `ValueError` (zh / en) for a wrong combination."""
    try:
        kind_ = DeviceKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in DeviceKind)
        raise ValueError(
            f"未知设备类型 {kind!r}，可选：{names} / unknown kind; one of: {names}"
        ) from None
    for label, value, pattern in (("device id", device_id, DEVICE_ID), ("hall", hall, NAME)):
        if not pattern.fullmatch(value):
            raise ValueError(f"名称不合规：{value!r} / {label} must match {pattern.pattern}")
    if kind_.binding == "window" and (window is None or not WINDOW.fullmatch(str(window))):
        raise ValueError(f"{kind} 须指定 --window N / a {kind} needs --window N (1–9999)")
    if kind_.binding == "kiosk" and (kiosk is None or not DEVICE_ID.fullmatch(kiosk)):
        raise ValueError(f"{kind} 须指定 --kiosk K / a {kind} needs --kiosk K")
    if kind_.binding != "window" and window is not None:
        raise ValueError(f"{kind} 不绑定窗口 / a {kind} is not bound to a window")
    if kind_.binding != "kiosk" and kiosk is not None:
        raise ValueError(f"{kind} 不绑定取号机 / a {kind} is not bound to a kiosk")
    return Device(device_id, hall, kind_, window, kiosk, secrets.token_urlsafe(32))


class DeviceRegistry:
    """The devices file at `path`, read afresh when it changed: `add` replaces the file,
    so a new inode says so even within one mtime tick."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._seen: tuple[int, int, int] | None = None
        self._devices: dict[str, Device] = {}
        self._public_url = ""

    def get(self, device_id: str) -> Device | None:
        self._refresh()
        return self._devices.get(device_id)

    def all(self) -> list[Device]:
        self._refresh()
        return sorted(self._devices.values(), key=lambda d: (d.hall, d.kind.value, d.id))

    def public_url(self) -> str:
        """The server's address as residents' phones reach it (for the ticket's QR), or ''."""
        self._refresh()
        return self._public_url

    def add(self, device: Device, public_url: str | None = None) -> None:
        """Add or replace a device (a replaced one gets its new secret)."""
        self._refresh()
        devices = {**self._devices, device.id: device}
        url = self._public_url if public_url is None else public_url.rstrip("/")
        document = {"public_url": url, "devices": [_row(d) for d in devices.values()]}
        write_private(self.path, json.dumps(document, ensure_ascii=False, indent=1).encode())
        self._seen = None

    def _refresh(self) -> None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self._seen, self._devices, self._public_url = None, {}, ""
            return
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            document = json.loads(self.path.read_bytes())
            self._devices = {row["id"]: _device(row) for row in document.get("devices", [])}
            self._public_url = str(document.get("public_url", ""))
            self._seen = seen


def _row(device: Device) -> dict[str, Any]:
    row: dict[str, Any] = {"id": device.id, "hall": device.hall, "kind": device.kind.value}
    if device.window is not None:
        row["window"] = device.window
    if device.kiosk is not None:
        row["kiosk"] = device.kiosk
    row["secret"] = device.secret
    return row


def _device(row: dict[str, Any]) -> Device:
    return Device(
        str(row["id"]),
        str(row["hall"]),
        DeviceKind(row["kind"]),
        int(row["window"]) if row.get("window") is not None else None,
        str(row["kiosk"]) if row.get("kiosk") is not None else None,
        str(row["secret"]),
    )
