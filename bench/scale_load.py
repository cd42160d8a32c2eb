"""The scale benchmark's load: a child process that drives servers and reports JSON.

`python -m bench.scale_load SPEC_JSON` prints one JSON line. Two modes:
- `throughput`: every target (a server and the hall it serves) gets its windows working
  flat out, each a loop of issue → call-next → start → finish, one request at a time on
  its own keep-alive connection; every answered command counts (2xx; a 409 "nothing to
  call" is a refusal, counted apart).
- `push`: windows call through one server at a steady pace while hall screens listen on
  another; the latency of a call is from just before its call-next request is sent to
  the screen's receipt of `called` (`time.monotonic_ns`, one clock for all processes).

The HTTP client is a few lines over asyncio streams, with requests built as bytes: the
load must cost far less CPU than the servers it measures, on the same 2 cores.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson
import websockets


class Http:
    """One keep-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(
        self, path: str, body: dict[str, Any], token: str = "", answer: bool = True
    ) -> tuple[int, Any]:
        """POST `body`; the status and, when asked for or on an error, the parsed answer
        (parsing a window view is most of this client's cost, so the loops skip it)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = orjson.dumps(body)
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n{auth}\r\n"
        )
        self.writer.write(head.encode() + data)
        header = await self.reader.readuntil(b"\r\n\r\n")
        status = int(header[9:12])
        at = header.find(b"Content-Length:")
        length = int(header[at + 15 : header.index(b"\r\n", at)]) if at >= 0 else 0
        payload = await self.reader.readexactly(length)
        parse = payload and (answer or status >= 300)
        return status, orjson.loads(payload) if parse else None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Tally:
    commands: int = 0
    refusals: int = 0
    errors: Counter[str] = field(default_factory=Counter)


async def login(url: str, username: str, password: str) -> str:
    http = Http(url)
    try:
        status, body = await http.post("/api/login", {"username": username, "password": password})
        if status != 200:
            raise RuntimeError(f"login at {url}: {status} {body}")
        return str(body["token"])
    finally:
        http.close()


async def open_windows(url: str, hall: str, token: str, windows: list[int]) -> None:
    http = Http(url)
    try:
        for w in windows:
            status, body = await http.post(
                f"/api/halls/{hall}/windows/{w}/open", {"request_id": f"open-{w}"}, token
            )
            if status != 200:
                raise RuntimeError(f"open window {w} at {url}: {status} {body}")
    finally:
        http.close()


async def window_loop(
    url: str, hall: str, token: str, window: int, services: list[str], run: str,
    count_from: float, end: float, tally: Tally,
) -> None:  # fmt: skip
    http = Http(url)
    base = f"/api/halls/{hall}/windows/{window}"
    k = 0
    try:
        while (now := time.monotonic()) < end:
            counting = now >= count_from
            rid = f"{run}-{window}-{k}"
            issue = {"service": services[k % len(services)], "request_id": f"{rid}-i"}
            steps = [(f"/api/halls/{hall}/tickets", issue), (f"{base}/call-next", None)]
            for path, body in steps:
                status, answer = await http.post(
                    path, body or {"request_id": f"{rid}-c"}, token, answer=False
                )
                if status == 409:
                    tally.refusals += counting
                    break
                if status >= 300:
                    tally.errors[f"{status} {str(answer)[:60]}"] += 1
                    break
                tally.commands += counting
            else:
                for action in ("start", "finish"):
                    status, answer = await http.post(
                        f"{base}/{action}", {"request_id": f"{rid}-{action[0]}"}, token, False
                    )
                    if status >= 300:
                        tally.errors[f"{status} {str(answer)[:60]}"] += 1
                        break
                    tally.commands += counting
            k += 1
    finally:
        http.close()


async def throughput(spec: dict[str, Any]) -> dict[str, Any]:
    """{targets: [{url, hall, windows: {n: [services]}}], username, password, warmup_s,
    seconds, run} → {commands, refusals, errors, commands_per_s}."""
    targets = spec["targets"]
    tokens = [await login(t["url"], spec["username"], spec["password"]) for t in targets]
    for target, token in zip(targets, tokens, strict=True):
        await open_windows(
            target["url"], target["hall"], token, sorted(map(int, target["windows"]))
        )
    tally = Tally()
    start = time.monotonic()
    count_from = start + spec["warmup_s"]
    end = count_from + spec["seconds"]
    await asyncio.gather(
        *(
            window_loop(t["url"], t["hall"], token, int(w), services, spec["run"], count_from, end, tally)
            for t, token in zip(targets, tokens, strict=True)
            for w, services in t["windows"].items()
        )
    )  # fmt: skip
    return {
        "commands": tally.commands,
        "refusals": tally.refusals,
        "errors": dict(tally.errors),
        "commands_per_s": tally.commands / spec["seconds"],
    }


async def push(spec: dict[str, Any]) -> dict[str, Any]:
    """{writer, reader_ws, hall, windows: {n: [services]}, calls_per_s, seconds, screens,
    username, password, run} → {latencies_ms, calls, errors}."""
    hall, writer = spec["hall"], spec["writer"]
    token = await login(writer, spec["username"], spec["password"])
    windows = sorted(map(int, spec["windows"]))
    await open_windows(writer, hall, token, windows)
    sent_ns: dict[int, int] = {}  # window -> its latest call-next (one at a time each)
    latencies: list[float] = []
    tally = Tally()
    subscribed = 0
    ready = asyncio.Event()

    async def screen() -> None:
        nonlocal subscribed
        async with websockets.connect(spec["reader_ws"], compression=None) as ws:
            await ws.send(json.dumps({"op": "subscribe", "channel": f"display:{hall}"}))
            await ws.recv()
            subscribed += 1
            if subscribed == spec["screens"]:
                ready.set()
            async for text in ws:
                message = orjson.loads(text)
                if message["type"] == "called" and message["data"]["window"] in sent_ns:
                    at = sent_ns[message["data"]["window"]]
                    latencies.append((time.monotonic_ns() - at) / 1e6)

    async def window(k: int, w: int) -> None:
        http = Http(writer)
        services = spec["windows"][str(w)]
        period = len(windows) / spec["calls_per_s"]
        start = time.monotonic() + k * period / len(windows)
        end = start + spec["seconds"]
        cycle = 0
        while (at := start + cycle * period) < end:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            rid = f"{spec['run']}-{w}-{cycle}"
            body = {"service": services[cycle % len(services)], "request_id": f"{rid}-i"}
            await http.post(f"/api/halls/{hall}/tickets", body, token)
            sent_ns[w] = time.monotonic_ns()
            status, answer = await http.post(
                f"/api/halls/{hall}/windows/{w}/call-next", {"request_id": f"{rid}-c"}, token
            )
            if status == 200:
                tally.commands += 1
                for action in ("start", "finish"):
                    await http.post(
                        f"/api/halls/{hall}/windows/{w}/{action}",
                        {"request_id": f"{rid}-{action[0]}"},
                        token,
                    )
            else:
                tally.errors[f"{status} {str(answer)[:60]}"] += 1
            cycle += 1
        http.close()

    screens = [asyncio.create_task(screen()) for _ in range(spec["screens"])]
    await asyncio.wait_for(ready.wait(), 30)
    await asyncio.gather(*(window(k, w) for k, w in enumerate(windows)))
    await asyncio.sleep(1.0)  # the last calls reach the screens
    for task in screens:
        task.cancel()
    await asyncio.gather(*screens, return_exceptions=True)
    return {"latencies_ms": latencies, "calls": tally.commands, "errors": dict(tally.errors)}


def main() -> None:
    spec = json.loads(sys.argv[1])
    mode = {"throughput": throughput, "push": push}[spec["mode"]]
    print(json.dumps(asyncio.run(mode(spec))), flush=True)


if __name__ == "__main__":
    main()
