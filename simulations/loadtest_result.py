"""The load test's JSON: what was offered, what each step measured, and where the knee is.

Top-level keys (`KEYS`): `url`, `hall`, `started_at` (UTC), `phones`, `screens`
(asked for) and `phones_subscribed`, `screens_subscribed`, `clients_failed`; `windows`,
`kiosks`, `backlog_tickets`, `base_rate_per_s` (calls a second, and tickets a second, at
×1), `multipliers`, `step_seconds`, `p99_limit_ms`; `steps` (one object per step run);
`knee` (`null`, or `{step, multiplier, offered_calls_per_s, reasons}` of the first step
from which every later step is past it too, see `knee_index`); `max_sustained_calls_per_s`
(the offered rate of the last step before the knee, or of the last step when none was
found; `null` when the first step is already past it);
`setup` (the commands outside the steps: setup, warm-up and tidy-up: `commands`,
`errors`, `error_kinds`, `issue` latency); `timeline` (per second of the steps, see
`simulations.loadtest_timeline`); `clock`; `machine`.

Per step (`STEP_KEYS`): `step` (1-based), `multiplier`, `seconds`,
`offered_tickets_per_s`, `achieved_tickets_per_s`, `offered_calls_per_s`,
`achieved_calls_per_s` (calls that found a ticket), `answered_calls_per_s` (also those
that found nobody waiting: `idle_calls`), `commands_per_s`; `commands` (per kind:
`issue`, `call-next`, `start`, `finish`) and `call_to_screen`, `call_to_phone`, each
`{count, p50_ms, p95_ms, p99_ms, max_ms}`; `calls`, `screen_calls_missed`,
`phone_calls_missed`, `deliveries` and `deliveries_per_s` (every WebSocket message the
clients received), `closed_clients`, `errors`, `error_kinds` (`"KIND STATUS CODE"` →
count), `server_cpu_share` (cores, when `--server-pid` is given), `driver_cpu_share`,
`clients_cpu_share`, `machine_cpu_share` (all cores busy), `others_cpu_share` (the machine
less the three: other work on a shared machine), `knee_reasons`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from simulations.loadtest_hall import Hall
from simulations.loadtest_ledger import IDLE, OK, Ledger
from simulations.loadtest_metrics import summary
from simulations.loadtest_plan import LoadPlan

CLOCK = "time.monotonic_ns (CLOCK_MONOTONIC, shared by the driver and its client process)"
KEYS = (
    "url", "hall", "started_at", "phones", "screens", "phones_subscribed", "screens_subscribed",
    "clients_failed", "windows", "kiosks", "backlog_tickets", "base_rate_per_s", "multipliers",
    "step_seconds", "p99_limit_ms", "steps", "knee", "max_sustained_calls_per_s", "setup",
    "timeline", "clock", "machine",
)  # fmt: skip
STEP_KEYS = (
    "step", "multiplier", "seconds", "offered_tickets_per_s", "achieved_tickets_per_s",
    "offered_calls_per_s", "achieved_calls_per_s", "answered_calls_per_s", "commands_per_s",
    "idle_calls", "commands", "call_to_screen", "call_to_phone", "calls", "screen_calls_missed",
    "phone_calls_missed", "deliveries", "deliveries_per_s", "closed_clients", "errors",
    "error_kinds", "server_cpu_share", "driver_cpu_share", "clients_cpu_share",
    "machine_cpu_share", "others_cpu_share", "knee_reasons",
)  # fmt: skip


class Subscribed(Protocol):
    screens: int
    phones: int
    failed: int


def knee_index(steps: Sequence[dict[str, Any]]) -> int | None:
    """The first step from which every later step is past the knee too, or None when the
    last step kept up. A step in trouble that the next step does not confirm (one stall
    on a busy machine) keeps its `knee_reasons` but is not the knee."""
    k = len(steps)
    while k > 0 and steps[k - 1]["knee_reasons"]:
        k -= 1
    return k if k < len(steps) else None


def knee_of(steps: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The knee's step, rate and reasons (see `knee_index`), or None."""
    k = knee_index(steps)
    if k is None:
        return None
    s = steps[k]
    return {
        "step": s["step"],
        "multiplier": s["multiplier"],
        "offered_calls_per_s": s["offered_calls_per_s"],
        "reasons": s["knee_reasons"],
    }


def max_sustained(steps: Sequence[dict[str, Any]]) -> float | None:
    """The offered call rate of the last step before the knee (of the last step if none)."""
    k = knee_index(steps)
    last = len(steps) if k is None else k
    return steps[last - 1]["offered_calls_per_s"] if last > 0 else None


def setup_figures(ledger: Ledger) -> dict[str, Any]:
    """What happened before the first step (setup and warm-up), and at the tidy-up."""
    sent = [s for s in ledger.sent if s.step < 0]
    errors = Counter(f"{s.kind} {s.outcome}" for s in sent if s.outcome not in (OK, IDLE))
    return {
        "commands": len(sent),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "issue": summary([s.ms for s in sent if s.kind == "issue" and s.outcome == OK]),
    }


def rounded(value: Any) -> Any:
    """Floats to 3 decimals, inside lists and dicts too: a smaller, steadier JSON."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def assemble(
    plan: LoadPlan, url: str, started: datetime, hall: Hall, audience: Subscribed,
    steps: list[dict[str, Any]], ledger: Ledger, machine: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    return rounded(
        {
            "url": url, "hall": plan.hall, "started_at": started.isoformat(timespec="seconds"),
            "phones": plan.phones, "screens": plan.screens,
            "phones_subscribed": audience.phones, "screens_subscribed": audience.screens,
            "clients_failed": audience.failed, "windows": len(hall.services),
            "kiosks": plan.kiosks(), "backlog_tickets": plan.backlog(len(hall.services)),
            "base_rate_per_s": plan.rate_per_s, "multipliers": list(plan.steps),
            "step_seconds": plan.step_seconds, "p99_limit_ms": plan.p99_limit_ms,
            "steps": steps, "knee": knee_of(steps), "max_sustained_calls_per_s": max_sustained(steps),
            "setup": setup_figures(ledger), "clock": CLOCK, "machine": machine,
        }
    )  # fmt: skip
