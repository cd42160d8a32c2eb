"""What a simulated day's events say: waits, abandonment, busy windows, queues over time.

Folded from the core's own events, in their order, never from the simulator's bookkeeping:
a wait is `TicketIssued.at` → the first `TicketCalled.at` of that number, a window is busy
from a call until the event that frees it (finished, transferred, parked, no-show or
returned), open from `WindowOpened`/`WindowResumed` to `WindowPaused`/`WindowClosed`.
Times are minutes after local midnight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from queue_core.hall_day import HallDay
from queue_core.vocabulary import Lane


@dataclass(slots=True)
class _Ticket:
    lane: Lane
    service: str
    issued: float
    measured: bool  # issued after the warm-up
    since: float | None  # when its current waiting spell began; None when not waiting
    called: bool = False


@dataclass
class DayRecord:
    waits: dict[Lane, list[float]] = field(default_factory=lambda: {x: [] for x in Lane})
    abandon_waits: dict[Lane, list[float]] = field(default_factory=lambda: {x: [] for x in Lane})
    issued: dict[Lane, int] = field(default_factory=lambda: dict.fromkeys(Lane, 0))
    unserved: dict[Lane, int] = field(default_factory=lambda: dict.fromkeys(Lane, 0))
    busy: dict[Lane, float] = field(default_factory=lambda: dict.fromkeys(Lane, 0.0))
    switches: dict[Lane, int] = field(default_factory=lambda: dict.fromkeys(Lane, 0))
    open_minutes: float = 0.0
    assignments: int = 0  # ServicesAssigned events (re-plans)
    # (minute, service, +1 | -1) for every waiting spell: the queues over the day.
    queue: list[tuple[float, str, int]] = field(default_factory=list)
    spells: list[float] = field(default_factory=list)  # every waiting spell's length
    # (window, start, end, service, by fallback) of every busy spell: the Gantt chart.
    busy_spans: list[tuple[int, float, float, str, bool]] = field(default_factory=list)
    pauses: list[tuple[int, float, float]] = field(default_factory=list)
    reassigned: list[tuple[int, float]] = field(default_factory=list)  # (window, minute)
    first_minute: float = 0.0
    last_minute: float = 0.0


class _Fold:
    def __init__(self, midnight: datetime, measured_from: float) -> None:
        self.midnight, self.measured_from = midnight, measured_from
        self.r = DayRecord()
        self.tickets: dict[str, _Ticket] = {}
        self.current: dict[int, tuple[float, _Ticket, bool]] = {}  # window -> call
        self.last_service: dict[int, str] = {}
        self.open_since: dict[int, float] = {}
        self.paused_since: dict[int, float] = {}
        self.handlers: dict[type, Callable[[Any, float], None]] = {
            HallDay.TicketIssued: self.issued,
            HallDay.TicketCalled: self.called,
            HallDay.TicketMarkedNoShow: self.freed,
            HallDay.ServiceFinished: self.freed,
            HallDay.TicketParked: self.freed,
            HallDay.TicketTransferred: self.transferred,
            HallDay.TicketReturned: self.returned,
            HallDay.TicketReinstated: self.requeued,
            HallDay.TicketCancelled: self.cancelled,
            HallDay.WindowOpened: self.opened,
            HallDay.WindowResumed: self.opened,
            HallDay.WindowPaused: self.stopped,
            HallDay.WindowClosed: self.stopped,
            HallDay.ServicesAssigned: self.assigned,
        }

    def fold(self, events: Iterable[Any]) -> DayRecord:
        first = None
        minute = 0.0
        for event in events:
            handler = self.handlers.get(type(event))
            if not isinstance(event, HallDay.DayEvent):
                continue
            minute = (event.at - self.midnight).total_seconds() / 60
            first = minute if first is None else first
            if handler is not None:
                handler(event, minute)
        self.r.first_minute, self.r.last_minute = first or 0.0, minute
        return self.r

    def wait(self, t: _Ticket, minute: float) -> None:
        self.r.queue.append((minute, t.service, 1))
        t.since = minute

    def end_wait(self, t: _Ticket, minute: float) -> float:
        assert t.since is not None
        spell = minute - t.since
        self.r.queue.append((minute, t.service, -1))
        self.r.spells.append(spell)
        t.since = None
        return spell

    def issued(self, e: Any, minute: float) -> None:
        t = self.tickets[e.number] = _Ticket(e.lane, e.service, minute, minute >= self.measured_from, None)  # fmt: skip
        self.wait(t, minute)
        if t.measured:
            self.r.issued[t.lane] += 1

    def called(self, e: Any, minute: float) -> None:
        t = self.tickets[e.number]
        self.end_wait(t, minute)
        if not t.called and t.measured:
            self.r.waits[t.lane].append(minute - t.issued)
        t.called = True
        self.current[e.window] = (minute, t, e.rule.startswith("fallback:"))
        previous = self.last_service.get(e.window)
        if previous is not None and previous != t.service:
            self.r.switches[t.lane] += 1
        self.last_service[e.window] = t.service

    def freed(self, e: Any, minute: float) -> None:
        start, t, by_fallback = self.current.pop(e.window)
        self.r.busy[t.lane] += minute - start
        self.r.busy_spans.append((e.window, start, minute, t.service, by_fallback))

    def transferred(self, e: Any, minute: float) -> None:
        self.freed(e, minute)
        t = self.tickets[e.number]
        t.service = e.to_service
        self.wait(t, minute)

    def returned(self, e: Any, minute: float) -> None:
        if e.window is not None:
            self.freed(e, minute)
        self.requeued(e, minute)

    def requeued(self, e: Any, minute: float) -> None:
        self.wait(self.tickets[e.number], minute)

    def cancelled(self, e: Any, minute: float) -> None:
        t = self.tickets[e.number]
        spell = self.end_wait(t, minute) if t.since is not None else None
        if not t.measured:
            return
        if e.by == "resident" and spell is not None and not t.called:
            self.r.abandon_waits[t.lane].append(spell)
        else:
            self.r.unserved[t.lane] += 1

    def opened(self, e: Any, minute: float) -> None:
        self.open_since[e.window] = minute
        paused = self.paused_since.pop(e.window, None)
        if paused is not None:
            self.r.pauses.append((e.window, paused, minute))

    def stopped(self, e: Any, minute: float) -> None:
        since = self.open_since.pop(e.window, None)
        if since is not None:
            self.r.open_minutes += minute - since
        if isinstance(e, HallDay.WindowPaused):
            self.paused_since[e.window] = minute

    def assigned(self, e: Any, minute: float) -> None:
        self.r.assignments += 1
        self.r.reassigned.append((e.window, minute))


def fold_day(events: Iterable[Any], midnight: datetime, measured_from: float = 0.0) -> DayRecord:
    """The day's record from its events in order; tickets issued before `measured_from`
    (the warm-up) count for queues and busy time but not for waits and abandonment."""
    return _Fold(midnight, measured_from).fold(events)
