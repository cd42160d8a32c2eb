"""A greedy warm start for the optimiser: the current assignment, improved one move at a time.

CP-SAT proves a good assignment optimal quickly but can take seconds to find one from the
current assignment alone. Starting it from a greedy solution instead costs milliseconds:
from the current assignment, repeatedly make the single-window change that lowers the
objective most, within the switch limit and the green-lane rule, until no change helps;
then try exchanging each switch for up to two other moves (the greedy spends its K
switches in order, and an early one can block a better chain: window A would rather take
X if window B took A's place). When the current assignment is already best, it is the
hint unchanged.

The objective is the model's, read off the same curves: lane-weighted waiting + fairness
× worst wait + switch penalties + green-cover penalties. Every candidate move is scored at
once with numpy (see `scheduler.move_table`), so a pass over thousands costs well under
a millisecond.
"""

from __future__ import annotations

import numpy as np

from scheduler.move_table import MoveTable
from scheduler.optimiser_model import PlanVars
from scheduler.snapshot import PlanSnapshot

EPSILON = 1e-9  # gains are sums of floats: smaller ones are noise
EXCHANGE_ROUNDS = 8
CHAIN = 2  # moves tried in place of an undone switch


def _best(table: MoveTable, switches: int, tabu: int | None = None) -> tuple[float, int] | None:
    """(gain, row) of the move that lowers the objective most, within the switch limit and
    leaving the `tabu` window alone."""
    gains, steps = table.gains()
    gains[switches + steps > table.settings.max_switches] = np.inf
    if tabu is not None:
        gains[table.rows_of[tabu]] = np.inf
    row = int(np.argmin(gains)) if len(gains) else -1
    return None if row < 0 or not np.isfinite(gains[row]) else (float(gains[row]), row)


def _climb(table: MoveTable, switches: int) -> int:
    """Make the best move while one helps; the switches used afterwards."""
    for _ in range(len(table.assignment) + 4 * table.settings.max_switches):
        found = _best(table, switches)
        if found is None or found[0] >= -EPSILON:
            break
        switches += table.apply(found[1])
    return switches


def _exchange(table: MoveTable, switches: int) -> int | None:
    """Undo one switch and make up to `CHAIN` moves instead, when that helps: the greedy
    spends its K switches one at a time, and an early one can block a better pair (window
    A could have taken X if window B had taken A's place). The switches used afterwards,
    or None when no exchange helps."""
    for window in table.switched_windows():
        undo = [table.row_of_current(window)]
        total = table.gain_of(table.row_of_original(window))
        if total is None:
            continue
        switches += table.apply(table.row_of_original(window))
        for _ in range(CHAIN):
            found = _best(table, switches, tabu=window)
            if found is None:
                break
            undo.append(table.row_of_current(table.row_window[found[1]]))
            total += found[0]
            switches += table.apply(found[1])
            if total < -EPSILON:
                return switches
        for row in reversed(undo):
            switches += table.apply(row)
    return None


def greedy_assignment(snapshot: PlanSnapshot, v: PlanVars) -> dict[int, tuple[str, ...]]:
    """A good assignment satisfying every rule: the current one, improved greedily, then
    by exchanges of one switch for another. A free window serving nothing is first given
    its best services, whatever the gain."""
    table = MoveTable(snapshot, v)
    table.fill_idle_windows()
    switches = _climb(table, 0)
    for _ in range(EXCHANGE_ROUNDS):
        exchanged = _exchange(table, switches)
        if exchanged is None:
            break
        switches = _climb(table, exchanged)
    return dict(table.assignment)
