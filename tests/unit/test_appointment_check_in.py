"""Check-in turns a booking into a ticket on the hall's day: early → refused with the time
to come back; within the window → an appointment ticket carrying its slot (rule 2 of the
call policy calls it first); later → an ordinary ticket; twice → the same ticket. And the
no-show sweep, and a crash between check-in's two steps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from queue_core.application import HallqApplication
from queue_core.appointment_commands import (
    BookSlot,
    CancelBooking,
    CheckIn,
    RecordNoShows,
    Reschedule,
)
from queue_core.appointment_errors import BookingClosed, DuplicateBooking, TooEarly
from queue_core.appointment_values import Booking, BookingStatus
from queue_core.appointments import Appointments, check_in_ticket_request_id
from queue_core.commands import CallNext, IssueTicket, OpenWindow
from queue_core.ports import ManualClock
from queue_core.vocabulary import Channel, Lane
from tests.conftest import HALL
from tests.unit.appointment_helpers import TODAY, TOMORROW, hall_time, person


@pytest.fixture
def appointments(app: HallqApplication) -> Iterator[Appointments]:
    yield Appointments(app)


def booked(a: Appointments, rid: str, hhmm: str, who: int = 1, day: str = TODAY) -> Booking:
    outcome = a.execute(
        BookSlot(rid, HALL, day, "social-security", hall_time(day, hhmm), person(who))
    )
    assert outcome.booking is not None
    return outcome.booking


def at(clock: ManualClock, hhmm: str, day: str = TODAY) -> None:
    clock.set(hall_time(day, hhmm))


def test_a_check_in_too_early_says_when_to_come_back(
    appointments: Appointments, clock: ManualClock
) -> None:
    booking = booked(appointments, "b1", "10:00")
    at(clock, "09:44")
    with pytest.raises(TooEarly) as refused:
        appointments.execute(CheckIn("ci", HALL, booking.id))
    assert refused.value.come_back_at == hall_time(TODAY, "09:45")
    assert "09:45" in refused.value.message_zh and "09:45" in refused.value.message_en
    assert refused.value.http_status == 409
    assert appointments.app.get_day(HALL).counters == {}  # no ticket issued


def test_a_check_in_on_an_earlier_day_is_too_early(
    appointments: Appointments, clock: ManualClock
) -> None:
    booking = booked(appointments, "b1", "10:00", day=TOMORROW)
    with pytest.raises(TooEarly) as refused:
        appointments.execute(CheckIn("ci", HALL, booking.id))
    assert "2026-03-03" in refused.value.message_en


@pytest.mark.parametrize("hhmm", ["09:45", "10:00", "10:10"])
def test_a_check_in_within_the_window_gives_an_appointment_ticket(
    appointments: Appointments, clock: ManualClock, hhmm: str
) -> None:
    booking = booked(appointments, "b1", "10:00")
    at(clock, hhmm)
    checked = appointments.execute(CheckIn("ci", HALL, booking.id)).booking
    assert checked is not None and checked.status is BookingStatus.CHECKED_IN
    assert checked.priority and checked.ticket == "A001"
    ticket = appointments.app.get_day(HALL).tickets["A001"]
    assert ticket.channel is Channel.APPOINTMENT and ticket.appointment_ref == booking.id
    assert (ticket.slot_start, ticket.slot_end) == (booking.slot_start, booking.slot_end)
    assert ticket.lane is Lane.BLUE


def test_an_appointment_ticket_is_called_before_earlier_walk_ins(
    appointments: Appointments, app: HallqApplication, clock: ManualClock
) -> None:
    booking = booked(appointments, "b1", "10:00")
    at(clock, "09:50")
    app.execute(OpenWindow("o", HALL, 1))
    app.execute(IssueTicket("walk-in", HALL, "social-security"))
    at(clock, "09:58")
    appointments.execute(CheckIn("ci", HALL, booking.id))
    at(clock, "10:01")
    called = app.execute(CallNext("c", HALL, 1))
    assert (called.ticket, called.rule) == ("A002", "appointment")


def test_a_late_check_in_gives_an_ordinary_ticket(
    appointments: Appointments, clock: ManualClock
) -> None:
    booking = booked(appointments, "b1", "10:00")
    at(clock, "10:11")
    checked = appointments.execute(CheckIn("ci", HALL, booking.id, lane=Lane.GREEN)).booking
    assert checked is not None and not checked.priority and checked.ticket == "A001"
    ticket = appointments.app.get_day(HALL).tickets["A001"]
    assert ticket.slot_start is None and ticket.slot_end is None  # no priority
    assert ticket.appointment_ref == booking.id and ticket.lane is Lane.GREEN


def test_checking_in_twice_gives_the_same_ticket(
    appointments: Appointments, clock: ManualClock
) -> None:
    booking = booked(appointments, "b1", "10:00")
    at(clock, "09:55")
    first = appointments.execute(CheckIn("ci1", HALL, booking.id))
    again = appointments.execute(CheckIn("ci1", HALL, booking.id))  # a retry
    other = appointments.execute(CheckIn("ci2", HALL, booking.id))  # scanned again
    assert first.booking is not None and not first.replayed
    assert again.replayed and again.booking == first.booking
    assert other.booking is not None and other.booking.ticket == first.booking.ticket
    assert appointments.app.get_day(HALL).counters == {"A": 1}


def test_a_check_in_cut_short_between_its_steps_is_completed_by_a_retry(
    appointments: Appointments, app: HallqApplication, clock: ManualClock
) -> None:
    booking = booked(appointments, "b1", "10:00")
    at(clock, "09:55")
    # Step 1 of an earlier try: the ticket was issued, then the process died.
    issued = app.execute(
        IssueTicket(
            check_in_ticket_request_id(booking.id), HALL, "social-security", channel=Channel.APPOINTMENT,
            appointment_ref=booking.id, slot_start=booking.slot_start, slot_end=booking.slot_end,
        )
    )  # fmt: skip
    assert appointments.booking(HALL, booking.id).status is BookingStatus.BOOKED
    at(clock, "10:20")  # the retry comes late, but step 1 already decided: priority
    checked = appointments.execute(CheckIn("ci", HALL, booking.id)).booking
    assert checked is not None and checked.ticket == issued.ticket and checked.priority
    assert app.get_day(HALL).counters == {"A": 1}


def test_cancel_and_reschedule_after_check_in_are_refused(
    appointments: Appointments, clock: ManualClock
) -> None:
    booking = booked(appointments, "b1", "10:00")
    at(clock, "09:55")
    appointments.execute(CheckIn("ci", HALL, booking.id))
    with pytest.raises(BookingClosed):
        appointments.execute(CancelBooking("c", HALL, booking.id, person(1)))
    with pytest.raises(BookingClosed):
        appointments.execute(
            Reschedule("m", HALL, booking.id, person(1), hall_time(TODAY, "11:00"))
        )


def test_a_cancelled_booking_cannot_check_in(
    appointments: Appointments, clock: ManualClock
) -> None:
    booking = booked(appointments, "b1", "10:00")
    appointments.execute(CancelBooking("c", HALL, booking.id, person(1)))
    at(clock, "09:55")
    with pytest.raises(BookingClosed):
        appointments.execute(CheckIn("ci", HALL, booking.id))


def test_a_check_in_on_a_later_day_is_refused(
    appointments: Appointments, clock: ManualClock
) -> None:
    booking = booked(appointments, "b1", "10:00")
    at(clock, "09:00", day=TOMORROW)
    with pytest.raises(BookingClosed):
        appointments.execute(CheckIn("ci", HALL, booking.id))


def test_no_shows_are_the_bookings_whose_window_closed_unchecked(
    appointments: Appointments, clock: ManualClock
) -> None:
    early = booked(appointments, "b1", "09:30", who=1)
    came = booked(appointments, "b2", "09:30", who=2)
    later = booked(appointments, "b3", "10:00", who=3)
    at(clock, "09:35")
    appointments.execute(CheckIn("ci", HALL, came.id))
    at(clock, "09:40")  # exactly at the close: not yet missed
    assert appointments.execute(RecordNoShows("n1", HALL, TODAY)).count == 0
    at(clock, "09:41")
    swept = appointments.execute(RecordNoShows("n2", HALL, TODAY))
    assert swept.event == "NoShowsRecorded" and swept.count == 1
    statuses = {b: appointments.booking(HALL, b).status for b in (early.id, came.id, later.id)}
    assert statuses == {
        early.id: BookingStatus.NO_SHOW,
        came.id: BookingStatus.CHECKED_IN,
        later.id: BookingStatus.BOOKED,
    }
    assert appointments.execute(RecordNoShows("n2", HALL, TODAY)).replayed
    assert appointments.execute(RecordNoShows("n3", HALL, TODAY)).count == 0
    # A no-show turning up late still gets an ordinary ticket …
    late = appointments.execute(CheckIn("late", HALL, early.id)).booking
    assert late is not None and late.status is BookingStatus.CHECKED_IN and not late.priority
    # … but one who booked the service again that day checks in with the new booking only.
    at(clock, "10:11")
    assert appointments.execute(RecordNoShows("n4", HALL, TODAY)).count == 1  # who=3 missed
    again = booked(appointments, "b4", "14:00", who=3)
    with pytest.raises(DuplicateBooking):
        appointments.execute(CheckIn("late-3", HALL, later.id))
    assert appointments.booking(HALL, again.id).status is BookingStatus.BOOKED


def test_a_cancel_between_the_check_in_s_steps_leaves_no_ticket_waiting(
    appointments: Appointments, app: HallqApplication, clock: ManualClock
) -> None:
    booking = booked(appointments, "b1", "10:00")
    at(clock, "09:55")
    real_execute = app.execute

    def cancelled_meanwhile(command: Any) -> Any:
        outcome = real_execute(command)  # step 1 issues the ticket …
        appointments.execute(CancelBooking("c", HALL, booking.id, person(1)))  # … then this
        return outcome

    app.execute = cancelled_meanwhile  # type: ignore[method-assign]
    with pytest.raises(BookingClosed):
        appointments.execute(CheckIn("ci", HALL, booking.id))
    app.execute = real_execute  # type: ignore[method-assign]
    day = app.get_day(HALL)
    assert day.was_issued("A001") and "A001" not in day.tickets  # issued, then closed
    assert list(day.waiting()) == []  # nobody will be called for it
