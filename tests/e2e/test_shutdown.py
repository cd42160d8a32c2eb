"""Graceful shutdown of `hallq serve`: clients are told GOING_AWAY, nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import websockets

from tests.e2e.conftest import STAFF, LiveServer, start_server, stop_server

HALL = "south-axis"


def test_sigterm_closes_sockets_with_going_away_and_keeps_every_acknowledged_command(
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path)
    try:
        check_graceful_shutdown(server)
    finally:
        if server.process.poll() is None:
            server.process.kill()


def check_graceful_shutdown(server: LiveServer) -> None:
    staff = server.login(STAFF)
    server.api("POST", f"/api/halls/{HALL}/windows/1/open", {"request_id": "open-1"}, staff)
    numbers = [
        server.api(
            "POST",
            f"/api/halls/{HALL}/tickets",
            {"service": "social-security", "request_id": f"k{k}"},
        )["ticket"]["number"]
        for k in range(5)
    ]
    called = server.api(
        "POST", f"/api/halls/{HALL}/windows/1/call-next", {"request_id": "call-1"}, staff
    )

    async def listen_until_closed() -> int | None:
        async with websockets.connect(
            server.url.replace("http", "ws") + "/ws", compression=None
        ) as ws:
            await ws.send(json.dumps({"op": "subscribe", "channel": f"display:{HALL}"}))
            await ws.recv()
            server.process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(15):
                    while True:
                        await ws.recv()
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None
        return None

    assert asyncio.run(listen_until_closed()) == 1001
    server.process.wait(timeout=20)
    stop_server(server)
    restarted = start_server(server.folder)  # the same store and accounts, a new process
    try:
        board = restarted.api("GET", f"/api/halls/{HALL}/board")
        assert board["last_calls"][0]["number"] == called["current"]["number"] == numbers[0]
        waiting = sum(sum(s["waiting"].values()) for s in board["services"])
        assert waiting == len(numbers) - 1
    finally:
        stop_server(restarted)
