"""`hallq loadtest --url http://127.0.0.1:8080 [--hall H] [--phones N] [--screens M]
[--rate R] [--steps 1,2,4,8] [--step-seconds S] [--user U --password P] [--json OUT]
[--report DIR]`: load a running hallq on loopback, step by step, and find the knee.

Staff: one existing staff account signs in and works every window (a staff token may act
on any window). The defaults are the account `hallq demo` creates (staff /
staff-demo-1), so `hallq demo` in one terminal and `hallq loadtest` in another just work;
against `hallq serve`, create one first: `hallq user add loadtest --role staff`.
The composition root adds the command with `add_loadtest_parser(subparsers)`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from simulations.loadtest_plan import DEMO_PASSWORD, DEMO_USER, LoadPlan, LoadTestError, parse_steps
from simulations.loadtest_target import parse_target


def add_loadtest_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `loadtest` to the `hallq` command line's subparsers."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "loadtest", help="load-test a running server on loopback 本机压测"
    )
    p.add_argument("--url", default="http://127.0.0.1:8080", help="the server (loopback only)")
    p.add_argument("--hall", default="south-axis")
    p.add_argument("--phones", type=int, default=200, help="phones following tickets 手机数")
    p.add_argument("--screens", type=int, default=10, help="hall screens 大屏数")
    p.add_argument("--windows", type=int, default=0, help="windows calling (0: all) 窗口数")
    p.add_argument("--rate", type=float, default=2.0, help="calls/s and tickets/s at ×1")
    p.add_argument("--steps", default="1,2,4,8", help="rate multipliers, one step each")
    p.add_argument("--step-seconds", type=float, default=10.0)
    p.add_argument("--p99-ms", type=float, default=100.0, help="knee: a p99 above this")
    p.add_argument("--all-steps", action="store_true", help="go on after two steps past the knee")
    p.add_argument("--user", default=DEMO_USER, help=f"staff account (default {DEMO_USER})")
    p.add_argument("--password", default=DEMO_PASSWORD, help="its password")
    p.add_argument("--server-pid", type=int, help="the server's pid, to report its CPU share")
    p.add_argument("--json", help="write the figures here")
    p.add_argument("--report", help="write index.html, loadtest.json and plots here")
    p.set_defaults(func=cmd_loadtest)
    return p


def plan_of(args: argparse.Namespace) -> LoadPlan:
    """The plan the arguments ask for; `ValueError` (zh/en) for impossible ones."""
    parse_target(args.url)
    if args.phones < 0 or args.screens < 0 or args.windows < 0:
        raise ValueError("数量不能为负 / counts cannot be negative")
    if not (args.rate > 0 and args.step_seconds > 0 and args.p99_ms > 0):
        raise ValueError(
            "速率、时长和阈值须为正 / rate, step seconds and p99 limit must be positive"
        )
    return LoadPlan(
        url=args.url, hall=args.hall, phones=args.phones, screens=args.screens,
        windows=args.windows, rate_per_s=args.rate, steps=parse_steps(args.steps),
        step_seconds=args.step_seconds, p99_limit_ms=args.p99_ms, user=args.user,
        password=args.password, stop_at_knee=not args.all_steps, server_pid=args.server_pid,
    )  # fmt: skip


def shown(ms: float | None, width: int) -> str:
    return f"{'–' if ms is None else f'{ms:.1f} ms':>{width}}"


def table(result: dict[str, Any]) -> str:
    """The steps as a plain table for the terminal, and the knee."""
    lines = [
        "步 step  ×   叫号/s offered→done   大屏 screen p99   手机 phone p99   命令 cmd p99   错误 errors"
    ]
    for s in result["steps"]:
        worst = max((c["p99_ms"] or 0.0 for c in s["commands"].values()), default=0.0)
        lines.append(
            f"{s['step']:>7} {s['multiplier']:>3g}   {s['offered_calls_per_s']:>8.1f} → {s['achieved_calls_per_s']:<6.1f}"
            f"   {shown(s['call_to_screen']['p99_ms'], 15)}   {shown(s['call_to_phone']['p99_ms'], 14)}"
            f"   {shown(worst, 12)}   {s['errors']:>6}"
        )  # fmt: skip
    knee = result["knee"]
    if knee is None:
        lines.append("未见拐点 no knee within the steps run")
    else:
        rate = f"×{knee['multiplier']:g} ({knee['offered_calls_per_s']:g} calls/s)"
        lines.append(f"拐点 knee: 第 {knee['step']} 步 step {rate}: " + "; ".join(knee["reasons"]))
    return "\n".join(lines)


def cmd_loadtest(args: argparse.Namespace) -> int:
    from simulations.loadtest_report import write_report
    from simulations.loadtest_run import run_load_test

    try:
        plan = plan_of(args)  # NotLoopback is a ValueError too
    except ValueError as error:
        print(f"✗ {error}", file=sys.stderr)
        return 2
    try:
        result = run_load_test(plan)
    except LoadTestError as error:
        print(f"✗ {error}", file=sys.stderr)
        return 1
    print(table(result))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(f"已写入 written: {args.json}")
    if args.report:
        print(f"报告 report: {write_report(result, Path(args.report))}")
    return 0
