"""One plan for one hall at one moment: forecast, snapshot, optimise, explain.

`Planner.propose` is what both the live loop and `hallq plan` call: it reads the read
models (the shadow day, the statistics, the plan inputs), forecasts the next horizon's
arrivals per service from the statistics' history (plus an optional imported history)
and today's arrivals so far, and hands the snapshot to the optimiser — or, after a window
closed, to the instant min-cost-flow re-plan. It does no I/O and keeps no state.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from projections.statistics import Statistics
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec
from scheduler.fast_replan import replan_after_close
from scheduler.forecast import IntradayActuals, forecast
from scheduler.forecast_calendar import Calendar
from scheduler.history import ArrivalHistory
from scheduler.levels import slot_of
from scheduler.optimiser import plan
from scheduler.plan import Plan
from scheduler.plan_inputs import PlanInputs
from scheduler.settings import SchedulerSettings
from scheduler.snapshot import PlanSnapshot, WindowState, snapshot_from_day


@dataclass(frozen=True)
class Trigger:
    """Why a plan was made, for the supervisor and the log."""

    kind: str  # schedule | queue | deviation | window_closed | manual
    zh: str
    en: str


MANUAL = Trigger("manual", "值班主任请求", "requested by a supervisor")


@dataclass(frozen=True)
class ProposedPlan:
    id: str
    hall: str
    day: str
    made_at: datetime
    trigger: Trigger
    plan: Plan
    forecast_per_hour: Mapping[str, float]
    forecast_by_slot: Mapping[str, float] = field(default_factory=dict)  # whole hall, from now
    status: str = "pending"  # pending | applied | rejected | superseded | empty
    decided_at: datetime | None = None
    decided_by: str = ""
    errors: tuple[str, ...] = field(default=())


def plan_to_dict(p: ProposedPlan) -> dict[str, Any]:
    """The plan as JSON-ready values (cockpit channel, API, `hallq plan --json`)."""
    return {
        "id": p.id,
        "hall": p.hall,
        "day": p.day,
        "made_at": p.made_at.isoformat(),
        "trigger": {"kind": p.trigger.kind, "zh": p.trigger.zh, "en": p.trigger.en},
        "status": p.status,
        "decided_at": p.decided_at.isoformat() if p.decided_at else None,
        "decided_by": p.decided_by,
        "errors": list(p.errors),
        "solver": {
            "status": p.plan.status.value,
            "solve_ms": round(p.plan.solve_ms, 1),
            "objective": p.plan.objective,
        },
        "changes": [
            {
                "window": c.window,
                "before": list(c.services_before),
                "after": list(c.services_after),
                "reason_zh": c.reason_zh,
                "reason_en": c.reason_en,
                "wait_before_min": {s: _minutes(v) for s, v in c.wait_before.items()},
                "wait_after_min": {s: _minutes(v) for s, v in c.wait_after.items()},
            }
            for c in p.plan.changes
        ],
        "wait_before_min": {s: _minutes(v) for s, v in p.plan.wait_before.items()},
        "wait_after_min": {s: _minutes(v) for s, v in p.plan.wait_after.items()},
        "forecast_per_hour": {s: round(v, 2) for s, v in p.forecast_per_hour.items() if v},
    }


def _minutes(value: float) -> float | None:
    return round(value, 1) if value == value and value != float("inf") else None  # NaN, inf


def local_slot(local: datetime) -> str:
    """The quarter hour ("HH:MM") that holds this local time."""
    return slot_of(local.hour * 60 + local.minute)


@dataclass(frozen=True)
class PlanRequest:
    """Everything a plan needs, copied out of the read models (which keep changing on the
    event loop) so that forecasting and optimising can run in another thread."""

    spec: HallSpec
    settings: SchedulerSettings
    snapshot: PlanSnapshot  # forecasts not yet filled in
    history: ArrivalHistory
    actuals: IntradayActuals | None  # None: nobody has arrived today yet
    now: datetime
    trigger: Trigger
    calendar: Calendar
    day: str
    closed: tuple[int, tuple[str, ...]] | None = None
    booked: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (service, slot)


class Planner:
    def __init__(self, extra_history: ArrivalHistory | None = None) -> None:
        self.extra_history = extra_history  # e.g. imported from the previous system

    def history(self, stats: Statistics, hall: str, before: str) -> ArrivalHistory:
        """Past days' arrivals: what the statistics counted, plus imported days it lacks."""
        days = sorted(d for h, d in stats.cells if h == hall and d < before)
        counted = ArrivalHistory.from_statistics(stats, hall, days)
        if self.extra_history is None:
            return counted
        known = set(days)
        extra = [
            c
            for c in self.extra_history.counts
            if c.day.isoformat() not in known and c.day.isoformat() < before
        ]
        return ArrivalHistory.of([*counted.counts, *extra])

    def request(
        self,
        *,
        spec: HallSpec,
        settings: SchedulerSettings,
        day: HallDay,
        stats: Statistics,
        inputs: PlanInputs,
        now: datetime,
        trigger: Trigger,
        calendar: Calendar | None = None,
        closed: tuple[int, tuple[str, ...]] | None = None,
        bookings: Sequence[tuple[str, datetime]] = (),
    ) -> PlanRequest:
        """Read what a plan needs at `now` (on the thread that folds the read models)."""
        local = now.astimezone(ZoneInfo(spec.timezone))
        current = local_slot(local)
        actuals: dict[tuple[str, str], int] = {}
        buckets = []
        for row in stats.rows(spec.id, day.day):
            if row["arrivals"]:
                buckets.append(row["bucket"])
            if row["bucket"] < current and row["arrivals"]:
                key = (row["service"], row["bucket"])
                actuals[key] = actuals.get(key, 0) + int(row["arrivals"])
        snapshot = snapshot_from_day(
            spec, day, now=now, settings=settings.plan,
            last_switch=inputs.last_switch(day.hall_id, day.day),
        )  # fmt: skip
        return PlanRequest(
            spec=spec,
            settings=settings,
            snapshot=snapshot,
            history=self.history(stats, spec.id, day.day),
            # Counted from the day's first arrival: a server started at noon (or a hall
            # opened late) has not seen a morning without residents.
            actuals=IntradayActuals(until=current, counts=actuals, since=min(buckets))
            if buckets
            else None,  # nobody yet: no evidence either way
            now=now,
            trigger=trigger,
            calendar=calendar or Calendar(),
            day=day.day,
            closed=closed,
            booked=Counter(
                (service, local_slot(start.astimezone(local.tzinfo))) for service, start in bookings
            ),
        )

    def solve(self, r: PlanRequest) -> ProposedPlan:
        """Forecast the horizon and plan it (pure: safe in a worker thread). After a
        window closed (`r.closed`: it and the services it had) the instant re-plan hands
        those services over; otherwise the optimiser re-plans every open window."""
        rates, by_slot = forecast_rates(r)
        snapshot = replace(
            r.snapshot,
            services=tuple(
                replace(s, forecast_per_hour=rates.get(s.id, 0.0)) for s in r.snapshot.services
            ),
        )
        if r.closed is not None:
            result = replan_after_close(
                _with_closed(r.spec, snapshot, *r.closed), r.closed[0], now=r.now
            )
        else:
            result = plan(snapshot, now=r.now, time_limit_s=r.settings.time_limit_s)
        return ProposedPlan(
            id=uuid.uuid4().hex[:12],
            hall=r.spec.id,
            day=r.day,
            made_at=r.now,
            trigger=r.trigger,
            plan=result,
            forecast_per_hour=rates,
            forecast_by_slot=by_slot,
            status="pending" if result.changes else "empty",
        )

    def propose(self, **kwargs: Any) -> ProposedPlan:
        """`request` and `solve` in one go (for `hallq plan`, which has nothing else running)."""
        return self.solve(self.request(**kwargs))


