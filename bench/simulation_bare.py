"""The benchmark's baseline: the same SimPy actors around plain queues instead of the core.

`BareHall` answers the same commands as `simulations.core_hall.CoreHall` with a few dicts
and deques: per service and lane a first-come queue; a window calls the requeued
(transferred or returned) tickets of its assigned services first, then the head of a
lane queue with the longest wait times lane weight (the hall's aging rule; the overdue
and appointment rules are left out), then, under fallback, the same over its other
skills. No validation, no events, no history: what a hand-written simulation would do.
It records the waits it produces, so the benchmark can show both models tell the same
story.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from queue_core.commands import (
    CallNext,
    CancelTicket,
    CloseWindow,
    Command,
    FinishService,
    IssueTicket,
    MarkNoShow,
    OpenWindow,
    Park,
    PauseWindow,
    Recall,
    ResumeWindow,
    ReturnToQueue,
    StartServing,
    Transfer,
)  # fmt: skip
from queue_core.errors import DomainError, NothingToCall
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec
from queue_core.outcome import Outcome
from queue_core.vocabulary import Lane

NOTHING = NothingToCall("无", "nothing to call")
_KINDS = (IssueTicket, CallNext, Recall, MarkNoShow, StartServing, FinishService, Transfer, Park,
          ReturnToQueue, CancelTicket, OpenWindow, PauseWindow, ResumeWindow, CloseWindow)  # fmt: skip


class _Ticket:
    __slots__ = ("issued", "lane", "number", "service", "status")

    def __init__(self, number: str, service: str, lane: Lane, issued: float) -> None:
        self.number, self.service, self.lane, self.issued = number, service, lane, issued
        self.status = "waiting"


class BareHall:
    def __init__(self, spec: HallSpec, midnight: datetime) -> None:
        self.spec, self.midnight = spec, midnight
        self.weights = dict(spec.policy.lane_weights)
        self.fallback = spec.policy.fallback_to_skills
        self.lanes: dict[str, dict[Lane, deque[_Ticket]]] = {
            s.id: {lane: deque() for lane in Lane} for s in spec.services
        }
        self.requeued: dict[str, deque[_Ticket]] = {s.id: deque() for s in spec.services}
        self.tickets: dict[str, _Ticket] = {}
        self.assigned = {w.number: w.default_services for w in spec.windows}
        self.others = {w.number: tuple(s for s in w.skills if s not in w.default_services) for w in spec.windows}  # fmt: skip
        self.at_window: dict[int, _Ticket] = {}
        self.recalls: dict[int, int] = {}
        self.waits: list[float] = []
        self.handlers: dict[type, Callable[[Any, float], Outcome | DomainError]] = {
            kind: getattr(self, kind.METHOD) for kind in _KINDS
        }

    def moment(self, minute: float) -> datetime:
        return self.midnight + timedelta(minutes=minute)

    def run(self, command: Command, minute: float) -> Outcome | DomainError:
        return self.handlers[type(command)](command, minute)

    def current_day(self) -> HallDay:
        raise NotImplementedError("the bare model has no core day to plan from")

    def events_so_far(self) -> Sequence[Any]:
        return ()

    def anyone_waiting(self, services: frozenset[str]) -> bool:
        return True  # calling is as cheap as looking here

    def stranded(self) -> list[str]:
        return [t.number for t in self.tickets.values() if t.status in ("waiting", "parked")]

    # ---- commands ------------------------------------------------------------------------

    def issue_ticket(self, c: Any, minute: float) -> Outcome:
        t = _Ticket(str(len(self.tickets) + 1), c.service, c.lane, minute)
        self.tickets[t.number] = t
        self.lanes[c.service][c.lane].append(t)
        return Outcome("TicketIssued", ticket=t.number)

    def call_next(self, c: Any, minute: float) -> Outcome | DomainError:
        w = c.window
        t = self._best(self.assigned[w], minute) or (self.fallback and self._best(self.others[w], minute)) or None  # fmt: skip
        if t is None:
            return NOTHING
        if t.status == "waiting":  # first call: its wait
            self.waits.append(minute - t.issued)
        t.status = "called"
        self.at_window[w], self.recalls[w] = t, 0
        return Outcome("TicketCalled", ticket=t.number, window=w)

    def _best(self, services: tuple[str, ...], minute: float) -> _Ticket | None:
        for s in services:
            queue = self.requeued[s]
            while queue and queue[0].status == "gone":
                queue.popleft()
            if queue:
                return queue.popleft()
        best, best_key, best_queue = None, 0.0, None
        for s in services:
            for lane, queue in self.lanes[s].items():
                while queue and queue[0].status == "gone":
                    queue.popleft()
                if queue and (key := (minute - queue[0].issued) * self.weights[lane]) >= best_key:
                    best, best_key, best_queue = queue[0], key, queue
        if best_queue is not None:
            best_queue.popleft()
        return best

    def recall(self, c: Any, minute: float) -> Outcome:
        self.recalls[c.window] += 1
        if self.recalls[c.window] > 3:
            return self.mark_no_show(c, minute)
        return Outcome("TicketRecalled", window=c.window)

    def mark_no_show(self, c: Any, minute: float) -> Outcome:
        self.at_window.pop(c.window).status = "done"
        return Outcome("TicketMarkedNoShow", window=c.window)

    def start_serving(self, c: Any, minute: float) -> Outcome:
        return Outcome("ServiceStarted", window=c.window)

    def finish(self, c: Any, minute: float) -> Outcome:
        self.at_window.pop(c.window).status = "done"
        return Outcome("ServiceFinished", window=c.window)

    def transfer(self, c: Any, minute: float) -> Outcome:
        t = self.at_window.pop(c.window)
        t.service, t.status = c.to_service, "requeued"
        self.requeued[t.service].append(t)
        return Outcome("TicketTransferred", ticket=t.number)

    def park(self, c: Any, minute: float) -> Outcome:
        self.at_window.pop(c.window).status = "parked"
        return Outcome("TicketParked", window=c.window)

    def return_to_queue(self, c: Any, minute: float) -> Outcome:
        t = self.tickets[c.ticket]
        t.status = "requeued"
        self.requeued[t.service].append(t)
        return Outcome("TicketReturned", ticket=t.number)

    def cancel(self, c: Any, minute: float) -> Outcome:
        self.tickets[c.ticket].status = "gone"  # dropped lazily when it reaches a queue's head
        return Outcome("TicketCancelled", ticket=c.ticket)

    def open_window(self, c: Any, minute: float) -> Outcome:
        return Outcome("WindowOpened", window=c.window)

    pause_window = resume_window = close_window = open_window
