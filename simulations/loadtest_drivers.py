"""The actors of one step: kiosks taking tickets and windows calling them, at a rate.

Kiosks are an open loop: the k-th ticket of a step is asked for at start + k / rate,
whatever became of the earlier ones, so a slow server meets a growing pile of requests,
as it would in a hall (at most `MAX_IN_FLIGHT` at once; past that a ticket is recorded as
not sent). Each window calls, starts and finishes one ticket per period (windows ×
1 / rate), staggered across windows; a window that falls behind carries on at once but
never bursts to catch up, so its achieved rate shows how far the server lags.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from simulations.loadtest_hall import Hall, act, issue
from simulations.loadtest_ledger import Ledger, Sent
from simulations.loadtest_procs import sleep_until
from simulations.loadtest_sources import TIMEOUT, Sources

MAX_IN_FLIGHT = 256
KIOSK_KEYS = 40_000  # kiosks' actor keys start here; phones' start at 0


@dataclass(frozen=True)
class Step:
    index: int
    multiplier: float
    rate_per_s: float  # calls a second, and tickets a second
    start_ns: int
    end_ns: int

    @property
    def seconds(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9


async def kiosks(
    sources: Sources, ledger: Ledger, hall: Hall, step: Step, count: int,
    on_ticket: Callable[[str], None],
) -> None:  # fmt: skip
    """Take tickets at the step's rate from `count` kiosks in turn; `on_ticket` gets
    each new ticket's token."""

    async def one(key: int) -> None:
        token = await issue(sources.actor(key), ledger, hall, step.index, "kiosk")
        if token is not None:
            on_ticket(token)

    pending: set[asyncio.Task[None]] = set()
    gap_ns, k = 1e9 / step.rate_per_s, 0
    while (at := step.start_ns + int(k * gap_ns)) < step.end_ns:
        await sleep_until(at)
        k += 1
        if len(pending) >= MAX_IN_FLIGHT:
            ledger.sent.append(Sent(step.index, "issue", at, at, "not sent (client backlog)"))
            continue
        task = asyncio.create_task(one(KIOSK_KEYS + hall.issued % count))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending, timeout=TIMEOUT.total)


async def serve_one(
    sources: Sources, ledger: Ledger, hall: Hall, window: int, rid: str, step: int
) -> None:
    """call-next → start → finish at one window; the call is filed with its send time."""
    sent = time.monotonic_ns()
    view = await act(sources, ledger, hall, step, window, "call-next", rid)
    if view is None or not view.get("current"):
        return
    ledger.call(str(view["current"]["number"]), window, sent, step)
    if await act(sources, ledger, hall, step, window, "start", rid) is not None:
        await act(sources, ledger, hall, step, window, "finish", rid)


async def windows(sources: Sources, ledger: Ledger, hall: Hall, step: Step) -> None:
    """Every window of the hall calls in turn, together at the step's rate."""
    numbers = sorted(hall.services)
    gap_ns = int(1e9 / step.rate_per_s)
    period_ns = gap_ns * len(numbers)

    async def window(k: int, n: int) -> None:
        at, cycle = step.start_ns + k * gap_ns, 0
        while at < step.end_ns:
            await sleep_until(at)
            await serve_one(
                sources, ledger, hall, n, f"lt-{hall.run}-w{n}-{step.index}-{cycle}", step.index
            )
            at, cycle = max(at + period_ns, time.monotonic_ns()), cycle + 1

    await asyncio.gather(*(window(k, n) for k, n in enumerate(numbers)))
