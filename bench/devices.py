"""Device benchmark: how soon a button press calls, and how soon a call reaches the LED.

The scenario: a private Mosquitto started from deploy/mosquitto.conf (so with
`set_tcp_nodelay true`) on a free port, a live hall on the memory store with the device
bridge, window 5 open with a queue, and two outside aiomqtt clients with TCP_NODELAY, as
the hall's devices: a button and the window's LED. Each round:

- `button_to_call`: from just before the signed call-next press is published (QoS 1) to
  the receipt of the window's retained LED topic showing the called number: press →
  broker → bridge → command → read models → push hub → bridge → broker → LED.
- `call_to_led`: from just before a call-next is run through `LiveHall.execute` (what
  an HTTP call from a window terminal does) to the receipt of the LED message.

Between rounds the ticket is finished (by button, then by `execute`) and the LED's idle
message awaited, so every round starts from a quiet hall. Everything runs in one
process and one event loop, the receiving client included: its receipt times carry the
loop's scheduling delay, as a device's would carry the network's.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomqtt
import orjson

from bench.mosquitto import Mosquitto
from callers.device_registry import Device, DeviceRegistry, new_device
from callers.device_signing import signed
from callers.device_topics import button_topic, display_topic
from hallq.bootstrap import build_application
from hallq.devices import DeviceBridge
from hallq.live import LiveHall
from hallq.mqtt_link import Broker
from hallq.settings import Settings
from queue_core.commands import CallNext, FinishService, IssueTicket, OpenWindow, StartServing
from queue_core.ports import ManualClock

TARGETS = {
    "button_to_call_p50_ms": "(report)",
    "button_to_call_p99_ms": "<= 100",
    "call_to_led_p50_ms": "(report)",
    "call_to_led_p99_ms": "<= 100",
}
HALL, WINDOW, SERVICE = "south-axis", 5, "household-registration"
MORNING = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in the hall, a Monday
WARM_UP = 5
TIMEOUT_S = 10.0


def run(quick: bool) -> dict[str, Any]:
    rounds = 50 if quick else 300
    figures = measure_devices(quick)
    return {
        **figures,
        "rounds": rounds,
        "broker": "mosquitto, deploy/mosquitto.conf (set_tcp_nodelay true), 127.0.0.1",
        "clients": "aiomqtt with TCP_NODELAY, QoS 1",
    }


def measure_devices(quick: bool) -> dict[str, float]:
    """p50 and p99 (ms) of button → call and call → LED. Starts (and stops) its own
    broker; call from synchronous code (it runs its own event loop)."""
    rounds = 50 if quick else 300
    with tempfile.TemporaryDirectory(prefix="hallq-bench-devices-") as folder:
        broker = Mosquitto(Path(folder) / "mosquitto")
        broker.start()
        try:
            presses, calls = asyncio.run(_measure(broker, Path(folder), rounds))
        finally:
            broker.kill()
    return {
        "button_to_call_p50_ms": percentile(presses, 50),
        "button_to_call_p99_ms": percentile(presses, 99),
        "call_to_led_p50_ms": percentile(calls, 50),
        "call_to_led_p99_ms": percentile(calls, 99),
    }


def percentile(samples_ms: list[float], p: float) -> float:
    """Nearest-rank percentile, rounded to µs."""
    ordered = sorted(samples_ms)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[rank], 3)


class Led:
    """The window's LED as an outside client: each message with the time it arrived."""

    def __init__(self, client: aiomqtt.Client) -> None:
        self.client = client
        self.seen: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue()

    async def receive(self) -> None:
        async for message in self.client.messages:
            arrived = time.perf_counter_ns()
            self.seen.put_nowait((arrived, orjson.loads(message.payload)))  # type: ignore[arg-type]

    async def showing(self, called: bool, after_seq: int) -> tuple[int, int]:
        """When (ns) the LED first showed a called number (`called`) or none after
        `after_seq`, and that message's seq."""
        async with asyncio.timeout(TIMEOUT_S):
            while True:
                arrived, led = await self.seen.get()
                if (led["number"] is not None) == called and led["seq"] > after_seq:
                    return arrived, int(led["seq"])


async def _measure(broker: Mosquitto, folder: Path, rounds: int) -> tuple[list[float], list[float]]:
    app = build_application(Settings(store="memory", planner=False), ManualClock(MORNING))
    live = LiveHall(app)
    await live.start()
    registry = DeviceRegistry(folder / "devices.json")
    button = new_device("bench-btn", HALL, "button", window=WINDOW)
    registry.add(button)
    bridge = DeviceBridge(live, Broker.from_url(broker.url), registry, lambda h, r: f"{h}/{r}")
    await bridge.start()
    try:
        await bridge.wait_connections(1)
        await live.execute(OpenWindow("bench-open", HALL, WINDOW))
        for i in range(2 * (rounds + WARM_UP)):
            await live.execute(IssueTicket(f"bench-t{i}", HALL, SERVICE))
        return await _rounds(live, Broker.from_url(broker.url), button, rounds)
    finally:
        await bridge.stop()
        await live.stop()
        app.close()


async def _rounds(
    live: LiveHall, broker: Broker, button: Device, rounds: int
) -> tuple[list[float], list[float]]:
    presses: list[float] = []
    calls: list[float] = []
    async with broker.client() as screen, broker.client() as box:
        await screen.subscribe(display_topic(HALL, WINDOW), qos=1)
        led = Led(screen)
        receiver = asyncio.create_task(led.receive())
        seq = 0
        try:
            for i in range(rounds + WARM_UP):
                started = time.perf_counter_ns()
                await _press(box, button, "call-next", f"c{i}")
                arrived, seq = await led.showing(True, seq)
                if i >= WARM_UP:
                    presses.append((arrived - started) / 1e6)
                await _press(box, button, "finish", f"f{i}")
                _, seq = await led.showing(False, seq)

                started = time.perf_counter_ns()
                await live.execute(CallNext(f"bench-call-{i}", HALL, WINDOW))
                arrived, seq = await led.showing(True, seq)
                if i >= WARM_UP:
                    calls.append((arrived - started) / 1e6)
                await live.execute(StartServing(f"bench-start-{i}", HALL, WINDOW))
                await live.execute(FinishService(f"bench-finish-{i}", HALL, WINDOW))
                _, seq = await led.showing(False, seq)
        finally:
            receiver.cancel()
    return presses, calls


async def _press(client: aiomqtt.Client, button: Device, action: str, request_id: str) -> None:
    topic = button_topic(HALL, WINDOW)
    fields = {
        "device": button.id,
        "request_id": request_id,
        "action": action,
        "ts": str(int(time.time())),
    }
    await client.publish(topic, orjson.dumps(signed(button.secret, topic, fields)), qos=1)
