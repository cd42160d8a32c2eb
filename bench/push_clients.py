"""Client side of the push benchmark: many WebSocket clients in one process, recording.

`python -m bench.push_clients CONFIG OUT`. CONFIG (JSON) names the URL and, per client,
its global index and channel. Each client connects (`compression=None`), subscribes
with `{"op": "subscribe", "channel": C}` and waits for its first message (a snapshot or
an acknowledgement). The process then prints `ready OK FAILED` and records every message
every client receives as `(client, time.monotonic_ns(), text)`; CLOCK_MONOTONIC is one
clock for all processes on Linux, so the parent compares these times with its own.

On `stop` (a line on stdin), or at the config's deadline, it writes OUT (a pickle of the
rows, the unexpected closes and the failures), prints `done ROWS` and exits. Identical
texts are kept once (hall screens all receive the same board), so a long run stays small.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import pickle
import sys
import time
from pathlib import Path
from typing import Any

from bench.procs import raise_open_files
from simulations.loadtest_sockets import CONNECT_CONCURRENCY, Recorder, open_client, stdin_lines


async def wait_for_stop(reader: asyncio.StreamReader, deadline: float) -> None:
    """Until a `stop` line, the end of stdin (the parent is gone) or the deadline."""
    with contextlib.suppress(TimeoutError):
        while True:
            line = await asyncio.wait_for(reader.readline(), max(deadline - time.monotonic(), 0))
            if line.strip() in (b"stop", b""):
                return


async def main(config: dict[str, Any], out: Path) -> None:
    raise_open_files(len(config["clients"]) + 256)
    deadline = time.monotonic() + float(config["deadline_s"])
    recorder = Recorder()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    clients: list[tuple[int, str]] = [(int(i), str(c)) for i, c in config["clients"]]
    opened = await asyncio.gather(
        *(open_client(config["url"], channel, gate) for _, channel in clients),
        return_exceptions=True,
    )
    listeners, sockets = [], []
    for (index, _), ws in zip(clients, opened, strict=True):
        if isinstance(ws, BaseException):
            recorder.failed.append(f"{type(ws).__name__}: {ws}")
        else:
            sockets.append(ws)
            listeners.append(asyncio.create_task(recorder.listen(index, ws)))
    print(f"ready {len(sockets)} {len(recorder.failed)}", flush=True)
    await wait_for_stop(await stdin_lines(), deadline)
    recorder.stopping = True
    for task in listeners:
        task.cancel()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*listeners, return_exceptions=True), 5)
    with out.open("wb") as f:
        pickle.dump(
            {"rows": recorder.rows, "closed": recorder.closed, "failed": recorder.failed},
            f,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    print(f"done {len(recorder.rows)}", flush=True)
    for ws in sockets:  # no closing handshakes: the process ends and the kernel closes them
        ws.transport.abort()


if __name__ == "__main__":
    asyncio.run(main(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2])))
