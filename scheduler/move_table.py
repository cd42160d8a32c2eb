"""Every single-window move of the greedy warm start, scored at once with numpy.

A move gives one free window one of its patterns. Row r of the table holds the services
that move touches (the window's services now and the pattern's), each with the change in
its capacity, in integer units of 1/unit window so that sums stay exact. Scoring all
moves is then a handful of array operations over (moves × touched services): new
capacities, waits interpolated on the flattened curves, lane-weighted waiting, the worst
wait left untouched, and the green-lane rule.
"""

from __future__ import annotations

import heapq

import numpy as np

from scheduler.optimiser_model import PlanVars
from scheduler.snapshot import PlanSnapshot
from scheduler.wait_curves import CurveTable

OLD, NEW, BOTH = 1, 2, 3  # how a touched service relates to a move (0: padding)
ALL = slice(None)


class MoveTable:
    """The greedy's state (assignment, capacities, waits, covers) and every move from it."""

    def __init__(self, snapshot: PlanSnapshot, v: PlanVars) -> None:
        self.settings = snapshot.settings
        self.unit = v.unit
        order = list(v.curves)
        self.index = {s: i for i, s in enumerate(order)}
        self.curves = CurveTable([v.curves[s] for s in order])
        self.assignment = {w.number: w.services for w in snapshot.windows}
        self.original = dict(self.assignment)
        self._green_rule(snapshot)
        self.units = np.zeros(len(order) + 1, dtype=np.int64)
        self.cover = np.zeros(len(order) + 1, dtype=np.int64)
        for services in self.assignment.values():
            self._count(services, +1)
        self.wait = self.curves.at(np.arange(len(order) + 1), self.units / self.unit)
        self._rows(v)

    def _green_rule(self, snapshot: PlanSnapshot) -> None:
        size = len(self.index) + 1
        self.hard = np.zeros(size, dtype=bool)  # covered now: must stay covered
        self.soft = np.zeros(size)  # not covered now: the cost while it stays uncovered
        skilled = {s for w in snapshot.windows for s in w.skills}
        covered = {s for services in self.assignment.values() for s in services}
        settings = snapshot.settings
        for s in snapshot.services:
            if s.waiting_green and s.id in skilled:
                if s.id in covered:
                    self.hard[self.index[s.id]] = True
                else:
                    cost = settings.lane_weights.green * s.waiting_green * settings.horizon_min
                    self.soft[self.index[s.id]] = cost

    def _rows(self, v: PlanVars) -> None:
        self.row_window: list[int] = []
        self.row_services: list[tuple[str, ...]] = []
        self.rows_of: dict[int, np.ndarray] = {}
        members: list[frozenset[str]] = []
        for w, options in v.patterns.items():
            if w not in v.pinned:
                first = len(self.row_window)
                self.rows_of[w] = np.arange(first, first + len(options))
                self.row_window += [w] * len(options)
                self.row_services += [p.services for p in options]
                members += [p.members for p in options]
        original = [frozenset(self.original[w]) for w in self.row_window]
        pairs = list(zip(original, members, strict=True))
        self.would_switch = np.array([bool(o) and m != o for o, m in pairs], dtype=bool)
        self.is_current = np.array([m == o for o, m in pairs], dtype=bool)
        self.switched_now = np.zeros(len(pairs), dtype=np.int64)
        self._new_part()
        old_width = max((len(p.services) for ps in v.patterns.values() for p in ps), default=1)
        old_width = max(old_width, *(len(x) for x in self.original.values()), 1)
        rows, width = len(pairs), self.new_idx.shape[1] + old_width
        self.idx = np.full((rows, width), len(self.index), dtype=np.int64)
        self.delta = np.zeros((rows, width), dtype=np.int64)
        self.kind = np.zeros((rows, width), dtype=np.int8)
        for w in self.rows_of:
            self._fill(w)

    def _new_part(self) -> None:
        """Each move's own services and the shares they gain, fixed for the whole search."""
        width = max((len(s) for s in self.row_services), default=1)
        pad = len(self.index)
        self.new_idx = np.full((len(self.row_services), width), pad, dtype=np.int64)
        self.new_share = np.zeros((len(self.row_services), width), dtype=np.int64)
        for r, services in enumerate(self.row_services):
            self.new_idx[r, : len(services)] = [self.index[s] for s in services]
            self.new_share[r, : len(services)] = self.unit // len(services)

    def _fill(self, window: int) -> None:
        """Write the window's moves as they stand from its services now: the new services
        first, then the ones it would leave (a service in both is merged into one slot)."""
        rows, old = self.rows_of[window], self.assignment[window]
        width = self.new_idx.shape[1]
        new_idx = self.new_idx[rows]
        self.idx[rows] = len(self.index)
        self.idx[rows, :width] = new_idx
        self.delta[rows] = 0
        self.delta[rows, :width] = self.new_share[rows]
        self.kind[rows] = 0
        self.kind[rows, :width] = np.where(self.new_share[rows] > 0, NEW, 0)
        share = self.unit // len(old) if old else 0
        for j, s in enumerate(old):
            i = self.index[s]
            kept = new_idx == i  # (rows, width): the move keeps this service
            self.delta[rows, :width] -= share * kept
            self.kind[rows, :width] |= (OLD * kept).astype(np.int8)
            left = ~kept.any(axis=1)
            self.idx[rows[left], width + j] = i
            self.delta[rows[left], width + j] = -share
            self.kind[rows[left], width + j] = OLD

    def _count(self, services: tuple[str, ...], sign: int) -> None:
        for s in services:
            self.units[self.index[s]] += sign * (self.unit // len(services))
            self.cover[self.index[s]] += sign

    # ---- scoring -----------------------------------------------------------------------

    def _worst_untouched(self, idx: np.ndarray) -> tuple[float, np.ndarray]:
        """The worst wait now, and per move the worst among services it does not touch:
        the worst of all, but for the few moves touching that service."""
        costed = np.flatnonzero(self.curves.costed)
        if not len(costed):
            return 0.0, np.zeros(len(idx))
        top = np.array(heapq.nlargest(8, costed, key=lambda i: self.wait[i]))
        worst = float(self.wait[top[0]])
        untouched = np.full(len(idx), worst)
        near = np.flatnonzero((idx == top[0]).any(axis=1))
        hits = (idx[near][:, :, None] == top[None, None, :]).any(axis=1)
        untouched[near] = self.wait[top][np.argmin(hits, axis=1)]
        for r in near[hits.all(axis=1)]:  # all eight touched: look further
            rest = np.setdiff1d(costed, idx[r])
            untouched[r] = self.wait[rest].max() if len(rest) else 0.0
        return worst, untouched

    def _cover_cost(self, idx: np.ndarray, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(green-cover penalty change, forbidden) per move."""
        covers = self.cover[idx]
        leaves = (kind == OLD) & (covers == 1)
        forbidden = (leaves & self.hard[idx]).any(axis=1)
        takes = (kind == NEW) & (covers == 0)
        soft = self.soft[idx]
        return (leaves * soft).sum(axis=1) - (takes * soft).sum(axis=1), forbidden

    def gains(self, rows: np.ndarray | slice = ALL) -> tuple[np.ndarray, np.ndarray]:
        """(objective change, switches change) of the moves in `rows` (all by default); inf
        where a move is forbidden or changes nothing."""
        idx, curves = self.idx[rows], self.curves
        after = curves.at(idx, (self.units[idx] + self.delta[rows]) / self.unit)
        waiting = (curves.weight[idx] * (after - self.wait[idx])).sum(axis=1)
        worst, untouched = self._worst_untouched(idx)
        touched_worst = np.where(curves.costed[idx], after, 0.0).max(axis=1)
        fairness = self.settings.fairness_weight * (np.maximum(untouched, touched_worst) - worst)
        cover, forbidden = self._cover_cost(idx, self.kind[rows])
        steps = self.would_switch[rows].astype(np.int64) - self.switched_now[rows]
        gains = waiting + fairness + cover + self.settings.switch_penalty * steps
        gains[forbidden | self.is_current[rows]] = np.inf
        return gains, steps

    def gain_of(self, row: int) -> float | None:
        gain = float(self.gains(np.array([row]))[0][0])
        return gain if np.isfinite(gain) else None

    # ---- moving ------------------------------------------------------------------------

    def apply(self, row: int) -> int:
        """Make the move; the change in switches used."""
        window, new = self.row_window[row], self.row_services[row]
        rows = self.rows_of[window]
        step = int(self.would_switch[row]) - int(self.switched_now[rows[0]])
        touched = np.array([self.index[s] for s in (*self.assignment[window], *new)])
        self._count(self.assignment[window], -1)
        self._count(new, +1)
        self.wait[touched] = self.curves.at(touched, self.units[touched] / self.unit)
        self.assignment[window] = new
        self.switched_now[rows] = int(self.would_switch[row])
        self.is_current[rows] = False
        self.is_current[row] = True
        self._fill(window)
        return step

    def fill_idle_windows(self) -> None:
        """Give each free window serving nothing its best services, whatever the gain."""
        for window, rows in self.rows_of.items():
            if not self.assignment[window]:
                gains = self.gains(np.array(rows))[0]
                self.apply(rows[int(np.argmin(gains))])

    def switched_windows(self) -> list[int]:
        return [w for w in self.rows_of if self.switched_now[self.rows_of[w][0]]]

    def row_of_current(self, window: int) -> int:
        return int(next(r for r in self.rows_of[window] if self.is_current[r]))

    def row_of_original(self, window: int) -> int:
        original = frozenset(self.original[window])
        rows = self.rows_of[window]
        return int(next(r for r in rows if frozenset(self.row_services[r]) == original))
