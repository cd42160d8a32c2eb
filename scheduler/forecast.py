"""Arrival forecasts per service per quarter hour for one day of one hall.

expected(service, slot) = day total × the weekday's service share × the service's
intraday shape × the calendar's multiplier, where the day total comes from
``forecast_level`` (ETS, or the profile mean on short histories) and the shares and
shapes from ``forecast_profile``. Given the morning's actuals, ``forecast_intraday``
rescales the rest of the day. Only days strictly before the forecast day are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from scheduler.forecast_calendar import Calendar
from scheduler.forecast_intraday import IntradayActuals, update_with_actuals
from scheduler.forecast_level import forecast_day_total
from scheduler.forecast_profile import Profile, TrainingDay, build_profile
from scheduler.history import ArrivalHistory
from scheduler.levels import Level, aggregate

__all__ = ["Forecast", "IntradayActuals", "forecast", "training_days"]


@dataclass(frozen=True)
class Forecast:
    """Expected arrivals per (service, slot) on ``day``; cells not listed expect none."""

    day: date
    services: tuple[str, ...]
    slots: tuple[str, ...]
    expected: Mapping[tuple[str, str], float]
    day_model: str  # which day-level model gave the total: "ets", "profile", "none", "closed"
    notes: tuple[str, ...] = field(default=())  # calendar effects applied, for reports

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", MappingProxyType(dict(self.expected)))

    def at(self, service: str, slot: str) -> float:
        return self.expected.get((service, slot), 0.0)

    def total(self) -> float:
        return sum(self.expected.values())

    def service_total(self, service: str) -> float:
        return sum(v for (s, _), v in self.expected.items() if s == service)

    def per_level(self, level: Level) -> dict[tuple[str, ...], float]:
        """Return the expected arrivals summed to ``level`` (hall × 15 min, service × 1 h …)."""
        return aggregate(self.expected, level)


def training_days(history: ArrivalHistory, calendar: Calendar) -> list[TrainingDay]:
    """Return the open days of ``history`` with the calendar's seasons divided out."""
    return [
        TrainingDay(day, {(s, t): n / calendar.multiplier(day, s) for (s, t), n in cells.items()})
        for day, cells in sorted(history.cells_by_day().items())
        if not calendar.is_closed(day)
    ]


def forecast(
    history: ArrivalHistory,
    *,
    day: date,
    services: Iterable[str],
    calendar: Calendar | None = None,
    actuals_so_far: IntradayActuals | None = None,
) -> Forecast:
    """Return the expected arrivals of ``services`` on ``day`` per quarter hour.

    Reads only the history strictly before ``day``; ``actuals_so_far`` (today's counts up
    to a slot) rescales the rest of the day. A closed day expects nobody.
    """
    calendar = calendar or Calendar()
    wanted = tuple(services)
    if calendar.is_closed(day):
        return Forecast(day, wanted, (), {}, "closed", ("闭馆 closed",))
    days = training_days(history.before(day), calendar)
    profile = build_profile(days, day)
    total = forecast_day_total(days, day, profile, calendar)
    expected = {
        (service, slot): total.expected * value * calendar.multiplier(day, service)
        for service in wanted
        for slot, value in _service_slots(profile, service)
    }
    if actuals_so_far is not None:
        expected = update_with_actuals(expected, actuals_so_far)
    return Forecast(day, wanted, profile.slots, expected, total.model, _notes(calendar, day))


def _service_slots(profile: Profile, service: str) -> list[tuple[str, float]]:
    share = profile.shares.get(service, 0.0)
    return [(slot, share * part) for slot, part in profile.shapes.get(service, {}).items()]


def _notes(calendar: Calendar, day: date) -> tuple[str, ...]:
    return tuple(f"{s.name} ×{s.multiplier:g}" for s in calendar.seasons if s.in_season(day))
