"""Commands: frozen, imperative, each carrying the request id that makes a retry harmless.

Each command names the method of the hall's day that carries it out (`METHOD`); its
fields are that method's keyword arguments, so the application service stays a loop of
load, apply, save, and a new command is a dataclass and a method, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from queue_core.vocabulary import Channel, Lane, TransferPlacement

if TYPE_CHECKING:
    from queue_core.hall_day import HallDay
    from queue_core.hall_spec import HallSpec


SERVER_MADE = "~"
"""Request ids the server makes itself (a check-in's ticket, a device's press, the
minute chores) start with this; clients may not use it (`callers.interface.REQUEST_ID`),
so no client can claim such an id first, or learn the token derived from it."""


def server_request_id(name: str) -> str:
    return SERVER_MADE + name


@dataclass(frozen=True)
class Command:
    request_id: str
    hall: str
    KIND: ClassVar[str] = ""  # what an event remembers of the command, for retries
    METHOD: ClassVar[str] = ""  # the HallDay method that carries it out

    def apply_to(self, day: HallDay, spec: HallSpec, at: datetime) -> None:
        """Call the day's method with this command's fields as keyword arguments."""
        getattr(day, self.METHOD)(spec, at=at, **_arguments(self))


@dataclass(frozen=True)
class IssueTicket(Command):
    service: str
    lane: Lane = Lane.BLUE
    channel: Channel = Channel.KIOSK
    appointment_ref: str | None = None
    slot_start: datetime | None = None
    slot_end: datetime | None = None
    token_digest: str | None = None  # see HallDay.TicketIssued
    remote: bool = False  # 远程取号: waits as REMOTE until ConfirmArrival
    KIND: ClassVar[str] = "issue"
    METHOD: ClassVar[str] = "issue_ticket"


@dataclass(frozen=True)
class OpenWindow(Command):
    window: int
    services: tuple[str, ...] | None = None  # None: its assignment (at first: its defaults)
    staff: str = ""
    KIND: ClassVar[str] = "open"
    METHOD: ClassVar[str] = "open_window"


@dataclass(frozen=True)
class PauseWindow(Command):
    window: int
    reason: str = ""
    KIND: ClassVar[str] = "pause"
    METHOD: ClassVar[str] = "pause_window"


@dataclass(frozen=True)
class ResumeWindow(Command):
    window: int
    KIND: ClassVar[str] = "resume"
    METHOD: ClassVar[str] = "resume_window"


@dataclass(frozen=True)
class CloseWindow(Command):
    window: int
    KIND: ClassVar[str] = "close"
    METHOD: ClassVar[str] = "close_window"


@dataclass(frozen=True)
class AssignServices(Command):
    window: int
    services: tuple[str, ...]
    reason: str = ""
    KIND: ClassVar[str] = "assign"
    METHOD: ClassVar[str] = "assign_services"


@dataclass(frozen=True)
class CallNext(Command):
    window: int
    KIND: ClassVar[str] = "call_next"
    METHOD: ClassVar[str] = "call_next"


@dataclass(frozen=True)
class CallTicket(Command):
    window: int
    ticket: str
    reason: str = ""
    KIND: ClassVar[str] = "call"
    METHOD: ClassVar[str] = "call_ticket"


@dataclass(frozen=True)
class Recall(Command):
    window: int
    KIND: ClassVar[str] = "recall"
    METHOD: ClassVar[str] = "recall"


@dataclass(frozen=True)
class MarkNoShow(Command):
    window: int
    KIND: ClassVar[str] = "no_show"
    METHOD: ClassVar[str] = "mark_no_show"


@dataclass(frozen=True)
class Reinstate(Command):
    ticket: str
    KIND: ClassVar[str] = "reinstate"
    METHOD: ClassVar[str] = "reinstate"


@dataclass(frozen=True)
class StartServing(Command):
    window: int
    KIND: ClassVar[str] = "start"
    METHOD: ClassVar[str] = "start_serving"


@dataclass(frozen=True)
class FinishService(Command):
    window: int
    result: str = "done"
    rating: int | None = None
    KIND: ClassVar[str] = "finish"
    METHOD: ClassVar[str] = "finish"


@dataclass(frozen=True)
class Transfer(Command):
    window: int
    to_service: str | None = None
    to_window: int | None = None
    placement: TransferPlacement | None = None  # None: the hall's setting
    note: str = ""
    KIND: ClassVar[str] = "transfer"
    METHOD: ClassVar[str] = "transfer"


@dataclass(frozen=True)
class Park(Command):
    window: int
    missing: tuple[str, ...]
    until: datetime
    KIND: ClassVar[str] = "park"
    METHOD: ClassVar[str] = "park"


@dataclass(frozen=True)
class ReturnToQueue(Command):
    ticket: str
    KIND: ClassVar[str] = "return"
    METHOD: ClassVar[str] = "return_to_queue"


@dataclass(frozen=True)
class CancelTicket(Command):
    ticket: str
    by: str = "resident"
    KIND: ClassVar[str] = "cancel"
    METHOD: ClassVar[str] = "cancel"


@dataclass(frozen=True)
class RateTicket(Command):
    ticket: str
    rating: int
    comment: str = ""
    KIND: ClassVar[str] = "rate"
    METHOD: ClassVar[str] = "rate"


@dataclass(frozen=True)
class ConfirmArrival(Command):
    """A remote ticket's resident scanned its QR at a kiosk (`kiosk` names it)."""

    ticket: str
    kiosk: str = ""
    KIND: ClassVar[str] = "arrive"
    METHOD: ClassVar[str] = "confirm_arrival"


@dataclass(frozen=True)
class LapseRemoteTickets(Command):
    """Lapse the remote tickets whose grace has run out (see `HallDay.lapse_remote`); the
    server runs it every minute or so."""

    KIND: ClassVar[str] = "lapse"
    METHOD: ClassVar[str] = "lapse_remote"


ALL_COMMANDS: tuple[type[Command], ...] = tuple(Command.__subclasses__())

# A command names the ticket it acts on `ticket`; the day's methods call it `number`.
_RENAMED = {"ticket": "number"}


_PARAMETERS: dict[type[Command], tuple[tuple[str, str], ...]] = {}


def _parameter_names(kind: type[Command]) -> tuple[tuple[str, str], ...]:
    """(field, parameter) pairs of a command class; computed once per class."""
    names = _PARAMETERS.get(kind)
    if names is None:
        fields_ = (f.name for f in fields(kind) if f.name != "hall")
        names = _PARAMETERS[kind] = tuple((f, _RENAMED.get(f, f)) for f in fields_)
    return names


def _arguments(command: Command) -> dict[str, Any]:
    return {
        parameter: getattr(command, name) for name, parameter in _parameter_names(type(command))
    }
