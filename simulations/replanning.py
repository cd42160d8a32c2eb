"""The `dynamic` policy's replanner: the scheduler's CP-SAT optimiser inside the simulation.

At each re-plan the day as the core holds it becomes a `PlanSnapshot`
(`scheduler.snapshot.snapshot_from_day`), with the scenario's own expected arrival rates
over the planning horizon as the forecast — a perfect forecast, so the figures show what
re-planning can do at best, not what a forecast error costs — and the plan settings of
the hall's `[scheduler]` table. Each change of the plan becomes an `AssignServices`
command with the plan's reason. Re-plans come on the clock only (every
`Scenario.replan_every_min`); the live loop's early triggers are not simulated.

The optimiser stops on a budget of deterministic solver work, so the same day gives the
same plans; `time_limit_s` is only a wall-clock cap above that budget (a run that hits it
on a slow machine may plan differently).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from queue_core.commands import AssignServices
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec
from scheduler.optimiser import plan
from scheduler.settings import SchedulerSettings
from scheduler.snapshot import PlanSettings, snapshot_from_day, switch_times
from simulations.residents import expected_per_hour
from simulations.scenario import Scenario

TIME_LIMIT_S = 2.0  # a cap per re-plan, well above the optimiser's work budget


class OptimiserReplanner:
    """A `simulations.policies.Replanner` backed by `scheduler.optimiser.plan`."""

    def __init__(
        self,
        scenario: Scenario,
        day_type: str,
        settings: PlanSettings | None = None,
        time_limit_s: float = TIME_LIMIT_S,
    ) -> None:
        self.scenario, self.day_type = scenario, day_type
        # The hall's own `[scheduler]` knobs (horizon, switches per plan, dwell, …).
        self.settings = settings or SchedulerSettings.from_document(scenario.hall).plan
        self.time_limit_s = time_limit_s
        self.plans = 0

    def forecasts(self, at: datetime) -> dict[str, float]:
        """Arrivals per hour per service over the coming horizon, from the scenario."""
        minute = at.hour * 60 + at.minute + at.second / 60
        end = minute + self.settings.horizon_min
        return {
            load.service: expected_per_hour(load, self.scenario, self.day_type, minute, end)
            for load in self.scenario.services
        }

    def replan(
        self, day: HallDay, spec: HallSpec, at: datetime, events: Sequence[Any]
    ) -> list[AssignServices]:
        snapshot = snapshot_from_day(
            spec,
            day,
            now=at,
            forecasts=self.forecasts(at),
            settings=self.settings,
            last_switch=switch_times(events),
        )
        self.plans += 1
        found = plan(snapshot, now=at, time_limit_s=self.time_limit_s)
        return [
            AssignServices(
                f"plan-{self.plans}-{change.window}",
                spec.id,
                change.window,
                change.services_after,
                reason=f"{change.reason_zh} / {change.reason_en}",
            )
            for change in found.changes
        ]
