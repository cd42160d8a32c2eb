"""Where a load test may aim: a hallq server on this machine's loopback, nowhere else.

A load test is a deliberate flood; pointed at a shared or production server it would be
an attack. So the address must be loopback by its very spelling (an IP literal in
127.0.0.0/8 or ::1, or the name `localhost`): no name is looked up, so no DNS answer can
turn a harmless-looking name into someone else's server.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit


class NotLoopback(ValueError):
    """The URL is not a loopback HTTP address; the message is in Chinese and English."""


@dataclass(frozen=True)
class Target:
    http: str  # e.g. http://127.0.0.1:8080, without a trailing slash
    ws: str  # the server's WebSocket address, e.g. ws://127.0.0.1:8080/ws
    ipv4: bool  # whether clients may come from other 127.x.y.z addresses


def loopback_host(host: str) -> bool:
    """Whether `host` (as written in a URL, without brackets) names loopback by itself."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_target(url: str) -> Target:
    """The server's HTTP and WebSocket addresses; `NotLoopback` for any URL that is not
    `http(s)://` to a loopback host."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise NotLoopback(
            f"压测地址须为 http://127.0.0.1:端口 这样的本机地址：{url!r}"
            f" / the load test needs an http:// URL such as http://127.0.0.1:8080, not {url!r}"
        )
    if not loopback_host(host):
        raise NotLoopback(
            f"拒绝压测非本机地址 {host}：只允许回环地址（127.0.0.0/8、::1、localhost）"
            f" / refusing to load-test {host}: only loopback addresses"
            " (127.0.0.0/8, ::1, localhost) are allowed"
        )
    ipv6 = ":" in host
    shown = f"[{host}]" if ipv6 else ("127.0.0.1" if host.lower() == "localhost" else host)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        raise NotLoopback(f"端口无效 / bad port in {url!r}") from None
    http = f"{parts.scheme}://{shown}{port}"
    ws = http.replace("http", "ws", 1) + "/ws"
    return Target(http=http, ws=ws, ipv4=not ipv6)
