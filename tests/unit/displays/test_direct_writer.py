"""A keeping-up client's frames go straight to its socket, over a real asyncio transport:
whole, in order when the socket takes only part of one, and without raising once the
peer has gone."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any

import pytest

from displays.ws_endpoint import _direct_writer

Pair = tuple[Callable[[bytes], bool], asyncio.Transport, socket.socket]


@pytest.fixture
async def pair() -> AsyncIterator[Pair]:
    """A writer over the server end's transport, and the client end's plain socket."""
    ours, peer = socket.socketpair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # small: partial sends
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_connection(asyncio.Protocol, sock=ours)
    assert isinstance(transport, asyncio.Transport)
    write_now = _direct_writer(SimpleNamespace(transport=transport))  # type: ignore[arg-type]
    peer.setblocking(False)
    yield write_now, transport, peer
    transport.close()
    peer.close()


async def received(peer: socket.socket, size: int, timeout_s: float = 5.0) -> bytes:
    loop = asyncio.get_running_loop()
    data = bytearray()
    async with asyncio.timeout(timeout_s):
        while len(data) < size:
            data += await loop.sock_recv(peer, 65536)
    return bytes(data)


async def test_a_frame_reaches_the_peer_whole_and_nothing_waits_in_the_transport(
    pair: Pair,
) -> None:
    write_now, transport, peer = pair
    through_transport: list[Any] = []
    transport.write = through_transport.append  # type: ignore[method-assign]
    assert write_now(b"\x81\x05hello")
    assert through_transport == []  # it went straight to the socket
    assert await received(peer, 7) == b"\x81\x05hello"


async def test_what_the_socket_cannot_take_waits_in_the_transport_and_keeps_its_order(
    pair: Pair,
) -> None:
    write_now, transport, peer = pair
    frames = [bytes([k]) * 300_000 for k in range(1, 4)]  # far beyond the socket's buffers
    assert write_now(frames[0])
    assert transport.get_write_buffer_size() > 0  # the rest of it waits in the transport
    assert not write_now(frames[1])  # behind: the hub queues the client's frames instead
    transport.write(frames[1])  # as the client's sender would, after the first
    data = await received(peer, 600_000)
    assert data == frames[0] + frames[1]
    assert write_now(frames[2])  # caught up again
    assert await received(peer, 300_000) == frames[2]


async def test_a_peer_that_has_gone_closes_the_transport_instead_of_raising(
    pair: Pair,
) -> None:
    write_now, transport, peer = pair
    transport.pause_reading()  # so only the failed send can tell it the peer has gone
    peer.close()
    results: list[Any] = []
    for _ in range(3):  # the first send may still succeed; a later one meets the reset
        results.append(write_now(b"\x81\x01x" * 1000))
        await asyncio.sleep(0.01)
    assert transport.is_closing()
    assert results[-1] is False  # a closing transport takes nothing more
