"""A whole load test against a running hallq: prepare the hall, warm up, ramp the steps,
tidy up.

Bounded in time: setup has timeouts, each step lasts `step_seconds` plus a short drain,
and the ramp stops once two steps in a row are past the knee (unless told otherwise). A short
warm-up at the first step's rate comes first, unmeasured: new connections and cold
caches belong to no step.
"""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulations.loadtest_audience import Audience
from simulations.loadtest_cpu import CpuMeter, shares
from simulations.loadtest_drivers import Step, kiosks, windows
from simulations.loadtest_hall import Hall, issue_backlog, prepare, tidy
from simulations.loadtest_ledger import WARM_UP, Ledger
from simulations.loadtest_metrics import knee_reasons, step_figures
from simulations.loadtest_plan import LoadPlan
from simulations.loadtest_procs import log, sleep_until
from simulations.loadtest_progress import step_done, step_started, ticking
from simulations.loadtest_result import assemble
from simulations.loadtest_sources import Sources
from simulations.loadtest_target import parse_target
from simulations.loadtest_timeline import timeline

LEAD_NS = 100_000_000  # a step's first request leaves this long after it is planned
WARM_UP_S = 2.0


@dataclass
class Run:
    plan: LoadPlan
    sources: Sources
    hall: Hall
    ledger: Ledger = field(default_factory=Ledger)
    steps: list[Step] = field(default_factory=list)
    cpu: list[dict[str, float | None]] = field(default_factory=list)  # per step

    def next_step(self, index: int, seconds: float) -> Step:
        k = max(index, 0)
        start = time.monotonic_ns() + LEAD_NS
        return Step(index, self.plan.steps[k], self.plan.rate(k), start, start + int(seconds * 1e9))


async def drive(run: Run, audience: Audience, step: Step) -> None:
    """Kiosks and windows at the step's rate until its end, then the drain."""
    ticker = asyncio.create_task(ticking(step, run.ledger))
    try:
        await asyncio.gather(
            kiosks(run.sources, run.ledger, run.hall, step, run.plan.kiosks(), audience.offer),
            windows(run.sources, run.ledger, run.hall, step),
        )
    finally:
        ticker.cancel()
    await sleep_until(step.end_ns + int(run.plan.drain_s * 1e9))


async def run_step(run: Run, audience: Audience, meter: CpuMeter, k: int) -> dict[str, Any]:
    step = run.next_step(k, run.plan.step_seconds)
    run.steps.append(step)
    step_started(step, len(run.plan.steps))
    before = meter.read()
    await drive(run, audience, step)
    run.cpu.append(shares(before, meter.read(), step.seconds + run.plan.drain_s))
    await audience.flush()
    figures = figures_of(run, audience, k)
    step_done(figures)
    return figures


def figures_of(run: Run, audience: Audience, k: int) -> dict[str, Any]:
    drain = int(run.plan.drain_s * 1e9)
    figures = step_figures(run.steps[k], run.ledger, audience.receipts, audience.screens, drain)
    figures.update(run.cpu[k])
    figures["knee_reasons"] = knee_reasons(figures, run.plan.p99_limit_ms)
    return figures


async def ramp(run: Run, audience: Audience) -> list[dict[str, Any]]:
    log(f"预热 warming up: {WARM_UP_S:g} s")
    await drive(run, audience, run.next_step(WARM_UP, min(WARM_UP_S, run.plan.step_seconds)))
    meter = CpuMeter(run.plan.server_pid, audience.child.pid)
    troubled = 0  # steps past the knee in a row: two confirm it
    for k in range(len(run.plan.steps)):
        figures = await run_step(run, audience, meter, k)
        troubled = troubled + 1 if figures["knee_reasons"] else 0
        if troubled >= 2 and run.plan.stop_at_knee:
            break
    await asyncio.sleep(run.plan.drain_s)
    await audience.flush()  # late arrivals of the last steps count too
    return [figures_of(run, audience, k) for k in range(len(run.steps))]


async def load_test(plan: LoadPlan, folder: Path) -> dict[str, Any]:
    target = parse_target(plan.url)
    started = datetime.now(UTC)
    run = Run(plan, Sources(target), Hall(plan.hall, secrets.token_hex(4)))
    try:
        log(f"压测目标 target {target.http} · 大厅 hall {plan.hall}")
        await prepare(run.sources, run.ledger, plan, run.hall)
        log(f"{len(run.hall.services)} 个窗口就绪 windows ready ({len(run.hall.opened)} opened)")
        count = plan.backlog(len(run.hall.services))
        tokens = await issue_backlog(run.sources, run.ledger, run.hall, count)
        log(f"已取号 issued {len(tokens)} of {count} tickets for phones and the queue")
        audience = await Audience.start(target, plan, tokens, folder)
        log(
            f"{audience.phones} 部手机、{audience.screens} 块大屏已订阅 phones and screens"
            f" subscribed ({audience.failed} failed)"
        )
        try:
            steps = await ramp(run, audience)
        finally:
            await audience.close()
        log("收尾 tidying up: 取消未叫的号 cancelling uncalled tickets, 关窗 closing windows")
        await asyncio.wait_for(tidy(run.sources, run.ledger, run.hall), 120)
    finally:
        await run.sources.close()
    result = assemble(plan, target.http, started, run.hall, audience, steps, run.ledger, machine())
    result["timeline"] = timeline(run.steps, run.ledger, audience.receipts)
    return result


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    }


def run_load_test(plan: LoadPlan) -> dict[str, Any]:
    """Run `plan` to the end; its JSON figures (see `simulations.loadtest_result`)."""
    with tempfile.TemporaryDirectory(prefix="hallq-loadtest-") as tmp:
        return asyncio.run(load_test(plan, Path(tmp)))
