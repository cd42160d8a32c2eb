"""The appointment book's values: slots, bookings and what its commands return.

All frozen: a command's outcome keeps the booking as it was when the command was carried
out, which is what a retry of that request gets back, whatever happened since.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from uuid import uuid5

from queue_core.appointment_errors import UnknownBooking
from queue_core.errors import MalformedCommand
from queue_core.ids import HALLQ_NAMESPACE


class BookingStatus(Enum):
    """Never stored (events carry no status; it follows from their kind)."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


# A place in a slot is held by every booking that was not cancelled: a checked-in or
# no-show booking used its place (and its slot is over by the time it is a no-show).
HOLDS_PLACE = frozenset({BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW})
# One of these per person, service and day (a no-show may book again later that day).
ACTIVE = frozenset({BookingStatus.BOOKED, BookingStatus.CHECKED_IN})


@dataclass(frozen=True)
class Slot:
    service: str
    start: datetime  # UTC
    minutes: int
    capacity: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)

    @property
    def key(self) -> tuple[str, datetime]:
        return (self.service, self.start)


@dataclass(frozen=True)
class SlotView:
    """A slot with its live availability (what the booking page shows)."""

    service: str
    start: datetime
    end: datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


@dataclass(frozen=True)
class Booking:
    id: str
    hall: str
    date: str  # the hall's local date (ISO)
    service: str
    slot_start: datetime
    slot_end: datetime
    person: str  # a salted hash made by the caller; never a phone number or ID
    status: BookingStatus
    placed_at: datetime  # booked, or last moved to this slot
    ticket: str | None = None  # the hall-day ticket, once checked in
    priority: bool = False  # checked in within the window: the ticket carries its slot
    checked_in_at: datetime | None = None


@dataclass(frozen=True)
class AppointmentOutcome:
    event: str  # the event the command recorded, e.g. "BookingMade"
    command: str  # the kind of command, e.g. "book"
    booking: Booking | None = None  # the booking as the command left it
    count: int = 0  # for a no-show sweep: how many bookings it marked
    replayed: bool = False  # the remembered answer to an earlier try of this request


@dataclass(frozen=True)
class Reminder:
    id: str  # stable: booking, kind and slot; a moved booking gets new reminders
    kind: str  # "day_before" or "hour_before"
    hall: str
    booking: str
    person: str
    service: str
    slot_start: datetime
    due_at: datetime


_DIGEST = re.compile(r"[0-9a-f]{32,128}")
_BOOKING_ID = re.compile(r"(\d{4})(\d{2})(\d{2})-[0-9a-f]{16}")


def require_person(person: str) -> str:
    """The person as given, if it looks like a hex digest (so never a raw phone number)."""
    if not _DIGEST.fullmatch(person):
        raise MalformedCommand(
            "预约人标识须为加盐哈希（十六进制摘要）",
            "the person must be a salted hash (a lowercase hex digest)",
        )
    return person


def require_aware(moment: datetime) -> datetime:
    """The moment in UTC; a time without a timezone is refused."""
    if moment.tzinfo is None:
        raise MalformedCommand("时间须带时区", "a time needs a timezone")
    return moment.astimezone(UTC)


def booking_id(hall: str, day: str, request_id: str) -> str:
    """A booking's id, the same for every retry of its request: the date, then 64 bits of
    a uuid5, so the book that holds it is found from the id alone."""
    digest = uuid5(HALLQ_NAMESPACE, f"booking/{hall}/{day}/{request_id}").hex[:16]
    return f"{day.replace('-', '')}-{digest}"


def booking_date(booking: str) -> str:
    """The ISO date of the book holding `booking`; `UnknownBooking` if it is no booking id."""
    match = _BOOKING_ID.fullmatch(booking)
    if match is None:
        raise UnknownBooking(f"没有此预约：{booking}", f"no booking '{booking}'")
    return "-".join(match.groups())


def reminder_id(booking: str, kind: str, slot_start: datetime) -> str:
    return f"{booking}:{kind}:{slot_start.astimezone(UTC):%Y%m%dT%H%MZ}"
