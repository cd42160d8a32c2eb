"""`hallq device simulate`: a hall's devices on the broker, for demos.

Each window's box (a button and an LED) and the kiosk (with its printer) connect as the
devices would: their own MQTT connection, an online status and a Last Will, presses
signed with the device's secret from the devices file (made here if the file has none
for them; a running server reads the file again and knows them at their first press).
One listener prints what the LEDs show, what the printer prints, what the speakers say
and the answer to each press, in Chinese and English.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from typing import Any, TextIO

import aiomqtt
import orjson

from callers.device_registry import Device, DeviceKind, DeviceRegistry, new_device
from callers.device_signing import signed
from callers.device_topics import (
    announce_topic,
    button_topic,
    display_topic,
    kiosk_request_topic,
    print_topic,
    result_topic,
    status_topic,
)
from hallq.mqtt_link import Broker

KIOSK = "sim"
ACTIONS_ZH = {"call-next": "呼叫下一位", "finish": "办结"}


@dataclass(frozen=True)
class Simulation:
    broker: Broker
    hall: str
    windows: tuple[int, ...]
    services: tuple[str, ...]  # what the kiosk asks tickets for
    press_every_s: float = 3.0
    rounds: int = 0  # 0: until stopped
    seed: int = 7


def devices_for(sim: Simulation, registry: DeviceRegistry, out: TextIO) -> dict[str, Device]:
    """The button of each window and the kiosk: found in the devices file, else added."""
    wanted: dict[str, tuple[DeviceKind, int | None, str | None]] = {
        f"button:{n}": (DeviceKind.BUTTON, n, None) for n in sim.windows
    }
    wanted["kiosk"] = (DeviceKind.KIOSK, None, KIOSK)
    found: dict[str, Device] = {}
    for key, (kind, window, kiosk) in wanted.items():
        device = next(
            (
                d
                for d in registry.all()
                if (d.hall, d.kind, d.window, d.kiosk) == (sim.hall, kind, window, kiosk)
            ),
            None,
        )
        if device is None:
            device = new_device(
                f"sim-{kind.value}-{window or kiosk}", sim.hall, kind.value, window, kiosk
            )
            registry.add(device)
            print(
                f"+ 新建演示设备 / added demo device {device.describe()} to {registry.path}",
                file=out,
            )
        found[key] = device
    return found


@contextlib.asynccontextmanager
async def connected(sim: Simulation, device: Device) -> Any:
    """A device's own connection: online now, offline (its Last Will) if it vanishes."""
    topic = status_topic(sim.hall, device.id)

    def status(state: str) -> bytes:
        return orjson.dumps(signed(device.secret, topic, {"device": device.id, "state": state}))

    will = aiomqtt.Will(topic, status("offline"), qos=1, retain=True)
    async with sim.broker.client(will=will) as client:
        await client.publish(topic, status("online"), qos=1, retain=True)
        try:
            yield client
        finally:
            with contextlib.suppress(aiomqtt.MqttError):
                await client.publish(topic, status("offline"), qos=1, retain=True)


async def send(client: aiomqtt.Client, device: Device, topic: str, **fields: str) -> None:
    body = {"device": device.id, "ts": str(int(time.time())), **fields}
    await client.publish(topic, orjson.dumps(signed(device.secret, topic, body)), qos=1)


def request_ids(prefix: str) -> Iterator[str]:
    start = int(time.time() * 1000)
    return (f"{prefix}-{start}-{n}" for n in count(1))


async def press_and_ask(
    sim: Simulation, devices: dict[str, Device], clients: dict[str, aiomqtt.Client]
) -> None:
    """Every `press_every_s`: the kiosk asks for a ticket, and each window presses
    call-next (next time: finish)."""
    choose, ids = random.Random(sim.seed), request_ids("sim")
    for round_ in count(1):
        action = "call-next" if round_ % 2 else "finish"
        if sim.services:
            service = choose.choice(sim.services)
            topic = kiosk_request_topic(sim.hall, KIOSK)
            await send(
                clients["kiosk"], devices["kiosk"], topic, request_id=next(ids), service=service
            )
        for n in sim.windows:
            key = f"button:{n}"
            topic = button_topic(sim.hall, n)
            await send(clients[key], devices[key], topic, request_id=next(ids), action=action)
        if sim.rounds and round_ >= sim.rounds:
            return
        await asyncio.sleep(sim.press_every_s)


async def listen(sim: Simulation, out: TextIO, ready: asyncio.Event) -> None:
    """Print what the hall's devices are told, as it comes; `ready` once subscribed."""
    async with sim.broker.client() as client:
        for n in sim.windows:
            await client.subscribe(display_topic(sim.hall, n), qos=1)
            await client.subscribe(result_topic(button_topic(sim.hall, n)), qos=1)
        await client.subscribe(print_topic(sim.hall, KIOSK), qos=1)
        await client.subscribe(result_topic(kiosk_request_topic(sim.hall, KIOSK)), qos=1)
        await client.subscribe(announce_topic(sim.hall), qos=1)
        ready.set()
        async for message in client.messages:
            line = shown(message.topic.value, orjson.loads(message.payload))  # type: ignore[arg-type]
            print(line, file=out, flush=True)


def shown(topic: str, body: dict[str, Any]) -> str:
    """One device message as a line for the demo's audience, zh · en."""
    parts = topic.split("/")
    if topic.endswith("/display"):
        return f"[LED {parts[3]}] {body['text_zh']} · {body['text_en']}"
    if topic.endswith("/announce"):
        return f"[广播 speaker] {body['text_zh']} · {body['text_en']}"
    if topic.endswith("/print"):
        ahead = body.get("people_ahead")
        return (
            f"[打印机 printer] ── {body['number']} {body['service_zh']} {body['service_en']}"
            f" · 前面 {ahead} 人 {ahead} ahead · {body['status_url']}"
        )
    who = f"按键 button {parts[3]}" if parts[2] == "window" else f"取号机 kiosk {parts[3]}"
    if body.get("ok"):
        return f"[{who}] ✓ {body['event']} {body.get('ticket') or ''}".rstrip()
    return f"[{who}] ✗ {body.get('message_zh')} / {body.get('message_en')}"


async def simulate(sim: Simulation, registry: DeviceRegistry, out: TextIO) -> None:
    devices = devices_for(sim, registry, out)
    ready = asyncio.Event()
    listener = asyncio.create_task(listen(sim, out, ready))
    try:
        await asyncio.wait(
            [listener, asyncio.create_task(ready.wait())], return_when="FIRST_COMPLETED"
        )
        if listener.done():
            listener.result()  # could not connect: raise why
        async with contextlib.AsyncExitStack() as stack:
            clients = {
                key: await stack.enter_async_context(connected(sim, device))
                for key, device in devices.items()
            }
            await press_and_ask(sim, devices, clients)
            await asyncio.sleep(min(sim.press_every_s, 1.0))  # the last answers
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
