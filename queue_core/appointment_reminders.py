"""Reminders of bookings, as a pure function of a book: the outbox an SMS or app adapter
reads. Two per booking: the evening before (hall time) and shortly before the slot.

A reminder is due from its time until the slot starts, once: an adapter sends it, then
records `MarkReminderSent`, so a restart never sends it twice (at worst, a crash between
sending and recording sends it once more). A booking made or moved after a reminder's
time does not get that reminder: its resident has just chosen the slot.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from queue_core.appointment_book import AppointmentBook
from queue_core.appointment_settings import AppointmentSettings
from queue_core.appointment_values import Booking, BookingStatus, Reminder, reminder_id

DAY_BEFORE = "day_before"
HOUR_BEFORE = "hour_before"


def _reminder(book: AppointmentBook, booking: Booking, kind: str, due: datetime) -> Reminder:
    return Reminder(
        id=reminder_id(booking.id, kind, booking.slot_start),
        kind=kind,
        hall=book.hall_id,
        booking=booking.id,
        person=booking.person,
        service=booking.service,
        slot_start=booking.slot_start,
        due_at=due,
    )


def reminders_of(book: AppointmentBook, settings: AppointmentSettings) -> list[Reminder]:
    """Every reminder of the book's bookings still waiting for their slot, sent or not."""
    evening = datetime.combine(
        date.fromisoformat(book.day) - timedelta(days=1),
        settings.reminder_evening,
        ZoneInfo(book.timezone),
    ).astimezone(UTC)
    before = timedelta(minutes=settings.reminder_before_min)
    found: list[Reminder] = []
    for booking in book.bookings.values():
        if booking.status is BookingStatus.BOOKED:
            found.append(_reminder(book, booking, DAY_BEFORE, evening))
            found.append(_reminder(book, booking, HOUR_BEFORE, booking.slot_start - before))
    return found


def due_reminders(
    book: AppointmentBook, settings: AppointmentSettings, at: datetime
) -> list[Reminder]:
    """The reminders to send at `at`, oldest first: due, not yet sent, slot not begun,
    and the booking already in its slot when the reminder fell due."""
    placed = {b.id: b.placed_at for b in book.bookings.values()}
    due = [
        r
        for r in reminders_of(book, settings)
        if r.id not in book.sent and placed[r.booking] < r.due_at <= at < r.slot_start
    ]
    return sorted(due, key=lambda r: (r.due_at, r.id))
