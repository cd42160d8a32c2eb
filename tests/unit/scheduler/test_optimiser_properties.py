"""Property-based: on random small halls, every plan keeps every rule, never does worse
than leaving things as they are, and the CP-SAT model prices an assignment exactly as the
objective says."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.objective import objective_value
from scheduler.optimiser import add_warm_start, plan
from scheduler.optimiser_model import build_vars, service_curves
from scheduler.optimiser_rules import RULES, SCALE, WAIT_SCALE
from scheduler.snapshot import PlanSettings, PlanSnapshot, WindowState
from scheduler.warm_start import greedy_assignment
from tests.unit.scheduler.optimiser_halls import NOW, after, current, load, violations

IDS = "abcde"


@st.composite
def windows(draw: st.DrawFn, number: int, ids: str) -> WindowState:
    skills = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
    services = draw(st.lists(st.sampled_from(skills), unique=True))
    minutes_ago = draw(st.none() | st.integers(0, 60))
    return WindowState(
        number,
        tuple(skills),
        tuple(services),
        busy=draw(st.booleans()),
        last_switch_at=None if minutes_ago is None else NOW - timedelta(minutes=minutes_ago),
        frozen=draw(st.integers(0, 9)) == 0,
    )


@st.composite
def snapshots(draw: st.DrawFn) -> PlanSnapshot:
    ids = IDS[: draw(st.integers(1, len(IDS)))]
    loads = tuple(
        load(
            s,
            handling=draw(st.sampled_from([3.0, 6.0, 12.0])),
            green=draw(st.integers(0, 3)),
            yellow=draw(st.integers(0, 3)),
            blue=draw(st.integers(0, 15)),
            per_hour=draw(st.sampled_from([0.0, 3.0, 8.0, 20.0])),
        )
        for s in ids
    )
    count = draw(st.integers(1, 6))
    rules = PlanSettings(
        max_switches=draw(st.integers(0, 3)),
        switch_penalty=draw(st.sampled_from([0.0, 20.0, 200.0])),
        fairness_weight=draw(st.sampled_from([0.0, 10.0, 50.0])),
        max_services_per_window=draw(st.integers(1, 3)),
    )
    return PlanSnapshot(tuple(draw(windows(n, ids)) for n in range(1, count + 1)), loads, rules)


def _runs_as_is(snapshot: PlanSnapshot) -> bool:
    """Whether leaving everything as it is obeys the rules (no free window serves nothing)."""
    return violations(snapshot, current(snapshot)) == []


def model_price(snapshot: PlanSnapshot, assignment: dict[int, tuple[str, ...]]) -> float:
    """What the CP-SAT model's objective says `assignment` costs, fixed by its hint."""
    curves = service_curves(snapshot)
    model = cp_model.CpModel()
    v = build_vars(model, snapshot, NOW, curves)
    model.minimize(sum(t for rule in RULES for t in rule(model, v, snapshot)))
    add_warm_start(model, v, assignment)
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    assert solver.solve(model) == cp_model.OPTIMAL
    return solver.objective_value / SCALE


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(snapshots())
def test_every_plan_keeps_every_rule(snapshot):
    result = plan(snapshot, now=NOW)
    assert violations(snapshot, after(snapshot, result)) == []
    assert result.switches <= snapshot.settings.max_switches


@FAST
@given(snapshots())
def test_a_plan_is_never_worse_than_leaving_the_hall_as_it_is(snapshot):
    result = plan(snapshot, now=NOW)
    if _runs_as_is(snapshot):
        assert (
            result.objective
            <= objective_value(snapshot, service_curves(snapshot), current(snapshot)) + 1e-6
        )


@FAST
@given(snapshots())
def test_the_warm_start_keeps_every_rule_and_the_model_prices_it_as_the_objective_does(snapshot):
    curves = service_curves(snapshot)
    start = greedy_assignment(snapshot, build_vars(cp_model.CpModel(), snapshot, NOW, curves))
    assert violations(snapshot, start) == []
    exact = objective_value(snapshot, curves, start)
    # The model rounds each curve point to a unit (1/SCALE resident-minute, 1/WAIT_SCALE
    # minute for the worst wait); a chord's slope is then off by up to a unit per window,
    # and a chord read n windows away from its own by up to n units.
    units = len(snapshot.windows) + 1
    rounding = units * (
        len(snapshot.services) / SCALE + snapshot.settings.fairness_weight / WAIT_SCALE
    )
    assert abs(model_price(snapshot, start) - exact) <= rounding + 1e-6 * exact
