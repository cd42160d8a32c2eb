"""Which calendar days a run simulates, and the seed of each.

Days are consecutive open dates from the scenario's start (closed day types, by default
Sundays, are skipped), so a long run has the weekly rhythm of a real hall. Each day gets
its own seed from the run's `random.Random(seed)`: a day's residents depend on the run's
seed and the day's position only, never on the policy or on other days' draws.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from simulations.scenario import Scenario


def open_days(scenario: Scenario, count: int) -> list[date]:
    """The first `count` open dates from the scenario's start date."""
    days: list[date] = []
    day = scenario.start_date
    while len(days) < count:
        if scenario.is_open(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def day_seeds(rng: random.Random, count: int) -> list[int]:
    """One independent 64-bit seed per day, drawn in day order from the run's generator."""
    return [rng.getrandbits(64) for _ in range(count)]
