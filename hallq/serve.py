"""`hallq serve` and `hallq demo`: run the live hall until interrupted.

`web.run_app` turns SIGINT/SIGTERM into a graceful shutdown: the listening socket closes,
every WebSocket is closed with 1001 GOING_AWAY (`on_shutdown`), in-flight requests finish,
then `cleanup_ctx` drains the writer (no acknowledged command is lost) and closes the store.
`hallq demo` adds a simulated crowd that keeps the hall moving (`hallq.demo_crowd`).
"""

from __future__ import annotations

import gc
import json
import socket
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from pathlib import Path

from aiohttp import web

import hallq
from callers.accounts import AccountStore, Role
from hallq.bootstrap import build_application, load_hall_document
from hallq.clock import SystemClock
from hallq.settings import Settings, reference_hall_path
from hallq.web import create_app
from queue_core.commands import IssueTicket, OpenWindow
from queue_core.errors import DomainError
from queue_core.vocabulary import Channel, Lane

DEMO_ACCOUNTS = (
    ("staff", "staff-demo-1", Role.STAFF),
    ("supervisor", "super-demo-1", Role.SUPERVISOR),
)
DEMO_WINDOWS = (1, 2, 5, 8, 11, 15, 18)
HALL = "south-axis"
DEMO_SPEED = 10.0  # simulated minutes per real minute for the demo's crowd
STILL_BANNER = (
    "模拟人群已关闭，大厅静止 · crowd off: the hall stands still"
    " (hallq demo --speed 10 让它动起来 brings it to life)\n"
)
CleanupContext = Callable[[web.Application], AsyncIterator[None]]


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def serve(
    settings: Settings,
    host: str,
    port: int,
    banner: str = "",
    contexts: Sequence[CleanupContext] = (),
    worker: int | None = None,
) -> None:
    """Serve until interrupted; `contexts` run after the app's own (e.g. the demo's crowd).

    A `worker` of `hallq serve --workers N` (see `hallq.workers`) shares its port with
    the others and leaves the banner to its parent."""
    port = port or free_port(host)
    if worker is None:
        print(banner + urls(f"http://{host}:{port}"), flush=True)
    app = create_app(settings)
    app.cleanup_ctx.extend(contexts)
    app.on_startup.append(_quieter_collector)  # after the live hall has folded the log
    web.run_app(
        app,
        host=host,
        port=port,
        print=None,
        shutdown_timeout=10,
        reuse_port=worker is not None,
    )


