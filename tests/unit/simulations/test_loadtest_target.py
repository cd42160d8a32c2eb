"""A load test aims at loopback only: by the URL's spelling, with no name looked up."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulations.loadtest_sources import ADDRESSES, source_address
from simulations.loadtest_target import NotLoopback, parse_target


@pytest.mark.parametrize(
    ("url", "http", "ws"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", "ws://127.0.0.1:8080/ws"),
        ("http://127.3.4.5:9/", "http://127.3.4.5:9", "ws://127.3.4.5:9/ws"),
        ("http://localhost:8080/anything", "http://127.0.0.1:8080", "ws://127.0.0.1:8080/ws"),
        ("http://[::1]:8080", "http://[::1]:8080", "ws://[::1]:8080/ws"),
        ("https://127.0.0.1", "https://127.0.0.1", "wss://127.0.0.1/ws"),
    ],
)
def test_a_loopback_url_gives_the_servers_http_and_websocket_addresses(
    url: str, http: str, ws: str
) -> None:
    target = parse_target(url)
    assert (target.http, target.ws) == (http, ws)
    assert target.ipv4 == ("[::1]" not in url)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5:8080",
        "http://192.168.1.20",
        "http://0.0.0.0:8080",
        "http://example.com",
        "http://127.0.0.1.example.com",
        "http://localhost.example.com",
        "http://[2001:db8::1]:8080",
        "ftp://127.0.0.1",
        "127.0.0.1:8080",
    ],
)
def test_any_other_url_is_refused_in_chinese_and_english(url: str) -> None:
    with pytest.raises(NotLoopback) as refused:
        parse_target(url)
    message = str(refused.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)  # Chinese
    assert "loopback" in message or "http://" in message


@given(st.ip_addresses(v=4).filter(lambda a: not a.is_loopback))
def test_no_ipv4_address_outside_127_slash_8_is_accepted(address: ipaddress.IPv4Address) -> None:
    with pytest.raises(NotLoopback):
        parse_target(f"http://{address}:8080")


@given(st.integers(0, ADDRESSES - 1), st.integers(0, ADDRESSES - 1))
def test_each_actor_has_its_own_loopback_address_never_the_servers(a: int, b: int) -> None:
    first, second = ipaddress.ip_address(source_address(a)), ipaddress.ip_address(source_address(b))
    assert first.is_loopback and str(first) != "127.0.0.1"
    assert (first == second) == (a == b)
