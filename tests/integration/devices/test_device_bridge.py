"""The device bridge against a real Mosquitto, with mosquitto_pub / mosquitto_sub and
aiomqtt as the devices outside."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiomqtt
import orjson
import pytest

from bench.mosquitto import Mosquitto
from callers.device_registry import DeviceRegistry
from callers.device_signing import signed
from callers.device_topics import (
    announce_topic,
    display_topic,
    print_topic,
    result_topic,
    status_topic,
)
from displays.push import Subscriber
from hallq.devices import DeviceBridge
from hallq.live import LiveHall
from projections.ticket_status import token_digest
from queue_core.commands import CallNext
from tests.conftest import HALL
from tests.integration.devices.conftest import Verdicts
from tests.integration.devices.helpers import issue, kiosk_request, press, run

PUB, SUB = "mosquitto_pub", "mosquitto_sub"  # the outside clients (the fixture checks them)


async def retained(mosquitto: Mosquitto, topic: str) -> dict[str, Any]:
    """The retained message of `topic`, read by mosquitto_sub as a fresh outside client."""
    out = await run(
        SUB, "-p", str(mosquitto.port), "-t", topic, "-C", "1", "-W", "5", "--retained-only"
    )
    return dict(orjson.loads(out))


async def publish(mosquitto: Mosquitto, topic: str, payload: bytes) -> None:
    await run(PUB, "-p", str(mosquitto.port), "-q", "1", "-t", topic, "-m", payload.decode())


async def led_showing(screen: aiomqtt.Client, number: str | None) -> dict[str, Any]:
    """The next LED message of the topic `screen` subscribed to that shows `number`."""
    async with asyncio.timeout(5):
        async for message in screen.messages:
            led = orjson.loads(message.payload)  # type: ignore[arg-type]
            if led["number"] == number:
                return dict(led)
    raise AssertionError("unreachable")


def position(live: LiveHall) -> int:
    return int(live.app.recorder.max_notification_id() or 0)


async def test_a_signed_press_calls_the_next_ticket_and_the_led_keeps_showing_it(
    bridge: DeviceBridge, live: LiveHall, mosquitto: Mosquitto, registry: DeviceRegistry,
    verdicts: Verdicts,
) -> None:  # fmt: skip
    first, _ = await issue(live, 2)
    topic, payload = press(registry, "btn-5", "call-next", "p1")
    async with (
        aiomqtt.Client("127.0.0.1", mosquitto.port) as device,
        aiomqtt.Client("127.0.0.1", mosquitto.port) as screen,
    ):
        await device.subscribe(result_topic(topic), qos=1)
        await screen.subscribe(display_topic(HALL, 5), qos=1)
        await publish(mosquitto, topic, payload)  # mosquitto_pub: the button
        answer = orjson.loads((await anext(device.messages)).payload)  # type: ignore[arg-type]
        await led_showing(screen, first)
    assert (await verdicts.next()).outcome == "done"
    assert answer["ok"] and answer["ticket"] == first and answer["event"] == "TicketCalled"
    led = await retained(mosquitto, display_topic(HALL, 5))  # a fresh client sees it too
    assert (led["number"], led["window"], led["text_zh"]) == (first, 5, f"请 {first} 号")
    view = live.models.windows.view(HALL, live.app.day_of(HALL), 5, live.app.clock.now())
    assert view["current"]["number"] == first


async def test_a_press_delivered_twice_is_carried_out_once(
    bridge: DeviceBridge, live: LiveHall, mosquitto: Mosquitto, registry: DeviceRegistry,
    verdicts: Verdicts,
) -> None:  # fmt: skip
    await issue(live, 2)
    topic, payload = press(registry, "btn-5", "call-next", "same")
    await publish(mosquitto, topic, payload)
    assert (await verdicts.next()).outcome == "done"
    written = position(live)
    await publish(mosquitto, topic, payload)
    assert (await verdicts.next()).outcome == "done"
    assert position(live) == written


def wrong_signature(registry: DeviceRegistry) -> tuple[str, bytes]:
    topic, payload = press(registry, "btn-5", "call-next", "bad-sig")
    body = orjson.loads(payload)
    return topic, orjson.dumps({**body, "sig": "0" * 64})


def unknown_device(registry: DeviceRegistry) -> tuple[str, bytes]:
    topic, payload = press(registry, "btn-5", "call-next", "ghost")
    return topic, orjson.dumps({**orjson.loads(payload), "device": "btn-99"})


def another_windows_button(registry: DeviceRegistry) -> tuple[str, bytes]:
    return press(registry, "btn-6", "call-next", "wrong-topic", window=5)


def malformed_json(registry: DeviceRegistry) -> tuple[str, bytes]:
    return press(registry, "btn-5", "call-next", "x")[0], b'{"device": "btn-5", "action": '


def window_not_a_number(registry: DeviceRegistry) -> tuple[str, bytes]:
    """Subscribed to (`hallq/+/window/+/button`), yet outside the scheme."""
    return f"hallq/{HALL}/window/five/button", press(registry, "btn-5", "call-next", "w")[1]


def unknown_action(registry: DeviceRegistry) -> tuple[str, bytes]:
    return press(registry, "btn-5", "close", "closing")


def stale_press(registry: DeviceRegistry) -> tuple[str, bytes]:
    topic = press(registry, "btn-5", "call-next", "old")[0]
    device = registry.get("btn-5")
    assert device is not None
    fields = {
        "device": "btn-5",
        "request_id": "old",
        "action": "call-next",
        "ts": str(int(time.time()) - 3600),
    }
    return topic, orjson.dumps(signed(device.secret, topic, fields))


@pytest.mark.parametrize(
    ("make", "outcome"),
    [
        (wrong_signature, "dropped"),
        (unknown_device, "dropped"),
        (another_windows_button, "dropped"),
        (malformed_json, "dropped"),
        (window_not_a_number, "dropped"),
        (unknown_action, "refused"),
        (stale_press, "refused"),
    ],
)
async def test_a_message_that_is_not_a_valid_press_writes_nothing_and_the_bridge_carries_on(
    bridge: DeviceBridge, live: LiveHall, mosquitto: Mosquitto, registry: DeviceRegistry,
    verdicts: Verdicts, make: Any, outcome: str,
) -> None:  # fmt: skip
    first, _ = await issue(live, 2)
    before = position(live)
    topic, payload = make(registry)
    await publish(mosquitto, topic, payload)
    verdict = await verdicts.next()
    assert (verdict.outcome, verdict.topic) == (outcome, topic)
    assert position(live) == before
    topic, payload = press(registry, "btn-5", "call-next", "after")
    await publish(mosquitto, topic, payload)
    assert (await verdicts.next()).reason == first


async def test_a_message_on_a_topic_outside_the_scheme_is_never_seen(
    bridge: DeviceBridge, live: LiveHall, mosquitto: Mosquitto, registry: DeviceRegistry,
    verdicts: Verdicts,
) -> None:  # fmt: skip
    await issue(live, 1)
    await publish(mosquitto, f"hallq/{HALL}/window/5/buttons", b"{}")  # not subscribed to
    topic, payload = press(registry, "btn-5", "call-next", "next")
    await publish(mosquitto, topic, payload)
    assert (await verdicts.next()).outcome == "done"  # the first verdict is the press's


async def test_a_refused_press_is_answered_with_the_reason_in_both_languages(
    bridge: DeviceBridge, live: LiveHall, mosquitto: Mosquitto, registry: DeviceRegistry,
    verdicts: Verdicts,
) -> None:  # fmt: skip
    topic, payload = press(registry, "btn-5", "call-next", "nobody-waits")
    before = position(live)
    async with aiomqtt.Client("127.0.0.1", mosquitto.port) as device:
        await device.subscribe(result_topic(topic), qos=1)
        await device.publish(topic, payload, qos=1)
        answer = orjson.loads((await anext(device.messages)).payload)  # type: ignore[arg-type]
    assert (await verdicts.next()).outcome == "refused"
    assert answer["ok"] is False and answer["request_id"] == "nobody-waits"
    assert answer["message_zh"] and answer["message_en"]
    assert position(live) == before


async def test_a_call_updates_the_led_and_is_announced_in_chinese_and_english(
    bridge: DeviceBridge, live: LiveHall, mosquitto: Mosquitto
) -> None:
    first, _ = await issue(live, 2)
    async with aiomqtt.Client("127.0.0.1", mosquitto.port) as screen:
        await screen.subscribe(announce_topic(HALL), qos=1)
        await screen.subscribe(display_topic(HALL, 5), qos=1)
        await live.execute(CallNext("call-1", HALL, 5))
        got: dict[str, dict[str, Any]] = {}
        async with asyncio.timeout(5):
            async for message in screen.messages:
                body = orjson.loads(message.payload)  # type: ignore[arg-type]
                if body.get("number") == first:
                    got[message.topic.value] = body
                if len(got) == 2:
                    break
    spoken = got[announce_topic(HALL)]
    assert spoken["text_zh"] == f"请 {first} 号到 5 号窗口办理"
    assert spoken["text_en"] == f"Ticket {first}, please go to window 5"
    assert got[display_topic(HALL, 5)]["window"] == 5


async def test_a_kiosk_request_issues_a_ticket_and_prints_it_with_its_status_url(
    bridge: DeviceBridge, live: LiveHall, mosquitto: Mosquitto, registry: DeviceRegistry,
    verdicts: Verdicts,
) -> None:  # fmt: skip
    await issue(live, 1)  # one person ahead
    topic, payload = kiosk_request(registry, "k1")
    async with aiomqtt.Client("127.0.0.1", mosquitto.port) as printer:
        await printer.subscribe(print_topic(HALL, "1"), qos=1)
        await publish(mosquitto, topic, payload)
        ticket = orjson.loads((await anext(printer.messages)).payload)  # type: ignore[arg-type]
        assert (await verdicts.next()).outcome == "done"
        position = live.follower.position
        await publish(mosquitto, topic, payload)  # the kiosk retries: its print was lost
        again = orjson.loads((await anext(printer.messages)).payload)  # type: ignore[arg-type]
        assert (await verdicts.next()).outcome == "done"
    assert again == ticket and ticket["request_id"] == "k1"  # the same ticket, printed again
    assert live.follower.position == position  # and nothing new written
    assert ticket["service_zh"] and ticket["service_en"] and ticket["people_ahead"] == 1
    assert ticket["status_url"].startswith("https://hall.example/t/")
    token = ticket["status_url"].rsplit("/", 1)[1]
    found = live.models.tickets.find(token_digest(token))
    assert found is not None and found[2] == ticket["number"]
    assert ticket["issued_at"].endswith("+08:00")  # the hall's time


async def test_a_devices_last_will_shows_it_offline_on_the_cockpit(
    bridge: DeviceBridge, live: LiveHall, mosquitto: Mosquitto, registry: DeviceRegistry,
    verdicts: Verdicts,
) -> None:  # fmt: skip
    cockpit = Subscriber("cockpit")
    live.hub.subscribe(cockpit, f"cockpit:{HALL}")
    led = registry.get("led-5")
    assert led is not None
    topic = status_topic(HALL, "led-5")
    online = orjson.dumps(signed(led.secret, topic, {"device": "led-5", "state": "online"}))
    will = orjson.dumps(signed(led.secret, topic, {"device": "led-5", "state": "offline"}))
    device = await asyncio.create_subprocess_exec(
        SUB, "-p", str(mosquitto.port), "-t", display_topic(HALL, 5), "-q", "1",
        "--will-topic", topic, "--will-payload", will.decode(), "--will-qos", "1", "--will-retain",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        # Its window's retained LED arrives once it is connected and subscribed: only a
        # device that had connected leaves a Will to send (killed earlier, it left none).
        async with asyncio.timeout(5):
            assert await device.stdout.readline()  # type: ignore[union-attr]
        await publish(mosquitto, topic, online)
        assert (await verdicts.next()).reason == "online"
        device.kill()  # no DISCONNECT: the broker sends the Will
        await device.wait()
        assert (await verdicts.next()).reason == "offline"
    finally:
        if device.returncode is None:
            device.kill()
            await device.wait()
    states: list[tuple[str, str]] = []
    while len(states) < 2:
        text = await cockpit.queue.get()
        assert text is not None
        message = orjson.loads(text)
        if message["type"] == "device":
            states.append((message["data"]["device"], message["data"]["state"]))
    assert states == [("led-5", "online"), ("led-5", "offline")]


async def test_the_bridge_survives_a_broker_restart_and_republishes_the_leds(
    bridge: DeviceBridge, live: LiveHall, mosquitto: Mosquitto, registry: DeviceRegistry,
    verdicts: Verdicts,
) -> None:  # fmt: skip
    first, second = await issue(live, 2)
    await publish(mosquitto, *press(registry, "btn-5", "call-next", "before"))
    assert (await verdicts.next()).reason == first
    mosquitto.kill()
    mosquitto.start()  # the same port; it remembers nothing
    async with asyncio.timeout(10):
        await bridge.wait_connections(2)
    led = await retained(mosquitto, display_topic(HALL, 5))  # republished on reconnecting
    assert led["number"] == first
    async with aiomqtt.Client("127.0.0.1", mosquitto.port) as screen:
        await screen.subscribe(display_topic(HALL, 5), qos=1)
        await publish(mosquitto, *press(registry, "btn-5", "finish", "done-1"))
        assert (await verdicts.next()).outcome == "done"
        await publish(mosquitto, *press(registry, "btn-5", "call-next", "after"))
        assert (await verdicts.next()).reason == second
        await led_showing(screen, second)
