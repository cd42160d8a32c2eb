"""Wiring the scheduler's live loop to the live hall (part of the composition root)."""

from __future__ import annotations

from functools import cache
from typing import Any

from hallq.live import LiveHall
from hallq.settings import Settings
from scheduler.forecast_calendar import Calendar
from scheduler.history import ArrivalHistory
from scheduler.live_loop import PlanLoop, PlanSources
from scheduler.planner import Planner
from scheduler.settings import SchedulerSettings, planning_of


def planner_for(settings: Settings) -> Planner:
    extra = ArrivalHistory.load_csv(settings.history_path) if settings.history_path else None
    return Planner(extra)


def build_plan_loop(live: LiveHall, settings: Settings) -> PlanLoop:
    app = live.app

    @cache  # a hall's document changes only with a restart (its data file is read then)
    def planning(hall: str) -> tuple[SchedulerSettings, Calendar]:
        return planning_of(app.hall_document(hall))

    def announce(hall: str, plan: dict[str, Any]) -> None:
        live.hub.publish(f"cockpit:{hall}", live.follower.position, "plan", plan)

    sources = PlanSources(
        spec=app.hall_spec,
        halls=app.hall_ids,
        day_of=app.day_of,
        shadow=live.models.board.shadow,
        stats=live.models.stats,
        inputs=live.models.plan_inputs,
        position=lambda: live.follower.position,
        execute=live.execute,
        announce=announce,
        settings=lambda hall: planning(hall)[0],
        calendar=lambda hall: planning(hall)[1],
        bookings=live.models.slots.expected,
    )
    return PlanLoop(sources, planner_for(settings), app.clock.now)
