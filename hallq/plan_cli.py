"""`hallq plan --hall H [--json]`: the plan the scheduler would make now, from the store."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from hallq.settings import Settings


def add_plan_parser(sub: Any) -> None:
    p = sub.add_parser("plan", help="the window plan for the live state now 当前窗口调度方案")
    p.add_argument("--hall", default="south-axis")
    p.add_argument("--db", help="SQLite file (default: $HALLQ_DB or hallq.sqlite3)")
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.add_argument(
        "--at", help="plan as of this moment (ISO 8601 with offset), e.g. a replayed day's 10:30"
    )
    p.set_defaults(func=cmd_plan)


def cmd_plan(args: argparse.Namespace) -> int:
    # Imported here: OR-Tools and the read models are heavy for every other command.
    from hallq.bootstrap import build_application
    from hallq.live import ReadModels
    from hallq.planning import planner_for
    from projections.follower import LogFollower
    from queue_core.hall_day import HallDay
    from scheduler.planner import MANUAL, plan_to_dict
    from scheduler.settings import planning_of

    settings = Settings.from_env()
    if args.db:
        settings = replace(settings, store="sqlite", db_path=Path(args.db))
    clock = None
    if args.at:
        from datetime import datetime

        from queue_core.ports import ManualClock

        at = datetime.fromisoformat(args.at)
        if at.tzinfo is None:
            print("✗ --at 须带时区 / --at needs an offset, e.g. +08:00", file=sys.stderr)
            return 2
        clock = ManualClock(at)
    app = build_application(settings, clock)
    try:
        models = ReadModels.for_app(app)
        print("读取事件 reading the event log …", file=sys.stderr)
        LogFollower(app, models.all()).catch_up()
        now = app.clock.now()
        day = app.day_of(args.hall, now)
        scheduling, calendar = planning_of(app.hall_document(args.hall))
        proposed = planner_for(settings).propose(
            spec=app.hall_spec(args.hall),
            settings=scheduling,
            day=models.board.shadow.get(args.hall, day) or HallDay.start(args.hall, day),
            stats=models.stats,
            inputs=models.plan_inputs,
            now=now,
            trigger=MANUAL,
            calendar=calendar,
        )
    finally:
        app.close()
    data = plan_to_dict(proposed)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(render(data))
    return 0


def render(plan: dict[str, Any]) -> str:
    """The plan as lines a supervisor reads: one change per line, then the waits."""
    solver = plan["solver"]
    lines = [
        f"{plan['hall']} {plan['day']} · 方案 plan {plan['id']} · {solver['status']} "
        f"in {solver['solve_ms']:.0f} ms",
    ]
    if not plan["changes"]:
        lines.append("无需调整 no change: the current assignment is the best found")
    for c in plan["changes"]:
        before, after = ", ".join(c["before"]) or "—", ", ".join(c["after"]) or "—"
        lines.append(f"  {c['window']:>3} 号窗口 window: {before} → {after}")
        lines.append(f"      {c['reason_zh']}")
        lines.append(f"      {c['reason_en']}")
    waits = plan["wait_before_min"]
    if waits:
        lines.append("预计等待 expected wait (min): before → after")
        for service, before in sorted(waits.items()):
            after = plan["wait_after_min"].get(service)
            lines.append(f"  {service:<28} {_fmt(before):>6} → {_fmt(after):>6}")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "∞" if value is None else f"{value:.1f}"
