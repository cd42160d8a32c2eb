"""The live crowd's day: which day and minute it plays, how it joins a day under way, how it
takes a hall over, and a real-time clock that a stop request cuts short."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import simpy

from queue_core import commands as do
from queue_core.hall_spec import hall_spec_from_mapping
from queue_core.vocabulary import WindowStatus
from simulations.core_hall import CoreHall
from simulations.crowd_day import (
    WindowState,
    plan_day,
    residents_from,
    shifts_from,
    takeover_commands,
)
from simulations.engine import HallDaySimulation
from simulations.live_crowd import CrowdClock, CrowdStopped
from simulations.runner import midnight_of
from simulations.scenario import Scenario, Shift
from simulations.scenario_toml import load_scenario
from tests.unit.simulations.conftest import residents_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def weekday() -> Scenario:
    return load_scenario("south-axis-weekday")


def at(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


MONDAY, SATURDAY, SUNDAY = date(2026, 3, 2), date(2026, 3, 7), date(2026, 3, 8)


def test_started_while_the_hall_is_open_the_crowd_joins_the_day_at_this_minute(
    weekday: Scenario,
) -> None:
    plan = plan_day(weekday, at(MONDAY, 10, 42), first=True)
    assert (plan.day, plan.day_type, plan.start_min) == (MONDAY, "weekday", 642)
    assert plan.joined and plan.close_min == 17 * 60 + 30


@pytest.mark.parametrize("hour", [0, 8, 17, 22])
def test_started_outside_opening_hours_the_crowd_plays_the_day_from_opening(
    weekday: Scenario, hour: int
) -> None:
    plan = plan_day(weekday, at(MONDAY, hour, 0), first=True)
    assert plan.start_min == plan.open_min == 8 * 60 + 30
    assert not plan.joined


def test_later_days_are_played_from_opening(weekday: Scenario) -> None:
    assert plan_day(weekday, at(MONDAY, 10, 42), first=False).start_min == 8 * 60 + 30


def test_a_day_the_hall_is_closed_is_played_as_the_last_open_day(weekday: Scenario) -> None:
    plan = plan_day(weekday, at(SUNDAY, 10, 0), first=True)
    assert (plan.day, plan.day_type) == (SATURDAY, "saturday")
    assert plan.start_min == 9 * 60  # Saturday's opening: it is not Saturday now


def test_a_joined_day_keeps_the_residents_still_to_come() -> None:
    [(_, residents)] = residents_of(load_scenario("mmc"), 1, seed=3)
    later = residents_from(residents, 600.0)
    assert later and all(r.arrival_min >= 600 for r in later)
    assert len(later) == sum(1 for r in residents if r.arrival_min >= 600)


def test_a_joined_day_drops_what_is_over_and_keeps_the_rest_of_a_break() -> None:
    shifts = {
        1: Shift(frozenset({"weekday"}), (1,), 510.0, 1050.0, ((690.0, 45.0), (900.0, 15.0))),
        2: Shift(frozenset({"weekday"}), (2,), 510.0, 600.0),
    }
    joined = shifts_from(shifts, 700.0)
    assert list(joined) == [1]  # window 2's shift ended at 10:00
    assert joined[1].open_min == 700.0
    assert joined[1].pauses == ((700.0, 35.0), (900.0, 15.0))  # lunch under way: 35 min left
    assert shifts_from(shifts, 0.0) == shifts  # from midnight: the day as it is


def test_a_day_started_later_opens_its_windows_then_and_issues_nothing_earlier(
    small: Scenario,
) -> None:
    [(day, residents)] = residents_of(small, 1, seed=5)
    spec = hall_spec_from_mapping(small.hall)
    hall = CoreHall(spec, day.isoformat(), midnight_of(day, spec))
    start = 600.0  # 10:00; the small hall opens at 09:00
    env = simpy.Environment(initial_time=start)
    later = residents_from(residents, start)
    HallDaySimulation(hall, spec, small, "weekday", later, env=env).run()
    events = hall.events()
    opened = [e.at for e in events if type(e).__name__ == "WindowOpened"]
    issued = [e for e in events if type(e).__name__ == "TicketIssued"]
    ten = midnight_of(day, spec).replace(hour=10)
    assert opened and min(opened) == ten
    assert len(issued) == len(later) and min(e.at for e in issued) >= ten


def test_taking_a_hall_over_leaves_every_window_closed_and_free(small: Scenario) -> None:
    spec = hall_spec_from_mapping(small.hall)
    day = date(2026, 3, 6)
    hall = CoreHall(spec, day.isoformat(), midnight_of(day, spec))
    ids = iter(f"r{k}" for k in range(100))
    script = [
        do.IssueTicket(next(ids), "small", "a"),
        do.IssueTicket(next(ids), "small", "b"),
        *(do.OpenWindow(next(ids), "small", w) for w in (1, 2, 3)),
        do.CallNext(next(ids), "small", 1),  # window 1: a resident called
        do.CallNext(next(ids), "small", 2),
        do.StartServing(next(ids), "small", 2),  # window 2: one being served …
        do.PauseWindow(next(ids), "small", 2, "break"),  # … and paused
    ]
    for command in script:
        assert not isinstance(hall.run(command, 560.0), Exception), command
    states = [
        WindowState(w.number, w.status, hall.day.tickets[w.current].status if w.current else None)
        for w in hall.day.windows.values()
    ]
    commands = takeover_commands("small", states, lambda: next(ids))
    assert [type(c).__name__ for c in commands] == [
        "MarkNoShow", "CloseWindow", "FinishService", "ResumeWindow", "CloseWindow", "CloseWindow",
    ]  # fmt: skip
    for command in commands:
        assert not isinstance(hall.run(command, 561.0), Exception), command
    assert all(w.status is WindowStatus.CLOSED and w.current is None for w in hall.day.windows.values())  # fmt: skip
    assert takeover_commands("small", [WindowState(1, WindowStatus.CLOSED, None)], str) == []


def test_a_stop_request_cuts_the_crowd_clocks_wait_short() -> None:
    stopping = threading.Event()
    env = CrowdClock(stopping, start_min=600.0, factor=60.0)  # a minute per simulated minute
    env.timeout(30)  # half an hour away: half an hour of real time
    threading.Timer(0.1, stopping.set).start()
    started = time.monotonic()
    with pytest.raises(CrowdStopped):
        env.run()
    assert time.monotonic() - started < 2.0
    assert env.now == 600.0  # the timeout never fired


def test_the_crowd_clock_keeps_the_pace_it_is_given() -> None:
    env = CrowdClock(threading.Event(), start_min=0.0, factor=0.02)  # 50 minutes per second
    env.timeout(10)
    started = time.monotonic()
    env.run()
    assert env.now == 10 and 0.18 <= time.monotonic() - started < 1.0
