"""The greedy warm start: its vectorised move scores against the objective from scratch."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from ortools.sat.python import cp_model

from scheduler.move_table import MoveTable
from scheduler.objective import objective_value
from scheduler.optimiser_model import build_vars, service_curves
from scheduler.snapshot import PlanSnapshot
from scheduler.warm_start import greedy_assignment
from tests.unit.scheduler.optimiser_halls import NOW, current, hall, load, violations, window
from tests.unit.scheduler.test_optimiser_properties import snapshots


def _table(snapshot: PlanSnapshot) -> tuple[MoveTable, dict]:
    curves = service_curves(snapshot)
    table = MoveTable(snapshot, build_vars(cp_model.CpModel(), snapshot, NOW, curves))
    table.fill_idle_windows()
    return table, curves


@settings(max_examples=60, deadline=None)
@given(snapshots())
def test_every_moves_score_is_the_change_in_the_objective(snapshot):
    table, curves = _table(snapshot)
    before = objective_value(snapshot, curves, table.assignment)
    gains, _ = table.gains()
    for row, gain in enumerate(gains):
        window, services = table.row_window[row], table.row_services[row]
        moved = {**table.assignment, window: services}
        if math.isfinite(gain):
            change = objective_value(snapshot, curves, moved) - before
            assert gain == pytest.approx(change, abs=1e-6 * max(1.0, before))
        elif frozenset(services) != frozenset(table.assignment[window]):
            # Refused: it would take the last window from a green queue.
            assert any("green" in v for v in violations(snapshot, moved))


def test_the_greedy_start_takes_the_move_that_pays_and_keeps_the_rest():
    snapshot = hall(
        [window(1, "ab", "a"), window(2, "a", "a"), window(3, "b", "b"), window(4, "c", "c")],
        [load("a", blue=2, per_hour=4), load("b", blue=25, per_hour=8), load("c", blue=3)],
    )
    v = build_vars(cp_model.CpModel(), snapshot, NOW, service_curves(snapshot))
    start = greedy_assignment(snapshot, v)
    assert start == {**current(snapshot), 1: ("b",)}


def test_a_window_serving_nothing_is_filled_first_with_its_best_services():
    snapshot = hall(
        [window(1, "ab", ""), window(2, "a", "a")],
        [load("a", blue=1), load("b", blue=20, per_hour=10)],
        max_switches=0,
    )
    table, _ = _table(snapshot)
    assert table.assignment[1] == ("b",)
    assert np.all(table.switched_now == 0)  # filling an idle window is no switch
