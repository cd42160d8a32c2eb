"""What a load test will do: its settings, the rate of each step, which services to ask for."""

from __future__ import annotations

import math
from dataclasses import dataclass

DEMO_USER, DEMO_PASSWORD = "staff", "staff-demo-1"  # the staff account `hallq demo` creates
BACKLOG_PER_WINDOW = 5  # tickets waiting per window at the start, so no window runs dry
# Tickets a second per virtual kiosk: half the server's default refill of 1 a second per
# client address (see `simulations.loadtest_sources`), so kiosks never meet the limiter.
KIOSK_RATE_PER_S = 0.5


class LoadTestError(Exception):
    """The load test cannot go on (no server, bad login, no window); zh/en message."""


@dataclass(frozen=True)
class LoadPlan:
    url: str
    hall: str = "south-axis"
    phones: int = 200
    screens: int = 10
    windows: int = 0  # 0: every window of the hall
    rate_per_s: float = 2.0  # calls a second, and tickets a second, at multiplier 1
    steps: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
    step_seconds: float = 10.0
    p99_limit_ms: float = 100.0
    user: str = DEMO_USER
    password: str = DEMO_PASSWORD
    stop_at_knee: bool = True
    drain_s: float = 1.0  # after each step, for the last deliveries to arrive
    server_pid: int | None = None  # to report the server's CPU share, when known

    def rate(self, step: int) -> float:
        """Calls (and tickets) a second offered in step `step` (0-based)."""
        return self.rate_per_s * self.steps[step]

    def kiosks(self) -> int:
        """Virtual kiosks enough for the highest step's ticket rate."""
        return max(
            1, math.ceil(max(self.rate(k) for k in range(len(self.steps))) / KIOSK_RATE_PER_S)
        )

    def backlog(self, windows: int) -> int:
        """Tickets to take before the first step: one per phone, and enough per window."""
        return max(self.phones, BACKLOG_PER_WINDOW * windows)

    def longest_s(self) -> float:
        return len(self.steps) * (self.step_seconds + self.drain_s)


def parse_steps(text: str) -> tuple[float, ...]:
    """`"1,2,4,8"` → (1.0, 2.0, 4.0, 8.0); a `ValueError` (zh/en) unless every one is
    a positive number."""
    try:
        steps = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        steps = ()
    if not steps or not all(s > 0 and math.isfinite(s) for s in steps):
        raise ValueError(
            f"--steps 须为逗号分隔的正数，如 1,2,4,8：{text!r}"
            f" / --steps takes positive numbers separated by commas, such as 1,2,4,8: {text!r}"
        )
    return steps


def ticket_service(services: dict[int, tuple[str, ...]], k: int) -> str:
    """The service of the `k`-th ticket: round-robin over the windows, then over each
    window's own services in turn, so every window gets an equal share of the tickets
    and calls at the rate they arrive."""
    windows = sorted(services)
    own = services[windows[k % len(windows)]]
    return own[(k // len(windows)) % len(own)]
