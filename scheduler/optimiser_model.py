"""The optimiser's decision variables: one choice of services per window.

Linearisation. A window serving k services gives each of them 1/k of its time (the call
policy takes turns between them). Rather than multiply booleans by 1/k, each window
chooses exactly one *pattern* from a short list: keep its services as they are, or serve
one new set of at most `max_services_per_window` of its skills. A pattern's shares are
constants, so a service's capacity is a linear sum of pattern booleans, counted in whole
units of 1/U window, U being the least common multiple of the pattern sizes. The usual
x[w, s] ("window w serves s after the plan") is the sum of w's patterns holding s, a 0/1
expression. New sets only hold services someone is waiting for or expected at: adding an
idle service would only take time from the others.

Variables exist only for a window's skills, so "skills only" holds by construction.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations

from ortools.sat.python import cp_model

from scheduler.snapshot import PlanSnapshot, WindowState
from scheduler.wait_curves import WaitCurve, wait_curve

MAX_PATTERNS = 64  # per window; a window with many skills gets smaller new sets instead


@dataclass(frozen=True)
class Pattern:
    services: tuple[str, ...]
    keeps: bool  # the window's services as they are now
    members: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", frozenset(self.services))


@dataclass
class PlanVars:
    """The model's variables and the linear expressions the rules are written in."""

    now: datetime
    curves: dict[str, WaitCurve]
    unit: int  # capacity is counted in 1/unit of a window
    patterns: dict[int, tuple[Pattern, ...]]
    choose: dict[tuple[int, int], cp_model.IntVar]  # (window, pattern index) -> bool
    pinned: frozenset[int]  # windows that must keep their services
    # Indexes built once, so each rule reads its expressions without scanning every pattern.
    _serving: dict[tuple[int, str], list[cp_model.IntVar]] = field(default_factory=dict)
    _shares: dict[str, tuple[list[cp_model.IntVar], list[int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for (w, i), var in self.choose.items():
            pattern = self.patterns[w][i]
            for s in pattern.services:
                self._serving.setdefault((w, s), []).append(var)
                held, coefs = self._shares.setdefault(s, ([], []))
                held.append(var)
                coefs.append(self.unit // len(pattern.services))

    def keep(self, window: int) -> cp_model.LinearExpr:
        """1 when the window keeps its services as they are, else 0."""
        options = self.patterns[window]
        return cp_model.LinearExpr.sum(
            [self.choose[window, i] for i, p in enumerate(options) if p.keeps]
        )

    def serves(self, window: int, service: str) -> cp_model.LinearExpr:
        """x[w, s]: 1 when the window serves the service after the plan, else 0."""
        return cp_model.LinearExpr.sum(self._serving.get((window, service), []))

    def capacity(self, service: str) -> cp_model.LinearExpr:
        """The service's windows after the plan, in units of 1/unit window."""
        held, coefs = self._shares.get(service, ([], []))
        return cp_model.LinearExpr.weighted_sum(held, coefs)


def service_curves(
    snapshot: PlanSnapshot, only: Collection[str] | None = None
) -> dict[str, WaitCurve]:
    """Every service's wait curve (or those in `only`), up to the number of open windows
    skilled for it."""
    wanted = [s for s in snapshot.services if only is None or s.id in only]
    skilled = {s.id: 0 for s in wanted}
    for w in snapshot.windows:
        for s in w.skills:
            if s in skilled:
                skilled[s] += 1
    settings = snapshot.settings
    return {
        s.id: wait_curve(s, skilled[s.id], settings.horizon_min, settings.lane_weights)
        for s in wanted
    }


def _new_sets(window: WindowState, useful: set[str], largest: int) -> list[tuple[str, ...]]:
    pool = [s for s in window.skills if s in useful] or list(window.skills)
    size = min(largest, len(pool))
    while size > 1 and sum(math.comb(len(pool), k) for k in range(1, size + 1)) > MAX_PATTERNS:
        size -= 1
    return [c for k in range(1, size + 1) for c in combinations(pool, k)]


def window_patterns(
    window: WindowState, useful: set[str], largest: int, *, pinned: bool
) -> tuple[Pattern, ...]:
    """Keep-as-is first, then each new set of useful skills. A window that must stay has
    keep-as-is only (even when it serves nothing); one serving nothing otherwise has no
    keep-as-is, as an open window serves something."""
    current = frozenset(window.services)
    keep = (Pattern(window.services, keeps=True),) if window.services or pinned else ()
    if pinned:
        return keep  # the smallest domain: `add_stay_put` states the rule all the same
    fresh = tuple(
        Pattern(c, keeps=False)
        for c in _new_sets(window, useful, largest)
        if frozenset(c) != current
    )
    return keep + fresh


def build_vars(
    model: cp_model.CpModel, snapshot: PlanSnapshot, now: datetime, curves: dict[str, WaitCurve]
) -> PlanVars:
    useful = {s for s, c in curves.items() if c.volume > 0}
    largest = snapshot.settings.max_services_per_window
    pinned = frozenset(w.number for w in snapshot.windows if snapshot.must_stay(w, now))
    patterns = {
        w.number: window_patterns(w, useful, largest, pinned=w.number in pinned)
        for w in snapshot.windows
    }
    sizes = {len(p.services) for options in patterns.values() for p in options if p.services}
    choose = {
        (w, i): model.new_bool_var(f"w{w}_p{i}")
        for w, options in patterns.items()
        for i in range(len(options))
    }
    unit = math.lcm(*sizes) if sizes else 1
    return PlanVars(now, curves, unit, patterns, choose, pinned)
