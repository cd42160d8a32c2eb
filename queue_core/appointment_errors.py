"""The appointment book's refusals: each a `DomainError` with a stable code, an HTTP status
(404 unknown, 409 a rule refuses, 400 malformed) and a message in Chinese and English.

Malformed input (a person that is not a digest, a naive time) reuses `MalformedCommand`,
an unknown service `UnknownService` and a reused request id `RequestIdReused`, all from
`queue_core.errors`, so the web layer maps every refusal the same way.
"""

from __future__ import annotations

from datetime import datetime

from queue_core.errors import DomainError


class UnknownBooking(DomainError):
    code = "unknown_booking"
    http_status = 404


class UnknownSlot(DomainError):
    """No slot of that service starts at that time in the day's book."""

    code = "unknown_slot"
    http_status = 404


class ServiceNotBookable(DomainError):
    code = "service_not_bookable"
    http_status = 409


class DateNotBookable(DomainError):
    """A past date, a date beyond the booking horizon, or a day the hall is closed."""

    code = "date_not_bookable"
    http_status = 409


class SlotPassed(DomainError):
    """The slot's check-in window is over: it can no longer be booked or moved to."""

    code = "slot_passed"
    http_status = 409


class SlotFull(DomainError):
    code = "slot_full"
    http_status = 409


class DuplicateBooking(DomainError):
    """The person already holds an active booking for this service on this day."""

    code = "duplicate_booking"
    http_status = 409


class BookingClosed(DomainError):
    """The booking's status does not allow the action (checked in, cancelled, no-show,
    or its day is over)."""

    code = "booking_closed"
    http_status = 409


class CapacityBelowBooked(DomainError):
    code = "capacity_below_booked"
    http_status = 409


class TooEarly(DomainError):
    """A check-in before the window opens; `come_back_at` is when it does."""

    code = "too_early"
    http_status = 409

    def __init__(self, message_zh: str, message_en: str, come_back_at: datetime) -> None:
        super().__init__(message_zh, message_en)
        self.come_back_at = come_back_at
