"""No ticket is ever called twice: windows racing on one hall-day, in threads (each with its
own application, so each with its own cached copy of the day) and in separate processes
sharing one store. The store's record of calls is the judge, not the workers' reports."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from hallq.bootstrap import build_application
from hallq.settings import Settings
from queue_core.application import HallqApplication
from queue_core.commands import CallNext, FinishService, IssueTicket, OpenWindow, StartServing
from queue_core.errors import NothingToCall
from queue_core.ports import ManualClock
from tests.conftest import HALL, MORNING

TICKETS = 120
# Windows whose skills all include social-security, so every window competes for every ticket.
WINDOWS = (1, 2, 3, 14)


def serve_until_empty(
    settings: Settings, windows: tuple[int, ...], tag: str, start: Any = None
) -> list[str]:
    """One worker: its windows call, start and finish until nothing is left to call."""
    app = build_application(settings, ManualClock(MORNING))
    if start is not None:
        start.wait()  # every worker is built before any calls: they really compete
    called: list[str] = []
    idle = set()
    step = 0
    while len(idle) < len(windows):
        for window in windows:
            step += 1
            try:
                outcome = app.execute(CallNext(f"{tag}-c{step}", HALL, window))
            except NothingToCall:
                idle.add(window)
                continue
            called.append(outcome.ticket)  # type: ignore[arg-type]
            app.execute(StartServing(f"{tag}-s{step}", HALL, window))
            app.execute(FinishService(f"{tag}-f{step}", HALL, window))
    app.close()
    return called


@pytest.fixture
def prepared(store_settings: Settings) -> Iterator[HallqApplication]:
    app = prepare(store_settings, WINDOWS)
    yield app
    app.close()


def prepare(settings: Settings, windows: tuple[int, ...]) -> HallqApplication:
    app = build_application(settings, ManualClock(MORNING))
    for w in windows:
        app.execute(OpenWindow(f"open-{w}", HALL, w, services=("social-security",)))
    for k in range(TICKETS):
        app.execute(IssueTicket(f"issue-{k}", HALL, "social-security"))
    return app


def calls_recorded(app: HallqApplication) -> Counter[str]:
    day = app.get_day(HALL, app.day_of(HALL, MORNING))
    events = app.events.get(day.id)
    return Counter(e.number for e in events if type(e).__name__ == "TicketCalled")


def assert_each_ticket_called_once(app: HallqApplication, reported: list[str]) -> None:
    recorded = calls_recorded(app)
    assert len(recorded) == TICKETS
    assert max(recorded.values()) == 1, [n for n, c in recorded.items() if c > 1]
    assert sorted(reported) == sorted(recorded)  # every acknowledged call is in the store
    assert not app.get_day(HALL, app.day_of(HALL, MORNING)).tickets  # all done


def test_windows_in_threads_never_call_the_same_ticket(
    store_settings: Settings, prepared: HallqApplication
) -> None:
    app = prepared
    results: dict[int, list[str]] = {}
    start = threading.Barrier(len(WINDOWS))

    def worker(window: int) -> None:
        results[window] = serve_until_empty(store_settings, (window,), f"t{window}", start)

    threads = [threading.Thread(target=worker, args=(w,)) for w in WINDOWS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert_each_ticket_called_once(app, [n for r in results.values() for n in r])
    assert all(results.values()), "every window got work: they really competed"


@pytest.mark.slow
def test_four_processes_on_one_store_never_call_the_same_ticket(
    store_settings: Settings, prepared: HallqApplication
) -> None:
    app = prepared
    context = multiprocessing.get_context("spawn")  # a clean interpreter per process
    with context.Pool(len(WINDOWS)) as pool:
        jobs = [
            pool.apply_async(serve_until_empty, (store_settings, (w,), f"p{w}")) for w in WINDOWS
        ]
        results = [job.get(timeout=300) for job in jobs]
    assert_each_ticket_called_once(app, [n for r in results for n in r])
    assert all(results), "every process got work: they really competed"
