"""The optimiser's objective for a given assignment, in lane-weighted resident-minutes.

The same quantity the CP-SAT model minimises (see `scheduler.optimiser_rules`), computed
directly in floating point: plans report it, the benchmark compares plans by it, and the
tests check the model against it.
"""

from __future__ import annotations

from collections.abc import Mapping

from scheduler.plan_reasons import Assignment, capacities
from scheduler.snapshot import PlanSnapshot
from scheduler.wait_curves import WaitCurve


def switches(snapshot: PlanSnapshot, assignment: Assignment) -> int:
    """Windows moved away from services they serve now (filling an idle one is no switch)."""
    return sum(
        1
        for w in snapshot.windows
        if w.services and frozenset(assignment.get(w.number, w.services)) != frozenset(w.services)
    )


def stranded_green_cost(snapshot: PlanSnapshot, assignment: Assignment) -> float:
    """The penalty for green-lane queues that no window serves now and none would serve."""
    settings = snapshot.settings
    skilled = {s for w in snapshot.windows for s in w.skills}
    covered_now = {s for w in snapshot.windows for s in w.services}
    covered_after = {s for services in assignment.values() for s in services}
    return sum(
        settings.lane_weights.green * s.waiting_green * settings.horizon_min
        for s in snapshot.services
        if s.waiting_green and s.id in skilled and s.id not in covered_now | covered_after
    )


def objective_value(
    snapshot: PlanSnapshot, curves: Mapping[str, WaitCurve], assignment: Assignment
) -> float:
    """Lane-weighted expected waiting + fairness × worst wait + switch penalties + the
    stranded-green penalty, for `assignment` (windows it omits keep their services)."""
    full = {w.number: assignment.get(w.number, w.services) for w in snapshot.windows}
    cap = capacities(full)
    costed = [(s, c) for s, c in curves.items() if c.volume > 0 and len(c.waits) >= 2]
    waits = {s: c.at(cap.get(s, 0.0)) for s, c in costed}
    settings = snapshot.settings
    return (
        sum(c.weighted_volume * waits[s] for s, c in costed)
        + settings.fairness_weight * max(waits.values(), default=0.0)
        + settings.switch_penalty * switches(snapshot, full)
        + stranded_green_cost(snapshot, full)
    )
