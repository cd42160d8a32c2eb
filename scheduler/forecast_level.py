"""The day-level model: how many residents the whole hall will see on the forecast day.

Each past day's total is divided by its weekday factor (from the profile), which leaves
a series without weekly seasonality even when the hall is closed on some weekdays; an
ETS model with additive error and damped trend (statsmodels ``ETSModel``) forecasts
that level, and the target weekday's factor turns it back into a total. With under
``MIN_ETS_DAYS`` of history, or when the fit fails or wanders off, the profile's
recency-weighted weekday mean is used instead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.forecast_calendar import Calendar
from scheduler.forecast_profile import Profile, TrainingDay

MIN_ETS_DAYS = 21  # three weeks: fewer cannot tell a trend from a busy week
MAX_ETS_POINTS = 182  # half a year is plenty, and keeps each fit quick
SANE_RATIO = 2.5  # an ETS total this far from the weekday mean is not believed


@dataclass(frozen=True)
class DayTotal:
    expected: float
    model: str  # "ets", "profile" or "none"


def forecast_day_total(
    days: Sequence[TrainingDay], target: date, profile: Profile, calendar: Calendar
) -> DayTotal:
    """Return the expected (de-seasoned) arrivals of the whole hall on ``target``."""
    fallback = profile.total_mean
    factor = profile.weekday_factors.get(target.weekday(), 0.0)
    if fallback == 0 or factor == 0:
        return DayTotal(0.0, "none")
    if not days or (days[-1].day - days[0].day).days + 1 < MIN_ETS_DAYS:
        return DayTotal(fallback, "profile")
    level = _ets_level(days, profile, _steps_ahead(days[-1].day, target, profile, calendar))
    if level is None or not 1 / SANE_RATIO <= level * factor / fallback <= SANE_RATIO:
        return DayTotal(fallback, "profile")
    return DayTotal(level * factor, "ets")


def _steps_ahead(last: date, target: date, profile: Profile, calendar: Calendar) -> int:
    """Return how many open days the series moves from ``last`` to ``target``."""
    steps = 0
    day = last
    while day < target:
        day += timedelta(days=1)
        if profile.weekday_factors.get(day.weekday(), 0.0) > 0 and not calendar.is_closed(day):
            steps += 1
    return max(steps, 1)


def _ets_level(days: Sequence[TrainingDay], profile: Profile, steps: int) -> float | None:
    series = [
        d.total / profile.weekday_factors[d.day.weekday()]
        for d in days[-MAX_ETS_POINTS:]
        if profile.weekday_factors.get(d.day.weekday(), 0.0) > 0
    ]
    if len(series) < MIN_ETS_DAYS // 2 or max(series) == min(series):
        return None
    import numpy as np
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    try:
        with warnings.catch_warnings():
            # Convergence chatter from the optimiser is expected on short noisy series;
            # a bad fit is caught by the sanity check instead.
            warnings.simplefilter("ignore")
            model = ETSModel(
                np.asarray(series, dtype=float), error="add", trend="add", damped_trend=True
            )
            fitted = model.fit(disp=False)
            value = float(fitted.forecast(steps)[-1])
    except (ValueError, np.linalg.LinAlgError):
        return None
    return value if math.isfinite(value) and value > 0 else None
