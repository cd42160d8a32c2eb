"""The optimiser's rules: one `add_<rule>` per constraint, each returning its objective terms.

Every term is an integer in `1/SCALE` lane-weighted resident-minutes. Waits enter as
convex piecewise-linear curves of capacity (see `scheduler.wait_curves`): a variable
bounded below by every chord of a convex curve equals the curve where it is minimised.
That is the precomputed wait table read at the plan's capacity, like a one-hot or element
lookup, but it also reads fractions of a window (shared windows), needs no extra
booleans, and its linear relaxation is the table's convex hull, as strong as a one-hot's.
Points are rounded to whole units, so a chord can be off by up to a unit per window.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.optimiser_model import PlanVars
from scheduler.snapshot import PlanSnapshot

SCALE = 1000  # objective units per lane-weighted resident-minute
WAIT_SCALE = 100  # the worst-wait variable's units per minute

Terms = list[cp_model.LinearExprT]


def add_bounded_by_chords(
    model: cp_model.CpModel,
    target: cp_model.IntVar,
    capacity: cp_model.LinearExpr,
    points: Sequence[int],
    unit: int,
) -> None:
    """target >= the curve through `points` (its value at 0, 1, 2 … windows) read at
    capacity/unit windows. Each chord through (n, a) and (n + 1, b), times `unit`, reads
    unit·target + (a − b)·capacity >= unit·a + (a − b)·unit·n."""
    for n in range(len(points) - 1):
        a, b = points[n], points[n + 1]
        if a == b and n + 2 < len(points) and points[n + 2] == b:
            continue  # a flat stretch: the last chord on it bounds the same
        model.add(unit * target + (a - b) * capacity >= unit * a + (a - b) * unit * n)


def _roof(points: Sequence[int]) -> int:
    """An upper bound for a variable above the chords: their highest point, plus room for
    the rounding of the points, which can lift a chord's extension a little above it."""
    return points[0] + 2 * len(points)


def add_one_choice_per_window(model: cp_model.CpModel, v: PlanVars, snap: PlanSnapshot) -> Terms:
    """Each open window takes exactly one pattern, and every pattern it may newly take
    serves at least one service."""
    for w, options in v.patterns.items():
        model.add_exactly_one(v.choose[w, i] for i in range(len(options)))
    return []


def add_stay_put(model: cp_model.CpModel, v: PlanVars, snap: PlanSnapshot) -> Terms:
    """A frozen window, a window mid-service and one switched within the minimum dwell
    keep their services."""
    for w in v.pinned:
        model.add(v.keep(w) == 1)
    return []


def add_switch_limit(model: cp_model.CpModel, v: PlanVars, snap: PlanSnapshot) -> Terms:
    """At most K windows are moved away from services they serve, each move paying the
    switch penalty. Giving services to a window that serves none is not a switch."""
    serving = [w.number for w in snap.windows if w.services]
    kept = cp_model.LinearExpr.sum([v.keep(w) for w in serving])
    model.add(len(serving) - kept <= snap.settings.max_switches)
    penalty = round(snap.settings.switch_penalty * SCALE)
    return [penalty * (len(serving) - kept)] if penalty else []


def add_green_cover(model: cp_model.CpModel, v: PlanVars, snap: PlanSnapshot) -> Terms:
    """A service with green-lane residents waiting keeps a window serving it. One that has
    none now is given one when the other rules allow: leaving it uncovered costs as if its
    green residents waited the whole horizon on top of their expected wait."""
    terms: Terms = []
    settings = snap.settings
    for service in snap.services:
        able = [w.number for w in snap.windows if service.id in w.skills]
        if not service.waiting_green or not able:
            continue
        cover = cp_model.LinearExpr.sum([v.serves(w, service.id) for w in able])
        if any(service.id in w.services for w in snap.windows):
            model.add(cover >= 1)
            continue
        uncovered = model.new_bool_var(f"uncovered_{service.id}")
        model.add(cover + uncovered >= 1)
        cost = settings.lane_weights.green * service.waiting_green * settings.horizon_min
        terms.append(round(cost * SCALE) * uncovered)
    return terms


def add_expected_waiting(model: cp_model.CpModel, v: PlanVars, snap: PlanSnapshot) -> Terms:
    """Each service's lane-weighted expected waiting over the horizon: weighted residents
    (queue now + forecast) × expected wait at the capacity the plan gives it."""
    terms: Terms = []
    for s, curve in v.curves.items():
        if curve.weighted_volume <= 0 or len(curve.waits) < 2:
            continue
        points = [round(SCALE * curve.weighted_volume * t) for t in curve.waits]
        waiting = model.new_int_var(points[-1], _roof(points), f"waiting_{s}")
        add_bounded_by_chords(model, waiting, v.capacity(s), points, v.unit)
        terms.append(waiting)
    return terms


def add_fairness(model: cp_model.CpModel, v: PlanVars, snap: PlanSnapshot) -> Terms:
    """The worst expected wait across services anyone waits for, times the fairness weight."""
    weight = round(snap.settings.fairness_weight * SCALE / WAIT_SCALE)
    curves = [c for c in v.curves.values() if c.volume > 0 and len(c.waits) >= 2]
    if not weight or not curves:
        return []
    top = max(_roof([round(WAIT_SCALE * t) for t in c.waits]) for c in curves)
    worst = model.new_int_var(0, top, "worst_wait")
    for curve in curves:
        points = [round(WAIT_SCALE * t) for t in curve.waits]
        add_bounded_by_chords(model, worst, v.capacity(curve.service), points, v.unit)
    return [weight * worst]


RULES = (
    add_one_choice_per_window,
    add_stay_put,
    add_switch_limit,
    add_green_cover,
    add_expected_waiting,
    add_fairness,
)
