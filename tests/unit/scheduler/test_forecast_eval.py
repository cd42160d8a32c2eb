"""The backtest: no peeking, hand-checked scores, and the model beating seasonal-naive."""

from __future__ import annotations

import dataclasses
import math
from datetime import date, timedelta

import numpy as np
import pytest
from scipy.stats import poisson

from scheduler.forecast_calendar import Calendar
from scheduler.forecast_eval import backtest, backtest_days
from scheduler.forecast_metrics import mase, noise_floor_wape, poisson_mean_abs_deviation, wape
from scheduler.forecast_profile import recency_weight
from scheduler.forecast_report import render_report, report_to_dict
from scheduler.history import ArrivalCount, ArrivalHistory
from scheduler.levels import Level
from tests.unit.scheduler.synthetic_history import SyntheticHall

HALL = SyntheticHall(growth_per_week=0.01)


@pytest.fixture(scope="module")
def history() -> ArrivalHistory:
    return HALL.history(13 * 7, seed=5)


@pytest.fixture(scope="module")
def report(history: ArrivalHistory):
    return backtest(history, days=12, calendar=HALL.calendar)


def test_the_model_beats_seasonal_naive_at_every_level(report):
    assert len(report.days) == 12 and set(report.day_models) == {"ets"}
    for score in report.scores:
        assert score.model_wape < 0.85 * score.naive_wape, score.level
        assert score.model_mase < score.naive_mase, score.level
        assert score.floor_wape < score.naive_wape
    by_level = {s.level: s for s in report.scores}
    # Finer levels are noisier: the floor, and every forecast, rises from hall to service × 15 min.
    assert (
        by_level[Level.HALL_15MIN].floor_wape
        < by_level[Level.SERVICE_1H].floor_wape
        < by_level[Level.SERVICE_15MIN].floor_wape
    )


def test_the_model_stays_close_to_the_noise_floor(report):
    for score in report.scores:
        assert score.model_wape < 1.15 * score.floor_wape, score.level


def test_the_backtest_never_sees_the_day_it_forecasts(history: ArrivalHistory):
    days = history.days()[-4:]
    clean = list(backtest_days(history, days, HALL.calendar))
    for index, day in enumerate(days):
        poisoned = ArrivalHistory.of(
            [c for c in history.counts if c.day < day]
            + [
                dataclasses.replace(c, arrivals=c.arrivals * 40 + 3)
                for c in history.counts
                if c.day >= day
            ]
        )
        result = next(iter(backtest_days(poisoned, [day], HALL.calendar)))
        assert result.model == clean[index].model
        assert result.naive == clean[index].naive
        assert result.actual != clean[index].actual  # the poison did reach the scored day


def test_scores_of_a_tiny_history_match_the_hand_computation():
    mondays = [date(2026, 3, 2) + timedelta(weeks=n) for n in range(3)]
    counts = [10, 14, 12]
    history = ArrivalHistory.of(
        ArrivalCount(d, "09:00", "tax", "blue", n) for d, n in zip(mondays, counts, strict=True)
    )
    report = backtest(history, days=1)
    weights = [recency_weight(d, mondays[2]) for d in mondays[:2]]
    model = (10 * weights[0] + 14 * weights[1]) / sum(weights)
    for score in report.scores:  # one service, one slot: every level is the same cell
        assert score.model_wape == pytest.approx(abs(12 - model) / 12)
        assert score.naive_wape == pytest.approx(2 / 12)  # last week said 14
        assert score.naive_mase == pytest.approx(2 / 4)  # in-sample naive error: |14 − 10|
        assert score.model_mase == pytest.approx(abs(12 - model) / 4)
        assert score.floor_wape == pytest.approx(poisson_mean_abs_deviation(12.0) / 12)


def test_wape_and_mase_on_a_hand_example():
    pairs = [(10.0, 8.0), (0.0, 1.0), (5.0, 5.0), (5.0, 8.0)]
    assert wape(pairs) == pytest.approx((2 + 1 + 0 + 3) / 20)
    assert mase(pairs, scale=2.0) == pytest.approx((6 / 4) / 2)
    assert math.isnan(wape([(0.0, 1.0)]))
    assert math.isnan(mase(pairs, scale=0.0))


@pytest.mark.parametrize("mean", [0.05, 0.5, 1.0, 2.7, 12.0, 150.0])
def test_poisson_deviation_equals_the_pmf_sum(mean):
    k = np.arange(0, int(mean * 4 + 60))
    direct = float(np.sum(np.abs(k - mean) * poisson.pmf(k, mean)))
    assert poisson_mean_abs_deviation(mean) == pytest.approx(direct, rel=1e-10)


def test_the_noise_floor_matches_monte_carlo():
    rng = np.random.default_rng(2026)
    means = np.array([0.2, 0.7, 1.3, 3.0, 8.0, 25.0])
    draws = rng.poisson(means, size=(200_000, len(means)))
    simulated = float(np.abs(draws - means).mean(axis=0).sum() / means.sum())
    assert noise_floor_wape(means.tolist()) == pytest.approx(simulated, rel=0.01)
    # A perfect forecast of Poisson counts does score the floor, not zero.
    perfect = wape(
        (float(x), float(m)) for row in draws[:20_000] for x, m in zip(row, means, strict=True)
    )
    assert perfect == pytest.approx(noise_floor_wape(means.tolist()), rel=0.02)


def test_closed_days_are_not_backtested(history: ArrivalHistory):
    last = history.days()[-1]
    closed = Calendar.from_mapping({"closed": [{"date": last.isoformat()}]})
    assert last not in backtest(history, days=2, calendar=closed).days


def test_the_report_renders_in_chinese_and_english(report):
    text = render_report(report)
    for label in (
        "大厅×15分钟 hall × 15 min",
        "业务×1小时 service × 1 h",
        "WAPE",
        "MASE",
        "噪声下限",
    ):
        assert label in text
    hall = next(s for s in report.scores if s.level is Level.HALL_15MIN)
    assert f"{hall.model_wape:.1%}" in text
    as_dict = report_to_dict(report)
    assert as_dict["levels"]["service_15min"]["naive_wape"] == pytest.approx(
        report.scores[2].naive_wape
    )
    assert as_dict["day_models"] == {"ets": 12}


def test_an_empty_backtest_says_so():
    empty = backtest(ArrivalHistory(()), days=5)
    assert empty.days == () and "no days" in render_report(empty)
    assert report_to_dict(empty)["levels"]["hall_15min"]["model_wape"] is None
