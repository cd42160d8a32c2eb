"""The device bridge: the hall's MQTT devices ⇄ the live hall, in one server process.

In: signed button presses and kiosk requests become commands, device online/offline goes
to the cockpit (`hallq.device_requests`). Out: calls reach the window LEDs (retained) and
the speakers (`hallq.device_leds`), issued tickets the kiosk's printer. This module holds
the connection: one aiomqtt client with TCP_NODELAY and a Last Will on
`hallq/bridge/status`. When the broker goes away the bridge reconnects with capped
backoff, subscribes again and republishes every window's LED. Exactly one bridge runs
per deployment (it is the only writer of the retained LEDs). See docs/devices.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import aiomqtt

from callers.device_registry import DeviceRegistry
from callers.device_topics import BRIDGE_STATUS, subscriptions
from hallq.device_leds import HallLeds
from hallq.device_requests import DeviceRequests, Verdict
from hallq.live import LiveHall
from hallq.mqtt_link import Backoff, Broker
from hallq.settings import Settings

__all__ = ["DeviceBridge", "Verdict", "bridge_for", "device_bridge"]

log = logging.getLogger("hallq.devices")
BACKOFF = Backoff()
ONLINE, OFFLINE = b'{"state":"online"}', b'{"state":"offline"}'


class DeviceBridge:
    def __init__(
        self,
        live: LiveHall,
        broker: Broker,
        registry: DeviceRegistry,
        ticket_token: Callable[[str, str], str],
        *,
        backoff: Backoff = BACKOFF,
        wall_s: Callable[[], float] = time.time,
        observe: Callable[[Verdict], None] | None = None,
    ) -> None:
        self.live, self.broker, self.backoff = live, broker, backoff
        self.leds = HallLeds(live, self._send)
        self.requests = DeviceRequests(
            live, registry, ticket_token, self._send, wall_s=wall_s, observe=observe
        )
        self.connected = asyncio.Event()
        self.connections = 0  # how many times it has connected so far
        self._connecting = asyncio.Condition()
        self._client: aiomqtt.Client | None = None
        self._outgoing: set[asyncio.Task[None]] = set()  # publishes awaiting their PUBACK
        self._runners: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.leds.watch()
        self._runners = [
            asyncio.create_task(self.leds.follow(), name="hallq-device-leds"),
            asyncio.create_task(self._stay_connected(), name="hallq-device-broker"),
        ]

    async def stop(self) -> None:
        """Let requests being carried out finish, then disconnect (before `live.stop()`)."""
        if self.requests.running:
            await asyncio.wait(list(self.requests.running), timeout=5)
        self._send(BRIDGE_STATUS, OFFLINE, True)  # a goodbye sends no Will
        if self._outgoing:
            await asyncio.wait(list(self._outgoing), timeout=1)
        for task in [*self._runners, *self.requests.running, *self._outgoing]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def wait_connections(self, count: int) -> None:
        """Return once the bridge has connected `count` times (1: the first time)."""
        async with self._connecting:
            await self._connecting.wait_for(lambda: self.connections >= count)

    def device_states(self) -> dict[str, bool]:
        """Each device's last reported state (True: online), for a cockpit snapshot."""
        return dict(self.requests.online)

    async def _stay_connected(self) -> None:
        delay = self.backoff.first_s
        while True:
            will = aiomqtt.Will(BRIDGE_STATUS, OFFLINE, qos=1, retain=True)
            try:
                async with self.broker.client(will=will) as client:
                    await self._connected(client)
                    delay = self.backoff.first_s
                    async for message in client.messages:
                        self.requests.receive(message.topic.value, message.payload)
            except aiomqtt.MqttError as error:
                log.warning(
                    "设备代理与 MQTT 断开，%.1f 秒后重连 / device bridge lost the broker (%s);"
                    " reconnecting in %.1f s",
                    delay,
                    error,
                    delay,
                )
            finally:
                self._client = None
                self.connected.clear()
                for task in self._outgoing:  # their PUBACKs will not come
                    task.cancel()
            await asyncio.sleep(delay)
            delay = self.backoff.after(delay)

    async def _connected(self, client: aiomqtt.Client) -> None:
        for hall in self.live.app.hall_ids():
            for topic_filter in subscriptions(hall):
                await client.subscribe(topic_filter, qos=1)
        # No await between reading the LEDs and queueing them: a newer state, sent by a
        # call from now on, is queued after them. Connected means republished.
        self._client = client
        await asyncio.gather(
            self._publish(client, BRIDGE_STATUS, ONLINE, True),
            *(self._publish(client, topic, led, True) for topic, led in self.leds.retained()),
        )
        self.connections += 1
        self.connected.set()
        async with self._connecting:
            self._connecting.notify_all()
        log.info(
            "设备代理已连接 %s:%s / device bridge connected to %s:%s",
            *(self.broker.host, self.broker.port) * 2,
        )

    def _send(self, topic: str, payload: bytes, retain: bool) -> None:
        """Publish (QoS 1) without waiting for the PUBACK. Tasks start in the order they
        are created, so messages leave in the order they were sent. Without a broker
        the message is dropped: the LEDs are republished on reconnecting."""
        client = self._client
        if client is not None:
            self._spawn(self._publish(client, topic, payload, retain))

    async def _publish(
        self, client: aiomqtt.Client, topic: str, payload: bytes, retain: bool
    ) -> None:
        try:
            await client.publish(topic, payload, qos=1, retain=retain)
        except aiomqtt.MqttError as error:
            log.debug("publish to %s failed: %s", topic, error)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._outgoing.add(task)
        task.add_done_callback(self._outgoing.discard)


def bridge_for(live: LiveHall, settings: Settings, secret: bytes) -> DeviceBridge | None:
    """The bridge `settings` ask for (`HALLQ_MQTT_URL`), or None without one."""
    if not settings.mqtt_url:
        return None
    from callers.http_api import ticket_token

    return DeviceBridge(
        live,
        Broker.from_url(settings.mqtt_url),
        DeviceRegistry(settings.devices_path),
        lambda hall, request_id: ticket_token(secret, hall, request_id),
    )


@contextlib.asynccontextmanager
async def device_bridge(
    live: LiveHall, settings: Settings, secret: bytes
) -> AsyncIterator[DeviceBridge | None]:
    """Run the bridge while the block runs (nothing without `HALLQ_MQTT_URL`)."""
    bridge = bridge_for(live, settings, secret)
    if bridge is not None:
        await bridge.start()
    try:
        yield bridge
    finally:
        if bridge is not None:
            await bridge.stop()
