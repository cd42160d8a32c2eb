"""`hallq forecast evaluate`: backtest the arrival forecasts on a history CSV."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from scheduler.forecast_calendar import Calendar
from scheduler.forecast_eval import backtest
from scheduler.forecast_report import render_report, report_to_dict
from scheduler.history import ArrivalHistory


def cmd_forecast_evaluate(args: argparse.Namespace) -> int:
    try:
        history = ArrivalHistory.load_csv(args.history)
        calendar = Calendar.from_toml(args.calendar) if args.calendar else Calendar()
    except (OSError, ValueError) as error:
        print(f"✗ 无法读取 cannot read: {error}", file=sys.stderr)
        return 1
    if args.days < 1:
        print("✗ --days 须至少为 1 / must be at least 1", file=sys.stderr)
        return 1
    report = backtest(history, days=args.days, calendar=calendar, progress=_progress)
    print(render_report(report), end="")
    if args.json:
        args.json.write_text(
            json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
    return 0


def _progress(index: int, count: int, day: date) -> None:
    print(f"回测 backtesting {day} ({index}/{count})", file=sys.stderr, flush=True)


def add_forecast_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``forecast evaluate`` to the ``hallq`` command line."""
    forecast = subparsers.add_parser("forecast", help="arrival forecasts 到达预测")
    commands = forecast.add_subparsers(dest="forecast_command", required=True)
    evaluate = commands.add_parser(
        "evaluate", help="backtest on a history CSV: WAPE and MASE per level 回测预测误差"
    )
    evaluate.add_argument(
        "--history", type=Path, required=True, help="CSV: date,slot,service,lane,arrivals"
    )
    evaluate.add_argument("--days", type=int, default=28, help="backtest the last N days (28)")
    evaluate.add_argument("--json", type=Path, help="also write the report as JSON here")
    evaluate.add_argument(
        "--calendar",
        type=Path,
        help="a TOML file with a [calendar] table, e.g. hallq/data/south-axis.toml",
    )
    evaluate.set_defaults(func=cmd_forecast_evaluate)
