"""An instant re-plan when a window closes: hand its services to open windows by min-cost flow.

When staff leave a window, its residents must not be stranded until the next full plan.
Each of the closed window's services may be added to one compatible open window (one
that has the skill, may move, and would not exceed `max_services_per_window`); each
window takes at most one of them, and at most K windows change. The cost of adding
service s to window w is the change in lane-weighted expected waiting it brings, over
s and w's own services, which then share w's time. A service that nobody else serves any
more and has green-lane residents waiting is handed over whenever some window can take
it: leaving it costs far more than any handover. Everything else is only handed over when
it lowers the expected waiting.

Costs are measured one handover at a time, which is exact because each window takes one
service at most; that makes the problem a min-cost flow, solved in well under 10 ms.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

from ortools.graph.python import min_cost_flow

from scheduler.objective import objective_value
from scheduler.optimiser_model import service_curves
from scheduler.optimiser_rules import SCALE
from scheduler.plan import Plan, PlanStatus
from scheduler.plan_reasons import build_plan, capacities
from scheduler.snapshot import PlanSnapshot, WindowState
from scheduler.wait_curves import WaitCurve

STRANDED_GREEN = 10**9  # objective units: a handover always beats stranding the green lane


def _after_close(snapshot: PlanSnapshot, window: int) -> PlanSnapshot:
    return replace(snapshot, windows=tuple(w for w in snapshot.windows if w.number != window))


def _takers(snapshot: PlanSnapshot, service: str, now: datetime) -> list[WindowState]:
    limit = snapshot.settings.max_services_per_window
    return [
        w
        for w in snapshot.windows
        if service in w.skills
        and service not in w.services
        and len(w.services) < limit
        and not snapshot.must_stay(w, now)
    ]


def _handover_cost(
    curves: dict[str, WaitCurve], cap: dict[str, float], w: WindowState, service: str
) -> int:
    """Lane-weighted waiting after adding `service` to `w`, minus before, in model units."""
    before = w.services
    after = (*before, service)
    change = 0.0
    for s in after:
        old = cap.get(s, 0.0)
        new = old - (1 / len(before) if s in before else 0.0) + 1 / len(after)
        curve = curves[s]
        change += curve.weighted_volume * (curve.at(new) - curve.at(old))
    return round(change * SCALE)


def _stay_cost(snapshot: PlanSnapshot, cap: dict[str, float], service: str) -> int:
    stranded = cap.get(service, 0.0) == 0 and snapshot.service(service).waiting_green > 0
    return STRANDED_GREEN if stranded else 0


class _Handovers:
    """The flow network: source → each orphaned service → a taker window (or "stays") →
    a gate letting at most K windows change → sink."""

    SOURCE, STAY, GATE, SINK = 0, 1, 2, 3

    def __init__(self, hall: PlanSnapshot, orphans: tuple[str, ...], now: datetime) -> None:
        self.flow = min_cost_flow.SimpleMinCostFlow()
        self.arcs: dict[int, tuple[str, int]] = {}  # handover arc -> (service, window)
        takers = {s: _takers(hall, s, now) for s in orphans}
        touched = {*orphans, *(x for ws in takers.values() for w in ws for x in w.services)}
        self.curves = service_curves(hall, touched)
        cap = capacities({w.number: w.services for w in hall.windows})
        window_node = {w.number: 4 + len(orphans) + i for i, w in enumerate(hall.windows)}
        for i, s in enumerate(orphans):
            self._arc(self.SOURCE, 4 + i, 1, 0)
            self._arc(4 + i, self.STAY, 1, _stay_cost(hall, cap, s))
            for w in takers[s]:
                cost = _handover_cost(self.curves, cap, w, s)
                self.arcs[self._arc(4 + i, window_node[w.number], 1, cost)] = (s, w.number)
        for node in window_node.values():
            self._arc(node, self.GATE, 1, 0)
        self._arc(self.GATE, self.SINK, hall.settings.max_switches, 0)
        self._arc(self.STAY, self.SINK, len(orphans), 0)
        self.flow.set_node_supply(self.SOURCE, len(orphans))
        self.flow.set_node_supply(self.SINK, -len(orphans))

    def _arc(self, tail: int, head: int, capacity: int, cost: int) -> int:
        return self.flow.add_arc_with_capacity_and_unit_cost(tail, head, capacity, cost)

    def solve(self) -> list[tuple[str, int]] | None:
        """The (service, window) handovers of the cheapest flow, or None if it failed."""
        if self.flow.solve() != self.flow.OPTIMAL:
            return None
        return [handover for arc, handover in self.arcs.items() if self.flow.flow(arc)]


def replan_after_close(snapshot: PlanSnapshot, window: int, *, now: datetime) -> Plan:
    """The plan handing `window`'s services over, for `snapshot` taken before it closed.
    Its waits and objective cover the services involved only (there is no time for the
    others), and compare the hall just after the close with the hall after the handovers."""
    started = time.perf_counter()
    hall = _after_close(snapshot, window)
    network = _Handovers(hall, snapshot.window(window).services, now)
    handovers = network.solve()
    handed = {w: (*hall.window(w).services, s) for s, w in handovers or []}
    return build_plan(
        hall,
        network.curves,
        handed,
        status=PlanStatus.NO_SOLUTION if handovers is None else PlanStatus.OPTIMAL,
        objective=objective_value(hall, network.curves, handed),
        solve_ms=(time.perf_counter() - started) * 1000,
    )
