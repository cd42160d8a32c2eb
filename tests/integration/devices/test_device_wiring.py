"""The bridge as the server starts it: from settings, only with `HALLQ_MQTT_URL`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bench.mosquitto import Mosquitto
from hallq.devices import device_bridge
from hallq.live import LiveHall
from hallq.settings import Settings


async def test_the_bridge_runs_with_an_mqtt_url_and_not_without(
    live: LiveHall, mosquitto: Mosquitto, tmp_path: Path
) -> None:
    settings = Settings(store="memory", devices_path=tmp_path / "devices.json")
    async with device_bridge(live, settings, b"s" * 32) as bridge:
        assert bridge is None
    async with device_bridge(live, replace(settings, mqtt_url=mosquitto.url), b"s" * 32) as bridge:
        assert bridge is not None
        await bridge.wait_connections(1)
        assert bridge.connected.is_set()
