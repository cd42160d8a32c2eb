"""The broker's address, and the broker configuration tests and the benchmark start."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.mosquitto import CONFIG, config_for
from hallq.mqtt_link import Backoff, Broker


def test_a_broker_url_names_host_port_and_account() -> None:
    assert Broker.from_url("mqtt://127.0.0.1") == Broker("127.0.0.1", 1883)
    broker = Broker.from_url("mqtts://hallq%40bridge:p%2Fw@broker.lan:8884")
    assert (broker.host, broker.port, broker.username, broker.password, broker.tls) == (
        "broker.lan", 8884, "hallq@bridge", "p/w", True,
    )  # fmt: skip
    assert "p/w" not in repr(broker)


@pytest.mark.parametrize("url", ["http://x", "mqtt://", "127.0.0.1:1883"])
def test_a_wrong_broker_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="mqtt://"):
        Broker.from_url(url)


def test_reconnecting_backs_off_to_a_cap() -> None:
    backoff, delay, delays = Backoff(0.1, 1.0), 0.1, []
    for _ in range(6):
        delays.append(delay)
        delay = backoff.after(delay)
    assert delays == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]


def test_the_project_broker_disables_nagle_and_tests_move_only_its_listener(tmp_path: Path) -> None:
    project = CONFIG.read_text().splitlines()
    assert "set_tcp_nodelay true" in project
    assert "listener 1883 127.0.0.1" in project
    generated = config_for(41883, tmp_path / "log").splitlines()
    assert "set_tcp_nodelay true" in generated
    assert [line for line in generated if line.startswith("listener")] == [
        "listener 41883 127.0.0.1"
    ]
    assert "persistence false" in generated
