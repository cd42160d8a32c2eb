"""Scheduler benchmark: how fast the optimiser plans, and how far from the best plan.

For 30 seeded random halls (`bench/scheduler_instances.py`) at each size (windows ×
services), `scheduler.optimiser.plan` runs as the live loop runs it (its default time
limit and work budget, one search worker); its wall time, model building included, gives
p50/p95 per size. The optimality gap compares each plan's objective with the same model
solved offline with a long limit and two workers, on the first `GAP_INSTANCES` halls of
each size (long solves on all 90 would take a quarter of an hour):
gap = (plan − best) / best, where best is the better of the two.

The fast path (`scheduler.fast_replan.replan_after_close`) is timed on every hall, closing
a window that serves something and is not mid-service.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from typing import Any

from bench.scheduler_instances import NOW, instance
from scheduler.fast_replan import replan_after_close
from scheduler.optimiser import plan
from scheduler.snapshot import PlanSnapshot

SIZES = ((40, 32), (80, 60), (150, 100))
INSTANCES = 30
GAP_INSTANCES = 12
LONG_LIMIT_S = 10.0
TARGETS = {
    "p95_ms_40x32": "<= 200",
    "p95_ms_150x100": "<= 1000",
    "max_gap_pct": "<= 1",
    "fast_path_p95_ms": "<= 10",
}


def percentile(values: list[float], q: float) -> float:
    """The q-quantile by linear interpolation between closest ranks."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _gap_pct(snapshot: PlanSnapshot, objective: float, long_limit_s: float) -> float:
    offline = plan(snapshot, now=NOW, time_limit_s=long_limit_s, search_work=math.inf, workers=2)
    best = min(objective, offline.objective)
    return 100 * (objective - best) / best if best > 0 else 0.0


def _fast_path_ms(snapshot: PlanSnapshot, seed: int) -> float:
    closable = [w for w in snapshot.windows if w.services and not w.busy]
    closing = random.Random(seed).choice(closable)
    started = time.perf_counter()
    replan_after_close(snapshot, closing.number, now=NOW)
    return (time.perf_counter() - started) * 1000


def run_size(
    windows: int, services: int, instances: int, gaps: int, long_s: float
) -> dict[str, Any]:
    times, gap_pcts, fast, statuses = [], [], [], []
    for seed in range(instances):
        snapshot = instance(windows, services, seed)
        started = time.perf_counter()
        result = plan(snapshot, now=NOW)
        times.append((time.perf_counter() - started) * 1000)
        statuses.append(result.status.value)
        fast.append(_fast_path_ms(snapshot, seed))
        if seed < gaps:
            gap_pcts.append(_gap_pct(snapshot, result.objective, long_s))
        _progress(f"{windows}x{services} #{seed}: {times[-1]:.0f} ms, {result.status.value}, "
                  f"{result.switches} switches" + (f", gap {gap_pcts[-1]:.3f} %" if seed < gaps else ""))  # fmt: skip
    return {
        "times": times,
        "gaps": gap_pcts,
        "fast": fast,
        "optimal_share": statuses.count("optimal") / len(statuses),
    }


def run(quick: bool = False) -> dict[str, Any]:
    instances, gaps, long_s = (5, 2, 1.0) if quick else (INSTANCES, GAP_INSTANCES, LONG_LIMIT_S)
    figures: dict[str, Any] = {}
    all_gaps: list[float] = []
    all_fast: list[float] = []
    for windows, services in SIZES:
        size = run_size(windows, services, instances, gaps, long_s)
        tag = f"{windows}x{services}"
        figures[f"p50_ms_{tag}"] = statistics.median(size["times"])
        figures[f"p95_ms_{tag}"] = percentile(size["times"], 0.95)
        figures[f"max_gap_pct_{tag}"] = max(size["gaps"])
        figures[f"proven_optimal_share_{tag}"] = size["optimal_share"]
        all_gaps += size["gaps"]
        all_fast += size["fast"]
    figures["max_gap_pct"] = max(all_gaps)
    figures["mean_gap_pct"] = statistics.mean(all_gaps)
    figures["fast_path_p50_ms"] = statistics.median(all_fast)
    figures["fast_path_p95_ms"] = percentile(all_fast, 0.95)
    figures["instances_per_size"] = instances
    figures["gap_instances_per_size"] = gaps
    figures["long_limit_s"] = long_s
    return figures
