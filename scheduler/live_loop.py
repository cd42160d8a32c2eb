"""The live loop: when to re-plan each hall, and turning approved plans into commands.

Every half minute it looks at each hall's triggers — the schedule (`every_min`), a window
that closed (answered at once by the instant re-plan), a queue whose simple expected wait
passed its service's target × `queue_trigger`, and the arrivals of the quarter hours
since the last plan missing that plan's forecast by `deviation_trigger` — and, unless a
plan was made less than `min_gap_min` ago, plans in a worker thread. Each plan goes to the cockpit channel. With mode `auto`
its changes are applied at once through the core's assign command (reason attached);
with `approve` it waits for a supervisor, and a newer plan supersedes it.

The loop reads the read models on the event loop (where they are folded) and only the
optimiser runs in a thread, on a frozen snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from projections.shadow import ShadowDays
from projections.statistics import Statistics
from queue_core.commands import AssignServices, Command
from queue_core.errors import DomainError
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec
from queue_core.outcome import Outcome
from queue_core.vocabulary import WindowStatus
from scheduler.forecast_calendar import Calendar
from scheduler.plan_inputs import PlanInputs
from scheduler.planner import MANUAL, Planner, ProposedPlan, Trigger, local_slot, plan_to_dict
from scheduler.settings import SchedulerSettings

log = logging.getLogger(__name__)
RECENT = 20  # plans kept per hall for the cockpit and the API


class PlanNotFound(LookupError):
    pass


@dataclass
class _HallState:
    last_plan_at: datetime | None = None
    position: int = 0  # log position at the last plan: windows closed after it are news
    recent: deque[ProposedPlan] = field(default_factory=lambda: deque(maxlen=RECENT))


@dataclass
class PlanSources:
    """The read models and actions the loop works with, wired by the composition root."""

    spec: Callable[[str], HallSpec]
    halls: Callable[[], list[str]]
    day_of: Callable[[str, datetime], str]
    shadow: ShadowDays
    stats: Statistics
    inputs: PlanInputs
    position: Callable[[], int]  # the read models' log position
    execute: Callable[[Command], Awaitable[Outcome]]
    announce: Callable[[str, dict[str, Any]], None]  # (hall, plan) to the cockpit
    settings: Callable[[str], SchedulerSettings]
    calendar: Callable[[str], Calendar]
    # (service, slot start) of the day's bookings still to come, per (hall, day)
    bookings: Callable[[str, str], Sequence[tuple[str, datetime]]] = lambda hall, day: ()


class PlanLoop:
    def __init__(self, sources: PlanSources, planner: Planner, now: Callable[[], datetime]) -> None:
        self.sources = sources
        self.planner = planner
        self.now = now
        self._halls: dict[str, _HallState] = {}

    async def run(self, check_s: float) -> None:
        while True:
            await asyncio.sleep(check_s)
            try:
                await self.tick()
            except Exception:  # a failed plan must not stop the hall's future plans
                log.exception("planning failed")

    async def tick(self) -> list[ProposedPlan]:
        """Plan every hall whose triggers fired; the plans made."""
        made = []
        for hall in self.sources.halls():
            settings = self.sources.settings(hall)
            if settings.mode == "off":
                continue
            for trigger, closed in self.triggers(hall, settings):
                made.append(await self._make(hall, settings, trigger, closed))
        return made

    async def propose_now(self, hall: str) -> ProposedPlan:
        return await self._make(hall, self.sources.settings(hall), MANUAL, None)

    def plans(self, hall: str) -> list[ProposedPlan]:
        """The hall's recent plans, newest first."""
        return list(reversed(self._state(hall).recent))

    async def decide(self, hall: str, plan_id: str, *, approve: bool, by: str) -> ProposedPlan:
        """Approve (apply) or reject a pending plan; deciding twice returns the first decision."""
        proposed = next((p for p in self._state(hall).recent if p.id == plan_id), None)
        if proposed is None:
            raise PlanNotFound(plan_id)
        if proposed.status != "pending":
            return proposed
        if approve:
            return await self._apply(proposed, by)
        return self._record(
            replace(proposed, status="rejected", decided_at=self.now(), decided_by=by)
        )

    # ---- triggers ----------------------------------------------------------------------

    def triggers(
        self, hall: str, settings: SchedulerSettings
    ) -> list[tuple[Trigger, tuple[int, tuple[str, ...]] | None]]:
        """What calls for a plan now: each closed window on its own, else at most one of
        the schedule, a long queue or arrivals off the forecast."""
        state = self._state(hall)
        now = self.now()
        day = self.sources.day_of(hall, now)
        found: list[tuple[Trigger, tuple[int, tuple[str, ...]] | None]] = [
            (Trigger("window_closed", f"{w} 号窗口关闭", f"window {w} closed"), (w, services))
            for _, w, services in self.sources.inputs.closed_after(hall, day, state.position)
            if services
        ]
        if state.last_plan_at is not None and now - state.last_plan_at < timedelta(
            minutes=settings.min_gap_min
        ):
            return found
        if state.last_plan_at is None or now - state.last_plan_at >= timedelta(
            minutes=settings.every_min
        ):
            return [*found, (Trigger("schedule", "定时重排", "scheduled re-plan"), None)]
        shadow = self.sources.shadow.get(hall, day)
        long = shadow and self._long_queue(self.sources.spec(hall), shadow, settings)
        if long:
            return [*found, (long, None)]
        off = self._off_forecast(hall, day, now, settings)
        if off:
            return [*found, (off, None)]
        return found

    def _off_forecast(
        self, hall: str, day: str, now: datetime, settings: SchedulerSettings
    ) -> Trigger | None:
        """Arrivals in the quarter hours completed since the last plan, against what that
        plan's forecast expected for them."""
        last = next((p for p in reversed(self._state(hall).recent) if p.forecast_by_slot), None)
        if last is None:
            return None
        current = local_slot(now.astimezone(ZoneInfo(self.sources.spec(hall).timezone)))
        slots = {slot for slot in last.forecast_by_slot if slot < current}
        expected = sum(last.forecast_by_slot[slot] for slot in slots)
        actual = sum(
            int(row["arrivals"])
            for row in self.sources.stats.rows(hall, day)
            if row["bucket"] in slots
        )
        if max(actual, expected) < settings.deviation_min_arrivals:
            return None
        off = (actual - expected) / max(expected, 1.0)
        if abs(off) <= settings.deviation_trigger:
            return None
        more_zh, more_en = ("多", "more") if off > 0 else ("少", "fewer")
        return Trigger(
            "deviation",
            f"到达 {actual} 人，比预测的 {expected:.0f} 人{more_zh} {abs(off):.0%}",
            f"{actual} arrivals, {abs(off):.0%} {more_en} than the {expected:.0f} forecast",
        )

    @staticmethod
    def _long_queue(spec: HallSpec, day: HallDay, settings: SchedulerSettings) -> Trigger | None:
        waiting: dict[str, int] = {}
        for t in day.waiting():
            waiting[t.service] = waiting.get(t.service, 0) + 1
        for service_id, count in sorted(waiting.items()):
            service = spec.service(service_id)
            serving = sum(
                1
                for w in day.windows.values()
                if w.status is WindowStatus.OPEN and service_id in w.services
            )
            wait = count * service.mean_handling_min / max(serving, 1)
            if wait > service.target_wait_min * settings.queue_trigger:
                return Trigger(
                    "queue",
                    f"{service.name_zh}排队约 {wait:.0f} 分钟，超过目标 {service.target_wait_min:g} 分钟",
                    f"{service.name_en}: about {wait:.0f} min of queue, target {service.target_wait_min:g} min",
                )
        return None

    # ---- making and applying -----------------------------------------------------------

    async def _make(
        self,
        hall: str,
        settings: SchedulerSettings,
        trigger: Trigger,
        closed: tuple[int, tuple[str, ...]] | None,
    ) -> ProposedPlan:
        now = self.now()
        spec = self.sources.spec(hall)
        day_name = self.sources.day_of(hall, now)
        state = self._state(hall)
        state.position = self.sources.position()
        state.last_plan_at = now
        day = self.sources.shadow.get(hall, day_name) or HallDay.start(hall, day_name)
        request = self.planner.request(
            spec=spec,
            settings=settings,
            day=day,
            stats=self.sources.stats,
            inputs=self.sources.inputs,
            now=now,
            trigger=trigger,
            calendar=self.sources.calendar(hall),
            closed=closed,
            bookings=self.sources.bookings(hall, day_name),
        )
        proposed = await asyncio.to_thread(self.planner.solve, request)
        for older in state.recent:
            if older.status == "pending":
                self._record(replace(older, status="superseded"))
        self._record(proposed)
        if proposed.status == "pending" and settings.mode == "auto":
            proposed = await self._apply(proposed, "auto")
        return proposed

    async def _apply(self, proposed: ProposedPlan, by: str) -> ProposedPlan:
        errors = []
        for change in proposed.plan.changes:
            command = AssignServices(
                request_id=f"plan-{proposed.id}-w{change.window}",
                hall=proposed.hall,
                window=change.window,
                services=change.services_after,
                reason=f"{change.reason_zh} / {change.reason_en}",
            )
            try:
                await self.sources.execute(command)
            except DomainError as error:  # e.g. the window closed since: the rest still apply
                errors.append(f"{change.window}: {error.message_zh} / {error.message_en}")
        return self._record(
            replace(
                proposed,
                status="applied",
                decided_at=self.now(),
                decided_by=by,
                errors=tuple(errors),
            )
        )

    def _record(self, proposed: ProposedPlan) -> ProposedPlan:
        recent = self._state(proposed.hall).recent
        for i, p in enumerate(recent):
            if p.id == proposed.id:
                recent[i] = proposed
                break
        else:
            recent.append(proposed)
        with contextlib.suppress(Exception):  # a cockpit that cannot be told must not stop a plan
            self.sources.announce(proposed.hall, plan_to_dict(proposed))
        return proposed

    def _state(self, hall: str) -> _HallState:
        return self._halls.setdefault(hall, _HallState())


__all__ = ["PlanLoop", "PlanNotFound", "PlanSources"]