async def _quieter_collector(app: web.Application) -> None:
    """Keep Python's cyclic garbage collector from walking the read models over and over.

    They are hundreds of thousands of long-lived objects, while the push path allocates
    many short-lived, acyclic dicts that reference counting frees anyway. Measured with a
    `gc.callbacks` timer on the push benchmark's server: 0.52 s of its 6.7 s of CPU went
    to the collector with the default thresholds (700, 10, 10), 0.05 s with these. What
    exists once the log is folded is moved out of collection for good (`gc.freeze`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def urls(base: str) -> str:
    return (
        f"hallq 已启动 is running at {base}\n"
        f"  大厅屏 hall screen       {base}/halls/{HALL}/screen\n"
        f"  自助取号 kiosk           {base}/halls/{HALL}/kiosk\n"
        f"  窗口终端 window terminal {base}/halls/{HALL}/windows/1\n"
        f"  我的号 phone             (the kiosk ticket's QR code: {base}/t/…)\n"
        f"  服务指南 service guide   {base}/api/halls/{HALL}/services\n"
        f"  大厅看板 hall board      {base}/api/halls/{HALL}/board\n"
        f"  接口文档 OpenAPI         {base}/api/openapi.json\n"
        f"  推送 WebSocket           {base.replace('http', 'ws', 1)}/ws\n"
        f"  {MODULES[hallq.NATIVE]}\n"
        "  按 Ctrl+C 停止 · Ctrl+C stops it\n"
    )


MODULES = {  # how the hot modules run: every state `hallq.native.activate` reports
    "native": "热点模块已编译 hot modules compiled (mypyc)",
    "off": "热点模块未编译 hot modules plain Python (HALLQ_NATIVE=0)",
    "absent": "热点模块未编译 hot modules plain Python (not built: make install builds them)",
    "stale": "热点模块未编译 hot modules plain Python (build out of date: make rebuilds it)",
    "late": "热点模块未编译 hot modules plain Python (imported before hallq)",
}


def prepare_demo(settings: Settings, *, open_hall: bool = True) -> str:
    """Demo accounts, and (with `open_hall`) a hall that is already open with a few
    residents waiting; without it the crowd opens the hall itself."""
    accounts = AccountStore(settings.accounts_path)
    for username, password, role in DEMO_ACCOUNTS:
        if accounts.get(username) is None:
            accounts.add(username, password, role)
    logins = "\n".join(f"  {u} / {p} ({r.value})" for u, p, r in DEMO_ACCOUNTS)
    if open_hall:
        open_demo_hall(settings)
    return f"演示账号 demo accounts:\n{logins}\n"


def open_demo_hall(settings: Settings) -> None:
    app = build_application(settings, SystemClock())
    try:
        for w in DEMO_WINDOWS:
            app.execute(
                OpenWindow(f"demo-open-{app.day_of(HALL)}-{w}", HALL, w, staff=f"staff-{w}")
            )
        for k, (service, lane) in enumerate(
            [("social-security", Lane.GREEN), ("residence-permit", Lane.BLUE), ("business-license", Lane.YELLOW),
             ("senior-card", Lane.GREEN), ("social-security", Lane.BLUE), ("vaccination", Lane.BLUE)]
        ):  # fmt: skip
            app.execute(
                IssueTicket(
                    f"demo-issue-{app.day_of(HALL)}-{k}", HALL, service, lane, Channel.KIOSK
                )
            )
    except DomainError:
        pass  # already open today: the demo hall keeps its state between runs
    finally:
        app.close()


def demo_settings(folder: Path) -> Settings:
    base = Settings.from_env()
    return replace(
        base,
        store="sqlite",
        db_path=folder / "demo.sqlite3",
        accounts_path=folder / "demo-accounts.json",
        secret_path=folder / "demo-secret.key",
        hall_files=(demo_hall_file(folder),),
    )


def demo_hall_file(folder: Path) -> Path:
    """The reference hall, taking bookings at any hour of any day: whenever someone tries
    the demo, today has slots to book and check in to (the real hall's hours are 09:00–12:00
    and 13:30–17:00 on weekdays, see `[appointments]` in hallq/data/south-axis.toml)."""
    document = load_hall_document(reference_hall_path())
    document["appointments"] = {
        **document.get("appointments", {}),
        "hours": [["00:00", "23:30"]],
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
    }
    document.get("calendar", {}).pop("closed", None)  # no holidays in the demo
    path = folder / "demo-hall.json"
    path.write_text(json.dumps(document, ensure_ascii=False, default=str))
    return path


def run_demo(host: str, port: int, folder: Path, speed: float = DEMO_SPEED) -> int:
    """Serve the demo hall; with `speed` > 0 a simulated crowd keeps it moving."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = demo_settings(folder)
    banner = prepare_demo(settings, open_hall=speed <= 0)
    contexts: list[CleanupContext] = []
    if speed > 0:
        from hallq.demo_crowd import crowd_banner, crowd_context, first_day, load_crowd_scenario

        scenario = load_crowd_scenario()
        plan = first_day(scenario)
        banner += crowd_banner(scenario, speed, plan)
        contexts.append(crowd_context(scenario, speed, plan))
    else:
        banner += STILL_BANNER
    serve(settings, host, port, banner, contexts)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_demo("127.0.0.1", 8080, Path("var")))
