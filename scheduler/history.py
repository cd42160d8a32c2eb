"""Past arrivals per day, quarter hour, service and lane: what forecasts learn from.

The exchange format, shared with the simulations, is one CSV file with the header
``date,slot,service,lane,arrivals``: the hall's local ISO date, the local "HH:MM" start
of the quarter hour, the service id, the lane (green/yellow/blue) and the count.
A day that has no row at all is a day without data (closed, or not recorded), not a
day with zero arrivals.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from queue_core.vocabulary import Lane
from scheduler.levels import Level, aggregate, slot_minutes

if TYPE_CHECKING:
    from projections.statistics import Statistics

HEADER = ("date", "slot", "service", "lane", "arrivals")
_LANES = frozenset(lane.value for lane in Lane)


@dataclass(frozen=True, order=True)
class ArrivalCount:
    day: date
    slot: str
    service: str
    lane: str
    arrivals: int

    def __post_init__(self) -> None:
        slot_minutes(self.slot)
        if self.lane not in _LANES:
            raise ValueError(f"unknown lane {self.lane!r}")
        if self.arrivals < 0:
            raise ValueError(f"negative arrivals in {self}")


@dataclass(frozen=True)
class ArrivalHistory:
    """Arrival counts, one per (day, slot, service, lane), sorted; build with ``of``."""

    counts: tuple[ArrivalCount, ...]

    @classmethod
    def of(cls, counts: Iterable[ArrivalCount]) -> ArrivalHistory:
        """Return a history with duplicate keys summed and zero counts dropped."""
        merged: dict[tuple[date, str, str, str], int] = {}
        for c in counts:
            key = (c.day, c.slot, c.service, c.lane)
            merged[key] = merged.get(key, 0) + c.arrivals
        return cls(tuple(ArrivalCount(*key, n) for key, n in sorted(merged.items()) if n))

    # ---- reading and writing ------------------------------------------------------------

    @classmethod
    def load_csv(cls, path: Path) -> ArrivalHistory:
        """Read the shared CSV format; ValueError names the first bad line."""
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            if tuple(next(reader, ())) != HEADER:
                raise ValueError(f"{path}: the header must be {','.join(HEADER)}")
            return cls.of(_parse(row, path, number) for number, row in enumerate(reader, 2))

    def save_csv(self, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(HEADER)
            for c in self.counts:
                writer.writerow((c.day.isoformat(), c.slot, c.service, c.lane, c.arrivals))

    @classmethod
    def from_statistics(
        cls, statistics: Statistics, hall: str, days: Iterable[str] | None = None
    ) -> ArrivalHistory:
        """Return the arrivals the statistics read model has counted for ``hall``.

        ``days`` are ISO dates; by default every day the model holds for the hall.
        """
        wanted = days if days is not None else [d for h, d in statistics.cells if h == hall]
        return cls.of(
            ArrivalCount(date.fromisoformat(day), r["bucket"], r["service"], r["lane"], n)
            for day in wanted
            for r in statistics.rows(hall, day)
            if (n := int(r["arrivals"]))
        )

    # ---- selections ---------------------------------------------------------------------

    def days(self) -> tuple[date, ...]:
        return tuple(sorted({c.day for c in self.counts}))

    def services(self) -> tuple[str, ...]:
        return tuple(sorted({c.service for c in self.counts}))

    def slots(self) -> tuple[str, ...]:
        return tuple(sorted({c.slot for c in self.counts}))

    def before(self, day: date) -> ArrivalHistory:
        """Return only the days strictly before ``day``: all a forecast for ``day`` may see."""
        earlier = ArrivalHistory(tuple(c for c in self.counts if c.day < day))
        if "_by_day" in self.__dict__:  # a backtest cuts one history many times: reuse the sums
            earlier.__dict__["_by_day"] = {d: v for d, v in self._by_day.items() if d < day}
        return earlier

    def cells_by_day(self) -> Mapping[date, Mapping[tuple[str, str], float]]:
        """Return each day's arrivals per (service, slot), lanes summed (shared: do not modify)."""
        return self._by_day

    @cached_property
    def _by_day(self) -> dict[date, dict[tuple[str, str], float]]:
        result: dict[date, dict[tuple[str, str], float]] = {}
        for c in self.counts:
            cells = result.setdefault(c.day, {})
            cells[(c.service, c.slot)] = cells.get((c.service, c.slot), 0) + c.arrivals
        return result

    # ---- the three levels ---------------------------------------------------------------

    def per_level(self, level: Level) -> dict[tuple[date, tuple[str, ...]], float]:
        """Return arrivals per (day, level cell): see ``scheduler.levels``."""
        return {
            (day, key): value
            for day, cells in self.cells_by_day().items()
            for key, value in aggregate(cells, level).items()
        }

    def per_hall_slot(self) -> dict[tuple[date, str], int]:
        return {(d, k[0]): int(v) for (d, k), v in self.per_level(Level.HALL_15MIN).items()}

    def per_service_hour(self) -> dict[tuple[date, str, str], int]:
        return {(d, k[0], k[1]): int(v) for (d, k), v in self.per_level(Level.SERVICE_1H).items()}

    def per_service_slot(self) -> dict[tuple[date, str, str], int]:
        cells = self.per_level(Level.SERVICE_15MIN)
        return {(d, k[0], k[1]): int(v) for (d, k), v in cells.items()}


def _parse(row: list[str], path: Path, number: int) -> ArrivalCount:
    try:
        day, slot, service, lane, arrivals = row
        return ArrivalCount(date.fromisoformat(day), slot, service, lane, int(arrivals))
    except ValueError as error:
        raise ValueError(f"{path}:{number}: {error} in {row!r}") from None
