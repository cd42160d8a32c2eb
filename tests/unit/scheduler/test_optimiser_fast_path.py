"""The instant re-plan when a window closes: its services go to the cheapest open windows."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.fast_replan import replan_after_close
from scheduler.plan import PlanStatus
from scheduler.snapshot import PlanSnapshot
from tests.unit.scheduler.optimiser_halls import (
    NOW,
    after,
    current,
    hall,
    load,
    violations,
    window,
)
from tests.unit.scheduler.test_optimiser_properties import snapshots


def closing_hall(**flags: object) -> PlanSnapshot:
    """Window 1 serves a, with residents waiting in its green lane, and is about to close;
    windows 2 and 3 could serve a too."""
    return hall(
        [window(1, "a", "a"), window(2, "ab", "b", **flags), window(3, "ac", "c")],
        [load("a", green=2, blue=6, per_hour=6), load("b", blue=1), load("c", blue=4, per_hour=6)],
    )


def without(snapshot: PlanSnapshot, number: int) -> PlanSnapshot:
    return dataclasses.replace(
        snapshot, windows=tuple(w for w in snapshot.windows if w.number != number)
    )


def test_after_a_close_the_closed_windows_services_are_covered():
    snapshot = closing_hall()
    result = replan_after_close(snapshot, 1, now=NOW)
    (change,) = result.changes
    assert change.window == 2  # b is quieter than c: window 2 has time to spare
    assert change.services_after == ("b", "a")
    assert result.wait_after["a"] < result.wait_before["a"]
    assert "a" in change.reason_en and "→" in change.reason_zh
    assert result.status is PlanStatus.OPTIMAL


def test_a_window_that_must_stay_takes_nothing_over():
    result = replan_after_close(closing_hall(busy=True), 1, now=NOW)
    assert [(c.window, c.services_after) for c in result.changes] == [(3, ("c", "a"))]


def test_the_fast_path_keeps_to_k():
    snapshot = hall(
        [window(1, "abc", "abc"), window(2, "a", "")] + [window(n, "abc", "") for n in (3, 4)],
        [load(s, green=1, blue=5) for s in "abc"],
        max_switches=1,
    )
    result = replan_after_close(snapshot, 1, now=NOW)
    assert len(result.changes) == 1


def test_a_service_still_served_elsewhere_is_only_handed_over_when_it_helps():
    snapshot = hall(
        [window(1, "c", "c"), window(2, "bc", "b"), window(3, "c", "c")],
        [load("b", blue=30, per_hour=10), load("c", blue=1)],
    )
    assert replan_after_close(snapshot, 1, now=NOW).changes == ()


@settings(max_examples=60, deadline=None)
@given(snapshots(), st.data())
def test_the_fast_path_breaks_no_rule_and_strands_no_green_queue_it_could_serve(snapshot, data):
    closing = data.draw(st.sampled_from(snapshot.windows))
    left = without(snapshot, closing.number)
    result = replan_after_close(snapshot, closing.number, now=NOW)
    assignment = after(left, result)
    # It only hands services over: whatever was amiss before (an idle window) may remain.
    assert set(violations(left, assignment)) <= set(violations(left, current(left)))
    served = {s for services in assignment.values() for s in services}
    busy_takers = {c.window for c in result.changes}
    for s in closing.services:
        if s in served or not left.service(s).waiting_green:
            continue
        # A stranded green queue: no window was free to take it, or K was used up.
        free = [
            w
            for w in left.windows
            if s in w.skills
            and len(w.services) < left.settings.max_services_per_window
            and not left.must_stay(w, NOW)
            and w.number not in busy_takers
        ]
        assert not free or len(result.changes) == left.settings.max_switches
