"""The reminder outbox: the evening before (18:00 hall time) and an hour before the slot,
each with a stable id, each sent once even across a restart."""

from __future__ import annotations

import pytest

from queue_core.application import HallqApplication
from queue_core.appointment_commands import BookSlot, CancelBooking, MarkReminderSent, Reschedule
from queue_core.appointment_errors import UnknownBooking
from queue_core.appointment_values import Booking
from queue_core.appointments import Appointments
from queue_core.ports import ManualClock
from tests.conftest import HALL
from tests.unit.appointment_helpers import TODAY, TOMORROW, hall_time, person


def booked(a: Appointments, rid: str, who: int = 1, hhmm: str = "10:00") -> Booking:
    outcome = a.execute(
        BookSlot(rid, HALL, TOMORROW, "social-security", hall_time(TOMORROW, hhmm), person(who))
    )
    assert outcome.booking is not None
    return outcome.booking


def due(a: Appointments, day: str, hhmm: str) -> list[tuple[str, str]]:
    return [(r.kind, r.booking) for r in a.due_reminders(HALL, hall_time(day, hhmm))]


def test_reminders_fall_due_the_evening_before_and_an_hour_before(app: HallqApplication) -> None:
    a = Appointments(app)
    booking = booked(a, "b1")
    assert due(a, TODAY, "17:59") == []
    assert due(a, TODAY, "18:00") == [("day_before", booking.id)]
    (reminder,) = a.due_reminders(HALL, hall_time(TODAY, "18:00"))
    assert reminder.due_at == hall_time(TODAY, "18:00") and reminder.person == person(1)
    assert reminder.id == f"{booking.id}:day_before:20260303T0200Z"
    assert due(a, TOMORROW, "08:59") == [("day_before", booking.id)]  # not sent yet: still due
    assert due(a, TOMORROW, "09:00") == [("day_before", booking.id), ("hour_before", booking.id)]
    assert due(a, TOMORROW, "10:00") == []  # the slot has begun


def test_a_reminder_marked_sent_is_never_due_again_even_after_a_restart(
    app: HallqApplication,
) -> None:
    a = Appointments(app)
    booked(a, "b1")
    (reminder,) = a.due_reminders(HALL, hall_time(TODAY, "18:00"))
    sent = a.execute(MarkReminderSent("s1", HALL, reminder.id))
    assert sent.event == "ReminderSent" and not sent.replayed
    assert a.execute(MarkReminderSent("s1", HALL, reminder.id)).replayed
    assert a.execute(MarkReminderSent("s2", HALL, reminder.id)).replayed  # a second sender
    restarted = Appointments(app)
    assert due(restarted, TODAY, "18:30") == []
    assert [r.kind for r in restarted.due_reminders(HALL, hall_time(TOMORROW, "09:05"))] == [
        "hour_before"
    ]


def test_a_booking_made_after_a_reminder_time_skips_that_reminder(
    app: HallqApplication, clock: ManualClock
) -> None:
    clock.set(hall_time(TODAY, "19:00"))
    a = Appointments(app)
    booking = booked(a, "b1")
    assert due(a, TODAY, "20:00") == []
    assert due(a, TOMORROW, "09:00") == [("hour_before", booking.id)]


def test_a_moved_booking_gets_new_reminders_and_a_cancelled_one_none(
    app: HallqApplication, clock: ManualClock
) -> None:
    a = Appointments(app)
    one, two = booked(a, "b1", who=1), booked(a, "b2", who=2)
    (old,) = [r for r in a.due_reminders(HALL, hall_time(TOMORROW, "09:00")) if r.booking == one.id and r.kind == "hour_before"]  # fmt: skip
    a.execute(MarkReminderSent("s1", HALL, old.id))
    clock.set(hall_time(TOMORROW, "09:05"))  # moved after the evening reminder's time
    a.execute(Reschedule("m1", HALL, one.id, person(1), hall_time(TOMORROW, "15:00")))
    a.execute(CancelBooking("c1", HALL, two.id, person(2)))
    reminders = a.due_reminders(HALL, hall_time(TOMORROW, "14:00"))
    assert [(r.kind, r.booking) for r in reminders] == [("hour_before", one.id)]
    assert reminders[0].id != old.id and reminders[0].slot_start == hall_time(TOMORROW, "15:00")


def test_marking_a_reminder_of_no_booking_is_refused(app: HallqApplication) -> None:
    a = Appointments(app)
    booked(a, "b1")
    with pytest.raises(UnknownBooking):
        a.execute(MarkReminderSent("s1", HALL, "20260303-0123456789abcdef:day_before:x"))
