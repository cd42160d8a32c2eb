"""Live progress of a load test on stderr: each step, its offered and achieved rates, p99."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from simulations.loadtest_drivers import Step
from simulations.loadtest_ledger import IDLE, OK, Ledger
from simulations.loadtest_metrics import COMMANDS
from simulations.loadtest_procs import log
from simulations.loadtest_records import percentile

TICK_S = 2.0


def so_far(step: Step, ledger: Ledger) -> str:
    """This step until now: achieved rates, the commands' p99, errors."""
    elapsed = max((time.monotonic_ns() - step.start_ns) / 1e9, 1e-3)
    sent = ledger.of_step(step.index)
    ok = [s for s in sent if s.outcome in (OK, IDLE)]
    tickets = sum(1 for s in ok if s.kind == "issue") / elapsed
    calls = sum(1 for s in ok if s.kind == "call-next") / elapsed
    p99 = percentile([s.ms for s in ok if s.kind in COMMANDS], 99)
    errors = len(sent) - len(ok)
    return (
        f"取号 tickets {tickets:.1f}/s · 叫号 calls {calls:.1f}/s · "
        f"命令 command p99 {p99:.1f} ms · 错误 errors {errors}"
    )


async def ticking(step: Step, ledger: Ledger) -> None:
    """Every few seconds of a step, a line of how it goes (cancelled at its end)."""
    while True:
        await asyncio.sleep(TICK_S)
        seconds = (time.monotonic_ns() - step.start_ns) / 1e9
        log(f"  {seconds:4.0f} s: {so_far(step, ledger)}")


def step_started(step: Step, total: int) -> None:
    log(
        f"第 {step.index + 1}/{total} 步 step ×{step.multiplier:g}: 提供 offered"
        f" {step.rate_per_s:g} 取号/s tickets + {step.rate_per_s:g} 叫号/s calls,"
        f" {step.seconds:g} s"
    )


def ms(latency: dict[str, Any]) -> str:
    return "–" if latency["p99_ms"] is None else f"{latency['p99_ms']:.1f} ms"


def step_done(figures: dict[str, Any]) -> None:
    worst = max((c["p99_ms"] or 0.0 for c in figures["commands"].values()), default=0.0)
    cpu, others = figures.get("server_cpu_share"), figures.get("others_cpu_share")
    log(
        f"  → 大屏 screen p99 {ms(figures['call_to_screen'])} · 手机 phone p99"
        f" {ms(figures['call_to_phone'])} · 命令 command p99 {worst:.1f} ms ·"
        f" 叫号 calls {figures['achieved_calls_per_s']:.1f}/s · 错误 errors {figures['errors']}"
        + (f" · 服务器 server CPU {cpu * 100:.0f} %" if cpu is not None else "")
        + (f" · 其他进程 others {others * 100:.0f} %" if others is not None else "")
    )
    for reason in figures["knee_reasons"]:
        log(f"  ! {reason}")
