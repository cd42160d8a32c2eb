"""`hallq simulate SCENARIO --policy P[,P2…] --days N --seed S [--json OUT] [--report DIR]
[--arrivals-out CSV]`: replay days through the real core and compare policies.

The composition root adds the command with `add_simulate_parser(subparsers)`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from simulations.policies import POLICIES, UnknownPolicy, parse_policies
from simulations.scenario_fields import ScenarioError
from simulations.scenario_toml import load_scenario, scenario_names

if TYPE_CHECKING:
    from simulations.runner import SimulationResult

LANES_ZH = {
    "overall": "全部 all",
    "green": "绿色 green",
    "yellow": "黄色 yellow",
    "blue": "普通 blue",
}


class ProgressBar:
    """Policy-days done, total and rate on stderr: redrawn in place on a terminal, a
    line per tenth of the run otherwise (logs stay readable)."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.started, self.shown = out, time.perf_counter(), -1
        self.live = out.isatty()

    def __call__(self, done: int, total: int, policy: str) -> None:
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        tenth = done * 10 // total
        if not self.live and tenth == self.shown:
            return
        self.shown = tenth
        bar = "#" * (done * 24 // total)
        line = f"模拟 simulating [{bar:<24}] {done}/{total} 天·策略 policy-days  {rate:.2f}/s  {policy}"
        self.out.write(f"\r{line}" if self.live else f"{line}\n")
        if self.live and done == total:
            self.out.write("\n")
        self.out.flush()


def add_simulate_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `simulate` to the `hallq` command line's subparsers."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "simulate", help="replay simulated days through the real core 仿真模拟"
    )
    p.add_argument(
        "scenario", help=f"a shipped scenario ({', '.join(scenario_names())}) or a TOML path"
    )
    p.add_argument(
        "--policy", default="fallback", help=f"one or more of {','.join(POLICIES)}, comma-separated"
    )
    p.add_argument("--days", type=int, default=10, help="open days to simulate (default 10)")
    p.add_argument("--seed", type=int, default=1, help="the run's seed: same seed, same result")
    p.add_argument("--json", type=Path, help="write the figures as JSON here")
    p.add_argument("--report", type=Path, help="write an HTML report (index.html) into this folder")
    p.add_argument("--arrivals-out", type=Path, help="write the days' arrivals as CSV here")
    p.add_argument("--via-application", action="store_true", help="every command through HallqApplication (slower)")  # fmt: skip
    p.set_defaults(func=cmd_simulate)
    return p


def cmd_simulate(args: argparse.Namespace) -> int:
    from simulations.runner import run_simulation  # SimPy, NumPy: only when simulating

    try:
        scenario = load_scenario(args.scenario)
        policies = parse_policies(args.policy)
        if args.days < 1:
            raise ValueError("--days must be at least 1 / 天数至少为 1")
        result = run_simulation(
            scenario, policies, args.days, args.seed,
            progress=ProgressBar(sys.stderr),
            keep_arrivals=args.arrivals_out is not None,
            via_application=args.via_application,
        )  # fmt: skip
    except ScenarioError as error:
        print(f"✗ {error.message_zh}\n  {error.message_en}", file=sys.stderr)
        return 2
    except (UnknownPolicy, ValueError, ImportError) as error:
        print(f"✗ {error}", file=sys.stderr)
        return 2
    print(summary_table(result))
    write_outputs(result, args)
    return 0


def write_outputs(result: SimulationResult, args: argparse.Namespace) -> None:
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
        print(f"JSON → {args.json}")
    if args.report:
        from simulations.report import write_report  # matplotlib: loaded only when asked

        print(f"报告 report → {write_report(result, args.report)}")
    if args.arrivals_out:
        from simulations.arrivals_csv import write_arrivals

        rows = write_arrivals(args.arrivals_out, result.dates, result.arrivals)
        print(f"到达 arrivals → {args.arrivals_out} ({rows} rows)")


def summary_table(result: SimulationResult) -> str:
    """Mean wait (± 95 % half-width), p90, abandonment and utilisation per policy and lane."""
    data = result.to_json()
    lines = [
        f"{result.scenario.title_zh} · {result.scenario.title_en}",
        f"{data['days']} 天 days from {data['first_date']}, seed {data['seed']}",
        f"{'策略 policy':<12}{'通道 lane':<14}{'平均等候 mean wait':>22}{'p90':>8}{'放弃 abandon':>14}{'利用率 util.':>14}",
    ]
    for policy, figures in data["policies"].items():
        for lane, f in [("overall", figures["overall"]), *figures["lanes"].items()]:
            mean = _minutes(f["mean_wait_min"], f["mean_wait_min_ci95"])
            lines.append(
                f"{policy:<12}{LANES_ZH[lane]:<14}{mean:>22}{_num(f['p90_wait_min']):>8}"
                f"{_pct(f['abandon_rate']):>14}{_pct(f['utilisation']):>14}"
            )
        lines.append(
            f"{'':<12}{figures['tickets']} 张号 tickets · {figures['sim_days_per_s']} 天/秒 days/s"
        )
    return "\n".join(lines)


def _minutes(mean: float | None, half: float | None) -> str:
    if mean is None:
        return "–"
    return f"{mean:.1f} ± {half:.1f} min" if half is not None else f"{mean:.1f} min"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"
