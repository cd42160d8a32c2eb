"""The optimiser's answer: which windows change services, and why, with numbers.

A `Plan` is a value: the live loop turns each `Change` into the core's assign command
with `reason_zh`/`reason_en` as its reason, and the cockpit shows the same text. Waits are
the planner's expected minutes in queue over the horizon, before the plan (everything as
it is now) and after it (every change applied).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum


class PlanStatus(Enum):
    OPTIMAL = "optimal"  # proven best under the model
    FEASIBLE = "feasible"  # the best found within the budget
    WARM_START = "warm_start"  # the solver found nothing in time: the greedy start
    NO_SOLUTION = "no_solution"  # nothing found: keep everything as it is


@dataclass(frozen=True)
class Change:
    window: int
    services_before: tuple[str, ...]
    services_after: tuple[str, ...]
    reason_zh: str
    reason_en: str
    # Expected wait (minutes) of every service this change touches, before and after.
    wait_before: Mapping[str, float]
    wait_after: Mapping[str, float]
    is_switch: bool = True  # False when an idle window without services is given some

    @property
    def services_touched(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.services_before + self.services_after))


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    status: PlanStatus
    objective: float  # lane-weighted resident-minutes + fairness + switch penalties
    solve_ms: float
    wait_before: Mapping[str, float]  # per service with anyone to serve
    wait_after: Mapping[str, float]

    @property
    def switches(self) -> int:
        return sum(1 for c in self.changes if c.is_switch)

    def assignment(self, current: Mapping[int, tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
        """`current` with this plan's changes applied."""
        return {**current, **{c.window: c.services_after for c in self.changes}}
