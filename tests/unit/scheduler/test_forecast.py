"""Forecasts per service per quarter hour, on synthetic halls whose true means are known."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from scheduler.forecast import Forecast, IntradayActuals, forecast
from scheduler.forecast_calendar import Calendar
from scheduler.forecast_intraday import HALL_PRIOR, SERVICE_PRIOR, update_with_actuals
from scheduler.forecast_metrics import wape
from scheduler.forecast_profile import recency_weight
from scheduler.history import ArrivalCount, ArrivalHistory
from scheduler.levels import Level, aggregate
from tests.unit.scheduler.synthetic_history import ENROLMENT, SyntheticHall

HALL = SyntheticHall()
START = HALL.start  # Monday 2025-06-02
SUMMER_END = START + timedelta(weeks=12)  # Monday 2025-08-25
SERVICES = tuple(HALL.shares)
EDUCATION = ("school-enrolment", "student-aid")


@pytest.fixture(scope="module")
def summer() -> ArrivalHistory:
    """Twelve weeks of June–August: no enrolment season inside."""
    return HALL.history(12 * 7, seed=11)


@pytest.fixture(scope="module")
def summer_and_september() -> ArrivalHistory:
    return HALL.history(16 * 7, seed=12)  # to Sunday 2025-09-21


def error_against_truth(result: Forecast, level: Level) -> float:
    truth = aggregate(HALL.means(result.day), level)
    predicted = result.per_level(level)
    return wape((truth[k], predicted.get(k, 0.0)) for k in truth)


def test_the_forecast_lands_near_the_true_means(summer: ArrivalHistory):
    result = forecast(summer, day=SUMMER_END, services=SERVICES, calendar=HALL.calendar)
    assert result.day_model == "ets"
    assert result.total() == pytest.approx(sum(HALL.means(SUMMER_END).values()), rel=0.06)
    assert error_against_truth(result, Level.HALL_15MIN) < 0.08
    assert error_against_truth(result, Level.SERVICE_1H) < 0.12


def test_a_saturday_gets_saturday_hours(summer: ArrivalHistory):
    saturday = SUMMER_END + timedelta(days=5)
    result = forecast(summer, day=saturday, services=SERVICES)
    assert result.slots[0] == "08:30" and result.slots[-1] == "11:45"
    assert result.total() == pytest.approx(180.0, rel=0.1)
    assert forecast(summer, day=saturday + timedelta(days=1), services=SERVICES).total() == 0


def test_under_three_weeks_the_day_total_is_the_weighted_weekday_mean(summer: ArrivalHistory):
    day = START + timedelta(weeks=2)
    result = forecast(summer, day=day, services=SERVICES)
    mondays = [START, START + timedelta(weeks=1)]
    totals = [sum(c.arrivals for c in summer.counts if c.day == d) for d in mondays]
    weights = [recency_weight(d, day) for d in mondays]
    expected = sum(t * w for t, w in zip(totals, weights, strict=True)) / sum(weights)
    assert result.day_model == "profile"
    assert result.total() == pytest.approx(expected)


def test_without_history_nobody_is_expected():
    result = forecast(ArrivalHistory(()), day=SUMMER_END, services=SERVICES)
    assert result.total() == 0 and result.day_model == "none"


def test_the_enrolment_season_multiplies_only_education(summer: ArrivalHistory):
    first_of_september = date(2025, 9, 1)
    plain = forecast(summer, day=first_of_september, services=SERVICES, calendar=Calendar())
    season = forecast(summer, day=first_of_september, services=SERVICES, calendar=HALL.calendar)
    for service in SERVICES:
        ratio = 3.0 if service in EDUCATION else 1.0
        assert season.service_total(service) == pytest.approx(ratio * plain.service_total(service))
    assert season.notes == ("enrolment ×3",)


def test_a_past_season_is_divided_out_before_learning(summer_and_september: ArrivalHistory):
    after = date(2025, 9, 22)
    truth = sum(v for (s, _), v in HALL.means(after).items() if s == "school-enrolment")
    aware = forecast(summer_and_september, day=after, services=SERVICES, calendar=HALL.calendar)
    naive = forecast(summer_and_september, day=after, services=SERVICES, calendar=Calendar())
    assert aware.service_total("school-enrolment") == pytest.approx(truth, rel=0.3)
    assert naive.service_total("school-enrolment") > 1.3 * aware.service_total("school-enrolment")


def test_a_closed_day_expects_nobody_and_teaches_nothing(summer: ArrivalHistory):
    holiday = START + timedelta(weeks=10)
    closed = Calendar.from_mapping({**ENROLMENT, "closed": [{"date": holiday.isoformat()}]})
    shut = forecast(summer, day=holiday, services=SERVICES, calendar=closed)
    assert (shut.expected, shut.day_model) == ({}, "closed")
    flood = ArrivalHistory.of([*summer.counts, ArrivalCount(holiday, "09:00", "tax", "blue", 9999)])
    after = SUMMER_END
    assert forecast(flood, day=after, services=SERVICES, calendar=closed) == forecast(
        summer, day=after, services=SERVICES, calendar=closed
    )


def test_the_forecast_never_reads_its_own_day_or_later(summer: ArrivalHistory):
    day = START + timedelta(weeks=8, days=2)
    poisoned = ArrivalHistory.of(
        [*summer.counts]
        + [dataclasses.replace(c, arrivals=c.arrivals * 50) for c in summer.counts if c.day >= day]
        + [ArrivalCount(day, "12:00", "tax", "blue", 500)]
    )
    assert poisoned != summer
    kwargs = {"day": day, "services": SERVICES, "calendar": HALL.calendar}
    assert forecast(poisoned, **kwargs) == forecast(summer, **kwargs)


def morning_actuals(result: Forecast, until: str, scale: float) -> IntradayActuals:
    counts = {
        cell: round(value * scale) for cell, value in result.expected.items() if cell[1] < until
    }
    return IntradayActuals(until, counts)


def test_a_busy_morning_raises_the_rest_of_the_day(summer: ArrivalHistory):
    base = forecast(summer, day=SUMMER_END, services=SERVICES)
    actuals = morning_actuals(base, "12:00", scale=1.5)
    updated = forecast(summer, day=SUMMER_END, services=SERVICES, actuals_so_far=actuals)
    assert all(updated.at(*cell) == n for cell, n in actuals.counts.items())
    afternoon = [cell for cell in base.expected if cell[1] >= "12:00"]
    ratio = sum(updated.at(*c) for c in afternoon) / sum(base.at(*c) for c in afternoon)
    assert 1.3 < ratio < 1.5


def test_the_more_of_the_day_is_seen_the_more_it_is_believed():
    slots = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 15, 30, 45)]
    expected = {("tax", t): 10.0 for t in slots}
    factors = []
    for until in ("09:15", "10:00", "12:00", "16:00"):
        actuals = IntradayActuals(until, {("tax", t): 15 for t in slots if t < until})
        updated = update_with_actuals(expected, actuals)
        assert updated[("tax", "16:45")] == pytest.approx(updated[("tax", "16:30")])
        factors.append(updated[("tax", "16:45")] / 10.0)
        seen = 10.0 * sum(t < until for t in slots)
        hall = (1.5 * seen + HALL_PRIOR) / (seen + HALL_PRIOR)
        assert factors[-1] == pytest.approx(
            (1.5 * seen + SERVICE_PRIOR * hall) / (seen + SERVICE_PRIOR)
        )
    assert 1.0 < factors[0] < factors[1] < factors[2] < factors[3] < 1.5
    assert factors[-1] > 1.49


def test_a_morning_as_forecast_changes_nothing_ahead(summer: ArrivalHistory):
    base = forecast(summer, day=SUMMER_END, services=SERVICES)
    exact = IntradayActuals("12:00", {c: v for c, v in base.expected.items() if c[1] < "12:00"})
    updated = forecast(summer, day=SUMMER_END, services=SERVICES, actuals_so_far=exact)
    assert updated.expected == pytest.approx(dict(base.expected))


def test_one_surging_service_moves_more_than_the_hall(summer: ArrivalHistory):
    base = forecast(summer, day=SUMMER_END, services=SERVICES)
    counts = {
        cell: round(value * (3.0 if cell[0] == "tax" else 1.0))
        for cell, value in base.expected.items()
        if cell[1] < "12:00"
    }
    updated = forecast(
        summer,
        day=SUMMER_END,
        services=SERVICES,
        actuals_so_far=IntradayActuals("12:00", counts),
    )

    def afternoon_ratio(service: str) -> float:
        cells = [c for c in base.expected if c[0] == service and c[1] >= "12:00"]
        return sum(updated.at(*c) for c in cells) / sum(base.at(*c) for c in cells)

    assert afternoon_ratio("tax") > 1.8
    assert 1.0 < afternoon_ratio("social-security") < 1.2


def test_a_forecast_is_frozen(summer: ArrivalHistory):
    result = forecast(summer, day=SUMMER_END, services=("tax",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.day_model = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.expected[("tax", "09:00")] = 1.0  # type: ignore[index]
    assert set(s for s, _ in result.expected) == {"tax"}
