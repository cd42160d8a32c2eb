"""The `hallq` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hallq.bootstrap import load_hall_document
from queue_core.errors import DomainError
from queue_core.hall_spec import hall_spec_from_mapping


def cmd_demo(args: argparse.Namespace) -> int:
    from hallq.morning import play_morning

    app = play_morning(sys.stdout, Path(args.db), seed=args.seed, minutes=args.minutes)
    app.close()
    return 0


def cmd_check_hall(args: argparse.Namespace) -> int:
    try:
        spec = hall_spec_from_mapping(load_hall_document(Path(args.file)))
    except DomainError as error:
        print(f"✗ {error.message_zh}\n  {error.message_en}", file=sys.stderr)
        return 1
    print(
        f"✓ {spec.name_zh} ({spec.id}): {len(spec.zones)} zones, {len(spec.services)} services, {len(spec.windows)} windows"
    )
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hallq", description="hallq — 大厅排队叫号与窗口调度 hall queueing and scheduling"
    )
    sub = p.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="play a scripted morning through the real core 演示一个上午")
    demo.add_argument("--db", default="var/demo.sqlite3", help="SQLite file to (re)create")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--minutes", type=int, default=150)
    demo.set_defaults(func=cmd_demo)
    check = sub.add_parser("check-hall", help="check a hall data file 检查大厅配置文件")
    check.add_argument("file")
    check.set_defaults(func=cmd_check_hall)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))
