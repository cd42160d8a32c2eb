"""Each day's residents: arrivals that follow the scenario, attributes the hall allows."""

from __future__ import annotations

import math
import random
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_core.hall_spec import hall_spec_from_mapping
from queue_core.vocabulary import Channel, Lane
from scheduler.levels import slot_of
from simulations.residents import TRANSFER, draw_day, expected_per_hour, piece_rates
from simulations.scenario import Handling, Scenario
from simulations.scenario_fields import clock_minute
from tests.unit.simulations.conftest import residents_of


def test_daily_arrivals_average_the_expected_count(small: Scenario) -> None:
    days = [d for d in residents_of(small, 30, seed=1) if d[0].weekday() < 5]
    # 120 a day, plus c's surge: 30 minutes at twice its rate there, where the profile's
    # weight is 2 of its 180 weighted minutes (30×1 + 60×2 + 30×1).
    expected = sum(load.per_day["weekday"] for load in small.services) + 22 * (2 * 30) / 180
    counts = [len(people) for _, people in days]
    mean = statistics.fmean(counts)
    assert abs(mean - expected) < 4 * math.sqrt(expected / len(counts))  # Poisson, 4 sigma


def test_the_peak_of_the_profile_is_twice_as_busy(small: Scenario) -> None:
    people = [r for _, rs in residents_of(small, 30, seed=2) if _.weekday() < 5 for r in rs if r.service == "a"]  # fmt: skip
    quiet = sum(1 for r in people if 540 <= r.arrival_min < 570)  # weight 1
    busy = sum(1 for r in people if 570 <= r.arrival_min < 600)  # weight 2
    assert 1.6 < busy / quiet < 2.5


def test_a_surge_multiplies_the_rate_only_within_its_hours(small: Scenario) -> None:
    load = next(x for x in small.services if x.service == "c")
    rates = {start: rate for start, _, rate in piece_rates(load, small, "weekday")}
    assert rates[600] == pytest.approx(2 * rates[570])  # 10:00–10:30, same profile weight
    assert rates[630] == pytest.approx(rates[540])  # back to weight 1, no surge
    assert expected_per_hour(load, small, "weekday", 600, 630) == pytest.approx(rates[600] * 60)


def test_residents_only_take_lanes_their_service_offers(small: Scenario) -> None:
    people = [r for _, rs in residents_of(small, 5, seed=3) for r in rs]
    assert not any(r.service == "c" and r.lane is Lane.YELLOW for r in people)
    assert {r.lane for r in people} == set(Lane)
    assert all(r.transfer_to in ("b", "c") for r in people if r.ending == TRANSFER)


def test_an_appointment_slot_is_on_the_grid_and_around_the_arrival(small: Scenario) -> None:
    booked = [
        r
        for _, rs in residents_of(small, 5, seed=4)
        for r in rs
        if r.channel is Channel.APPOINTMENT
    ]
    assert booked
    for r in booked:
        assert r.slot is not None
        start, end = r.slot
        assert start % 30 == 0 and end - start == 30
        assert r.arrival_min < end
        assert r.arrival_min >= start - 15  # at most the hall's early allowance before it


def test_the_same_generator_state_draws_the_same_day(small: Scenario) -> None:
    spec = hall_spec_from_mapping(small.hall)
    day = small.start_date
    assert draw_day(small, spec, day, random.Random(42)) == draw_day(
        small, spec, day, random.Random(42)
    )
    assert draw_day(small, spec, day, random.Random(42)) != draw_day(
        small, spec, day, random.Random(43)
    )


@pytest.mark.parametrize(
    "handling", [Handling("lognormal", 4.0, 0.6), Handling("exponential", 2.5)]
)
def test_handling_times_have_the_mean_and_spread_asked_for(handling: Handling) -> None:
    rng = random.Random(7)
    draws = [handling.draw(rng) for _ in range(40_000)]
    mean = statistics.fmean(draws)
    assert mean == pytest.approx(handling.mean_min, rel=0.02)
    assert statistics.stdev(draws) / mean == pytest.approx(handling.cv, rel=0.05)


@given(st.floats(min_value=0, max_value=24 * 60 - 1e-6, allow_nan=False))
def test_a_minute_falls_in_the_quarter_hour_its_slot_names(minute: float) -> None:
    start = clock_minute(slot_of(minute), "slot")
    assert start <= minute < start + 15 and start % 15 == 0
