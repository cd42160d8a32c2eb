"""The load test's audience, in its own process: hall screens and residents' phones.

`python -m simulations.loadtest_clients CONFIG`. CONFIG (JSON) has `url` (the `/ws`
address), `hall`, `screens` (how many subscribe to `display:{hall}`), `phones` (one
ticket token per phone), `pool` (more tokens, for phones to follow later) and
`deadline_s`. Screens are clients 0…screens−1, phones follow. The process prints
`ready SCREENS PHONES FAILED` once every client has subscribed (or failed to), then records every
message (see `simulations.loadtest_sockets`) until told to stop.

A phone follows one ticket at a time. Once its ticket is called (or found no longer
waiting) the phone follows the oldest token in the pool, on the same socket: the next
resident in line opens the ticket page. So N phones keep following the front of the
queue for the whole run, however many calls it makes. Each follow is recorded as a row
`{"channel": "ticket:T", "seq": -1, "type": "followed"}` at the time it was sent.

Commands on stdin: `tickets T1 T2 …` (new tokens for the pool), `flush PATH` (write the
rows, closes and failures since the last flush to PATH as a pickle, answer `flushed
ROWS`), `stop` (or the end of stdin: exit at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import pickle
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection

from simulations.loadtest_procs import raise_open_files
from simulations.loadtest_sockets import CONNECT_CONCURRENCY, Recorder, open_client, stdin_lines

ADVANCE_EVERY_S = 0.05


def followed_row(client: int, token: str) -> tuple[int, int, str]:
    text = json.dumps({"channel": f"ticket:{token}", "seq": -1, "type": "followed", "data": {}})
    return (client, time.monotonic_ns(), text)


def moves_on(raw: bytes | str) -> tuple[str, bool]:
    """A phone message's channel, and whether its ticket no longer waits (called, or a
    status other than waiting): the phone's resident has been called."""
    message = orjson.loads(raw)
    kind, data = message.get("type"), message.get("data") or {}
    gone = kind == "called" or (kind == "ticket" and data.get("status") != "waiting")
    return str(message.get("channel")), gone


class Phones:
    """Which ticket each phone follows, and the tokens waiting for a phone."""

    def __init__(self, recorder: Recorder, sockets: dict[int, ClientConnection]) -> None:
        self.recorder, self.sockets = recorder, sockets
        self.following: dict[int, str] = {}  # client -> the channel it follows now
        self.pool: deque[str] = deque()
        self.idle: deque[int] = deque()
        self.scanned = 0

    def start(self, tokens: dict[int, str]) -> None:
        for client, token in tokens.items():
            self.following[client] = f"ticket:{token}"
            self.recorder.rows.append(followed_row(client, token))

    async def offer(self, tokens: list[str]) -> None:
        self.pool.extend(tokens)
        while self.idle and self.pool:
            await self.follow_next(self.idle.popleft())

    async def follow_next(self, client: int) -> None:
        if not self.pool:
            self.idle.append(client)
            return
        token = self.pool.popleft()
        self.following[client] = f"ticket:{token}"
        self.recorder.rows.append(followed_row(client, token))
        with contextlib.suppress(Exception):  # a closed socket is already recorded
            subscribe = {"op": "subscribe", "channel": f"ticket:{token}"}
            await self.sockets[client].send(json.dumps(subscribe))

    async def advance(self) -> None:
        """Move every phone whose ticket was called on to the next token."""
        rows, end = self.recorder.rows, len(self.recorder.rows)
        done: list[int] = []
        for client, _, text in rows[self.scanned : end]:
            current = self.following.get(client)
            if current is None or not text.startswith('{"channel":"ticket:'):
                continue
            channel, gone = moves_on(text)
            if gone and channel == current:
                done.append(client)
        self.scanned = end
        for client in done:
            await self.follow_next(client)

    async def keep_moving(self) -> None:
        while True:
            await asyncio.sleep(ADVANCE_EVERY_S)
            await self.advance()


class Flusher:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder, self.rows, self.closed, self.failed = recorder, 0, 0, 0

    def flush(self, path: Path) -> int:
        r = self.recorder
        part: dict[str, list[Any]] = {
            "rows": r.rows[self.rows :],
            "closed": r.closed[self.closed :],
            "failed": r.failed[self.failed :],
        }
        self.rows, self.closed, self.failed = len(r.rows), len(r.closed), len(r.failed)
        with path.open("wb") as f:
            pickle.dump(part, f, protocol=pickle.HIGHEST_PROTOCOL)
        return len(part["rows"])


async def connect_all(
    url: str, channels: list[str], recorder: Recorder
) -> dict[int, ClientConnection]:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    opened = await asyncio.gather(
        *(open_client(url, channel, gate) for channel in channels), return_exceptions=True
    )
    sockets: dict[int, ClientConnection] = {}
    for client, ws in enumerate(opened):
        if isinstance(ws, BaseException):
            recorder.failed.append(f"{type(ws).__name__}: {ws}")
        else:
            sockets[client] = ws
    return sockets


async def obey(reader: asyncio.StreamReader, phones: Phones, flusher: Flusher) -> None:
    while True:
        line = (await reader.readline()).decode().strip()
        word, _, rest = line.partition(" ")
        if word == "tickets":
            await phones.offer(rest.split())
        elif word == "flush":
            print(f"flushed {flusher.flush(Path(rest))}", flush=True)
        elif word in ("stop", ""):
            return


async def main(config: dict[str, Any]) -> None:
    screens, tokens = int(config["screens"]), [str(t) for t in config["phones"]]
    raise_open_files(screens + len(tokens) + 256)
    channels = [f"display:{config['hall']}"] * screens + [f"ticket:{t}" for t in tokens]
    recorder = Recorder()
    sockets = await connect_all(str(config["url"]), channels, recorder)
    listeners = [asyncio.create_task(recorder.listen(c, ws)) for c, ws in sockets.items()]
    phones = Phones(recorder, sockets)
    phones.start({c: tokens[c - screens] for c in sockets if c >= screens})
    await phones.offer([str(t) for t in config["pool"]])
    on_screens = sum(1 for c in sockets if c < screens)
    print(f"ready {on_screens} {len(sockets) - on_screens} {len(recorder.failed)}", flush=True)
    mover = asyncio.create_task(phones.keep_moving())
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(
            obey(await stdin_lines(), phones, Flusher(recorder)), float(config["deadline_s"])
        )
    recorder.stopping = True
    for task in [mover, *listeners]:
        task.cancel()
    for ws in sockets.values():  # no closing handshakes: the kernel closes them
        ws.transport.abort()


if __name__ == "__main__":
    asyncio.run(main(json.loads(Path(sys.argv[1]).read_text())))
