"""The live loop over the real core: triggers, auto and approved plans, the instant re-plan
after a closing window, and the settings table that drives it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from projections import HallBoard, Statistics
from projections.follower import LogFollower
from queue_core.application import HallqApplication
from queue_core.commands import CloseWindow, Command, IssueTicket, OpenWindow
from queue_core.outcome import Outcome
from queue_core.ports import ManualClock
from queue_core.vocabulary import Lane, WindowStatus
from scheduler.forecast_calendar import Calendar
from scheduler.forecast_intraday import IntradayActuals, update_with_actuals
from scheduler.history import ArrivalCount, ArrivalHistory
from scheduler.live_loop import PlanLoop, PlanNotFound, PlanSources
from scheduler.plan_inputs import PlanInputs
from scheduler.planner import Planner
from scheduler.settings import BadSchedulerSettings, SchedulerSettings

HALL = "south-axis"


class Harness:
    """The loop wired to the real application and its read models, as the server does."""

    def __init__(
        self,
        app: HallqApplication,
        clock: ManualClock,
        settings: SchedulerSettings,
        planner: Planner | None = None,
    ):
        self.app, self.clock, self.settings = app, clock, settings
        self.board, self.stats = HallBoard(app.hall_spec), Statistics(app.hall_spec)
        self.inputs = PlanInputs(app.hall_spec)
        self.follower = LogFollower(app, [self.board, self.stats, self.inputs])
        self.announced: list[dict[str, Any]] = []
        self.ids = iter(range(1, 10_000))
        self.loop = PlanLoop(
            PlanSources(
                spec=app.hall_spec,
                halls=app.hall_ids,
                day_of=app.day_of,
                shadow=self.board.shadow,
                stats=self.stats,
                inputs=self.inputs,
                position=lambda: self.follower.position,
                execute=self.execute,
                announce=lambda hall, plan: self.announced.append(plan),
                settings=lambda hall: self.settings,
                calendar=lambda hall: Calendar(),
            ),
            planner or Planner(),
            clock.now,
        )

    async def execute(self, command: Command) -> Outcome:
        outcome = self.app.execute(command)
        self.follower.catch_up()
        return outcome

    def run(self, command: type[Command], **fields: Any) -> Outcome:
        outcome = self.app.execute(command(f"t{next(self.ids)}", HALL, **fields))
        self.follower.catch_up()
        return outcome

    def services_of(self, window: int) -> tuple[str, ...]:
        return self.app.get_day(HALL).window(self.app.hall_spec(HALL), window).services


def a_residence_permit_rush(h: Harness, tickets: int = 12) -> None:
    """Window 5 serves household registration and ID cards but can do residence permits;
    a dozen residence-permit residents arrive and no open window is assigned to them."""
    h.run(OpenWindow, window=5)
    h.clock.advance(25 * 60)  # past the minimum dwell: opening counts as a switch
    for _ in range(tickets):
        h.run(IssueTicket, service="residence-permit", lane=Lane.BLUE)


@pytest.fixture
def auto(app: HallqApplication, clock: ManualClock) -> Harness:
    return Harness(app, clock, SchedulerSettings(mode="auto"))


@pytest.fixture
def approve(app: HallqApplication, clock: ManualClock) -> Harness:
    return Harness(app, clock, SchedulerSettings(mode="approve"))


async def test_in_auto_mode_the_first_check_plans_and_moves_a_window_to_the_stranded_queue(
    auto: Harness,
) -> None:
    a_residence_permit_rush(auto)
    [made] = await auto.loop.tick()
    assert made.trigger.kind == "schedule"
    assert made.status == "applied" and made.decided_by == "auto"
    assert "residence-permit" in auto.services_of(5)
    [change] = made.plan.changes
    assert change.window == 5 and "residence-permit" in change.services_after
    assert change.wait_after["residence-permit"] < change.wait_before["residence-permit"]
    assignments = [
        e for e in auto.app.events.get(auto.app.get_day(HALL).id) if hasattr(e, "reason")
    ]
    assert any(change.reason_zh in e.reason for e in assignments)  # the reason is in the log
    assert [p["status"] for p in auto.announced] == ["pending", "applied"]


async def test_in_approve_mode_a_plan_waits_for_a_supervisor_and_applies_once(
    approve: Harness,
) -> None:
    a_residence_permit_rush(approve)
    [made] = await approve.loop.tick()
    assert made.status == "pending"
    assert "residence-permit" not in approve.services_of(5)
    decided = await approve.loop.decide(HALL, made.id, approve=True, by="boss")
    assert decided.status == "applied" and decided.decided_by == "boss"
    assert "residence-permit" in approve.services_of(5)
    again = await approve.loop.decide(HALL, made.id, approve=False, by="someone else")
    assert again == decided  # the first decision stands
    with pytest.raises(PlanNotFound):
        await approve.loop.decide(HALL, "no-such-plan", approve=True, by="boss")


async def test_a_rejected_plan_changes_nothing_and_a_newer_plan_supersedes_a_pending_one(
    approve: Harness,
) -> None:
    a_residence_permit_rush(approve)
    first = await approve.loop.propose_now(HALL)
    second = await approve.loop.propose_now(HALL)
    statuses = {p.id: p.status for p in approve.loop.plans(HALL)}
    assert statuses == {first.id: "superseded", second.id: "pending"}
    rejected = await approve.loop.decide(HALL, second.id, approve=False, by="boss")
    assert rejected.status == "rejected"
    assert approve.services_of(5) == ("household-registration", "id-card")


async def test_no_plan_is_made_again_before_the_minimum_gap_unless_a_queue_runs_long(
    approve: Harness,
) -> None:
    approve.run(OpenWindow, window=5)
    assert len(await approve.loop.tick()) == 1  # the first, scheduled plan
    approve.clock.advance(60)
    assert await approve.loop.tick() == []  # within the minimum gap: nothing
    for _ in range(12):  # 12 × 5 min of ID cards for one window: far past its target
        approve.run(IssueTicket, service="id-card")
    assert await approve.loop.tick() == []  # still within the gap
    approve.clock.advance(approve.settings.min_gap_min * 60)
    [made] = await approve.loop.tick()
    assert made.trigger.kind == "queue" and "Identity card" in made.trigger.en


async def test_a_closing_window_is_answered_at_once_by_handing_its_services_over(
    auto: Harness,
) -> None:
    auto.run(OpenWindow, window=5)
    auto.run(OpenWindow, window=6)
    auto.clock.advance(25 * 60)  # past the minimum dwell: both may take services
    await auto.loop.tick()  # the scheduled plan; from now on only news triggers plans
    auto.clock.advance(30)
    for _ in range(6):
        auto.run(IssueTicket, service="household-registration", lane=Lane.GREEN)
    auto.run(CloseWindow, window=5)
    made = await auto.loop.tick()
    assert [p.trigger.kind for p in made] == ["window_closed"]
    assert "household-registration" in auto.services_of(6)
    day = auto.app.get_day(HALL)
    assert day.window(auto.app.hall_spec(HALL), 5).status is WindowStatus.CLOSED
    assert await auto.loop.tick() == []  # the close is answered once


def a_busy_history(per_slot: int = 20) -> ArrivalHistory:
    """Three weeks of Mondays with `per_slot` social-security arrivals each quarter hour."""
    return ArrivalHistory.of(
        ArrivalCount(
            date(2026, 3, 2) - timedelta(weeks=w),
            f"{h:02d}:{m:02d}",
            "social-security",
            "blue",
            per_slot,
        )
        for w in (1, 2, 3)
        for h in range(9, 18)  # the test hall opens at 09:00
        for m in (0, 15, 30, 45)
    )


async def test_arrivals_far_below_the_forecast_prompt_an_early_plan(
    app: HallqApplication, clock: ManualClock
) -> None:
    settings = SchedulerSettings(mode="approve", every_min=60)  # no scheduled plan meanwhile
    h = Harness(app, clock, settings, Planner(a_busy_history()))
    h.run(OpenWindow, window=1)
    [first] = await h.loop.tick()  # 09:00: the scheduled plan, with the day's forecast
    assert first.forecast_by_slot["09:00"] > 10
    assert first.forecast_per_hour["social-security"] > 40
    clock.advance(20 * 60)  # 09:20: one quarter hour done, nobody came
    [made] = await h.loop.tick()
    assert made.trigger.kind == "deviation" and "fewer" in made.trigger.en


def test_the_intraday_update_counts_from_the_first_arrival_not_from_midnight() -> None:
    expected = {("a", "08:30"): 10.0, ("a", "12:00"): 10.0, ("a", "13:00"): 10.0}
    late = IntradayActuals(until="12:15", counts={("a", "12:00"): 10}, since="12:00")
    updated = update_with_actuals(expected, late)
    assert updated[("a", "08:30")] == 10.0  # before the hall was seen: still the forecast
    assert updated[("a", "13:00")] == 10.0  # what was seen matched: nothing rescaled
    quiet = update_with_actuals(
        expected, IntradayActuals(until="12:15", counts={("a", "12:00"): 10})
    )
    assert quiet[("a", "08:30")] == 0.0 and quiet[("a", "13:00")] < 10.0  # from midnight


def test_settings_come_from_the_hall_documents_scheduler_table() -> None:
    settings = SchedulerSettings.from_document(
        {
            "scheduler": {
                "mode": "auto",
                "every_min": 10,
                "max_switches": 2,
                "lane_weights": {"green": 5},
            }
        }
    )
    assert settings.mode == "auto" and settings.every_min == 10
    assert settings.plan.max_switches == 2 and settings.plan.lane_weights.green == 5
    assert SchedulerSettings.from_document({}) == SchedulerSettings()


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ({"mode": "sometimes"}, "mode"),
        ({"every_minutes": 5}, "every_minutes"),
        ({"every_min": "often"}, "every_min"),
        ({"max_switches": -1}, "bad plan settings"),
        ({"lane_weights": {"purple": 1}}, "bad plan settings"),
    ],
)
def test_a_bad_scheduler_table_is_refused_naming_the_entry(
    table: dict[str, Any], named: str
) -> None:
    with pytest.raises(BadSchedulerSettings, match=named):
        SchedulerSettings.from_document({"scheduler": table})


def test_the_hall_file_s_scheduler_table_is_valid(app: HallqApplication) -> None:
    settings = SchedulerSettings.from_document(app.hall_document(HALL))
    assert settings.mode in ("auto", "approve", "off")
    assert replace(settings, mode="off").mode == "off"


async def test_bookings_still_to_come_are_arrivals_the_plan_expects(
    app: HallqApplication, clock: ManualClock
) -> None:
    """With no history at all, the only known demand is the day's bookings: the plan's
    forecast holds them in their quarter hour, so the optimiser staffs for them."""
    h = Harness(app, clock, SchedulerSettings(mode="approve"))
    h.run(OpenWindow, window=5)
    at = datetime.fromisoformat("2026-03-02T09:30:00+08:00")
    h.loop.sources.bookings = lambda hall, day: [("residence-permit", at)] * 12
    [made] = await h.loop.tick()
    assert made.forecast_by_slot["09:30"] >= 12
    assert made.forecast_per_hour["residence-permit"] > 0
    assert made.forecast_per_hour.get("social-security", 0.0) == 0.0
