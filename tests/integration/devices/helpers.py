"""Devices as the tests play them: signed presses and requests, outside MQTT clients."""

from __future__ import annotations

import asyncio
import time

import orjson

from callers.device_registry import DeviceRegistry
from callers.device_signing import signed
from callers.device_topics import button_topic, kiosk_request_topic
from hallq.live import LiveHall
from queue_core.commands import IssueTicket
from tests.conftest import HALL

SERVICE = "household-registration"  # a default service of window 5


async def issue(live: LiveHall, n: int) -> list[str]:
    """`n` tickets for window 5's service, their numbers in issue order."""
    outcomes = [await live.execute(IssueTicket(f"t{i}", HALL, SERVICE)) for i in range(n)]
    return [o.ticket or "" for o in outcomes]


def press(
    registry: DeviceRegistry, device: str, action: str, request_id: str, window: int = 5
) -> tuple[str, bytes]:
    """A button press as the device `device` signs it, for the button of `window`."""
    topic = button_topic(HALL, window)
    found = registry.get(device)
    assert found is not None
    fields = {
        "device": device,
        "request_id": request_id,
        "action": action,
        "ts": str(int(time.time())),
    }
    return topic, orjson.dumps(signed(found.secret, topic, fields))


def kiosk_request(registry: DeviceRegistry, request_id: str, kiosk: str = "1") -> tuple[str, bytes]:
    topic = kiosk_request_topic(HALL, kiosk)
    found = registry.get(f"kiosk-{kiosk}")
    assert found is not None
    fields = {
        "device": found.id,
        "request_id": request_id,
        "service": SERVICE,
        "ts": str(int(time.time())),
    }
    return topic, orjson.dumps(signed(found.secret, topic, fields))


async def run(*argv: str, timeout_s: float = 10.0) -> bytes:
    """Run an outside MQTT client (mosquitto_pub / mosquitto_sub) to the end; its stdout."""
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(timeout_s):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out
