"""The simulated days' arrivals as the forecaster reads history: one row per
(date, 15-minute slot, service, lane) with at least one arrival.

Header: `date,slot,service,lane,arrivals`; `date` is the hall's local date (ISO), `slot`
the quarter hour's start ("09:15"), `lane` green/yellow/blue. Slots without arrivals are
left out (read them as zero). Consecutive open dates with weekday and Saturday types and
closed Sundays give the history its weekly rhythm.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from scheduler.levels import slot_of
from simulations.residents import Resident

HEADER = ("date", "slot", "service", "lane", "arrivals")


def arrival_rows(day: date, residents: Iterable[Resident]) -> list[tuple[str, str, str, str, int]]:
    """One day's rows in slot, service, lane order."""
    counts = Counter((slot_of(r.arrival_min), r.service, r.lane.value) for r in residents)
    return [(day.isoformat(), *key, n) for key, n in sorted(counts.items())]


def write_arrivals(
    path: Path, days: Sequence[date], residents: Sequence[Sequence[Resident]]
) -> int:
    """Write the CSV; return the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        for day, people in zip(days, residents, strict=True):
            day_rows = arrival_rows(day, people)
            writer.writerows(day_rows)
            rows += len(day_rows)
    return rows
