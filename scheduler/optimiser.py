"""Choosing each open window's services with OR-Tools CP-SAT: `plan(snapshot, now=…)`.

Minimise lane-weighted expected waiting over the horizon + the fairness weight × the worst
service's expected wait + the switch penalty × windows switched, under the rules of
`scheduler.optimiser_rules` (the model's variables are described in
`scheduler.optimiser_model`). The search starts from a greedy improvement of the current
assignment (`scheduler.warm_start`), which satisfies every rule, so there is a good plan
even when time runs short.

The search stops on a budget of CP-SAT's deterministic work rather than on the clock, and
runs one worker with a fixed seed, so the same snapshot gives the same plan on a busy
machine as on an idle one; the time limit is a hard cap on top. Measured on random halls
(bench/scheduler.py): p95 about 0.1 s for 40 windows × 32 services and 0.5 s for 150 ×
100, within 0.4 % of the best plan a 10-second two-worker search finds.
"""

from __future__ import annotations

import time
from datetime import datetime

from ortools.sat.python import cp_model

from scheduler.objective import objective_value
from scheduler.optimiser_model import PlanVars, build_vars, service_curves
from scheduler.optimiser_rules import RULES
from scheduler.plan import Plan, PlanStatus
from scheduler.plan_reasons import Assignment, build_plan
from scheduler.snapshot import PlanSnapshot
from scheduler.warm_start import greedy_assignment

DEFAULT_TIME_LIMIT_S = 1.0  # a hard wall-clock cap; the work budget below ends sooner
# The search's budget in CP-SAT deterministic time per open window (0.01 for 40 windows,
# about 0.04 for 150): enough to prove most small halls' plans optimal and to improve the
# warm start where it falls short; more helps little, as the benchmark shows
# (bench/scheduler.py).
WORK_PER_WINDOW = 2.5e-4
MIN_WORK = 0.01
SEED = 20260302
MIN_SEARCH_S = 0.02

_STATUS = {cp_model.OPTIMAL: PlanStatus.OPTIMAL, cp_model.FEASIBLE: PlanStatus.FEASIBLE}


def add_warm_start(model: cp_model.CpModel, v: PlanVars, start: Assignment) -> None:
    """Hint `start`, a full assignment satisfying every rule, pattern by pattern."""
    wanted = {w: frozenset(services) for w, services in start.items()}
    hint = model.proto.solution_hint  # in bulk: `add_hint` one by one costs milliseconds
    hint.vars.extend(var.index for var in v.choose.values())
    hint.values.extend(int(v.patterns[w][i].members == wanted[w]) for w, i in v.choose)


def new_solver(time_limit_s: float, search_work: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(time_limit_s, MIN_SEARCH_S)
    params.max_deterministic_time = search_work
    # One worker by default: the hall's server has two cores and serves the web and the
    # store on them too, and one worker with a fixed seed is deterministic.
    params.num_workers = workers
    params.random_seed = SEED
    params.linearization_level = 2  # the objective is all chords: the LP bound does the work
    # A second presolve pass and probing cost more time than they save on this model.
    params.max_presolve_iterations = 1
    params.cp_model_probing_level = 0
    return solver


def chosen_assignment(solver: cp_model.CpSolver, v: PlanVars) -> dict[int, tuple[str, ...]]:
    return {
        w: next(p.services for i, p in enumerate(options) if solver.boolean_value(v.choose[w, i]))
        for w, options in v.patterns.items()
    }


def plan(
    snapshot: PlanSnapshot,
    *,
    now: datetime,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    search_work: float | None = None,
    workers: int = 1,
) -> Plan:
    """The best reassignment of the open windows found within the work budget and
    `time_limit_s` (building the model included). `now` decides which windows are still
    within their minimum dwell. `search_work` overrides the budget that grows with the
    model (`math.inf`: the time limit alone); that and more `workers` are for offline
    comparisons such as the benchmark's long solve, not for the live hall.

    The status is OPTIMAL when proven, FEASIBLE when not, and WARM_START when the solver
    found nothing in time and the warm start itself is the plan."""
    started = time.perf_counter()
    curves = service_curves(snapshot)
    model = cp_model.CpModel()
    v = build_vars(model, snapshot, now, curves)
    model.minimize(cp_model.LinearExpr.sum([t for rule in RULES for t in rule(model, v, snapshot)]))
    start = greedy_assignment(snapshot, v)
    add_warm_start(model, v, start)
    budget = max(MIN_WORK, WORK_PER_WINDOW * len(snapshot.windows))
    work = budget if search_work is None else search_work
    solver = new_solver(time_limit_s - (time.perf_counter() - started), work, workers)
    status = _STATUS.get(solver.solve(model), PlanStatus.WARM_START)
    chosen = start if status is PlanStatus.WARM_START else chosen_assignment(solver, v)
    return build_plan(
        snapshot,
        curves,
        chosen,
        status=status,
        objective=objective_value(snapshot, curves, chosen),
        solve_ms=(time.perf_counter() - started) * 1000,
    )
