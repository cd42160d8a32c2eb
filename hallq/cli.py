"""The `hallq` command line."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from hallq.bootstrap import load_hall_document
from hallq.device_cli import add_device_parser
from hallq.forecast_cli import add_forecast_parser
from hallq.plan_cli import add_plan_parser
from queue_core.errors import DomainError
from queue_core.hall_spec import hall_spec_from_mapping
from simulations.cli import add_simulate_parser
from simulations.loadtest_cli import add_loadtest_parser


def cmd_morning(args: argparse.Namespace) -> int:
    from hallq.morning import play_morning

    app = play_morning(sys.stdout, Path(args.db), seed=args.seed, minutes=args.minutes)
    app.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from hallq.serve import serve
    from hallq.settings import Settings

    settings = Settings.from_env()
    if args.db:
        settings = replace(settings, store="sqlite", db_path=Path(args.db))
    if args.workers > 1:
        from hallq.serve import free_port, urls
        from hallq.workers import serve_workers

        port = args.port or free_port(args.host)
        banner = urls(f"http://{args.host}:{port}")
        return serve_workers(settings, args.host, port, args.workers, args.db, banner)
    serve(settings, args.host, args.port, worker=args.worker)
    return 0


def worker_count(text: str) -> int:
    count = int(text)
    if not 1 <= count <= 64:
        raise argparse.ArgumentTypeError("1 到 64 之间 / between 1 and 64")
    return count


def cmd_demo(args: argparse.Namespace) -> int:
    from hallq.serve import run_demo

    speed = 0.0 if args.no_crowd else args.speed
    return run_demo(args.host, args.port, Path(args.dir), speed)


def crowd_speed(text: str) -> float:
    """`--speed`: simulated minutes per real minute, 0 for a still hall."""
    speed = float(text)
    if not 0 <= speed <= 3600:
        raise argparse.ArgumentTypeError("0 到 3600 之间 / between 0 and 3600")
    return speed


def cmd_check_hall(args: argparse.Namespace) -> int:
    from queue_core.appointment_settings import appointment_settings
    from scheduler.settings import planning_of

    document = load_hall_document(Path(args.file))
    try:
        spec = hall_spec_from_mapping(document)
    except DomainError as error:
        print(f"✗ {error.message_zh}\n  {error.message_en}", file=sys.stderr)
        return 1
    try:
        planning_of(document)
    except ValueError as error:  # BadSchedulerSettings is one
        print(f"✗ {error}", file=sys.stderr)
        return 1
    try:
        appointment_settings(document, spec)
    except DomainError as error:
        print(f"✗ {error.message_zh}\n  {error.message_en}", file=sys.stderr)
        return 1
    print(
        f"✓ {spec.name_zh} ({spec.id}): {len(spec.zones)} zones, {len(spec.services)} services, {len(spec.windows)} windows"
    )
    return 0


ROLE_NAMES_ZH = {"staff": "窗口人员", "supervisor": "值班主任", "admin": "管理员"}


def read_password() -> str:
    """The new password: asked twice without echo on a terminal, else stdin's first line."""
    if sys.stdin.isatty():
        password = getpass.getpass("密码 password: ")
        if getpass.getpass("再输一次 again: ") != password:
            raise ValueError("两次输入的密码不一致 / the two passwords differ")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def cmd_user_add(args: argparse.Namespace) -> int:
    from callers.accounts import AccountStore, Role, check_username
    from hallq.settings import Settings

    try:
        role = Role.parse(args.role)
        check_username(args.username)
        path = Settings.from_env().accounts_path
        account = AccountStore(path).add(args.username, read_password(), role)
    except ValueError as error:
        print(f"✗ {error}", file=sys.stderr)
        return 1
    print(
        f"✓ 已保存账号 {account.username}（{ROLE_NAMES_ZH[role.value]}）"
        f" / saved account {account.username} ({role.value}) in {path}"
    )
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from callers.accounts import AccountStore
    from hallq.settings import Settings

    try:
        accounts = AccountStore(Settings.from_env().accounts_path).all()
    except ValueError as error:
        print(f"✗ {error}", file=sys.stderr)
        return 1
    if not accounts:
        print("还没有账号 / no accounts yet (hallq user add USERNAME --role ROLE)")
    for account in accounts:
        print(f"{account.username}\t{account.role.value}")
    return 0


def add_user_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = sub.add_parser("user", help="staff accounts 账号管理")
    users = user.add_subparsers(dest="user_command", required=True)
    add = users.add_parser(
        "add", help="add or replace an account; the password is read from stdin 添加账号"
    )
    add.add_argument("username")
    add.add_argument("--role", default="staff", help="staff (default), supervisor or admin")
    add.set_defaults(func=cmd_user_add)
    users.add_parser("list", help="list accounts and roles 列出账号").set_defaults(
        func=cmd_user_list
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hallq", description="hallq — 大厅排队叫号与窗口调度 hall queueing and scheduling"
    )
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API and WebSocket 启动服务")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    serve.add_argument("--db", help="SQLite file (default: $HALLQ_DB or hallq.sqlite3)")
    serve.add_argument(
        "--workers",
        type=worker_count,
        default=1,
        help="server processes on this port and store 服务进程数 (set HALLQ_REDIS_URL too)",
    )
    serve.add_argument("--worker", type=int, help=argparse.SUPPRESS)  # set by --workers
    serve.set_defaults(func=cmd_serve)
    demo = sub.add_parser("demo", help="serve the reference hall with demo accounts 演示大厅")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--dir", default="var", help="where the demo keeps its files")
    demo.add_argument(
        "--speed",
        type=crowd_speed,
        default=10.0,
        help="simulated residents and staff at N× real time (default 10; 0: a still hall) 模拟人群倍速",
    )
    demo.add_argument("--no-crowd", action="store_true", help="no simulated crowd (= --speed 0)")
    demo.set_defaults(func=cmd_demo)
    morning = sub.add_parser(
        "morning", help="play a scripted morning through the real core 演示一个上午"
    )
    morning.add_argument("--db", default="var/morning.sqlite3", help="SQLite file to (re)create")
    morning.add_argument("--seed", type=int, default=7)
    morning.add_argument("--minutes", type=int, default=150)
    morning.set_defaults(func=cmd_morning)
    check = sub.add_parser("check-hall", help="check a hall data file 检查大厅配置文件")
    check.add_argument("file")
    check.set_defaults(func=cmd_check_hall)
    add_user_commands(sub)
    add_forecast_parser(sub)
    add_plan_parser(sub)
    add_loadtest_parser(sub)
    add_simulate_parser(sub)
    add_device_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))
