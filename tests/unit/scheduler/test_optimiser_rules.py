"""The optimiser, one planning rule at a time, on halls small enough to reason about.

Each rule is tested against a hall where breaking it would pay: the same hall without the
rule's condition makes the move, so the test can fail.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from scheduler.optimiser import plan
from scheduler.plan import PlanStatus
from scheduler.snapshot import PlanSnapshot, WindowState
from tests.unit.scheduler.optimiser_halls import NOW, after, hall, load, violations, window


def rush_hall(**flags: object) -> PlanSnapshot:
    """Service b's queue has grown; window 1 can serve it but serves a, which has two
    windows for a trickle. Moving window 1 to b pays, unless a rule forbids it."""
    return hall(
        [window(1, "ab", "a", **flags), window(2, "a", "a"), window(3, "b", "b")],
        [load("a", blue=2, per_hour=4), load("b", blue=25, per_hour=8)],
    )


def test_a_growing_queue_draws_a_window_when_it_pays():
    snapshot = rush_hall()
    result = plan(snapshot, now=NOW)
    assert "b" in after(snapshot, result)[1]
    assert result.wait_after["b"] < result.wait_before["b"]
    assert result.status is PlanStatus.OPTIMAL


def test_a_frozen_window_never_moves():
    snapshot = rush_hall(frozen=True)
    assert plan(snapshot, now=NOW).changes == ()


def test_a_busy_window_stays():
    snapshot = rush_hall(busy=True)
    assert plan(snapshot, now=NOW).changes == ()


@pytest.mark.parametrize(("minutes_ago", "moves"), [(5, False), (19, False), (21, True)])
def test_a_recently_switched_window_stays_for_the_minimum_dwell(minutes_ago, moves):
    snapshot = rush_hall(last_switch_at=NOW - timedelta(minutes=minutes_ago))
    assert snapshot.settings.min_dwell_min == 20
    assert bool(plan(snapshot, now=NOW).changes) is moves


def _many_rushes(k: int) -> PlanSnapshot:
    """Four windows idling on a trickle, four rushed services each one could take."""
    windows = [window(n, "q" + "wxyz"[n - 1], "q") for n in range(1, 5)]
    windows += [window(n + 4, "wxyz"[n - 1], "wxyz"[n - 1]) for n in range(1, 5)]
    loads = [load("q", blue=1)] + [load(s, blue=30, per_hour=6) for s in "wxyz"]
    return hall(windows, loads, max_switches=k)


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_never_more_than_k_switches(k):
    result = plan(_many_rushes(k), now=NOW)
    assert result.switches == k  # each rushed service would take a window: K binds
    assert len(result.changes) == k


def test_never_a_service_outside_a_windows_skills():
    # c is swamped, and window 1 could serve it if skills were ignored.
    snapshot = hall(
        [window(1, "a", "a"), window(2, "ac", "c")],
        [load("a", blue=1), load("c", blue=40, per_hour=10)],
    )
    result = plan(snapshot, now=NOW)
    assert "c" not in after(snapshot, result)[1]
    assert violations(snapshot, after(snapshot, result)) == []


def _green_hall(lane: str) -> PlanSnapshot:
    """Window 1 is the only one serving g, where one resident waits; b is swamped and
    window 1 can serve it, but may then serve at most one service."""
    return hall(
        [window(1, "gb", "g"), window(2, "b", "b")],
        [load("g", **{lane: 1}), load("b", blue=40, per_hour=10)],
        max_services_per_window=1,
    )


def test_a_service_with_green_lane_residents_keeps_a_window():
    assert plan(_green_hall("blue"), now=NOW).changes  # a regular resident is left waiting
    result = plan(_green_hall("green"), now=NOW)
    assert result.changes == ()
    assert "g" in after(_green_hall("green"), result)[1]


def test_an_uncovered_green_queue_is_given_a_window():
    snapshot = hall(
        [window(1, "ag", "a"), window(2, "a", "a")],
        [load("a", blue=3, per_hour=6), load("g", green=2)],
        max_services_per_window=1,
    )
    assert "g" in after(snapshot, plan(snapshot, now=NOW))[1]


def test_an_open_window_without_services_is_given_some_and_that_is_no_switch():
    snapshot = hall(
        [window(1, "ab", ""), window(2, "a", "a")],
        [load("a", blue=5), load("b", blue=5)],
        max_switches=0,
    )
    result = plan(snapshot, now=NOW)
    assert after(snapshot, result)[1] != ()
    assert result.switches == 0 and not result.changes[0].is_switch


def _with_penalty(snapshot: PlanSnapshot, penalty: float) -> PlanSnapshot:
    settings = dataclasses.replace(snapshot.settings, switch_penalty=penalty)
    return dataclasses.replace(snapshot, settings=settings)


def test_no_switch_when_the_gain_is_below_the_switch_penalty():
    # Only window 1 can move: the gain of its one move is the objective it saves.
    kept = plan(_with_penalty(rush_hall(frozen=True), 0.0), now=NOW)
    moved = plan(_with_penalty(rush_hall(), 0.0), now=NOW)
    gain = kept.objective - moved.objective
    assert moved.switches == 1 and gain > 0
    assert plan(_with_penalty(rush_hall(), gain + 0.5), now=NOW).changes == ()
    assert plan(_with_penalty(rush_hall(), gain - 0.5), now=NOW).switches == 1


def test_a_hall_already_at_its_best_gets_no_changes():
    # Two equal queues, each window skilled for both and serving one: nothing to improve,
    # and swapping would only cost switches.
    snapshot = hall(
        [window(1, "ab", "a"), window(2, "ab", "b")],
        [load("a", blue=6, per_hour=6), load("b", blue=6, per_hour=6)],
    )
    result = plan(snapshot, now=NOW)
    assert result.changes == ()
    assert result.status is PlanStatus.OPTIMAL
    assert result.wait_after == result.wait_before


def test_every_change_gives_its_reason_with_the_numbers_before_and_after():
    snapshot = rush_hall()
    (change,) = plan(snapshot, now=NOW).changes
    assert change.window == 1
    assert (change.services_before, change.services_after) == (("a",), ("b",))
    assert set(change.wait_before) == set(change.wait_after) == {"a", "b"}
    assert change.wait_after["b"] < change.wait_before["b"]
    assert change.wait_after["a"] > change.wait_before["a"]
    for s in "ab":
        before, later = change.wait_before[s], change.wait_after[s]
        assert f"{before:.1f} → {later:.1f} 分钟" in change.reason_zh
        assert f"{before:.1f} → {later:.1f} min" in change.reason_en
    assert change.reason_zh.startswith("1 号窗口由「业务a」改为「业务b」")


def test_the_same_snapshot_gives_the_same_plan():
    snapshot = _many_rushes(2)
    assert plan(snapshot, now=NOW).changes == plan(snapshot, now=NOW).changes


def test_a_window_state_refuses_services_outside_its_skills():
    with pytest.raises(ValueError):
        WindowState(1, ("a",), ("b",))


def test_when_the_solver_finds_nothing_in_time_the_warm_start_is_the_plan():
    snapshot = _many_rushes(3)
    hurried = plan(snapshot, now=NOW, search_work=1e-9)
    assert hurried.status is PlanStatus.WARM_START
    assert violations(snapshot, after(snapshot, hurried)) == []
    assert hurried.switches == 3  # the greedy start already takes every paying move
