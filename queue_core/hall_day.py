"""The hall's day: one aggregate holding every ticket and window of one hall on one date.

One aggregate per hall-day is the consistency boundary that makes "no ticket is ever
called twice" a matter of optimistic concurrency: every command is checked against the
whole day and saved at the next version, and a racing writer loses with a conflict.

Methods validate first and trigger exactly one event last, so a refused command raises a
`DomainError` and leaves the aggregate untouched. Event `apply` bodies re-run on every
replay, so they only assign state and never check or read the clock.

State kept small on purpose, because every snapshot writes all of it: open tickets as
`Ticket` values, the per-prefix counters (which also tell that a number no longer open was
issued today, so it is closed), and the last `REQUEST_MEMORY` request ids for idempotent
retries. Everything else about history lives in the events and the projections.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate
from eventsourcing.domain import Snapshot as LibrarySnapshot
from eventsourcing.utils import get_topic, register_topic, resolve_topic

from queue_core.call_rules import Choice, WindowSkills, choose_next, passed_over
from queue_core.errors import (
    IllegalTransition,
    LaneNotAllowed,
    MalformedCommand,
    NothingToCall,
    NothingToLapse,
    NotServedNow,
    RequestIdReused,
    SkillMismatch,
    TooSoon,
    UnknownTicket,
    WindowStateError,
)
from queue_core.hall_spec import HallSpec
from queue_core.ids import hall_day_id
from queue_core.lifecycle import next_status
from queue_core.outcome import Outcome
from queue_core.snapshot_rows import (
    TicketRowTexts,
    compact_json,
    ticket_from_row,
    window_from_row,
    window_to_row,
)
from queue_core.ticket import Ticket
from queue_core.vocabulary import Channel, Lane, TicketStatus, TransferPlacement, WindowStatus
from queue_core.window import Window

_WINDOW_ZH = {WindowStatus.OPEN: "开放", WindowStatus.PAUSED: "暂停", WindowStatus.CLOSED: "关闭"}
REQUEST_MEMORY = 1024  # request ids remembered for retries: minutes at the busiest hall


class HallDay(Aggregate):
    TOPIC = "hallq.HallDay"

    class Created(Aggregate.Created):
        TOPIC = "hallq.HallDay.Started"
        hall_id: str
        day: str

    class DayEvent(Aggregate.Event):
        """Base of the day's events: each records the outcome of its request."""

        TOPIC = "hallq.HallDay.DayEvent"  # abstract, never stored; the library asks for one

        request_id: str
        at: datetime
        COMMANDS: ClassVar[tuple[str, ...]] = ()

        def apply(self, day: HallDay) -> None:
            self.evolve(day)
            day._remember(self.request_id, self.outcome())

        def evolve(self, day: HallDay) -> None:
            raise NotImplementedError

        def command(self) -> str:
            """The kind of command that recorded this event (see `Command.KIND`)."""
            return self.COMMANDS[0]

        def outcome(self) -> Outcome:
            return Outcome(
                event=type(self).__name__,
                command=self.command(),
                ticket=getattr(self, "number", None),
                window=getattr(self, "window", None),
                rule=getattr(self, "rule", ""),
            )

    class TicketIssued(DayEvent):
        TOPIC = "hallq.HallDay.TicketIssued"
        COMMANDS = ("issue",)
        number: str
        service: str
        lane: Lane
        channel: Channel
        seq: int
        appointment_ref: str | None
        slot_start: datetime | None
        slot_end: datetime | None
        # A digest of the resident's secret ticket token (made outside the core): it lets
        # read models find the ticket from the token without the log holding the token.
        token_digest: str | None = None
        remote: bool = False  # taken from a phone: waits as REMOTE until it arrives

        def evolve(self, day: HallDay) -> None:
            prefix = self.number[0]
            day.counters[prefix] = day.counters.get(prefix, 0) + 1
            day.seq = self.seq
            day._put(
                Ticket(
                    number=self.number,
                    service=self.service,
                    lane=self.lane,
                    channel=self.channel,
                    seq=self.seq,
                    issued_at=self.at,
                    appointment_ref=self.appointment_ref,
                    slot_start=self.slot_start,
                    slot_end=self.slot_end,
                    status=TicketStatus.REMOTE if self.remote else TicketStatus.WAITING,
                    remote=self.remote,
                )
            )

    class WindowOpened(DayEvent):
        TOPIC = "hallq.HallDay.WindowOpened"
        COMMANDS = ("open",)
        window: int
        skills: Sequence[str]  # see `TicketParked.missing`
        services: Sequence[str]
        staff: str

        def evolve(self, day: HallDay) -> None:
            day.windows[self.window] = Window(
                self.window,
                tuple(self.skills),
                tuple(self.services),
                WindowStatus.OPEN,
                staff=self.staff,
            )

    class WindowPaused(DayEvent):
        TOPIC = "hallq.HallDay.WindowPaused"
        COMMANDS = ("pause",)
        window: int
        reason: str

        def evolve(self, day: HallDay) -> None:
            w = day.windows[self.window]
            day.windows[self.window] = w.updated(
                status=WindowStatus.PAUSED, pause_reason=self.reason
            )

    class WindowResumed(DayEvent):
        TOPIC = "hallq.HallDay.WindowResumed"
        COMMANDS = ("resume",)
        window: int

        def evolve(self, day: HallDay) -> None:
            w = day.windows[self.window]
            day.windows[self.window] = w.updated(status=WindowStatus.OPEN, pause_reason="")

    class WindowClosed(DayEvent):
        TOPIC = "hallq.HallDay.WindowClosed"
        COMMANDS = ("close",)
        window: int

        def evolve(self, day: HallDay) -> None:
            w = day.windows[self.window]
            day.windows[self.window] = w.updated(
                status=WindowStatus.CLOSED, pause_reason="", staff="", last_rule=""
            )

    class ServicesAssigned(DayEvent):
        TOPIC = "hallq.HallDay.ServicesAssigned"
        COMMANDS = ("assign",)
        window: int
        skills: Sequence[str]  # see `TicketParked.missing`
        services: Sequence[str]
        reason: str

        def evolve(self, day: HallDay) -> None:
            w = day.windows.get(self.window) or Window(self.window, tuple(self.skills), ())
            day.windows[self.window] = w.updated(services=tuple(self.services))

    class TicketCalled(DayEvent):
        TOPIC = "hallq.HallDay.TicketCalled"
        COMMANDS = ("call_next", "call")
        window: int
        number: str
        rule: str  # why this ticket: a call-policy rule, or "specific" for a chosen call
        reason: str
        # Unconfirmed remote tickets this call passed over (see `call_rules.passed_over`):
        # their grace period before lapsing starts now, if it has not started already.
        passed: Sequence[str] = ()  # see `TicketParked.missing`

        def command(self) -> str:
            return "call" if self.rule == "specific" else "call_next"

        def evolve(self, day: HallDay) -> None:
            t = day.tickets[self.number]
            day._put(t.updated(status=TicketStatus.CALLED, window=self.window, called_at=self.at))
            w = day.windows[self.window]
            day.windows[self.window] = w.updated(current=self.number, last_rule=self.rule)
            for number in self.passed:
                remote = day.tickets.get(number)
                if remote is not None and remote.passed_at is None:
                    day._put(remote.updated(passed_at=self.at))

    class TicketRecalled(DayEvent):
        TOPIC = "hallq.HallDay.TicketRecalled"
        COMMANDS = ("recall",)
        window: int
        number: str

        def evolve(self, day: HallDay) -> None:
            t = day.tickets[self.number]
            day._put(t.updated(recalls=t.recalls + 1, called_at=self.at))

    class TicketMarkedNoShow(DayEvent):
        TOPIC = "hallq.HallDay.TicketMarkedNoShow"
        COMMANDS = ("no_show", "recall")
        window: int
        number: str
        auto: bool  # True when the hall's recall limit decided it

        def command(self) -> str:
            return "recall" if self.auto else "no_show"

        def evolve(self, day: HallDay) -> None:
            t = day.tickets[self.number]
            day._put(t.updated(status=TicketStatus.NO_SHOW, window=None))
            day._free(self.window)

    class TicketReinstated(DayEvent):
        TOPIC = "hallq.HallDay.TicketReinstated"
        COMMANDS = ("reinstate",)
        number: str

        def evolve(self, day: HallDay) -> None:
            t = day.tickets[self.number]
            day._put(t.updated(status=TicketStatus.WAITING, reinstated=True, recalls=0))

    class ServiceStarted(DayEvent):
        TOPIC = "hallq.HallDay.ServiceStarted"
        COMMANDS = ("start",)
        window: int
        number: str

        def evolve(self, day: HallDay) -> None:
            t = day.tickets[self.number]
            day._put(t.updated(status=TicketStatus.SERVING))

    class ServiceFinished(DayEvent):
        TOPIC = "hallq.HallDay.ServiceFinished"
        COMMANDS = ("finish",)
        window: int
        number: str
        result: str
        rating: int | None

        def evolve(self, day: HallDay) -> None:
            day._put(day.tickets[self.number].updated(status=TicketStatus.DONE))
            day._free(self.window)

    class TicketTransferred(DayEvent):
        TOPIC = "hallq.HallDay.TicketTransferred"
        COMMANDS = ("transfer",)
        window: int
        number: str
        to_service: str
        to_window: int | None
        front: bool
        note: str

        def evolve(self, day: HallDay) -> None:
            t = day.tickets[self.number]
            day._put(
                t.updated(
                    status=TicketStatus.WAITING,
                    service=self.to_service,
                    target_window=self.to_window,
                    window=None,
                    recalls=0,
                    requeued=True,
                    front=self.front,
                )
            )
            day._free(self.window)

    class TicketParked(DayEvent):
        TOPIC = "hallq.HallDay.TicketParked"
        COMMANDS = ("park",)
        window: int
        number: str
        # A tuple when raised, a list when read back from the store (JSON has no tuple):
        # a Sequence, which is what a compiled read model (hallq.native) can rely on.
        missing: Sequence[str]
        until: datetime

        def evolve(self, day: HallDay) -> None:
            t = day.tickets[self.number]
            day._put(
                t.updated(
                    status=TicketStatus.PARKED,
                    window=None,
                    parked_until=self.until,
                    missing=tuple(self.missing),
                )
            )
            day._free(self.window)

    class TicketReturned(DayEvent):
        TOPIC = "hallq.HallDay.TicketReturned"
        COMMANDS = ("return",)
        number: str
        window: int | None  # the window that returned it, or None for a parked ticket

        def evolve(self, day: HallDay) -> None:
            t = day.tickets[self.number]
            day._put(
                t.updated(
                    status=TicketStatus.WAITING, window=None, recalls=0, requeued=True, front=False
                )
            )
            if self.window is not None:
                day._free(self.window)

    class TicketCancelled(DayEvent):
        TOPIC = "hallq.HallDay.TicketCancelled"
        COMMANDS = ("cancel",)
        number: str
        by: str

        def evolve(self, day: HallDay) -> None:
            day._put(day.tickets[self.number].updated(status=TicketStatus.CANCELLED))

    class ArrivalConfirmed(DayEvent):
        """A remote ticket's resident scanned it at a kiosk: now an ordinary waiting ticket
        with its original place (issue time and order are kept)."""

        TOPIC = "hallq.HallDay.ArrivalConfirmed"
        COMMANDS = ("arrive",)
        number: str
        kiosk: str

        def evolve(self, day: HallDay) -> None:
            day._put(day.tickets[self.number].updated(status=TicketStatus.WAITING))

    class TicketLapsed(DayEvent):
        """A remote ticket never confirmed within the grace after call next passed it."""

        TOPIC = "hallq.HallDay.TicketLapsed"
        COMMANDS = ("lapse",)
        number: str
        passed_at: datetime

        def evolve(self, day: HallDay) -> None:
            day._put(day.tickets[self.number].updated(status=TicketStatus.LAPSED))

    class TicketRated(DayEvent):
        TOPIC = "hallq.HallDay.TicketRated"
        COMMANDS = ("rate",)
        number: str
        rating: int
        comment: str

        def evolve(self, day: HallDay) -> None:
            day.rated.add(self.number)

    class Snapshot(LibrarySnapshot):
        """A compact snapshot: rows of primitives instead of objects, no derived index."""

        TOPIC = "hallq.HallDay.Snapshot"

        @classmethod
        def take(cls, aggregate: Any) -> HallDay.Snapshot:
            return cls(  # type: ignore[call-arg]
                originator_id=aggregate.id,
                originator_version=aggregate.version,
                timestamp=cls.create_timestamp(),
                topic=get_topic(type(aggregate)),
                state=aggregate._to_state(),
            )

        def mutate(self, _: None) -> HallDay:
            day_cls = resolve_topic(self.topic)
            day = object.__new__(day_cls)
            day._from_state(self.state)
            day.__dict__.update(
                _id=self.originator_id, _version=self.originator_version, _pending_events=[]
            )
            return day

    # ---- state -------------------------------------------------------------------------

    def __init__(self, hall_id: str, day: str) -> None:
        self.hall_id = hall_id
        self.day = day
        self.seq = 0
        self.counters: dict[str, int] = {}
        self.tickets: dict[str, Ticket] = {}  # open tickets only
        self.windows: dict[int, Window] = {}
        self.requests: dict[str, Outcome] = {}
        self.rated: set[str] = set()  # closed tickets their residents have rated
        self._waiting: dict[str, dict[str, Ticket]] = {}  # derived: service -> waiting tickets
        self._remote: dict[str, dict[str, Ticket]] = {}  # derived: service -> REMOTE tickets

    @classmethod
    def start(cls, hall_id: str, day: str) -> HallDay:
        return cls._create(cls.Created, id=hall_day_id(hall_id, day), hall_id=hall_id, day=day)

    def _put(self, ticket: Ticket) -> None:
        """Store a ticket's new state and keep the derived waiting index in step."""
        number = ticket.number
        old = self.tickets.get(number)
        if old is not None:
            if old.status is TicketStatus.WAITING:
                del self._waiting[old.service][number]
            elif old.status is TicketStatus.REMOTE:
                del self._remote[old.service][number]
        if ticket.is_open:
            self.tickets[number] = ticket
            if ticket.status is TicketStatus.WAITING:
                self._waiting.setdefault(ticket.service, {})[number] = ticket
            elif ticket.status is TicketStatus.REMOTE:
                self._remote.setdefault(ticket.service, {})[number] = ticket
        else:
            self.tickets.pop(number, None)

    def _free(self, window: int) -> None:
        self.windows[window] = self.windows[window].updated(current=None)

    def _remember(self, request_id: str, outcome: Outcome) -> None:
        self.requests[request_id] = outcome
        if len(self.requests) > REQUEST_MEMORY:
            del self.requests[next(iter(self.requests))]  # dicts keep insertion order

    def _to_state(self) -> dict[str, Any]:
        """The snapshot's state. The rows travel as one JSON text, which the C parser reads
        in one go, instead of thousands of small lists for the store's transcoder to walk."""
        windows = [window_to_row(w) for w in self.windows.values()]
        requests = [
            [k, o.event, o.ticket, o.window, o.rule, o.command] for k, o in self.requests.items()
        ]
        # The same text as compact_json({"tickets": [rows], "windows": …, "requests": …}).
        rows = (
            f'{{"tickets":{self._row_texts().json_array(self.tickets)},'
            f'"windows":{compact_json(windows)},"requests":{compact_json(requests)}}}'
        )
        return {
            "hall_id": self.hall_id,
            "day": self.day,
            "seq": self.seq,
            "counters": self.counters,
            "rated": sorted(self.rated),
            "rows": rows,
            "created_on": self._created_on,
            "modified_on": self._modified_on,
        }

    def _row_texts(self) -> TicketRowTexts:
        """Kept between snapshots; not state (a day loaded from a snapshot starts anew)."""
        texts = self.__dict__.get("_ticket_row_texts")
        if texts is None:
            texts = self.__dict__["_ticket_row_texts"] = TicketRowTexts()
        return texts

    def _from_state(self, s: dict[str, Any]) -> None:
        self.hall_id, self.day, self.seq = s["hall_id"], s["day"], s["seq"]
        self.counters = dict(s["counters"])
        self.rated = set(s.get("rated", ()))  # absent from snapshots older than ratings
        self._created_on, self._modified_on = s["created_on"], s["modified_on"]
        rows = json.loads(s["rows"])
        self.tickets, self._waiting, self._remote = {}, {}, {}
        for row in rows["tickets"]:
            self._put(ticket_from_row(row))
        self.windows = {w.number: w for w in map(window_from_row, rows["windows"])}
        self.requests = {r[0]: Outcome(*r[1:]) for r in rows["requests"]}

    # ---- queries -----------------------------------------------------------------------

    def ticket(self, number: str) -> Ticket:
        try:
            return self.tickets[number]
        except KeyError:
            if self.was_issued(number):
                raise IllegalTransition(
                    f"{number} 号已办结或已取消",
                    f"ticket {number} is no longer open (done or cancelled)",
                ) from None
            raise UnknownTicket(f"今天没有 {number} 号", f"no ticket {number} today") from None

    def was_issued(self, number: str) -> bool:
        """Whether this number was issued today (open or not), from the prefix counters."""
        digits = number[1:]
        return (
            digits.isascii()
            and digits.isdigit()
            and 0 < int(digits) <= self.counters.get(number[:1], 0)
        )

    def window(self, spec: HallSpec, number: int) -> Window:
        """The window's state today; a window not yet touched today is closed."""
        found = self.windows.get(number)
        if found is not None:
            return found
        w = spec.window(number)
        return Window(number, w.skills, w.default_services)

    def waiting(self, services: tuple[str, ...] | frozenset[str] | None = None) -> Iterator[Ticket]:
        """Waiting tickets, for the given services or all, in no particular order."""
        for service, tickets in self._waiting.items():
            if services is None or service in services:
                yield from tickets.values()

    def remote(self, services: tuple[str, ...] | frozenset[str] | None = None) -> Iterator[Ticket]:
        """Unconfirmed remote tickets, for the given services or all, in no particular order."""
        for service, tickets in self._remote.items():
            if services is None or service in services:
                yield from tickets.values()

    def queued(self, services: tuple[str, ...] | frozenset[str] | None = None) -> Iterator[Ticket]:
        """Everyone holding a place in a queue: the waiting and the unconfirmed remote
        tickets (a resident's position counts both, so that it is honest)."""
        yield from self.waiting(services)
        yield from self.remote(services)

    def remembered(self, request_id: str, command: str) -> Outcome | None:
        """The outcome of an earlier command with this request id, if it is remembered."""
        outcome = self.requests.get(request_id)
        if outcome is None:
            return None
        if command != outcome.command:
            raise RequestIdReused(
                f"请求编号 {request_id} 已用于其他操作",
                f"request id {request_id} was used for another command",
            )
        return replace(outcome, replayed=True)

    # ---- commands ----------------------------------------------------------------------

    def issue_ticket(
        self,
        spec: HallSpec,
        *,
        request_id: str,
        at: datetime,
        service: str,
        lane: Lane,
        channel: Channel,
        appointment_ref: str | None = None,
        slot_start: datetime | None = None,
        slot_end: datetime | None = None,
        token_digest: str | None = None,
        remote: bool = False,
    ) -> None:
        svc = spec.service(service)
        if lane not in svc.lanes:
            raise LaneNotAllowed(
                f"「{svc.name_zh}」不设{lane.value}通道", f"{svc.name_en} has no {lane.value} lane"
            )
        if (slot_start is None) != (slot_end is None) or (
            slot_start and slot_end and slot_end <= slot_start
        ):
            raise MalformedCommand(
                "预约时段不完整或有误", "an appointment slot needs a start before its end"
            )
        if remote:
            self._check_remote(spec, service, channel, appointment_ref, slot_start)
        n = self.counters.get(svc.prefix, 0) + 1
        self.trigger_event(
            self.TicketIssued,
            request_id=request_id,
            at=at,
            number=f"{svc.prefix}{n:03d}",
            service=service,
            lane=lane,
            channel=channel,
            seq=self.seq + 1,
            appointment_ref=appointment_ref,
            slot_start=slot_start,
            slot_end=slot_end,
            token_digest=token_digest,
            remote=remote,
        )

    def _check_remote(
        self,
        spec: HallSpec,
        service: str,
        channel: Channel,
        appointment_ref: str | None,
        slot_start: datetime | None,
    ) -> None:
        """A remote ticket comes from a phone, is not an appointment, and is taken only
        while some open (or briefly paused) window can serve its service."""
        if channel is not Channel.MOBILE or appointment_ref is not None or slot_start is not None:
            raise MalformedCommand(
                "远程取号仅限手机渠道，且不能用于预约",
                "a remote ticket comes from the mobile channel and is not an appointment",
            )
        if not any(
            w.status is not WindowStatus.CLOSED and service in w.skills
            for w in self.windows.values()
        ):
            svc = spec.service(service)
            raise NotServedNow(
                f"「{svc.name_zh}」当前没有开放的窗口，大厅开放后才能远程取号",
                f"no open window serves {svc.name_en} now; take a remote ticket while it does",
            )

    def open_window(
        self,
        spec: HallSpec,
        *,
        request_id: str,
        at: datetime,
        window: int,
        services: tuple[str, ...] | None,
        staff: str,
    ) -> None:
        w = self.window(spec, window)
        if w.status is not WindowStatus.CLOSED:
            raise WindowStateError(f"{window} 号窗口已开启", f"window {window} is already open")
        chosen = w.services if services is None else self._check_skills(spec, window, services)
        self.trigger_event(
            self.WindowOpened,
            request_id=request_id,
            at=at,
            window=window,
            skills=w.skills,
            services=chosen,
            staff=staff,
        )

    def pause_window(
        self, spec: HallSpec, *, request_id: str, at: datetime, window: int, reason: str
    ) -> None:
        self._require_window(spec, window, WindowStatus.OPEN)
        self.trigger_event(
            self.WindowPaused, request_id=request_id, at=at, window=window, reason=reason
        )

    def resume_window(self, spec: HallSpec, *, request_id: str, at: datetime, window: int) -> None:
        self._require_window(spec, window, WindowStatus.PAUSED)
        self.trigger_event(self.WindowResumed, request_id=request_id, at=at, window=window)

    def close_window(self, spec: HallSpec, *, request_id: str, at: datetime, window: int) -> None:
        w = self.window(spec, window)
        if w.status is WindowStatus.CLOSED:
            raise WindowStateError(f"{window} 号窗口未开启", f"window {window} is not open")
        if w.current is not None:
            raise WindowStateError(
                f"{window} 号窗口仍有 {w.current} 号，请先处理",
                f"window {window} still has ticket {w.current}",
            )
        self.trigger_event(self.WindowClosed, request_id=request_id, at=at, window=window)

    def assign_services(
        self,
        spec: HallSpec,
        *,
        request_id: str,
        at: datetime,
        window: int,
        services: tuple[str, ...],
        reason: str,
    ) -> None:
        chosen = self._check_skills(spec, window, services)
        skills = self.window(spec, window).skills
        self.trigger_event(
            self.ServicesAssigned,
            request_id=request_id,
            at=at,
            window=window,
            skills=skills,
            services=chosen,
            reason=reason,
        )

    def call_next(self, spec: HallSpec, *, request_id: str, at: datetime, window: int) -> None:
        choice = self.choose_for(spec, window, at)
        if choice is None:
            raise NothingToCall(
                f"{window} 号窗口暂无可叫的号", f"nobody is waiting for window {window}"
            )
        w = self.windows[window]
        skills = frozenset(w.skills)
        passed = passed_over(
            WindowSkills(window, frozenset(w.services), skills),
            (t for t in self.remote(skills) if t.passed_at is None),
            choice,
            at,
            spec.policy,
        )
        self.trigger_event(
            self.TicketCalled,
            request_id=request_id,
            at=at,
            window=window,
            number=choice.ticket.number,
            rule=choice.rule,
            reason="",
            passed=passed,
        )

    def choose_for(self, spec: HallSpec, window: int, at: datetime) -> Choice | None:
        """What call next would choose for this window now (it must be open and free)."""
        w = self._require_free_window(spec, window)
        skills = frozenset(w.skills)
        return choose_next(
            WindowSkills(window, frozenset(w.services), skills),
            self.waiting(skills),
            at,
            spec.policy,
        )

    def call_ticket(
        self,
        spec: HallSpec,
        *,
        request_id: str,
        at: datetime,
        window: int,
        number: str,
        reason: str,
    ) -> None:
        w = self._require_free_window(spec, window)
        t = self.ticket(number)
        if t.status is TicketStatus.REMOTE:
            raise IllegalTransition(
                f"{number} 号为远程取号，尚未到厅扫码确认，不能叫号",
                f"ticket {number} was taken remotely and has not confirmed arrival at a kiosk;"
                " it cannot be called yet",
            )
        next_status(number, t.status, "call")
        if t.target_window not in (None, window):
            raise SkillMismatch(
                f"{number} 号已指定到 {t.target_window} 号窗口",
                f"ticket {number} is meant for window {t.target_window}",
            )
        if t.service not in w.skills and t.target_window != window:
            raise SkillMismatch(
                f"{window} 号窗口不能办理 {number} 号的业务",
                f"window {window} cannot serve ticket {number}'s service",
            )
        self.trigger_event(
            self.TicketCalled,
            request_id=request_id,
            at=at,
            window=window,
            number=number,
            rule="specific",
            reason=reason,
        )

    def recall(self, spec: HallSpec, *, request_id: str, at: datetime, window: int) -> None:
        t = self._current(spec, window)
        next_status(t.number, t.status, "recall")
        limit = spec.policy.auto_no_show_after_recalls
        if limit is not None and t.recalls >= limit:
            self.trigger_event(
                self.TicketMarkedNoShow,
                request_id=request_id,
                at=at,
                window=window,
                number=t.number,
                auto=True,
            )
            return
        wait_s = spec.policy.min_recall_interval_s
        if t.called_at is not None and (at - t.called_at).total_seconds() < wait_s:
            raise TooSoon(
                f"请在 {wait_s:.0f} 秒后再重呼", f"wait {wait_s:.0f} s between calls of one ticket"
            )
        self.trigger_event(
            self.TicketRecalled, request_id=request_id, at=at, window=window, number=t.number
        )

    def mark_no_show(self, spec: HallSpec, *, request_id: str, at: datetime, window: int) -> None:
        t = self._current(spec, window)
        next_status(t.number, t.status, "no_show")
        self.trigger_event(
            self.TicketMarkedNoShow,
            request_id=request_id,
            at=at,
            window=window,
            number=t.number,
            auto=False,
        )

    def reinstate(self, spec: HallSpec, *, request_id: str, at: datetime, number: str) -> None:
        t = self.ticket(number)
        next_status(number, t.status, "reinstate")
        if t.reinstated:
            raise IllegalTransition(
                f"{number} 号已恢复过一次", f"ticket {number} was already reinstated once"
            )
        self.trigger_event(self.TicketReinstated, request_id=request_id, at=at, number=number)

    def start_serving(self, spec: HallSpec, *, request_id: str, at: datetime, window: int) -> None:
        t = self._current(spec, window)
        next_status(t.number, t.status, "start")
        self.trigger_event(
            self.ServiceStarted, request_id=request_id, at=at, window=window, number=t.number
        )

    def finish(
        self,
        spec: HallSpec,
        *,
        request_id: str,
        at: datetime,
        window: int,
        result: str,
        rating: int | None,
    ) -> None:
        t = self._current(spec, window)
        next_status(t.number, t.status, "finish")
        if rating is not None and not (isinstance(rating, int) and 1 <= rating <= 5):
            raise MalformedCommand("评价须为 1 至 5 分", "a rating is a whole number from 1 to 5")
        self.trigger_event(
            self.ServiceFinished,
            request_id=request_id,
            at=at,
            window=window,
            number=t.number,
            result=result,
            rating=rating,
        )

    def transfer(
        self,
        spec: HallSpec,
        *,
        request_id: str,
        at: datetime,
        window: int,
        to_service: str | None,
        to_window: int | None,
        placement: TransferPlacement | None,
        note: str,
    ) -> None:
        t = self._current(spec, window)
        next_status(t.number, t.status, "transfer")
        if to_service is None and to_window is None:
            raise MalformedCommand(
                "请指定转办的业务或窗口", "a transfer needs a target service or window"
            )
        service = spec.service(to_service or t.service)
        if t.lane not in service.lanes:
            raise LaneNotAllowed(
                f"「{service.name_zh}」不设该通道", f"{service.name_en} has no {t.lane.value} lane"
            )
        if to_window is not None:
            if to_window == window:
                raise MalformedCommand(
                    "不能转给本窗口", "a ticket cannot be transferred to its own window"
                )
            if service.id not in spec.window(to_window).skills:
                raise SkillMismatch(
                    f"{to_window} 号窗口不能办理「{service.name_zh}」",
                    f"window {to_window} cannot serve {service.name_en}",
                )
        elif service.id == t.service:
            raise MalformedCommand(
                "转办业务与当前业务相同", "the target service is the ticket's own service"
            )
        placement = placement or spec.policy.transfer_placement
        self.trigger_event(
            self.TicketTransferred,
            request_id=request_id,
            at=at,
            window=window,
            number=t.number,
            to_service=service.id,
            to_window=to_window,
            front=placement is TransferPlacement.FRONT,
            note=note,
        )

    def park(
        self,
        spec: HallSpec,
        *,
        request_id: str,
        at: datetime,
        window: int,
        missing: tuple[str, ...],
        until: datetime,
    ) -> None:
        t = self._current(spec, window)
        next_status(t.number, t.status, "park")
        if not missing:
            raise MalformedCommand("请注明所缺材料", "name the missing materials")
        if until <= at:
            raise MalformedCommand("补齐期限须晚于现在", "the deadline must be in the future")
        self.trigger_event(
            self.TicketParked,
            request_id=request_id,
            at=at,
            window=window,
            number=t.number,
            missing=tuple(missing),
            until=until,
        )

    def return_to_queue(
        self, spec: HallSpec, *, request_id: str, at: datetime, number: str
    ) -> None:
        t = self.ticket(number)
        next_status(number, t.status, "return")
        if t.status is TicketStatus.PARKED and t.parked_until is not None and at > t.parked_until:
            raise IllegalTransition(
                f"{number} 号的补齐期限已过", f"ticket {number}'s deadline has passed"
            )
        self.trigger_event(
            self.TicketReturned, request_id=request_id, at=at, number=number, window=t.window
        )

    def rate(
        self,
        spec: HallSpec,
        *,
        request_id: str,
        at: datetime,
        number: str,
        rating: int,
        comment: str,
    ) -> None:
        """The resident's rating, from their phone, once their visit is over."""
        if number in self.tickets:
            raise IllegalTransition(
                f"{number} 号办结后才能评价", f"ticket {number} can be rated once it is done"
            )
        if not self.was_issued(number):
            raise UnknownTicket(f"今天没有 {number} 号", f"no ticket {number} today")
        if number in self.rated:
            raise IllegalTransition(f"{number} 号已评价过", f"ticket {number} was already rated")
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise MalformedCommand("评价须为 1 至 5 分", "a rating is a whole number from 1 to 5")
        if len(comment) > 500:
            raise MalformedCommand("留言不超过 500 字", "a comment has at most 500 characters")
        self.trigger_event(
            self.TicketRated,
            request_id=request_id,
            at=at,
            number=number,
            rating=rating,
            comment=comment,
        )

    def confirm_arrival(
        self, spec: HallSpec, *, request_id: str, at: datetime, number: str, kiosk: str
    ) -> None:
        """The resident of a remote ticket is in the hall (scanned at `kiosk`)."""
        t = self.ticket(number)
        next_status(number, t.status, "arrive")
        self.trigger_event(
            self.ArrivalConfirmed, request_id=request_id, at=at, number=number, kiosk=kiosk
        )

    def lapse_remote(self, spec: HallSpec, *, request_id: str, at: datetime) -> None:
        """Lapse every unconfirmed remote ticket whose grace has run out.

        A remote ticket's grace starts when call next first passes it over (it had
        reached the front: the policy would have called it had it been confirmed; see
        `TicketCalled.passed`), and lasts the hall's `remote_grace_min`. Both moments are
        in the log, so the decision depends on the events and `at` only: deterministic,
        and the same on every replay. A remote ticket nobody has been called past blocks
        nobody, so it does not lapse. One `TicketLapsed` per ticket, in issue order; a run
        with nothing due is `NothingToLapse` and writes nothing, so running it again is
        harmless, and a retried request id gets the first run's outcome.
        """
        grace = timedelta(minutes=spec.policy.remote_grace_min)
        due = sorted(
            (t for t in self.remote() if t.passed_at is not None and at - t.passed_at >= grace),
            key=lambda t: t.seq,
        )
        if not due:
            raise NothingToLapse("没有需作废的远程号", "no remote ticket is due to lapse")
        for t in due:
            self.trigger_event(
                self.TicketLapsed,
                request_id=request_id,
                at=at,
                number=t.number,
                passed_at=t.passed_at,
            )

    def cancel(
        self, spec: HallSpec, *, request_id: str, at: datetime, number: str, by: str
    ) -> None:
        t = self.ticket(number)
        next_status(number, t.status, "cancel")
        self.trigger_event(self.TicketCancelled, request_id=request_id, at=at, number=number, by=by)

    # ---- checks ------------------------------------------------------------------------

    def _check_skills(
        self, spec: HallSpec, window: int, services: tuple[str, ...]
    ) -> tuple[str, ...]:
        skills = spec.window(window).skills
        for s in services:
            spec.service(s)
            if s not in skills:
                raise SkillMismatch(
                    f"{window} 号窗口不具备「{s}」技能", f"window {window} is not skilled for '{s}'"
                )
        return tuple(dict.fromkeys(services))

    def _require_window(self, spec: HallSpec, window: int, status: WindowStatus) -> Window:
        w = self.window(spec, window)
        if w.status is not status:
            raise WindowStateError(
                f"{window} 号窗口当前{_WINDOW_ZH[w.status]}，此操作需要窗口{_WINDOW_ZH[status]}",
                f"window {window} is {w.status.value}; this needs it {status.value}",
            )
        return w

    def _require_free_window(self, spec: HallSpec, window: int) -> Window:
        w = self._require_window(spec, window, WindowStatus.OPEN)
        if w.current is not None:
            raise WindowStateError(
                f"{window} 号窗口还有 {w.current} 号未处理",
                f"window {window} is still handling ticket {w.current}",
            )
        return w

    def _current(self, spec: HallSpec, window: int) -> Ticket:
        w = self.window(spec, window)
        if w.current is None:
            raise WindowStateError(
                f"{window} 号窗口当前没有号", f"window {window} has no current ticket"
            )
        return self.tickets[w.current]


# The library registers the explicit topics of nested events, not of a nested snapshot
# class; without this a fresh process could not resolve a stored snapshot's topic.
register_topic(HallDay.Snapshot.TOPIC, HallDay.Snapshot)
