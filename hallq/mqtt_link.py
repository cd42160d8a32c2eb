"""Connecting to the hall's MQTT broker: the address, a client with TCP_NODELAY, backoff.

Neither paho-mqtt 2.x (`socket.create_connection`) nor aiomqtt 2.x sets TCP_NODELAY, and
MQTT packets are small: with Nagle's algorithm on the client and delayed ACKs on the
broker, a QoS 1 button → display round trip took 88 ms here; with TCP_NODELAY on the
clients and `set_tcp_nodelay true` in the broker (deploy/mosquitto.conf) 0.6 ms.
aiomqtt sets `socket_options` on the socket right after connecting.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import aiomqtt

NODELAY = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)
KEEPALIVE_S = 20  # a dead link (no FIN, e.g. a pulled cable) is noticed within 1.5 × this
TIMEOUT_S = 5.0
PENDING_WARN = 1000  # connect, subscribe, and the wait for a PUBACK


@dataclass(frozen=True)
class Broker:
    """Where the broker is: `mqtt://[user:password@]host[:port]` (1883), or `mqtts://`
    for TLS (8883, the system's CA certificates)."""

    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False

    @classmethod
    def from_url(cls, url: str) -> Broker:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError(
                f"MQTT 地址须为 mqtt://host[:port] / the MQTT URL must be mqtt://host[:port], not {url!r}"
            )
        tls = parts.scheme == "mqtts"
        return cls(
            host=parts.hostname,
            port=parts.port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
        )

    def client(
        self, *, identifier: str | None = None, will: aiomqtt.Will | None = None
    ) -> aiomqtt.Client:
        """A new client (connects on `async with`); create it inside the running loop."""
        client = aiomqtt.Client(
            self.host,
            self.port,
            username=self.username,
            password=self.password,
            identifier=identifier,
            will=will,
            keepalive=KEEPALIVE_S,
            timeout=TIMEOUT_S,
            tls_context=ssl.create_default_context() if self.tls else None,
            socket_options=NODELAY,
        )
        # aiomqtt warns past 10 unacknowledged publishes; a reconnect republishes every
        # window's LED at once, which is expected, not a sign of trouble.
        client.pending_calls_threshold = PENDING_WARN
        return client


@dataclass(frozen=True)
class Backoff:
    """Reconnect delays: `first_s`, doubling, capped at `cap_s`."""

    first_s: float = 0.1
    cap_s: float = 5.0

    def after(self, delay_s: float) -> float:
        return min(delay_s * 2, self.cap_s)
