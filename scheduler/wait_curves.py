"""Each service's expected wait as a function of how many windows serve it.

The queueing maths (`scheduler.erlang.expected_wait_table`) gives the steady-state wait
for whole numbers of windows, and `math.inf` where they cannot keep up. The optimiser
needs finite, convex, non-increasing curves, because it shares windows between services
in fractions and reads the wait between whole numbers by linear interpolation; a convex
curve makes that interpolation the maximum of its chords, which is linear to model.

Over one planning horizon of H minutes a queue that cannot keep up does not wait forever:
its backlog grows as a fluid, and residents arriving uniformly over the horizon wait on
average H/2 · (load/n − 1). A steady-state wait longer than the horizon is never reached
within it either, so steady-state waits are capped at H. Where these pieces meet, the
curve is raised (never lowered) until it is convex and non-increasing, so the planner
may overstate a wait near saturation but does not understate it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.erlang import expected_wait_table
from scheduler.snapshot import LaneWeights, ServiceLoad


@dataclass(frozen=True)
class WaitCurve:
    service: str
    volume: float  # residents to serve over the horizon: queue now + forecast arrivals
    weighted_volume: float  # the same, each counted by its lane's weight
    waits: tuple[float, ...]  # expected wait in minutes with 0, 1, … windows

    def at(self, windows: float) -> float:
        """The expected wait with `windows` (fractions interpolated); clamped to the table."""
        top = len(self.waits) - 1
        if top == 0:
            return self.waits[0]
        x = min(max(windows, 0.0), float(top))
        n = min(int(x), top - 1)
        return self.waits[n] + (self.waits[n + 1] - self.waits[n]) * (x - n)


def volumes(load: ServiceLoad, horizon_min: float, weights: LaneWeights) -> tuple[float, float]:
    """(residents, lane-weighted residents) over the horizon. Forecast arrivals are taken to
    come in the same lane mix as those waiting now, or the regular lane when nobody waits."""
    arrivals = load.forecast_per_hour * horizon_min / 60
    waiting_weight = (
        weights.green * load.waiting_green
        + weights.yellow * load.waiting_yellow
        + weights.blue * load.waiting_blue
    )
    mean_weight = waiting_weight / load.waiting if load.waiting else weights.blue
    return load.waiting + arrivals, waiting_weight + mean_weight * arrivals


def _horizon_wait(steady: float, erlangs: float, windows: int, horizon_min: float) -> float:
    """The steady-state wait capped at the horizon, or where `windows` cannot keep up,
    the mean wait behind a backlog growing as a fluid over the horizon."""
    if math.isfinite(steady):
        return min(steady, horizon_min)
    return horizon_min / 2 * (erlangs / windows - 1)


def convex_repair(raw: list[float]) -> tuple[float, ...]:
    """A convex, non-increasing curve on or above `raw`, built from its tail (the last value
    is kept): each value is raised until its step down is at least the next one."""
    fixed = list(raw)
    for n in range(len(fixed) - 2, -1, -1):
        next_step = fixed[n + 1] - fixed[n + 2] if n + 2 < len(fixed) else 0.0
        fixed[n] = max(fixed[n], fixed[n + 1] + max(next_step, 0.0))
    return tuple(fixed)


def wait_curve(
    load: ServiceLoad, max_windows: int, horizon_min: float, weights: LaneWeights
) -> WaitCurve:
    """The service's curve for 0..max_windows windows over the horizon; all zeros when no
    one waits or arrives."""
    volume, weighted = volumes(load, horizon_min, weights)
    if volume <= 0:
        return WaitCurve(load.id, 0.0, 0.0, (0.0,) * (max_windows + 1))
    rate = volume / horizon_min  # the queue now is served over the horizon like arrivals
    erlangs = rate * load.mean_handling_min
    # The table runs two windows past both the last one and saturation, so that the
    # repair sees the curve's true slope at its end rather than a flat edge.
    reach = max(max_windows, math.ceil(erlangs)) + 2
    table = expected_wait_table(rate, load.mean_handling_min, reach, load.handling_cv2)
    raw = [0.0] + [_horizon_wait(table[n], erlangs, n, horizon_min) for n in range(1, reach + 1)]
    # Nobody served: everyone waits at least one horizon longer than with one window.
    raw[0] = raw[1] + horizon_min
    return WaitCurve(load.id, volume, weighted, convex_repair(raw)[: max_windows + 1])


class CurveTable:
    """Many curves flattened into one array, plus a zero curve (the last index) for
    padding, so that numpy reads thousands of (curve, windows) pairs at once."""

    def __init__(self, curves: Sequence[WaitCurve]) -> None:
        waits = [c.waits if len(c.waits) >= 2 else (0.0, 0.0) for c in curves] + [(0.0, 0.0)]
        self.flat = np.concatenate([np.asarray(w, dtype=float) for w in waits])
        self.top = np.array([len(w) - 1 for w in waits])
        self.offset = np.concatenate(([0], np.cumsum(self.top + 1)[:-1]))
        costed = [c.volume > 0 and len(c.waits) >= 2 for c in curves] + [False]
        self.costed = np.array(costed)  # a curve with anyone to serve and a window to do it
        self.weight = np.array([c.weighted_volume for c in curves] + [0.0]) * self.costed

    def at(self, curve: np.ndarray, windows: np.ndarray) -> np.ndarray:
        """`WaitCurve.at` for each (curve index, windows) pair."""
        x = np.clip(windows, 0.0, self.top[curve])
        n = np.minimum(np.floor(x).astype(int), self.top[curve] - 1)
        pos = self.offset[curve] + n
        return self.flat[pos] + (self.flat[pos + 1] - self.flat[pos]) * (x - n)
