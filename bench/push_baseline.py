"""The push benchmark's baseline: a bare `websockets` server replaying recorded pushes.

`python -m bench.push_baseline PORT SCRIPT`. Clients subscribe as they do to hallq
(`{"op": "subscribe", "channel": C}`) and get a one-line acknowledgement. SCRIPT (a
pickle) is what hallq's clients received in the measured phase, as
`[(offset_ns, [(channel, receivers, text), …]), …]`: on `go T0` (a line on stdin, T0 in
`time.monotonic_ns()`) the server sends each text with `websockets.broadcast` to the
first `receivers` subscribers of its channel at T0 + offset, prints `done MESSAGES` and
waits for `stop`. Nothing else: no store, no read models, no JSON encoding.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

import websockets
from websockets.asyncio.server import ServerConnection

from bench.procs import HOST, raise_open_files

Script = list[tuple[int, list[tuple[str, int, str]]]]


class Channels:
    def __init__(self) -> None:
        self.subscribers: dict[str, list[ServerConnection]] = defaultdict(list)

    async def handler(self, ws: ServerConnection) -> None:
        mine: list[str] = []
        try:
            async for raw in ws:
                channel = str(json.loads(raw)["channel"])
                self.subscribers[channel].append(ws)
                mine.append(channel)
                await ws.send(json.dumps({"channel": channel, "seq": 0, "type": "snapshot"}))
        finally:
            for channel in mine:
                self.subscribers[channel].remove(ws)

    async def replay(self, script: Script, t0_ns: int) -> int:
        sent = 0
        for offset_ns, messages in script:
            delay = (t0_ns + offset_ns - time.monotonic_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            for channel, receivers, text in messages:
                sockets = self.subscribers.get(channel, [])[:receivers]
                websockets.broadcast(sockets, text)
                sent += len(sockets)
        return sent


async def main(port: int, script: Script) -> None:
    raise_open_files(20_000)
    channels = Channels()
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with websockets.serve(
        channels.handler, HOST, port, compression=None, ping_interval=None, backlog=2048
    ):
        print("listening", flush=True)
        while line := (await reader.readline()).decode().split():
            if line[0] == "go":
                sent = await channels.replay(script, int(line[1]))
                print(f"done {sent}", flush=True)
            elif line[0] == "stop":
                break


if __name__ == "__main__":
    with Path(sys.argv[2]).open("rb") as f:
        recorded: Script = pickle.load(f)
    asyncio.run(main(int(sys.argv[1]), recorded))
