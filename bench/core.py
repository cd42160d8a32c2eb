"""Core benchmark: commands per second through the application, against the library's raw save.

All figures come from one run on one machine: the raw rate of saving one event of a
trivial aggregate per transaction (the baseline), our commands per second one at a time
and with group commit, both on a SQLite file, and the time to load a busy day.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from hallq.bootstrap import build_application
from hallq.settings import Settings
from queue_core.application import HallqApplication
from queue_core.commands import CallNext, FinishService, IssueTicket, OpenWindow, StartServing
from queue_core.group_commit import GroupCommitter
from queue_core.ports import ManualClock

HALL = "bench-hall"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
WINDOWS = 20


def bench_hall(windows: int = WINDOWS) -> dict[str, Any]:
    """A hall where window i serves only service i: every call finds the ticket it expects."""
    services = [
        {"id": f"s{i}", "name_zh": f"业务{i}", "name_en": f"Service {i}", "prefix": LETTERS[i - 1],
         "zone": "z", "mean_handling_min": 5}
        for i in range(1, windows + 1)
    ]  # fmt: skip
    return {
        "id": HALL,
        "name_zh": "基准大厅",
        "name_en": "Benchmark hall",
        "zones": [{"id": "z", "name_zh": "区", "name_en": "Zone"}],
        "services": services,
        "windows": [{"number": i, "zone": "z", "skills": [f"s{i}"]} for i in range(1, windows + 1)],
        "policy": {
            "lane_weights": {"green": 3, "yellow": 2, "blue": 1},
            "max_wait_min": {"green": 20, "yellow": 30, "blue": 60},
        },
    }


class Counter(Aggregate):
    def __init__(self) -> None:
        self.count = 0

    @event("Incremented")
    def increment(self) -> None:
        self.count += 1


def raw_saves_per_s(db: Path, saves: int) -> float:
    app: Application[Any] = Application(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(db)}
    )
    counter = Counter()
    app.save(counter)
    started = time.perf_counter()
    for _ in range(saves):
        counter.increment()
        app.save(counter)
    return saves / (time.perf_counter() - started)


def bench_settings(db: Path | None) -> Settings:
    hall_file = Path(tempfile.gettempdir()) / "hallq-bench-hall.json"
    hall_file.write_text(json.dumps(bench_hall()))
    store = {"store": "memory"} if db is None else {"store": "sqlite", "db_path": db}
    return Settings(**store, hall_files=(hall_file,))  # type: ignore[arg-type]


def new_app(db: Path | None) -> HallqApplication:
    """Built by the composition root, as `hallq serve` builds it."""
    app = build_application(bench_settings(db), ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)))
    for w in range(1, WINDOWS + 1):
        app.execute(OpenWindow(f"open-{w}", HALL, w))
    return app


def cycle(window: int, k: int) -> list[Any]:
    """One ticket's life at one window: issue, call, start, finish (four commands)."""
    tag = f"{window}-{k}"
    return [
        IssueTicket(f"i{tag}", HALL, f"s{window}"),
        CallNext(f"c{tag}", HALL, window),
        StartServing(f"s{tag}", HALL, window),
        FinishService(f"f{tag}", HALL, window),
    ]


def single_commands_per_s(db: Path | None, tickets: int) -> float:
    app = new_app(db)
    commands = [c for k in range(tickets) for c in cycle(1 + k % WINDOWS, k)]
    started = time.perf_counter()
    for command in commands:
        app.execute(command)
    return len(commands) / (time.perf_counter() - started)


async def _window_client(
    committer: GroupCommitter, window: int, tickets: int, start: int = 0
) -> None:
    for k in range(start, start + tickets):
        for command in cycle(window, k):
            await committer.run(command)


def group_commit_commands_per_s(db: Path | None, tickets_per_window: int) -> tuple[float, float]:
    """Twenty windows, each a coroutine awaiting its own commands, as the web server does."""
    app = new_app(db)
    committer = GroupCommitter(app)

    async def run() -> None:
        await asyncio.gather(
            *(_window_client(committer, w, tickets_per_window) for w in range(1, WINDOWS + 1))
        )

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    committer.close()
    commands = 4 * WINDOWS * tickets_per_window
    return commands / elapsed, commands / committer.batches


def _fill(app: HallqApplication, tickets_per_window: int, start: int = 0) -> None:
    committer = GroupCommitter(app)

    async def fill() -> None:
        await asyncio.gather(
            *(
                _window_client(committer, w, tickets_per_window, start)
                for w in range(1, WINDOWS + 1)
            )
        )

    asyncio.run(fill())
    committer.close()


def _load_ms(db: Path, app: HallqApplication, loads: int) -> float:
    """Median time for a fresh application (a restarted server) to load the day."""
    day = app.day_of(HALL)
    timings = []
    for _ in range(loads):
        fresh = build_application(bench_settings(db), app.clock)
        started = time.perf_counter()
        fresh.get_day(HALL, day)
        timings.append((time.perf_counter() - started) * 1000)
        fresh.close()
    return statistics.median(timings)


def replay_ms(db: Path, events: int, loads: int = 25) -> tuple[float, float, int]:
    """A day of `events` events, then the worst case: the most events after a snapshot."""
    app = new_app(db)
    _fill(app, events // (4 * WINDOWS) + 1)
    typical = _load_ms(db, app, loads)
    version = app.get_day(HALL).version
    for k in range(app.SNAPSHOT_INTERVAL - 1 - version % app.SNAPSHOT_INTERVAL):
        app.execute(
            IssueTicket(f"tail-{k}", HALL, "s1")
        )  # up to one event before the next snapshot
    worst = _load_ms(db, app, loads)
    return typical, worst, version


def run(quick: bool = False) -> dict[str, Any]:
    """Each figure is the median of three rounds, the rounds of raw and ours interleaved,
    because this machine's fsync time wanders by a third from minute to minute."""
    scale = 0.25 if quick else 1.0
    rounds = 1 if quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        raws, singles, groups, batches = [], [], [], []
        for r in range(rounds):
            raws.append(raw_saves_per_s(folder / f"raw{r}.sqlite3", int(2000 * scale)))
            singles.append(single_commands_per_s(folder / f"single{r}.sqlite3", int(500 * scale)))
            grouped, batch = group_commit_commands_per_s(
                folder / f"group{r}.sqlite3", int(100 * scale)
            )
            groups.append(grouped)
            batches.append(batch)
        raw, single, grouped = map(statistics.median, (raws, singles, groups))
        single_mem = single_commands_per_s(None, int(750 * scale))
        grouped_mem, _ = group_commit_commands_per_s(None, int(150 * scale))
        replay, worst, version = replay_ms(folder / "replay.sqlite3", 15_000)
    return {
        "raw_saves_per_s": raw,
        "commands_per_s": single,
        "ratio_single": single / raw,
        "group_commit_commands_per_s": grouped,
        "ratio_group_commit": grouped / raw,
        "group_commit_mean_batch": statistics.mean(batches),
        "memory_commands_per_s": single_mem,
        "memory_group_commit_commands_per_s": grouped_mem,
        "replay_ms_15k_events": replay,
        "replay_day_events": version,
        "replay_ms_worst_case": worst,
        "rounds": rounds,
    }


TARGETS = {
    "ratio_single": ">= 0.6",
    "ratio_group_commit": ">= 3",
    "replay_ms_15k_events": "<= 20",
    "replay_ms_worst_case": "<= 20 (most events after a snapshot)",
}
