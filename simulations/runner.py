"""Paired replications: the same residents of each day under every policy.

`run_simulation` draws each day's residents once (from the day's own seed), then
simulates that day under each policy through the real core and folds the core's events
into the day's record. Only the figures of every day are kept; whole records (queues over
the day, busy spans) only for the first few days, which the report draws.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from queue_core.hall_spec import HallSpec, hall_spec_from_mapping
from queue_core.vocabulary import Lane
from simulations.core_hall import ApplicationHall, CoreHall
from simulations.day_record import DayRecord, fold_day
from simulations.days import day_seeds, open_days
from simulations.engine import HallDaySimulation
from simulations.metrics import OVERALL, REASSIGNMENTS, day_figures, littles_law, summarise
from simulations.policies import Replanner, policy_document
from simulations.residents import Resident, draw_day
from simulations.scenario import Scenario, day_type_of

KEEP_RECORDS = 5  # whole day records kept per policy, for the report's plots
Progress = Callable[[int, int, str], None]  # (done, total, policy) after each policy-day


@dataclass
class PolicyRun:
    policy: str
    figures: list[dict[str, dict[str, float | None]]] = field(default_factory=list)  # per day
    records: list[DayRecord] = field(default_factory=list)  # the first KEEP_RECORDS days
    little: list[dict[str, float]] = field(default_factory=list)  # per day
    seconds: float = 0.0  # wall time simulating and folding this policy's days

    def summary(self, seed: int) -> dict[str, Any]:
        lanes = {k for day in self.figures for k in day if k != OVERALL}
        days = len(self.figures)
        return {
            OVERALL: summarise(day[OVERALL] for day in self.figures),
            "lanes": {k: summarise(d[k] for d in self.figures if k in d) for k in sorted(lanes)},
            "tickets": int(sum(day[OVERALL]["tickets"] or 0 for day in self.figures)),
            "days": days,
            "seed": seed,
            "sim_days_per_s": round(days / self.seconds, 3) if self.seconds else None,
            "littles_law_max_gap": max((_gap(x) for x in self.little), default=0.0),
        }


@dataclass
class SimulationResult:
    scenario: Scenario
    seed: int
    dates: list[date]
    runs: dict[str, PolicyRun]
    arrivals: list[list[Resident]] = field(default_factory=list)  # kept when asked for

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "title_zh": self.scenario.title_zh,
            "title_en": self.scenario.title_en,
            "days": len(self.dates),
            "seed": self.seed,
            "first_date": self.dates[0].isoformat() if self.dates else None,
            "policies": {p: run.summary(self.seed) for p, run in self.runs.items()},
        }


def _gap(little: dict[str, float]) -> float:
    """|L − λW| relative to L: Little's law's miss on one day."""
    return abs(little["L"] - little["lambda_per_min"] * little["W_min"]) / max(little["L"], 1e-12)


def midnight_of(day: date, spec: HallSpec) -> datetime:
    return datetime.combine(day, clock_time(0), tzinfo=ZoneInfo(spec.timezone))


def simulate_day(
    scenario: Scenario,
    policy: str,
    day: date,
    residents: list[Resident],
    *,
    via_application: bool = False,
    probe: bool = False,
    replanner: Replanner | None = None,
) -> tuple[CoreHall, DayRecord]:
    """One policy's day through the real core; the hall (with its events) and the record."""
    document = policy_document(policy, scenario.hall)
    spec = hall_spec_from_mapping(document)
    midnight = midnight_of(day, spec)
    hall = (
        ApplicationHall(document, day.isoformat(), midnight, probe=probe)
        if via_application
        else CoreHall(spec, day.isoformat(), midnight, probe=probe)
    )
    if policy == "dynamic" and replanner is None:
        replanner = dynamic_replanner(scenario, day)
    with collection_paused():
        HallDaySimulation(hall, hall.spec, scenario, day_type_of(day), residents, replanner).run()
    warm = scenario.hours[day_type_of(day)].open_min + scenario.warmup_min
    return hall, fold_day(hall.events(), midnight, warm)


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a day runs: the day's events stay alive to its
    end anyway, and the collector's passes over them cost about a twentieth of a day."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def dynamic_replanner(scenario: Scenario, day: date) -> Replanner:
    from simulations.replanning import OptimiserReplanner  # OR-Tools: loaded only when used

    return OptimiserReplanner(scenario, day_type_of(day))


def run_simulation(
    scenario: Scenario,
    policies: Sequence[str],
    days: int,
    seed: int,
    *,
    progress: Progress | None = None,
    keep_arrivals: bool = False,
    via_application: bool = False,
) -> SimulationResult:
    """Simulate `days` open days under each policy, the same residents for every policy."""
    spec = hall_spec_from_mapping(scenario.hall)
    dates = open_days(scenario, days)
    seeds = day_seeds(random.Random(seed), days)
    result = SimulationResult(scenario, seed, dates, {p: PolicyRun(p) for p in policies})
    done = 0
    for index, (day, day_seed) in enumerate(zip(dates, seeds, strict=True)):
        residents = draw_day(scenario, spec, day, random.Random(day_seed))
        if keep_arrivals:
            result.arrivals.append(residents)
        for policy in policies:
            run = result.runs[policy]
            started = time.perf_counter()
            _, record = simulate_day(scenario, policy, day, residents, via_application=via_application)  # fmt: skip
            run.figures.append(_day_figures(record))
            run.seconds += time.perf_counter() - started
            run.little.append(littles_law(record))
            if index < KEEP_RECORDS:
                run.records.append(record)
            done += 1
            if progress is not None:
                progress(done, days * len(policies), policy)
    return result


def _day_figures(record: DayRecord) -> dict[str, dict[str, float | None]]:
    overall = {**day_figures(record, list(Lane)), REASSIGNMENTS: float(record.assignments)}
    figures = {OVERALL: overall}
    figures.update(
        {lane.value: day_figures(record, [lane]) for lane in Lane if record.issued[lane]}
    )
    return figures
