"""Child processes of a load test or benchmark: start, talk to by lines, measure CPU time,
always stop.

Every child is started with `asyncio.create_subprocess_exec` (no shell, so the pid is the
Python process itself) and stopped by its own pid: a signal, a bounded wait, then SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import resource
import signal
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: `-m bench.…` works from here
HOST = "127.0.0.1"


def log(message: str) -> None:
    """Progress for the person watching: stderr, so stdout keeps only the table."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def sleep_until(ns: int) -> None:
    """Sleep until `time.monotonic_ns()` reaches `ns` (at once if it has)."""
    await asyncio.sleep(max(0.0, (ns - time.monotonic_ns()) / 1e9))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def raise_open_files(needed: int) -> int:
    """Raise this process's soft limit on open files towards `needed` (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return int(soft)


def die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent dies (Linux `PR_SET_PDEATHSIG`),
    so a benchmark killed hard leaves no server holding thousands of sockets behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) from /proc/<pid>/stat."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text.rsplit(")", 1)[1].split()  # after the command name; fields[0] is field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Child:
    """One child process; its stdout is a line channel unless sent to a log file."""

    def __init__(self, name: str, proc: asyncio.subprocess.Process, log_path: Path) -> None:
        self.name, self.proc, self.log_path = name, proc, log_path

    @classmethod
    async def start(
        cls,
        name: str,
        args: list[str],
        log_path: Path,
        env: dict[str, str] | None = None,
        lines: bool = True,
        cwd: Path = ROOT,  # `-m` imports from here first: another checkout runs its own code
    ) -> Child:
        with log_path.open("ab") as log_file:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                *args,
                cwd=cwd,
                env={**os.environ, **(env or {})},
                stdin=asyncio.subprocess.PIPE if lines else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE if lines else log_file,
                stderr=log_file,
                preexec_fn=die_with_parent,
            )
        return cls(name, proc, log_path)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc.returncode is None

    def cpu_s(self) -> float:
        return cpu_seconds(self.pid)

    def log_tail(self, chars: int = 2000) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-chars:]
        return ""

    async def line(self, timeout: float) -> str:
        """The child's next stdout line; an error naming the child if it ends or is slow."""
        assert self.proc.stdout is not None
        try:
            raw = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        except TimeoutError:
            raise RuntimeError(f"{self.name}: no answer within {timeout:.0f} s") from None
        if not raw:
            code = await asyncio.wait_for(self.proc.wait(), 5)
            raise RuntimeError(f"{self.name} exited ({code}):\n{self.log_tail()}")
        return raw.decode().strip()

    async def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    async def stop(
        self, timeout: float = 15.0, sig: int = signal.SIGINT, grace: float = 0.0
    ) -> None:
        """Wait `grace` for the child to end by itself, then signal, wait up to `timeout`,
        then kill; returns once the child is reaped."""
        if self.running and grace > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), grace)
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                log(f"{self.name} did not stop within {timeout:.0f} s: killing pid {self.pid}")
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
        await asyncio.wait_for(self.proc.wait(), 10)
        if self.proc.stdin is not None:
            self.proc.stdin.close()
