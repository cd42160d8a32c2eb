"""A private Mosquitto (deploy/mosquitto.conf on a free port), a live hall on the memory
store, registered devices and a running device bridge, for the device tests."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bench.mosquitto import Mosquitto, mosquitto_path
from callers.device_registry import DeviceRegistry, new_device
from callers.http_api import ticket_token
from hallq.bootstrap import build_application
from hallq.devices import DeviceBridge, Verdict
from hallq.live import LiveHall
from hallq.mqtt_link import Backoff, Broker
from hallq.settings import Settings
from queue_core.commands import OpenWindow
from queue_core.ports import ManualClock
from tests.conftest import HALL
from tests.integration.conftest import unreachable

SECRET = b"device-tests-secret-0123456789ab"


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    missing = [name for name in ("mosquitto_pub", "mosquitto_sub") if not shutil.which(name)]
    if mosquitto_path() is None or missing:
        unreachable(
            "mosquitto (apt install mosquitto mosquitto-clients)",
            FileNotFoundError(missing or "mosquitto"),
        )
    broker = Mosquitto(tmp_path / "mosquitto")
    broker.start()
    yield broker
    broker.kill()


@pytest.fixture
def registry(tmp_path: Path) -> DeviceRegistry:
    devices = DeviceRegistry(tmp_path / "devices.json")
    devices.add(new_device("btn-5", HALL, "button", window=5), public_url="https://hall.example")
    devices.add(new_device("btn-6", HALL, "button", window=6))
    devices.add(new_device("led-5", HALL, "led", window=5))
    devices.add(new_device("kiosk-1", HALL, "kiosk", kiosk="1"))
    return devices


@pytest.fixture
async def live(clock: ManualClock) -> AsyncIterator[LiveHall]:
    app = build_application(Settings(store="memory"), clock)
    hall = LiveHall(app)
    await hall.start()
    await hall.execute(OpenWindow("open-5", HALL, 5))
    await hall.execute(OpenWindow("open-6", HALL, 6))
    yield hall
    await hall.stop()
    app.close()


class Verdicts:
    """What the bridge made of each message, to wait on instead of sleeping."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Verdict] = asyncio.Queue()

    def __call__(self, verdict: Verdict) -> None:
        self.queue.put_nowait(verdict)

    async def next(self, timeout_s: float = 5.0) -> Verdict:
        async with asyncio.timeout(timeout_s):
            return await self.queue.get()


@pytest.fixture
def verdicts() -> Verdicts:
    return Verdicts()


@pytest.fixture
async def bridge(
    live: LiveHall, mosquitto: Mosquitto, registry: DeviceRegistry, verdicts: Verdicts
) -> AsyncIterator[DeviceBridge]:
    running = DeviceBridge(
        live,
        Broker.from_url(mosquitto.url),
        registry,
        lambda hall, request_id: ticket_token(SECRET, hall, request_id),
        backoff=Backoff(first_s=0.05, cap_s=0.5),
        observe=verdicts,
    )
    await running.start()
    async with asyncio.timeout(10):
        await running.connected.wait()
    yield running
    await running.stop()