def forecast_rates(r: PlanRequest) -> tuple[dict[str, float], dict[str, float]]:
    """Expected arrivals per hour per service over the plan's horizon, and expected
    arrivals in the whole hall per 15-minute slot of the rest of the day (what the live
    loop compares the actual arrivals with), from the history and today's arrivals so far."""
    horizon = r.settings.plan.horizon_min
    local = r.now.astimezone(ZoneInfo(r.spec.timezone))
    expected = forecast(
        r.history,
        day=local.date(),
        services=[s.id for s in r.spec.services],
        calendar=r.calendar,
        actuals_so_far=r.actuals,
    )
    # Bookings are arrivals known in advance: a quarter hour expects at least them.
    values = dict(expected.expected)
    for key, count in r.booked.items():
        values[key] = max(values.get(key, 0.0), float(count))
    start, end = local_slot(local), local_slot(local + timedelta(minutes=horizon))
    rates: dict[str, float] = {}
    by_slot: dict[str, float] = {}
    for (service, slot), value in values.items():
        if start <= slot < end:  # halls close long before midnight: no wrap-around
            rates[service] = rates.get(service, 0.0) + value
        if slot >= start:
            by_slot[slot] = by_slot.get(slot, 0.0) + value
    return {s: v * 60 / horizon for s, v in rates.items()}, by_slot


def _with_closed(
    spec: HallSpec, snapshot: PlanSnapshot, window: int, services: tuple[str, ...]
) -> PlanSnapshot:
    """The snapshot as it was just before `window` closed: the fast path's input."""
    skills = spec.window(window).skills
    gone = WindowState(window, skills, tuple(s for s in services if s in skills))
    others = tuple(w for w in snapshot.windows if w.number != window)
    return replace(snapshot, windows=(*others, gone))


__all__ = ["MANUAL", "PlanRequest", "Planner", "ProposedPlan", "Trigger", "plan_to_dict"]
