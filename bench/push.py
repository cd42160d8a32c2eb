"""Push benchmark: how fast a call reaches hall screens and phones, and at what CPU cost.

The scenario: `hallq serve` (SQLite) with 2,000 phones, each subscribed to its own
`ticket:{token}`, 50 `display:south-axis` screens, and 20 windows calling 10 times a
second in total (call-next → start → finish), all on 127.0.0.1. Latency is the time
from just before a call-next request is sent to the receipt of its `called` message
(times from `time.monotonic_ns()`: CLOCK_MONOTONIC, one clock for every process on
Linux). Every message any client receives in the measured window is a delivery.

The baseline, in the same run: a bare `websockets` server (`bench/push_baseline.py`)
sends the very texts our clients received, to as many clients of each channel, at the
same moments, with `websockets.broadcast`, to the same number of sockets of the same
client processes. `cpu_per_delivery_ratio` is our server's CPU seconds per delivery over
the baseline's, both read from /proc/<pid>/stat over their measured windows.

A run is three rounds (one with `--quick`), each a fresh server and then its baseline:
single rounds of the CPU ratio ranged from 1.8 to 3.2 on this 2-core machine, quiet,
within hours. The figures reported are those of the round with the median ratio, and
every round's ratio and p99s are listed under `rounds`.

Each round then measures the same hall again with one screen and no phone listening
(`commands_only_*`): what the window commands themselves cost (HTTP, the durable store,
the read models), which the bare broadcast does not do. Subtracting it per call splits
the ratio in two: `push_cpu_per_delivery_ratio` is the fan-out alone against the bare
broadcast, and `commands_cpu_per_delivery_ratio` is the rest.

Last, the same window drivers send the same requests to a bare aiohttp app
(`bench/push_floor.py`): `http_floor_cpu_per_delivery_ratio` is the part of the commands'
cost that aiohttp itself takes for three requests per call, which hallq cannot lower
while window terminals speak HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import pickle
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiohttp

import hallq
from bench.procs import HOST, ROOT, Child, free_port, log, raise_open_files
from bench.push_hall import (
    HALL,
    TIMEOUT,
    Calls,
    add_staff,
    drive,
    issue_tickets,
    open_windows,
    sleep_until,
    window_services,
)
from bench.push_records import Capture, Row, call_latencies_ms, percentile, replay_script
from hallq.native import fresh

TARGETS = {
    "call_to_display_p50_ms": "(report)",
    "call_to_display_p99_ms": "<= 50",
    "call_to_phone_p99_ms": "<= 100",
    "cpu_per_delivery_ratio": "<= 2",
    "push_cpu_per_delivery_ratio": "(report: the fan-out alone)",
    "commands_cpu_per_delivery_ratio": "(report: the commands alone)",
    "http_floor_cpu_per_delivery_ratio": "(report: of which aiohttp's own floor)",
}
CLOCK = "time.monotonic_ns (CLOCK_MONOTONIC, shared by all processes on Linux)"
SETUP_TIMEOUT_S = 300.0  # connecting, subscribing, issuing: each step at most this long


@dataclass(frozen=True)
class Scenario:
    phones: int = 2000
    displays: int = 50
    windows: int = 20
    calls_per_s: float = 10.0
    duration_s: float = 30.0
    drain_s: float = 1.0  # measured after the last call's finish, for the last deliveries
    client_procs: int = 1  # all clients together use ~0.15 of a core here: one is enough


@dataclass
class Phase:
    """One server's measured window and what its clients received in it."""

    capture: Capture
    rows: list[Row]
    start_ns: int
    end_ns: int
    server_cpu_s: float
    client_cpu_s: float

    @property
    def seconds(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9


class Clients:
    """The client processes of one phase: each holds a share of the sockets."""

    def __init__(self, url: str, channels: dict[int, str], folder: Path, tag: str) -> None:
        self.url, self.channels, self.folder, self.tag = url, channels, folder, tag
        self.children: list[tuple[Child, Path]] = []

    async def start(self, procs: int, deadline_s: float) -> None:
        started = time.monotonic()
        items = sorted(self.channels.items())
        for k in range(procs):
            config = self.folder / f"clients-{self.tag}-{k}.json"
            out = self.folder / f"clients-{self.tag}-{k}.pickle"
            mine = items[k::procs]
            config.write_text(
                json.dumps({"url": self.url, "clients": mine, "deadline_s": deadline_s})
            )
            args = ["-m", "bench.push_clients", str(config), str(out)]
            child = await Child.start(f"clients-{self.tag}-{k}", args, self.folder / "clients.log")
            self.children.append((child, out))
        ready = [(await child.line(SETUP_TIMEOUT_S)).split() for child, _ in self.children]
        ok, failed = sum(int(r[1]) for r in ready), sum(int(r[2]) for r in ready)
        log(f"{ok} clients subscribed ({failed} failed) in {time.monotonic() - started:.1f} s")
        if ok == 0:
            raise RuntimeError(f"no client could subscribe:\n{self.children[0][0].log_tail()}")

    def cpu_s(self) -> float:
        return sum(child.cpu_s() for child, _ in self.children)

    async def collect(self) -> Capture:
        """Stop recording; the rows of every process."""
        capture = Capture(self.channels)
        for child, _ in self.children:
            await child.send("stop")
        for child, out in self.children:
            await child.line(SETUP_TIMEOUT_S)  # `done`, once OUT is written
            capture.add(out)
        return capture

    async def close(self) -> None:
        for child, _ in self.children:
            await child.stop(timeout=10.0, grace=5.0)


def server_env(folder: Path) -> dict[str, str]:
    return {
        "HALLQ_STORE": "sqlite",
        "HALLQ_DB": str(folder / "hallq.sqlite3"),
        "HALLQ_ACCOUNTS": str(folder / "accounts.json"),
        "HALLQ_SECRET_FILE": str(folder / "secret.key"),
        "HALLQ_ISSUE_BURST": "1000000",
        "HALLQ_ISSUE_RATE": "1000000",
        # This benchmark measures pushes; the planner's CPU is the scheduler benchmark's.
        "HALLQ_PLANNER": "off",
    }


def client_session(port: int) -> aiohttp.ClientSession:
    """The window drivers' HTTP client: keep-alive connections, as a terminal keeps one."""
    return aiohttp.ClientSession(
        f"http://{HOST}:{port}", timeout=TIMEOUT, connector=aiohttp.TCPConnector(limit=64)
    )


def measured_end(s: Scenario, t0: int, calls: Calls) -> int:
    """Where a measured window ends: after the last cycle and the drain for its pushes."""
    return max(calls.last_ns, t0 + int(s.duration_s * 1e9)) + int(s.drain_s * 1e9)


async def wait_until_up(http: aiohttp.ClientSession, server: Child, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not server.running:
            raise RuntimeError(f"hallq serve exited:\n{server.log_tail()}")
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with http.get("/api/openapi.json") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"hallq serve did not answer within {timeout_s:.0f} s")


async def run_ours(
    s: Scenario, folder: Path, phones: bool = True, tree: Path = ROOT
) -> tuple[Phase, Calls]:
    """The measured phase on hallq. Without `phones`, the same tickets are issued and
    called, but only one screen listens: the commands' own cost. `tree`: the checkout
    whose hallq serves (`bench.push_ab` compares two)."""
    folder.mkdir(parents=True, exist_ok=True)
    log(f"creating {s.windows} staff accounts")
    add_staff(folder / "accounts.json", s.windows)
    port = free_port()
    async with AsyncExitStack() as stack:
        server = await Child.start(
            "hallq serve", ["-m", "hallq", "serve", "--host", HOST, "--port", str(port)],
            folder / "server.log", server_env(folder), lines=False, cwd=tree,
        )  # fmt: skip
        stack.push_async_callback(server.stop, 20.0)
        http = await stack.enter_async_context(client_session(port))
        await wait_until_up(http, server)
        log(f"hallq serve is up (pid {server.pid}); opening {s.windows} windows")
        tokens = await open_windows(http, s.windows)
        started = time.monotonic()
        tickets = await issue_tickets(http, window_services(s.windows), s.phones)
        log(f"issued {len(tickets)} tickets in {time.monotonic() - started:.1f} s")
        channels = {i: f"display:{HALL}" for i in range(s.displays if phones else 1)}
        if phones:
            channels.update({s.displays + k: f"ticket:{t.token}" for k, t in enumerate(tickets)})
        clients = Clients(f"ws://{HOST}:{port}/ws", channels, folder, "ours")
        stack.push_async_callback(clients.close)
        await clients.start(s.client_procs, SETUP_TIMEOUT_S + s.duration_s * 3)
        what = "hallq" if phones else "hallq's commands alone (one screen, no phones)"
        log(f"measuring {what}: {s.duration_s:.0f} s at {s.calls_per_s:g} calls/s")
        t0 = time.monotonic_ns() + 200_000_000
        await sleep_until(t0)
        cpu0, client0 = server.cpu_s(), clients.cpu_s()
        calls = await drive(http, tokens, s.calls_per_s, t0, s.duration_s)
        t1 = measured_end(s, t0, calls)
        await sleep_until(t1)
        cpu1, client1 = server.cpu_s(), clients.cpu_s()
        capture = await clients.collect()
    phase = Phase(capture, capture.between(t0, t1), t0, t1, cpu1 - cpu0, client1 - client0)
    return phase, calls


async def run_http_floor(s: Scenario, folder: Path) -> tuple[float, Calls]:
    """The same window drivers against a bare aiohttp app (`bench.push_floor`): the server
    CPU seconds that the HTTP requests alone cost, and the calls made."""
    port = free_port()
    async with AsyncExitStack() as stack:
        args = ["-m", "bench.push_floor", str(port)]
        server = await Child.start("http floor", args, folder / "floor.log", lines=False)
        stack.push_async_callback(server.stop, 20.0)
        http = await stack.enter_async_context(client_session(port))
        await wait_until_up(http, server)
        log(f"measuring aiohttp's own floor for the same requests: {s.duration_s:.0f} s")
        tokens = {w: f"floor-{w}" for w in range(1, s.windows + 1)}
        t0 = time.monotonic_ns() + 200_000_000
        await sleep_until(t0)
        cpu0 = server.cpu_s()
        calls = await drive(http, tokens, s.calls_per_s, t0, s.duration_s)
        await sleep_until(measured_end(s, t0, calls))
        return server.cpu_s() - cpu0, calls


async def run_baseline(s: Scenario, folder: Path, ours: Phase) -> Phase:
    script = replay_script(ours.capture, ours.rows, ours.start_ns)
    script_path = folder / "script.pickle"
    with script_path.open("wb") as f:
        pickle.dump(script, f, protocol=pickle.HIGHEST_PROTOCOL)
    port = free_port()
    async with AsyncExitStack() as stack:
        args = ["-m", "bench.push_baseline", str(port), str(script_path)]
        server = await Child.start("baseline", args, folder / "baseline.log")
        stack.push_async_callback(server.stop, 20.0)
        if await server.line(60) != "listening":
            raise RuntimeError(f"baseline did not start:\n{server.log_tail()}")
        log(f"baseline server is up (pid {server.pid}): {len(script)} batches to replay")
        clients = Clients(f"ws://{HOST}:{port}/", ours.capture.channels, folder, "baseline")
        stack.push_async_callback(clients.close)
        await clients.start(s.client_procs, SETUP_TIMEOUT_S + s.duration_s * 3)
        log(f"measuring the baseline: {ours.seconds:.0f} s")
        t0 = time.monotonic_ns() + 200_000_000
        await server.send(f"go {t0}")
        await sleep_until(t0)
        cpu0, client0 = server.cpu_s(), clients.cpu_s()
        await server.line(ours.seconds + 120)  # `done` once the last batch is sent
        t1 = max(t0 + (ours.end_ns - ours.start_ns), time.monotonic_ns() + int(s.drain_s * 1e9))
        await sleep_until(t1)
        cpu1, client1 = server.cpu_s(), clients.cpu_s()
        capture = await clients.collect()
        await server.send("stop")
    return Phase(capture, capture.between(t0, t1), t0, t1, cpu1 - cpu0, client1 - client0)


def figures(
    s: Scenario,
    ours: Phase,
    base: Phase,
    calls: Calls,
    alone: Phase,
    alone_calls: Calls,
    floor_cpu_s: float,
    floor_calls: Calls,
) -> dict[str, Any]:
    screens, phones = call_latencies_ms(ours.capture, ours.rows, calls.sent_ns)
    delivered, base_delivered = len(ours.rows), len(base.rows)
    ours_cpu = ours.server_cpu_s / max(delivered, 1)
    base_cpu = base.server_cpu_s / max(base_delivered, 1)
    n_calls = max(len(calls.sent_ns), 1)

    def as_if_measured(cpu_s: float, made: Calls) -> float:
        """Another phase's CPU, per call, as if it made as many calls as the measured one."""
        return cpu_s / max(len(made.sent_ns), 1) * n_calls

    commands_cpu_s = as_if_measured(alone.server_cpu_s, alone_calls)  # the commands' own
    floor_s = as_if_measured(floor_cpu_s, floor_calls)  # aiohttp's part of them

    def against_baseline(cpu_s: float) -> float:
        """Server CPU seconds per delivery of the measured phase, over the baseline's."""
        return cpu_s / max(delivered, 1) / base_cpu if base_cpu > 0 else float("nan")

    closed = ours.capture.closed_between(ours.start_ns, ours.end_ns)
    batches = ours.capture.batches(ours.rows)
    return {
        "call_to_display_p50_ms": percentile(screens, 50),
        "call_to_display_p99_ms": percentile(screens, 99),
        "call_to_phone_p50_ms": percentile(phones, 50),
        "call_to_phone_p99_ms": percentile(phones, 99),
        "call_to_display_max_ms": max(screens, default=float("nan")),
        "call_to_phone_max_ms": max(phones, default=float("nan")),
        "call_answer_p50_ms": percentile(calls.answer_ms, 50),
        "call_answer_p99_ms": percentile(calls.answer_ms, 99),
        "deliveries_per_s": delivered / ours.seconds,
        "baseline_deliveries_per_s": base_delivered / base.seconds,
        "cpu_per_delivery_ratio": against_baseline(ours.server_cpu_s),
        "server_cpu_s": ours.server_cpu_s,
        "baseline_cpu_s": base.server_cpu_s,
        "server_cpu_ms_per_call": ours.server_cpu_s / n_calls * 1e3,
        "baseline_cpu_ms_per_call": base.server_cpu_s / n_calls * 1e3,
        "commands_only_cpu_ms_per_call": commands_cpu_s / n_calls * 1e3,
        "commands_only_calls": len(alone_calls.sent_ns),
        "commands_only_errors": sum(alone_calls.errors.values()),
        "push_cpu_per_delivery_ratio": against_baseline(ours.server_cpu_s - commands_cpu_s),
        "commands_cpu_per_delivery_ratio": against_baseline(commands_cpu_s),
        "http_floor_cpu_ms_per_call": floor_s / n_calls * 1e3,
        "http_floor_calls": len(floor_calls.sent_ns),
        "http_floor_errors": sum(floor_calls.errors.values()),
        "http_floor_cpu_per_delivery_ratio": against_baseline(floor_s),
        "server_cpu_share": ours.server_cpu_s / ours.seconds,  # cores in use, on average
        "server_us_per_delivery": ours_cpu * 1e6,
        "baseline_us_per_delivery": base_cpu * 1e6,
        "client_cpu_s": ours.client_cpu_s,
        "baseline_client_cpu_s": base.client_cpu_s,
        "deliveries": delivered,
        "mean_message_chars": sum(len(r[2]) for r in ours.rows) / max(delivered, 1),
        "batches": batches,
        "server_cpu_ms_per_batch": ours.server_cpu_s / max(batches, 1) * 1e3,
        "baseline_deliveries": base_delivered,
        "calls": len(calls.sent_ns),
        "display_calls_missed": len(calls.sent_ns) * s.displays - len(screens),
        "phone_calls_missed": len(calls.sent_ns) - len(phones),
        "errors": sum(calls.errors.values()),
        "error_kinds": dict(calls.errors),
        "closed_clients": sum(closed.values()),
        "closed_codes": dict(closed),
        "baseline_closed_clients": len(base.capture.closed),
        "connect_failed": len(ours.capture.failed) + len(base.capture.failed),
        "measured_s": ours.seconds,
        "baseline_measured_s": base.seconds,
        "clock": CLOCK,
        "server_modules": server_modules(),  # per round: a build may go stale between them
        **asdict(s),
    }


async def _measure(s: Scenario, folder: Path) -> dict[str, Any]:
    raise_open_files(2 * (s.phones + s.displays) + 1024)
    ours, calls = await run_ours(s, folder)
    log(f"hallq: {len(ours.rows)} deliveries, {len(calls.sent_ns)} calls; baseline next")
    base = await run_baseline(s, folder, ours)
    alone, alone_calls = await run_ours(s, folder / "commands-only", phones=False)
    floor_cpu_s, floor_calls = await run_http_floor(s, folder)
    return figures(s, ours, base, calls, alone, alone_calls, floor_cpu_s, floor_calls)


def measure(s: Scenario) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hallq-push-") as tmp:
        return asyncio.run(_measure(s, Path(tmp)))


ROUNDS = 3
ROUND_KEYS = (
    "cpu_per_delivery_ratio",
    "push_cpu_per_delivery_ratio",
    "commands_cpu_per_delivery_ratio",
    "http_floor_cpu_per_delivery_ratio",
    "call_to_display_p99_ms",
    "call_to_phone_p99_ms",
    "server_modules",
)


def run(quick: bool = False) -> dict[str, Any]:
    """Quick: one round of 8 s of measurement instead of three of 30, same sockets."""
    scenario = Scenario(duration_s=8.0) if quick else Scenario()
    rounds = []
    for n in range(1 if quick else ROUNDS):
        log(f"round {n + 1} of {1 if quick else ROUNDS}")
        rounds.append(measure(scenario))
    by_ratio = sorted(rounds, key=lambda r: r["cpu_per_delivery_ratio"])
    median = by_ratio[len(by_ratio) // 2]
    return {
        **median,
        "rounds": [{k: r[k] for k in ROUND_KEYS} for r in rounds],
        "quick": quick,
    }


def server_modules() -> str:
    """Whether servers started now run the hot modules compiled (hallq.native): they share
    this process's environment (HALLQ_NATIVE) and the build, checked as they will."""
    if hallq.NATIVE != "native":
        return f"plain ({hallq.NATIVE})"
    return "compiled" if fresh() else "plain (stale)"
