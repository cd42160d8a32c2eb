"""The push benchmark's hall: staff accounts, open windows, tickets, paced window drivers.

Everything goes through hallq's public HTTP API, as window terminals and phones use it.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from callers.accounts import AccountStore, Role
from hallq.bootstrap import load_hall_document
from hallq.settings import reference_hall_path
from queue_core.hall_spec import hall_spec_from_mapping
from simulations.loadtest_procs import sleep_until

HALL = "south-axis"
PASSWORD = "bench-pass-1"
ISSUE_CONCURRENCY = 32
TIMEOUT = aiohttp.ClientTimeout(total=30)


@dataclass(frozen=True)
class Ticket:
    number: str
    token: str
    window: int  # the window whose default services it was issued for


@dataclass
class Calls:
    """What the window drivers did: when each call-next was sent, and what went wrong."""

    sent_ns: dict[tuple[str, int], int] = field(default_factory=dict)  # (number, window)
    answer_ms: list[float] = field(default_factory=list)  # call-next's HTTP round trip
    errors: Counter[str] = field(default_factory=Counter)
    last_ns: int = 0


def window_services(windows: int) -> dict[int, tuple[str, ...]]:
    """Each of the first `windows` windows of the reference hall and its default services."""
    spec = hall_spec_from_mapping(load_hall_document(reference_hall_path()))
    return {w.number: w.default_services for w in spec.windows[:windows]}


def add_staff(path: Path, windows: int) -> None:
    accounts = AccountStore(path)
    for w in range(1, windows + 1):
        accounts.add(f"window{w}", PASSWORD, Role.STAFF)


async def post(http: aiohttp.ClientSession, path: str, body: Any, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.post(path, json=body, headers=headers) as response:
        payload = await response.json()
        if response.status >= 300:
            raise RuntimeError(f"{path}: {response.status} {payload.get('code', payload)}")
        return payload


async def open_windows(http: aiohttp.ClientSession, windows: int) -> dict[int, str]:
    """Log each window's staff in and open the window with its default services."""

    async def one(w: int) -> tuple[int, str]:
        login = {"username": f"window{w}", "password": PASSWORD}
        token = str((await post(http, "/api/login", login))["token"])
        await post(http, f"/api/halls/{HALL}/windows/{w}/open", {"request_id": f"open-{w}"}, token)
        return w, token

    return dict(await asyncio.gather(*(one(w) for w in range(1, windows + 1))))


async def issue_tickets(
    http: aiohttp.ClientSession, services: dict[int, tuple[str, ...]], count: int
) -> list[Ticket]:
    """`count` tickets, round-robin over the windows, each for one of its window's
    default services in turn: every window has count / windows tickets of its own."""
    windows = sorted(services)
    gate = asyncio.Semaphore(ISSUE_CONCURRENCY)

    async def one(k: int) -> Ticket:
        window = windows[k % len(windows)]
        own = services[window]
        body = {
            "service": own[(k // len(windows)) % len(own)],
            "channel": "mobile",
            "request_id": f"phone-{k}",
        }
        async with gate:
            answer = await post(http, f"/api/halls/{HALL}/tickets", body)
        return Ticket(answer["ticket"]["number"], answer["token"], window)

    return list(await asyncio.gather(*(one(k) for k in range(count))))


async def drive_window(
    http: aiohttp.ClientSession, window: int, token: str, first_ns: int, period_ns: int,
    end_ns: int, calls: Calls,
) -> None:  # fmt: skip
    """call-next → start → finish, one cycle every `period_ns` until `end_ns`."""
    base = f"/api/halls/{HALL}/windows/{window}"
    cycle = 0
    while (at := first_ns + cycle * period_ns) < end_ns:
        await sleep_until(at)
        rid = f"w{window}-{cycle}"
        try:
            sent = time.monotonic_ns()
            view = await post(http, f"{base}/call-next", {"request_id": f"{rid}-call"}, token)
            calls.answer_ms.append((time.monotonic_ns() - sent) / 1e6)
            calls.sent_ns[(view["current"]["number"], window)] = sent
            await post(http, f"{base}/start", {"request_id": f"{rid}-start"}, token)
            await post(http, f"{base}/finish", {"request_id": f"{rid}-finish"}, token)
        except (RuntimeError, aiohttp.ClientError, TimeoutError, KeyError, TypeError) as error:
            calls.errors[f"{type(error).__name__}: {str(error)[:80]}"] += 1
        calls.last_ns = max(calls.last_ns, time.monotonic_ns())
        cycle += 1


async def drive(
    http: aiohttp.ClientSession, tokens: dict[int, str], calls_per_s: float, t0_ns: int,
    duration_s: float,
) -> Calls:  # fmt: skip
    """All windows together make `calls_per_s` calls, evenly staggered, from `t0_ns`."""
    calls = Calls()
    gap_ns = int(1e9 / calls_per_s)
    period_ns = gap_ns * len(tokens)
    end_ns = t0_ns + int(duration_s * 1e9)
    await asyncio.gather(
        *(
            drive_window(http, w, token, t0_ns + k * gap_ns, period_ns, end_ns, calls)
            for k, (w, token) in enumerate(sorted(tokens.items()))
        )
    )
    return calls
