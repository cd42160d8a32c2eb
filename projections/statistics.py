"""The day's numbers in 15-minute cells: arrivals, calls, waits, handling, no-shows,
transfers and ratings per (bucket, service, lane, window).

Each fact is counted in the bucket of the event that completes it (a wait when the ticket
is first called, a handling time when the service finishes), in the hall's local time, so
a cell never changes after its quarter hour is over and a report can be cut at any time.
Only sums and counts are kept, so means of any grouping of cells are exact.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from projections.base import ReadModel
from queue_core.hall_day import HallDay
from queue_core.vocabulary import Lane

BUCKET_MIN = 15
COUNTERS = (
    "arrivals", "calls", "wait_count", "wait_sum_min", "wait_max_min", "handled",
    "handling_sum_min", "no_shows", "transfers", "ratings", "rating_sum",
)  # fmt: skip
Cell = tuple[str, str, str, int | None]  # (bucket "HH:MM", service, lane, window)
DayKey = tuple[str, str]


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 2) if count else None


class Statistics(ReadModel):
    name = "statistics"

    def _reset(self) -> None:
        self.keys: dict[UUID, DayKey] = {}  # day aggregate id -> (hall, day)
        self.cells: dict[DayKey, dict[Cell, dict[str, float]]] = {}
        # Per open ticket: [service now, lane, issued_at, called yet, serving since].
        self.tickets: dict[DayKey, dict[str, list[Any]]] = {}
        # Finished tickets not yet rated from a phone: (record, window) for the rating.
        self.finished: dict[DayKey, dict[str, tuple[list[Any], int | None]]] = {}

    def apply(self, event: Any) -> None:
        if isinstance(event, HallDay.Created):
            self.keys[event.originator_id] = (event.hall_id, event.day)
            return
        key = self.keys.get(event.originator_id)
        number = getattr(event, "number", None)
        if key is None or number is None or not isinstance(event, HallDay.DayEvent):
            return
        tickets = self.tickets.setdefault(key, {})
        if isinstance(event, HallDay.TicketIssued):
            tickets[number] = [event.service, event.lane.value, event.at, False, None]
            self._add(key, event.at, tickets[number], None, arrivals=1)
            return
        if isinstance(event, HallDay.TicketRated):
            rated = self.finished.get(key, {}).pop(number, None)
            if rated is not None:
                self._add(key, event.at, rated[0], rated[1], ratings=1, rating_sum=event.rating)
            return
        t = tickets.get(number)
        if t is None:
            return
        window: int | None = getattr(event, "window", None)
        if isinstance(event, HallDay.TicketCalled):
            counts: dict[str, float] = {"calls": 1}
            if not t[3]:  # the wait is issue -> first call; later calls are re-waits
                t[3] = True
                counts.update(wait_count=1, wait_sum_min=_minutes(event.at, t[2]))
                counts["wait_max_min"] = counts["wait_sum_min"]
            self._add(key, event.at, t, window, **counts)
        elif isinstance(event, HallDay.ServiceStarted):
            t[4] = event.at
        elif isinstance(event, HallDay.ServiceFinished):
            counts = {"handled": 1}
            if t[4] is not None:
                counts["handling_sum_min"] = _minutes(event.at, t[4])
            if event.rating is not None:
                counts.update(ratings=1, rating_sum=event.rating)
            self._add(key, event.at, t, window, **counts)
            self.finished.setdefault(key, {})[number] = (t, window)  # a phone may rate it later
            del tickets[number]
        elif isinstance(event, HallDay.TicketMarkedNoShow):
            self._add(key, event.at, t, window, no_shows=1)
        elif isinstance(event, HallDay.TicketTransferred):
            self._add(key, event.at, t, window, transfers=1)  # counted at the service it leaves
            t[0], t[4] = event.to_service, None
        elif isinstance(event, HallDay.TicketParked):
            t[4] = None
        elif isinstance(event, HallDay.TicketCancelled):
            del tickets[number]

    def _add(
        self, key: DayKey, at: datetime, t: list[Any], window: int | None, **counts: float
    ) -> None:
        local = at.astimezone(_zone(self.specs(key[0]).timezone))
        bucket = f"{local.hour:02d}:{local.minute - local.minute % BUCKET_MIN:02d}"
        cell = self.cells.setdefault(key, {}).setdefault(
            (bucket, t[0], t[1], window), dict.fromkeys(COUNTERS, 0)
        )
        for name, value in counts.items():
            if name == "wait_max_min":
                cell[name] = max(cell[name], value)
            else:
                cell[name] += value

    def state(self) -> dict[str, Any]:
        return {
            "rows": {f"{h}/{d}": self.rows(h, d) for h, d in sorted(self.cells)},
            "open": {
                f"{h}/{d}": {
                    n: [s, lane, issued.isoformat(), called, started and started.isoformat()]
                    for n, (s, lane, issued, called, started) in sorted(ts.items())
                }
                for (h, d), ts in sorted(self.tickets.items())
            },
        }

    # ---- queries -----------------------------------------------------------------------

    def rows(self, hall: str, day: str) -> list[dict[str, Any]]:
        cells = self.cells.get((hall, day), {})
        ordered = sorted(cells, key=lambda c: (c[0], c[1], c[2], c[3] is not None, c[3] or 0))
        result = []
        for bucket, service, lane, window in ordered:
            row: dict[str, Any] = {
                "bucket": bucket,
                "service": service,
                "lane": lane,
                "window": window,
            }
            for name, value in cells[(bucket, service, lane, window)].items():
                row[name] = round(value, 3) if isinstance(value, float) else value
            result.append(row)
        return result

    def summary(self, hall: str, day: str) -> dict[str, Any]:
        total = dict.fromkeys(COUNTERS, 0.0)
        lanes = {lane.value: [0, 0, 0.0] for lane in Lane}  # arrivals, waits, wait sum
        for (_, _, lane, _), cell in self.cells.get((hall, day), {}).items():
            for name in COUNTERS:
                total[name] += cell[name]
            by_lane = lanes[lane]
            by_lane[0] += int(cell["arrivals"])
            by_lane[1] += int(cell["wait_count"])
            by_lane[2] += cell["wait_sum_min"]
        return {
            "arrivals": int(total["arrivals"]),
            "served": int(total["handled"]),
            "no_shows": int(total["no_shows"]),
            "transfers": int(total["transfers"]),
            "mean_wait_min": _mean(total["wait_sum_min"], int(total["wait_count"])),
            "mean_handling_min": _mean(total["handling_sum_min"], int(total["handled"])),
            "mean_rating": _mean(total["rating_sum"], int(total["ratings"])),
            "by_lane": {
                lane: {"arrivals": int(a), "mean_wait_min": _mean(s, int(w))}
                for lane, (a, w, s) in lanes.items()
            },
        }
