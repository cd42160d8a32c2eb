"""`hallq device simulate` plays the hall's devices against the real bridge."""

from __future__ import annotations

import io

from bench.mosquitto import Mosquitto
from callers.device_registry import DeviceRegistry
from hallq.device_sim import Simulation, simulate
from hallq.devices import DeviceBridge, Verdict
from hallq.live import LiveHall
from hallq.mqtt_link import Broker
from tests.conftest import HALL
from tests.integration.devices.conftest import Verdicts
from tests.integration.devices.helpers import issue


async def test_the_simulated_devices_issue_call_and_finish_through_the_bridge(
    bridge: DeviceBridge, live: LiveHall, mosquitto: Mosquitto, registry: DeviceRegistry,
    verdicts: Verdicts,
) -> None:  # fmt: skip
    await issue(live, 2)  # the kiosk's tickets may come after the first press
    out = io.StringIO()
    sim = Simulation(
        Broker.from_url(mosquitto.url), HALL, (5,), ("household-registration",),
        press_every_s=0.05, rounds=4,
    )  # fmt: skip
    await simulate(sim, registry, out)
    done: list[Verdict] = []
    while len(done) < 8:  # 4 presses and 4 tickets
        verdict = await verdicts.next()
        if verdict.outcome in ("done", "refused"):
            done.append(verdict)
    assert {v.outcome for v in done} == {"done"}, done
    called = live.models.windows.view(HALL, live.app.day_of(HALL), 5, live.app.clock.now())
    assert called["current"] is None  # the fourth press finished the second call
    text = out.getvalue()
    assert "[LED 5]" in text
    assert "[打印机 printer] ──" in text
    ids = {d.id for d in registry.all()}
    assert "sim-kiosk-sim" in ids and "sim-button-5" not in ids  # btn-5 was there already
