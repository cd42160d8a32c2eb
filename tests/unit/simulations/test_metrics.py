"""Figures folded from the core's events: waits, giving up, busy windows, switches, CIs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from queue_core.commands import (
    CallNext,
    CancelTicket,
    Command,
    FinishService,
    IssueTicket,
    OpenWindow,
    PauseWindow,
    ResumeWindow,
    StartServing,
)  # fmt: skip
from queue_core.hall_spec import hall_spec_from_mapping
from queue_core.vocabulary import Lane
from simulations.core_hall import CoreHall
from simulations.day_record import fold_day
from simulations.metrics import day_figures, littles_law, mean_ci95, summarise
from simulations.scenario import Scenario

MIDNIGHT = datetime(2026, 3, 6, tzinfo=ZoneInfo("Asia/Shanghai"))


def small_day(small: Scenario) -> CoreHall:
    """09:00 window 1 opens and A001 (blue) arrives, A002 (green) and B001 (blue) at 09:01;
    window 1 calls A002 at 09:02 (green first), serves it 4 min, pauses 09:06–09:10, then
    calls A001 at 09:10 (waited 10) and serves it till 09:15; B001's resident gives up at
    09:12."""
    spec = hall_spec_from_mapping(small.hall)
    hall = CoreHall(spec, "2026-03-06", MIDNIGHT)
    steps: list[tuple[float, Command]] = [
        (540, OpenWindow("r1", "small", 1)),
        (540, IssueTicket("r2", "small", "a", Lane.BLUE)),
        (541, IssueTicket("r3", "small", "a", Lane.GREEN)),
        (541, IssueTicket("r4", "small", "b", Lane.BLUE)),
        (542, CallNext("r5", "small", 1)),
        (542, StartServing("r6", "small", 1)),
        (546, FinishService("r7", "small", 1)),
        (546, PauseWindow("r8", "small", 1)),
        (550, ResumeWindow("r9", "small", 1)),
        (550, CallNext("r10", "small", 1)),
        (550, StartServing("r11", "small", 1)),
        (552, CancelTicket("r12", "small", "B001")),
        (555, FinishService("r13", "small", 1)),
    ]
    for minute, command in steps:
        outcome = hall.run(command, minute)
        assert not isinstance(outcome, Exception), outcome
    return hall


def test_the_day_record_reads_waits_and_busy_time_from_the_events(small: Scenario) -> None:
    record = fold_day(small_day(small).events(), MIDNIGHT)
    assert record.waits[Lane.GREEN] == [pytest.approx(1.0)]  # 09:01 → 09:02
    assert record.waits[Lane.BLUE] == [pytest.approx(10.0)]  # 09:00 → 09:10
    assert record.abandon_waits[Lane.BLUE] == [pytest.approx(11.0)]  # B001 gave up
    assert record.busy[Lane.GREEN] == pytest.approx(4.0)
    assert record.busy[Lane.BLUE] == pytest.approx(5.0)
    assert record.open_minutes == pytest.approx(6.0)  # 09:00–09:06, then paused; never closed
    assert record.pauses == [(1, 546.0, 550.0)]


def test_a_days_figures_per_lane_and_overall(small: Scenario) -> None:
    record = fold_day(small_day(small).events(), MIDNIGHT)
    overall = day_figures(record, list(Lane))
    assert overall["mean_wait_min"] == pytest.approx(5.5)
    assert overall["max_wait_min"] == pytest.approx(10.0)
    assert overall["abandon_rate"] == pytest.approx(1 / 3)
    assert overall["tickets"] == 3
    yellow = day_figures(record, [Lane.YELLOW])
    assert yellow["mean_wait_min"] is None and yellow["abandon_rate"] is None


def test_littles_law_relates_the_queue_to_its_waits(small: Scenario) -> None:
    record = fold_day(small_day(small).events(), MIDNIGHT)
    little = littles_law(record)
    # Waiting spells: A002 1 min, A001 10 min, B001 11 min, over 09:00–09:15.
    assert little["W_min"] == pytest.approx(22 / 3)
    assert little["lambda_per_min"] == pytest.approx(3 / 15)
    assert little["L"] == pytest.approx(22 / 15)


def test_a_switch_is_a_next_ticket_for_another_service(small: Scenario) -> None:
    spec = hall_spec_from_mapping(small.hall)
    hall = CoreHall(spec, "2026-03-06", MIDNIGHT)
    hall.run(OpenWindow("o", "small", 1), 540)
    for k, service in enumerate(["a", "a", "b", "a"]):
        hall.run(IssueTicket(f"i{k}", "small", service, Lane.BLUE), 540 + k)
    called = []
    for k in range(4):
        called.append(hall.run(CallNext(f"c{k}", "small", 1), 550 + 2 * k).ticket)  # type: ignore[union-attr]
        hall.run(StartServing(f"s{k}", "small", 1), 550 + 2 * k)
        hall.run(FinishService(f"f{k}", "small", 1), 551 + 2 * k)
    # Window 1 is assigned service a: its three tickets first, then b by fallback.
    assert called == ["A001", "A002", "A003", "B001"]
    record = fold_day(hall.events(), MIDNIGHT)
    assert record.switches[Lane.BLUE] == 1


def test_the_confidence_half_width_is_students_t_over_days() -> None:
    mean, half = mean_ci95([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert half == pytest.approx(4.302653 / 3**0.5, rel=1e-6)  # t(0.975, 2) · s / √n
    assert mean_ci95([4.0]) == (4.0, None)
    assert mean_ci95([]) == (None, None)


def test_a_figure_is_averaged_over_the_days_that_have_it() -> None:
    day = dict.fromkeys(["mean_wait_min", "p50_wait_min", "p90_wait_min", "p95_wait_min",
                         "max_wait_min", "abandon_rate", "utilisation", "switches_per_day"], 1.0)  # fmt: skip
    quiet = {**day, "mean_wait_min": None, "tickets": 0.0}
    summary = summarise(
        [{**day, "tickets": 5.0}, {**day, "mean_wait_min": 3.0, "tickets": 2.0}, quiet]
    )
    assert summary["mean_wait_min"] == 2.0 and summary["tickets"] == 7
    assert summary["utilisation"] == 1.0 and summary["utilisation_ci95"] == 0.0
