"""Commands on a hall's appointment book: frozen, each with the request id that makes a
retry harmless (a retried request gets its first answer and writes nothing).

Commands carry no time: the application's clock gives it, as for the hall's day. Each
names the book method that carries it out (`METHOD`); its fields, but `hall` and
`date`, are that method's keyword arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar

from queue_core.appointment_values import booking_date
from queue_core.vocabulary import Lane


@dataclass(frozen=True)
class AppointmentCommand:
    request_id: str
    hall: str
    KIND: ClassVar[str] = ""  # what an event remembers of its command, for retries
    METHOD: ClassVar[str] = ""  # the AppointmentBook method that carries it out

    def book_date(self) -> str:
        """The ISO date of the book the command acts on."""
        return str(getattr(self, "date"))  # noqa: B009 - subclasses without it override

    def arguments(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_ARGS}


_NOT_ARGS = frozenset({"hall", "date"})


@dataclass(frozen=True)
class BookSlot(AppointmentCommand):
    date: str
    service: str
    slot_start: datetime
    person: str  # a salted hex digest made by the caller, never a phone number or ID
    KIND: ClassVar[str] = "book"
    METHOD: ClassVar[str] = "book_slot"


@dataclass(frozen=True)
class Reschedule(AppointmentCommand):
    booking: str
    person: str
    slot_start: datetime  # another slot of the same service on the same day
    KIND: ClassVar[str] = "reschedule"
    METHOD: ClassVar[str] = "reschedule"

    def book_date(self) -> str:
        return booking_date(self.booking)


@dataclass(frozen=True)
class CancelBooking(AppointmentCommand):
    booking: str
    person: str
    KIND: ClassVar[str] = "cancel"
    METHOD: ClassVar[str] = "cancel"

    def book_date(self) -> str:
        return booking_date(self.booking)


@dataclass(frozen=True)
class CheckIn(AppointmentCommand):
    """Turn the booking into a ticket on the hall's day (see `Appointments.check_in`)."""

    booking: str
    lane: Lane | None = None  # None: the blue lane, or the service's first
    token_digest: str | None = None  # the ticket's token digest (see HallDay.TicketIssued)
    KIND: ClassVar[str] = "check_in"
    METHOD: ClassVar[str] = "record_check_in"

    def book_date(self) -> str:
        return booking_date(self.booking)


@dataclass(frozen=True)
class SetSlotCapacity(AppointmentCommand):
    """A supervisor's capacity for one slot; never below what is already booked."""

    date: str
    service: str
    slot_start: datetime
    capacity: int
    by: str = ""
    KIND: ClassVar[str] = "set_capacity"
    METHOD: ClassVar[str] = "set_slot_capacity"


@dataclass(frozen=True)
class RecordNoShows(AppointmentCommand):
    """Mark every booking of the date whose check-in window has closed unchecked."""

    date: str
    KIND: ClassVar[str] = "no_show"
    METHOD: ClassVar[str] = "record_no_shows"


@dataclass(frozen=True)
class MarkReminderSent(AppointmentCommand):
    reminder: str  # a `Reminder.id`
    KIND: ClassVar[str] = "reminder_sent"
    METHOD: ClassVar[str] = "mark_reminder_sent"

    def book_date(self) -> str:
        return booking_date(self.reminder.split(":", 1)[0])
