"""A policy's figures over many simulated days: per lane and overall, each the mean over
days with its 95 % confidence half-width (Student t over days, `*_ci95`).

Per day: the mean, median, 90th and 95th percentile and maximum of waits (issue → first
call, from the core's events), the share of tickets whose residents gave up
(`abandon_rate`), the windows' busy share of their open time (`utilisation`; per lane,
the share spent on that lane's tickets, so lanes add up to the whole), and
`switches_per_day`: how often a window's next ticket was for another service than its
last one (a context switch for its staff; per lane, counted on the ticket switched to).
Overall only, `reassignments_per_day` counts the windows moved to other services by
re-plans (the `dynamic` policy). A lane with no tickets on a day is left out of that
lane's means.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from queue_core.vocabulary import Lane
from simulations.day_record import DayRecord

FIGURES = ("mean_wait_min", "p50_wait_min", "p90_wait_min", "p95_wait_min", "max_wait_min",
           "abandon_rate", "utilisation", "switches_per_day")  # fmt: skip
OVERALL = "overall"
# Overall only: the re-plans that moved a window to other services (`ServicesAssigned`).
REASSIGNMENTS = "reassignments_per_day"


def day_figures(record: DayRecord, lanes: Sequence[Lane]) -> dict[str, float | None]:
    """One day's figures over the given lanes (one lane, or all for the overall figures)."""
    waits = np.array([w for lane in lanes for w in record.waits[lane]], dtype=float)
    issued = sum(record.issued[lane] for lane in lanes)
    abandoned = sum(len(record.abandon_waits[lane]) for lane in lanes)
    open_min = record.open_minutes
    has_waits = waits.size > 0
    p50, p90, p95 = np.percentile(waits, (50, 90, 95)) if has_waits else (None, None, None)
    return {
        "mean_wait_min": float(waits.mean()) if has_waits else None,
        "p50_wait_min": _float(p50),
        "p90_wait_min": _float(p90),
        "p95_wait_min": _float(p95),
        "max_wait_min": float(waits.max()) if has_waits else None,
        "abandon_rate": abandoned / issued if issued else None,
        "utilisation": sum(record.busy[lane] for lane in lanes) / open_min if open_min else None,
        "switches_per_day": float(sum(record.switches[lane] for lane in lanes)),
        "tickets": float(issued),
    }


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def mean_ci95(values: Sequence[float]) -> tuple[float | None, float | None]:
    """(mean, half-width of its 95 % Student t interval); no interval from one day."""
    if not values:
        return None, None
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, None
    from scipy import stats  # a second to import: only when an interval is asked for

    sd = statistics.stdev(values)
    return mean, float(stats.t.ppf(0.975, len(values) - 1) * sd / math.sqrt(len(values)))


def summarise(days: Iterable[dict[str, float | None]]) -> dict[str, Any]:
    """Each figure's mean over the days that have it, with `<figure>_ci95`."""
    rows = list(days)
    result: dict[str, Any] = {}
    names = [*FIGURES, REASSIGNMENTS] if rows and REASSIGNMENTS in rows[0] else FIGURES
    for name in names:
        values = [v for row in rows if (v := row[name]) is not None]
        result[name], result[f"{name}_ci95"] = _rounded(*mean_ci95(values))
    result["tickets"] = int(sum(row["tickets"] or 0 for row in rows))
    return result


def _rounded(mean: float | None, half: float | None) -> tuple[float | None, float | None]:
    def r(x: float | None) -> float | None:
        return None if x is None or not math.isfinite(x) else round(x, 4)

    return r(mean), r(half)


def policy_figures(records: Sequence[DayRecord]) -> dict[str, Any]:
    """Overall and per-lane summaries of one policy's days."""
    lanes = {
        lane.value: summarise(day_figures(r, [lane]) for r in records)
        for lane in Lane
        if any(r.issued[lane] for r in records)
    }
    return {OVERALL: summarise(day_figures(r, list(Lane)) for r in records), "lanes": lanes}


def littles_law(
    record: DayRecord, probe: Sequence[tuple[float, int]] | None = None
) -> dict[str, float]:
    """L (the time-averaged number waiting), λ (waiting spells per minute) and W (mean
    spell) over the day; L = λW holds when the day starts and ends empty. With `probe`
    (the core's own count of waiting tickets after each command), L comes from the core's
    state and W from the events, two independent accounts of the same queue."""
    trace = probe if probe is not None else _counts(record.queue)
    start, end = record.first_minute, record.last_minute
    area = sum(n * (t2 - t1) for (t1, n), (t2, _) in pairwise(trace))
    horizon = max(end - start, 1e-12)
    spells = len(record.spells)
    return {
        "L": area / horizon,
        "lambda_per_min": spells / horizon,
        "W_min": math.fsum(record.spells) / spells if spells else 0.0,
    }


def _counts(queue: Sequence[tuple[float, str, int]]) -> list[tuple[float, int]]:
    counts, n = [], 0
    for minute, _, delta in queue:
        n += delta
        counts.append((minute, n))
    return counts
