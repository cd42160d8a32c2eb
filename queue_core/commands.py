"""Commands: frozen, imperative, each carrying the request id that makes a retry harmless.

Each command knows which method of the hall's day carries it out (`apply_to`); the
application service stays a loop of load, apply, save.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from queue_core.vocabulary import Channel, Lane, TransferPlacement

if TYPE_CHECKING:
    from queue_core.hall_day import HallDay
    from queue_core.hall_spec import HallSpec


@dataclass(frozen=True)
class Command:
    request_id: str
    hall: str
    KIND: ClassVar[str] = ""

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class IssueTicket(Command):
    service: str
    lane: Lane = Lane.BLUE
    channel: Channel = Channel.KIOSK
    appointment_ref: str | None = None
    slot_start: datetime | None = None
    slot_end: datetime | None = None
    token_digest: str | None = None  # see HallDay.TicketIssued
    KIND: ClassVar[str] = "issue"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.issue_ticket(
            spec,
            request_id=self.request_id,
            at=at,
            service=self.service,
            lane=self.lane,
            channel=self.channel,
            appointment_ref=self.appointment_ref,
            slot_start=self.slot_start,
            slot_end=self.slot_end,
            token_digest=self.token_digest,
        )


@dataclass(frozen=True)
class OpenWindow(Command):
    window: int
    services: tuple[str, ...] | None = None  # None: its assignment (at first: its defaults)
    staff: str = ""
    KIND: ClassVar[str] = "open"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.open_window(
            spec,
            request_id=self.request_id,
            at=at,
            window=self.window,
            services=self.services,
            staff=self.staff,
        )


@dataclass(frozen=True)
class PauseWindow(Command):
    window: int
    reason: str = ""
    KIND: ClassVar[str] = "pause"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.pause_window(
            spec, request_id=self.request_id, at=at, window=self.window, reason=self.reason
        )


@dataclass(frozen=True)
class ResumeWindow(Command):
    window: int
    KIND: ClassVar[str] = "resume"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.resume_window(spec, request_id=self.request_id, at=at, window=self.window)


@dataclass(frozen=True)
class CloseWindow(Command):
    window: int
    KIND: ClassVar[str] = "close"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.close_window(spec, request_id=self.request_id, at=at, window=self.window)


@dataclass(frozen=True)
class AssignServices(Command):
    window: int
    services: tuple[str, ...]
    reason: str = ""
    KIND: ClassVar[str] = "assign"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.assign_services(
            spec,
            request_id=self.request_id,
            at=at,
            window=self.window,
            services=self.services,
            reason=self.reason,
        )


@dataclass(frozen=True)
class CallNext(Command):
    window: int
    KIND: ClassVar[str] = "call_next"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.call_next(spec, request_id=self.request_id, at=at, window=self.window)


@dataclass(frozen=True)
class CallTicket(Command):
    window: int
    ticket: str
    reason: str = ""
    KIND: ClassVar[str] = "call"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.call_ticket(
            spec,
            request_id=self.request_id,
            at=at,
            window=self.window,
            number=self.ticket,
            reason=self.reason,
        )


@dataclass(frozen=True)
class Recall(Command):
    window: int
    KIND: ClassVar[str] = "recall"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.recall(spec, request_id=self.request_id, at=at, window=self.window)


@dataclass(frozen=True)
class MarkNoShow(Command):
    window: int
    KIND: ClassVar[str] = "no_show"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.mark_no_show(spec, request_id=self.request_id, at=at, window=self.window)


@dataclass(frozen=True)
class Reinstate(Command):
    ticket: str
    KIND: ClassVar[str] = "reinstate"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.reinstate(spec, request_id=self.request_id, at=at, number=self.ticket)


@dataclass(frozen=True)
class StartServing(Command):
    window: int
    KIND: ClassVar[str] = "start"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.start_serving(spec, request_id=self.request_id, at=at, window=self.window)


@dataclass(frozen=True)
class FinishService(Command):
    window: int
    result: str = "done"
    rating: int | None = None
    KIND: ClassVar[str] = "finish"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.finish(
            spec,
            request_id=self.request_id,
            at=at,
            window=self.window,
            result=self.result,
            rating=self.rating,
        )


@dataclass(frozen=True)
class Transfer(Command):
    window: int
    to_service: str | None = None
    to_window: int | None = None
    placement: TransferPlacement | None = None  # None: the hall's setting
    note: str = ""
    KIND: ClassVar[str] = "transfer"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.transfer(
            spec,
            request_id=self.request_id,
            at=at,
            window=self.window,
            to_service=self.to_service,
            to_window=self.to_window,
            placement=self.placement,
            note=self.note,
        )


@dataclass(frozen=True)
class Park(Command):
    window: int
    missing: tuple[str, ...]
    until: datetime
    KIND: ClassVar[str] = "park"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.park(
            spec,
            request_id=self.request_id,
            at=at,
            window=self.window,
            missing=self.missing,
            until=self.until,
        )


@dataclass(frozen=True)
class ReturnToQueue(Command):
    ticket: str
    KIND: ClassVar[str] = "return"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.return_to_queue(spec, request_id=self.request_id, at=at, number=self.ticket)


@dataclass(frozen=True)
class CancelTicket(Command):
    ticket: str
    by: str = "resident"
    KIND: ClassVar[str] = "cancel"

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        day.cancel(spec, request_id=self.request_id, at=at, number=self.ticket, by=self.by)


ALL_COMMANDS: tuple[type[Command], ...] = tuple(Command.__subclasses__())
