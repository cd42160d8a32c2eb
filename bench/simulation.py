"""Simulation benchmark: simulated hall-days per second through the real core, against a
bare SimPy model of the same days.

Both run the reference weekday (`south-axis-weekday`, about 2,900 tickets) under the
`fallback` policy with the same residents and the same SimPy actors
(`simulations.engine`); ours applies every command to the core's `HallDay` and folds the
day's events into its figures, the baseline (`bench.simulation_bare`) keeps plain queues.
The two alternate day by day, each day run `REPEATS` times, and a rate is one over the
median time of a day. The machine's two cores are shared with other work, so the rates
are also given in CPU time of this (single-threaded) process, with the load average
at the end of the run: wall rates fall as the neighbours' load rises, CPU rates much less.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import time
from datetime import date
from typing import Any

from bench.simulation_bare import BareHall
from queue_core.hall_spec import hall_spec_from_mapping
from queue_core.vocabulary import Lane
from simulations.days import day_seeds, open_days
from simulations.engine import HallDaySimulation
from simulations.metrics import day_figures
from simulations.policies import policy_document
from simulations.residents import Resident, draw_day
from simulations.runner import midnight_of, simulate_day
from simulations.scenario import Scenario, day_type_of
from simulations.scenario_toml import load_scenario

SCENARIO = "south-axis-weekday"
POLICY = "fallback"
SEED = 2026


def weekdays(scenario: Scenario, count: int) -> list[tuple[date, list[Resident]]]:
    spec = hall_spec_from_mapping(scenario.hall)
    days = [d for d in open_days(scenario, count * 2) if day_type_of(d) == "weekday"][:count]
    seeds = day_seeds(random.Random(SEED), len(days))
    return [
        (d, draw_day(scenario, spec, d, random.Random(s))) for d, s in zip(days, seeds, strict=True)
    ]


Timing = tuple[float, float]  # (wall seconds, CPU seconds of this process)


def clocks() -> Timing:
    return time.perf_counter(), time.process_time()


def since(start: Timing) -> Timing:
    wall, cpu = clocks()
    return wall - start[0], cpu - start[1]


def ours(scenario: Scenario, day: date, residents: list[Resident]) -> tuple[Timing, float, int]:
    """(time, mean wait, commands) of one day through the core, figures included."""
    started = clocks()
    hall, record = simulate_day(scenario, POLICY, day, residents)
    mean = day_figures(record, list(Lane))["mean_wait_min"] or 0.0
    return since(started), mean, hall.commands


def bare(scenario: Scenario, day: date, residents: list[Resident]) -> tuple[Timing, float]:
    """(time, mean wait) of the same day with plain queues."""
    started = clocks()
    spec = hall_spec_from_mapping(policy_document(POLICY, scenario.hall))
    hall = BareHall(spec, midnight_of(day, spec))
    HallDaySimulation(hall, spec, scenario, day_type_of(day), residents).run()  # type: ignore[arg-type]
    mean = statistics.fmean(hall.waits) if hall.waits else 0.0
    return since(started), mean


def per_s(timings: list[Timing], which: int) -> float:
    """Days per second: one over the median day."""
    return 1 / statistics.median(t[which] for t in timings)


REPEATS = 3


def run(quick: bool = False) -> dict[str, Any]:
    scenario = load_scenario(SCENARIO)
    days = weekdays(scenario, 2 if quick else 6)
    ours(scenario, *days[0])  # warm up imports and caches, untimed
    core, base, waits, bare_waits, commands = [], [], [], [], []
    for day, residents in days:
        for _ in range(REPEATS):
            gc.collect()
            seconds, wait, n = ours(scenario, day, residents)
            core.append(seconds)
            gc.collect()
            seconds, bare_wait = bare(scenario, day, residents)
            base.append(seconds)
        waits.append(wait)
        bare_waits.append(bare_wait)
        commands.append(n)
    ours_rate, bare_rate = per_s(core, 0), per_s(base, 0)
    return {
        "sim_days_per_s": ours_rate,
        "bare_sim_days_per_s": bare_rate,
        "overhead_ratio": bare_rate / ours_rate,
        # CPU time of this process: what the rates would be with the machine to itself.
        "sim_days_per_s_cpu": per_s(core, 1),
        "bare_sim_days_per_s_cpu": per_s(base, 1),
        "load_average_1min": os.getloadavg()[0],
        "tickets_per_day": statistics.fmean(len(r) for _, r in days),
        "commands_per_day": statistics.fmean(commands),
        "core_commands_per_s": statistics.fmean(commands) * ours_rate,
        "mean_wait_min": statistics.fmean(waits),
        "bare_mean_wait_min": statistics.fmean(bare_waits),
        "days": len(days),
        "repeats": REPEATS,
    }


TARGETS = {"sim_days_per_s": ">= 2", "overhead_ratio": "<= 10"}
