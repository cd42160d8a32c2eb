"""The optimiser's wait curves: the queueing maths where it holds, finite and convex always."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.erlang import expected_wait_table
from scheduler.snapshot import LaneWeights
from scheduler.wait_curves import convex_repair, volumes, wait_curve
from tests.unit.scheduler.optimiser_halls import load

HORIZON = 60.0


def test_away_from_saturation_the_curve_is_the_queueing_table():
    # 12 waiting + 24 an hour over an hour: 0.6 arrivals a minute, 6 minutes each: 3.6 Erlangs.
    curve = wait_curve(load("a", handling=6, blue=12, per_hour=24), 10, HORIZON, LaneWeights())
    table = expected_wait_table(0.6, 6, 10)
    assert curve.waits[5:] == pytest.approx(table[5:])
    assert curve.waits[4] >= table[4]  # steep near saturation: raised to stay convex, never lowered


def test_a_queue_that_cannot_keep_up_waits_as_a_growing_backlog():
    # 3.6 Erlangs on one window: residents arriving over the hour wait 30 × (3.6 − 1) on average.
    curve = wait_curve(load("a", handling=6, blue=12, per_hour=24), 10, HORIZON, LaneWeights())
    assert curve.waits[1] == pytest.approx(HORIZON / 2 * (3.6 - 1))
    assert curve.waits[0] >= curve.waits[1] + HORIZON  # nobody served at all


def test_nobody_to_serve_means_no_wait():
    curve = wait_curve(load("a"), 3, HORIZON, LaneWeights())
    assert curve.waits == (0.0, 0.0, 0.0, 0.0) and curve.volume == 0


def test_volume_counts_the_queue_and_the_forecast_each_by_its_lane():
    residents, weighted = volumes(load("a", green=2, blue=2, per_hour=12), HORIZON, LaneWeights())
    assert residents == 16  # 4 waiting + 12 arriving within the hour
    assert weighted == 2 * 3 + 2 * 1 + 12 * 2  # arrivals in the waiting lane mix: weight 2


def test_fractions_of_a_window_read_the_curve_between_whole_numbers():
    curve = wait_curve(load("a", handling=6, blue=12, per_hour=24), 6, HORIZON, LaneWeights())
    assert curve.at(4.5) == pytest.approx((curve.waits[4] + curve.waits[5]) / 2)
    assert curve.at(99) == pytest.approx(curve.waits[-1])
    assert curve.at(-1) == pytest.approx(curve.waits[0])


def test_the_repair_raises_a_dip_until_the_curve_is_convex():
    assert convex_repair([50.0, 5.0, 9.0, 2.0, 1.0]) == (50.0, 16.0, 9.0, 2.0, 1.0)


@given(
    handling=st.floats(1, 30),
    waiting=st.integers(0, 80),
    per_hour=st.floats(0, 120),
    windows=st.integers(0, 25),
    cv2=st.floats(0, 3),
)
def test_every_curve_is_finite_non_increasing_and_convex(handling, waiting, per_hour, windows, cv2):
    service = load("a", handling=handling, blue=waiting, per_hour=per_hour)
    service = type(service)(**{**service.__dict__, "handling_cv2": cv2})
    waits = wait_curve(service, windows, HORIZON, LaneWeights()).waits
    assert len(waits) == windows + 1
    assert all(w >= 0 and w != float("inf") for w in waits)
    steps = [a - b for a, b in itertools.pairwise(waits)]
    assert all(step >= -1e-9 for step in steps)
    assert all(a >= b - 1e-9 for a, b in itertools.pairwise(steps))
