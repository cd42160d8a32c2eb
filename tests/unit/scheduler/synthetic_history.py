"""A synthetic arrival history for the forecast tests: Poisson counts from a known week.

Monday to Friday the hall opens 08:30–17:30 with a morning and an afternoon peak,
Saturday mornings only, Sundays closed. Each service keeps a fixed share of the day and
leans to the morning or the afternoon; an enrolment season multiplies the education
services. Because the true means are known, tests can compare forecasts to the truth.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from scheduler.forecast_calendar import Calendar
from scheduler.history import ArrivalCount, ArrivalHistory
from scheduler.levels import slot_of

WEEKDAY_TOTALS = (420.0, 380.0, 360.0, 370.0, 400.0, 180.0, 0.0)  # Monday … Sunday
SERVICE_SHARES = {
    "social-security": 0.22,
    "medical-insurance": 0.18,
    "residence-permit": 0.15,
    "household-registration": 0.12,
    "tax": 0.10,
    "utilities": 0.08,
    "school-enrolment": 0.05,
    "student-aid": 0.04,
    "notary": 0.03,
    "legal-aid": 0.02,
    "veterans": 0.01,
}
AFTERNOON_LEANING = frozenset({"tax", "utilities", "notary"})
LANE_SPLIT = (("green", 0.15), ("yellow", 0.10), ("blue", 0.75))
ENROLMENT = {
    "seasons": [
        {
            "name": "enrolment",
            "start": "09-01",
            "end": "09-15",
            "services": ["school-enrolment", "student-aid"],
            "multiplier": 3.0,
        }
    ]
}


def open_slots(weekday: int) -> list[str]:
    if weekday == 6:
        return []
    closing = 12 * 60 if weekday == 5 else 17 * 60 + 30
    return [slot_of(m) for m in range(8 * 60 + 30, closing, 15)]


def intraday_weight(slot: str, afternoon: bool) -> float:
    """Two bumps, at 10:00 and 15:00; afternoon-leaning services swap their heights."""
    hour = int(slot[:2]) + int(slot[3:]) / 60
    morning_bump = math.exp(-(((hour - 10.0) / 1.3) ** 2))
    afternoon_bump = math.exp(-(((hour - 15.0) / 1.3) ** 2))
    high, low = (afternoon_bump, morning_bump) if afternoon else (morning_bump, afternoon_bump)
    return 0.15 + high + 0.5 * low


@dataclass(frozen=True)
class SyntheticHall:
    weekday_totals: tuple[float, ...] = WEEKDAY_TOTALS
    shares: Mapping[str, float] = field(default_factory=lambda: dict(SERVICE_SHARES))
    calendar: Calendar = field(default_factory=lambda: Calendar.from_mapping(ENROLMENT))
    growth_per_week: float = 0.0  # relative growth of the whole hall per week
    start: date = date(2025, 6, 2)  # a Monday

    def means(self, day: date) -> dict[tuple[str, str], float]:
        """Return the true expected arrivals per (service, slot) on ``day``."""
        slots = open_slots(day.weekday())
        growth = (1 + self.growth_per_week) ** ((day - self.start).days / 7)
        total = self.weekday_totals[day.weekday()] * growth
        result = {}
        for service, share in self.shares.items():
            weights = [intraday_weight(t, service in AFTERNOON_LEANING) for t in slots]
            scale = total * share * self.calendar.multiplier(day, service) / sum(weights or [1])
            result.update({(service, t): scale * w for t, w in zip(slots, weights, strict=True)})
        return result

    def history(self, days: int, seed: int) -> ArrivalHistory:
        """Return ``days`` days of Poisson counts from ``start``, split over the lanes."""
        rng = np.random.default_rng(seed)
        counts = []
        for offset in range(days):
            day = self.start + timedelta(days=offset)
            for (service, slot), mean in self.means(day).items():
                for lane, part in LANE_SPLIT:
                    n = int(rng.poisson(mean * part))
                    counts.append(ArrivalCount(day, slot, service, lane, n))
        return ArrivalHistory.of(counts)
