"""The run second by second: how call → screen latency and command latency moved within
and across steps (for the report's timeline plot)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from simulations.loadtest_drivers import Step
from simulations.loadtest_ledger import IDLE, OK, Ledger
from simulations.loadtest_metrics import COMMANDS
from simulations.loadtest_receipts import Receipts
from simulations.loadtest_records import percentile

NS = 1_000_000_000


def rounded_percentile(values: list[float], q: float) -> float | None:
    return round(percentile(values, q), 2) if values else None


def seconds_of(steps: Sequence[Step]) -> dict[int, int]:
    """Each whole second since the first step began that lies in a step → that step (1-based)."""
    t0 = steps[0].start_ns
    found: dict[int, int] = {}
    for step in steps:
        first, last = (step.start_ns - t0) // NS, (step.end_ns - 1 - t0) // NS
        found.update({t: step.index + 1 for t in range(first, last + 1)})
    return found


def timeline(steps: Sequence[Step], ledger: Ledger, receipts: Receipts) -> list[dict[str, Any]]:
    """One entry per second of the steps, by send time: `t_s`, `step`, `calls`,
    `screen_p50_ms`, `screen_p99_ms`, `command_p99_ms` (None for a second without any)."""
    if not steps:
        return []
    t0, measured = steps[0].start_ns, {s.index for s in steps}
    sent = {call: ns for call, (ns, k) in ledger.calls.items() if k in measured}
    calls = Counter((ns - t0) // NS for ns in sent.values())
    screens: dict[int, list[float]] = defaultdict(list)
    for call, at in receipts.screens:
        if call in sent:
            screens[(sent[call] - t0) // NS].append((at - sent[call]) / 1e6)
    commands: dict[int, list[float]] = defaultdict(list)
    for s in ledger.sent:
        if s.step in measured and s.kind in COMMANDS and s.outcome in (OK, IDLE):
            commands[(s.sent_ns - t0) // NS].append(s.ms)
    return [
        {
            "t_s": t,
            "step": step,
            "calls": calls[t],
            "screen_p50_ms": rounded_percentile(screens[t], 50),
            "screen_p99_ms": rounded_percentile(screens[t], 99),
            "command_p99_ms": rounded_percentile(commands[t], 99),
        }
        for t, step in sorted(seconds_of(steps).items())
    ]
