"""The weekly profile: how a weekday's arrivals split over services and quarter hours.

Past days are weighted by recency (half-life ``HALF_LIFE_DAYS``), and every share is
shrunk toward a broader one with a few pseudo-arrivals, so a service seen twice on a
Tuesday afternoon does not get a spiky forecast: a weekday's service mix toward the
whole week's mix, a service's weekday shape toward its all-week shape, and that toward
the hall's shape on that weekday.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from scheduler.levels import slot_minutes

HALF_LIFE_DAYS = 28.0
SHARE_PRIOR = 30.0  # pseudo-arrivals behind a weekday's service mix
HALL_SHAPE_PRIOR = 50.0  # … behind the hall's intraday shape on one weekday
SHAPE_PRIOR = 20.0  # … behind a service's intraday shape

Shape = Mapping[str, float]  # slot -> share of the day


@dataclass(frozen=True)
class TrainingDay:
    """One past open day, its counts already divided by the calendar's multipliers."""

    day: date
    cells: Mapping[tuple[str, str], float]  # (service, slot) -> arrivals

    @property
    def total(self) -> float:
        return sum(self.cells.values())


@dataclass(frozen=True)
class Profile:
    weekday: int  # 0 = Monday
    total_mean: float  # recency-weighted mean arrivals on this weekday; 0 if never seen
    weekday_factors: Mapping[int, float]  # weekday -> its mean / the mean of all days
    shares: Mapping[str, float]  # service -> share of the day's arrivals
    shapes: Mapping[str, Shape]  # service -> slot -> share of the service's day
    slots: tuple[str, ...]  # the slots this weekday has arrivals in


class _Sums:
    """Recency-weighted sums of one group of days."""

    def __init__(self) -> None:
        self.weight = 0.0
        self.total = 0.0
        self.service: dict[str, float] = defaultdict(float)
        self.slot: dict[str, float] = defaultdict(float)
        self.cell: dict[tuple[str, str], float] = defaultdict(float)

    def add(self, day: TrainingDay, weight: float) -> None:
        self.weight += weight
        for (service, slot), value in day.cells.items():
            self.total += weight * value
            self.service[service] += weight * value
            self.slot[slot] += weight * value
            self.cell[(service, slot)] += weight * value

    def mean(self) -> float:
        return self.total / self.weight if self.weight else 0.0


def recency_weight(day: date, target: date) -> float:
    return float(0.5 ** ((target - day).days / HALF_LIFE_DAYS))


def build_profile(days: Sequence[TrainingDay], target: date) -> Profile:
    """Return the profile of ``target``'s weekday learned from ``days`` (all before it)."""
    weekday = target.weekday()
    everything = _Sums()
    by_weekday = {n: _Sums() for n in range(7)}
    for day in days:
        weight = recency_weight(day.day, target)
        everything.add(day, weight)
        by_weekday[day.day.weekday()].add(day, weight)
    mine = by_weekday[weekday]
    slots = tuple(sorted(mine.slot or everything.slot, key=slot_minutes))
    overall = everything.mean()
    factors = {n: (s.mean() / overall if overall else 0.0) for n, s in by_weekday.items()}
    hall_shape = _shrunk(mine.slot, _normalised(everything.slot, slots), HALL_SHAPE_PRIOR, slots)
    return Profile(
        weekday=weekday,
        total_mean=mine.mean(),
        weekday_factors=factors,
        shares=_shares(everything, mine),
        shapes=_service_shapes(everything, mine, hall_shape, slots),
        slots=slots,
    )


def _shares(everything: _Sums, mine: _Sums) -> dict[str, float]:
    week_mix = _normalised(everything.service, tuple(everything.service))
    return _shrunk(mine.service, week_mix, SHARE_PRIOR, tuple(week_mix))


def _service_shapes(
    everything: _Sums, mine: _Sums, hall_shape: Shape, slots: tuple[str, ...]
) -> dict[str, Shape]:
    shapes: dict[str, Shape] = {}
    for service in everything.service:
        week = {t: everything.cell.get((service, t), 0.0) for t in slots}
        week_shape = _shrunk(week, hall_shape, SHAPE_PRIOR, slots)
        day = {t: mine.cell.get((service, t), 0.0) for t in slots}
        shapes[service] = _shrunk(day, week_shape, SHAPE_PRIOR, slots)
    return shapes


def _normalised(values: Mapping[str, float], keys: tuple[str, ...]) -> dict[str, float]:
    total = sum(values.get(k, 0.0) for k in keys)
    if total == 0:
        return {k: 1.0 / len(keys) for k in keys} if keys else {}
    return {k: values.get(k, 0.0) / total for k in keys}


def _shrunk(
    counts: Mapping[str, float], prior: Mapping[str, float], strength: float, keys: tuple[str, ...]
) -> dict[str, float]:
    """Return (count + strength·prior) / (total + strength) per key: shares that sum to 1."""
    total = sum(counts.get(k, 0.0) for k in keys)
    return {
        k: (counts.get(k, 0.0) + strength * prior.get(k, 0.0)) / (total + strength) for k in keys
    }
