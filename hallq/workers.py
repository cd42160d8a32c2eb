"""`hallq serve --workers N`: N server processes on one port and one store.

The parent prepares what the workers would otherwise race for (the store's tables and
the halls' configuration, the token secret), then starts N `hallq serve --worker I`
children that all listen on the same port (`SO_REUSEPORT`: the kernel spreads new
connections over them). Every worker serves every hall of the hall files; the log is
the one truth they share, the writer lock keeps calls exclusive across them, and Redis
(`HALLQ_REDIS_URL`) tells each at once what the others saved.

Work that must happen once per deployment runs in worker 0 only: the planner (its
pending plans live there) and the device bridge. SIGINT/SIGTERM to the parent is passed
on to every worker, each of which shuts down gracefully; a worker that dies on its own
stops the rest, so a supervisor (systemd, a container runtime) sees the failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

from callers.tokens import load_or_create_secret
from hallq.bootstrap import build_application
from hallq.settings import Settings

ONCE_PER_DEPLOYMENT = {"HALLQ_PLANNER": "off", "HALLQ_MQTT_URL": ""}  # workers 1..N-1


def worker_command(host: str, port: int, index: int, db: str | None) -> list[str]:
    command = [sys.executable, "-m", "hallq", "serve", "--host", host, "--port", str(port)]
    command += ["--worker", str(index)]
    return command + (["--db", db] if db else [])


def prepare_store(settings: Settings) -> None:
    """Create tables, record the halls' configuration and the secret, once, up front."""
    build_application(settings).close()
    load_or_create_secret(settings.secret_path)


def serve_workers(
    settings: Settings, host: str, port: int, workers: int, db: str | None, banner: str
) -> int:
    prepare_store(settings)
    print(banner, end="", flush=True)
    print(f"  {workers} 个服务进程 worker processes on port {port}", flush=True)
    if settings.redis_url is None:
        print(
            "  未设置 HALLQ_REDIS_URL：进程之间靠轮询数据库（约 0.5 秒）互通 · no "
            "HALLQ_REDIS_URL: processes see each other's calls by polling the store (~0.5 s)",
            flush=True,
        )
    children = [
        subprocess.Popen(
            worker_command(host, port, i, db),
            env=os.environ | ({} if i == 0 else ONCE_PER_DEPLOYMENT),
        )
        for i in range(workers)
    ]
    return supervise(children)


def supervise(children: Sequence[subprocess.Popen[bytes]]) -> int:
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.2)
        if not stopping:
            dead = [i for i, child in enumerate(children) if child.poll() is not None]
            print(
                f"服务进程 {dead} 意外退出，停止其余进程 · worker(s) {dead} exited on their "
                "own; stopping the others",
                file=sys.stderr,
                flush=True,
            )
            stop(signal.SIGTERM, None)
        codes = [child.wait() for child in children]
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    # A worker stopped by our own SIGTERM exits cleanly (aiohttp's graceful shutdown).
    return 0 if stopping and not any(codes) else max(1, *codes)
