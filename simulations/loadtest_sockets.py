"""Many WebSocket clients in one process: connect and subscribe, record what arrives.

Every message a client receives is recorded as `(client, time.monotonic_ns(), text)`;
CLOCK_MONOTONIC is one clock for all processes on Linux, so a parent process compares
these times with its own. Identical texts are kept once (hall screens all receive the
same board), so a long run stays small. Shared by the load test and the push benchmark.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

CONNECT_CONCURRENCY = 64
CONNECT_TIMEOUT_S = 30.0


class Recorder:
    def __init__(self) -> None:
        self.rows: list[tuple[int, int, str]] = []
        self.closed: list[tuple[int, int, int | None]] = []  # (client, ns, close code)
        self.failed: list[str] = []
        self.texts: dict[str, str] = {}
        self.stopping = False

    async def listen(self, client: int, ws: ClientConnection) -> None:
        rows, texts, clock = self.rows, self.texts, time.monotonic_ns
        try:
            async for text in ws:
                at = clock()
                if isinstance(text, str):
                    rows.append((client, at, texts.setdefault(text, text)))
        except ConnectionClosed:
            pass
        if not self.stopping:
            self.closed.append((client, time.monotonic_ns(), ws.close_code))


async def open_client(url: str, channel: str, gate: asyncio.Semaphore) -> ClientConnection:
    """A connection subscribed to `channel` whose first message (a snapshot) has arrived;
    a `RuntimeError` when the server refuses the subscription."""
    async with gate:
        ws = await connect(
            url, compression=None, ping_interval=None, open_timeout=CONNECT_TIMEOUT_S, max_size=None
        )
        await ws.send(json.dumps({"op": "subscribe", "channel": channel}))
        first = json.loads(await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT_S))
        if first.get("op") == "error":
            await ws.close()
            raise RuntimeError(f"{channel[:20]}…: {first.get('code')}")
        return ws


async def stdin_lines() -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader
