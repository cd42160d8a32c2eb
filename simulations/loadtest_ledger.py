"""Every HTTP command the load test sends, with its timing and outcome.

Times are `time.monotonic_ns()` (CLOCK_MONOTONIC), the clock the client process stamps
its messages with, so a call's send time and its arrival on a screen compare directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

SETUP = -1  # the step of commands sent before the first step (login, windows, backlog)
WARM_UP = -2  # the step of the unmeasured warm-up
OK, IDLE = "ok", "idle"  # IDLE: call-next found nobody waiting (an answer, not an error)


@dataclass(frozen=True)
class Sent:
    step: int
    kind: str  # issue, call-next, start, finish, open, login, cancel …
    sent_ns: int
    done_ns: int
    outcome: str  # OK, IDLE or an error kind such as "409 illegal_transition", "timeout"

    @property
    def ms(self) -> float:
        return (self.done_ns - self.sent_ns) / 1e6


@dataclass
class Ledger:
    sent: list[Sent] = field(default_factory=list)
    calls: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)  # ticket token -> its number

    def call(self, number: str, window: int, sent_ns: int, step: int) -> None:
        """A call-next answered with `number` at `window`: when it was sent, in which step."""
        self.calls[(number, window)] = (sent_ns, step)

    def of_step(self, step: int) -> list[Sent]:
        return [s for s in self.sent if s.step == step]


def error_kind(status: int, payload: Any) -> str:
    """`"409 illegal_transition"`: the HTTP status and the API's error code."""
    error = payload.get("error") if isinstance(payload, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return f"{status} {code or 'unknown'}"


async def command(
    http: aiohttp.ClientSession,
    ledger: Ledger,
    step: int,
    kind: str,
    path: str,
    body: Any = None,
    token: str = "",
    method: str = "POST",
) -> Any | None:
    """Send one request and record it; the JSON answer, or None when it failed."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    sent, status, payload = time.monotonic_ns(), 0, None
    try:
        async with http.request(method, path, json=body, headers=headers) as response:
            status = response.status
            payload = await response.json(content_type=None)
    except TimeoutError:
        outcome = "timeout"
    except (aiohttp.ClientError, ValueError) as error:
        outcome = type(error).__name__
    else:
        outcome = OK if status < 300 else error_kind(status, payload)
        if outcome == "409 nothing_to_call":
            outcome = IDLE
    ledger.sent.append(Sent(step, kind, sent, time.monotonic_ns(), outcome))
    return payload if outcome == OK else None
