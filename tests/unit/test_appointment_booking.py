"""Booking, rescheduling and cancelling through the real application: every rule and each
refusal with its named error, status and messages; a refusal writes nothing, a retry
gets its first answer. The hall is hallq/data/south-axis.toml: social-security slots hold
6 places, business-license slots 1; tax takes no bookings; the clock starts at 09:00 on
Monday 2026-03-02."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from queue_core.application import HallqApplication
from queue_core.appointment_book import appointment_book_id
from queue_core.appointment_commands import BookSlot, CancelBooking, Reschedule, SetSlotCapacity
from queue_core.appointment_errors import (
    BookingClosed,
    CapacityBelowBooked,
    DateNotBookable,
    DuplicateBooking,
    ServiceNotBookable,
    SlotFull,
    SlotPassed,
    UnknownBooking,
    UnknownSlot,
)
from queue_core.appointment_values import BookingStatus, booking_date
from queue_core.appointments import Appointments
from queue_core.errors import DomainError, MalformedCommand, RequestIdReused, UnknownService
from queue_core.ports import ManualClock
from tests.conftest import HALL
from tests.unit.appointment_helpers import TODAY, TOMORROW, book_state, hall_time, person


@pytest.fixture
def appointments(app: HallqApplication) -> Iterator[Appointments]:
    yield Appointments(app)


def book(
    a: Appointments, rid: str, who: int = 1, service: str = "social-security",
    day: str = TOMORROW, hhmm: str = "10:00",
):  # fmt: skip
    return a.execute(BookSlot(rid, HALL, day, service, hall_time(day, hhmm), person(who)))


def stored_events(a: Appointments, day: str = TOMORROW) -> list[object]:
    return list(a.app.events.get(appointment_book_id(HALL, day)))


def test_a_booking_takes_a_place_in_its_slot(appointments: Appointments) -> None:
    outcome = book(appointments, "b1")
    booking = outcome.booking
    assert outcome.event == "BookingMade" and outcome.command == "book" and not outcome.replayed
    assert booking is not None and booking.status is BookingStatus.BOOKED
    assert booking_date(booking.id) == TOMORROW and booking.person == person(1)
    assert booking.slot_start == hall_time(TOMORROW, "10:00")
    assert (booking.slot_end - booking.slot_start).total_seconds() == 30 * 60
    slot = next(
        s for s in appointments.slots(HALL, TOMORROW, "social-security")
        if s.start == booking.slot_start
    )  # fmt: skip
    assert (slot.capacity, slot.booked, slot.free) == (6, 1, 5)
    assert appointments.booking(HALL, booking.id) == booking


def test_a_retried_booking_gets_its_first_answer_and_writes_nothing(
    appointments: Appointments,
) -> None:
    first = book(appointments, "b1")
    events = len(stored_events(appointments))
    again = book(appointments, "b1")
    assert again.replayed and again.booking == first.booking
    assert len(stored_events(appointments)) == events


def test_a_retry_after_a_restart_gets_its_first_answer(
    appointments: Appointments, app: HallqApplication
) -> None:
    first = book(appointments, "b1")
    restarted = Appointments(app)  # a new process: nothing cached
    again = book(restarted, "b1")
    assert again.replayed and again.booking == first.booking


def test_a_request_id_used_for_another_command_is_refused(appointments: Appointments) -> None:
    booking = book(appointments, "b1").booking
    assert booking is not None
    with pytest.raises(RequestIdReused):
        appointments.execute(CancelBooking("b1", HALL, booking.id, person(1)))


def test_one_active_booking_per_person_service_and_day(appointments: Appointments) -> None:
    book(appointments, "b1", who=1)
    with pytest.raises(DuplicateBooking) as refused:
        book(appointments, "b2", who=1, hhmm="14:00")
    assert refused.value.http_status == 409 and refused.value.code == "duplicate_booking"
    book(appointments, "b3", who=1, service="senior-card")  # another service: fine
    book(appointments, "b4", who=1, day="2026-03-04")  # another day: fine
    book(appointments, "b5", who=2)  # another person: fine


def test_a_full_slot_refuses_the_next_booking(appointments: Appointments) -> None:
    book(appointments, "b1", who=1, service="business-license")  # 1 place
    with pytest.raises(SlotFull) as refused:
        book(appointments, "b2", who=2, service="business-license")
    assert "约满" in refused.value.message_zh and "fully booked" in refused.value.message_en
    assert refused.value.http_status == 409


@pytest.mark.parametrize(
    ("service", "day", "hhmm", "error", "status"),
    [
        ("no-such-service", TOMORROW, "10:00", UnknownService, 404),
        ("tax", TOMORROW, "10:00", ServiceNotBookable, 409),
        ("social-security", TOMORROW, "10:15", UnknownSlot, 404),  # not a slot start
        ("social-security", TOMORROW, "12:00", UnknownSlot, 404),  # lunch
        ("social-security", "2026-03-01", "10:00", DateNotBookable, 409),  # past
        ("social-security", "2026-03-17", "10:00", DateNotBookable, 409),  # 15 days ahead
        ("social-security", "2026-03-07", "10:00", DateNotBookable, 409),  # Saturday
        ("social-security", TODAY, "08:30", UnknownSlot, 404),  # before opening
    ],
)
def test_a_booking_outside_the_book_is_refused_and_writes_nothing(
    appointments: Appointments,
    service: str,
    day: str,
    hhmm: str,
    error: type[DomainError],
    status: int,
) -> None:
    with pytest.raises(error) as refused:
        book(appointments, "b1", service=service, day=day, hhmm=hhmm)
    assert refused.value.http_status == status
    assert refused.value.message_zh and refused.value.message_en
    assert stored_events(appointments, day) == []


def test_the_horizon_day_itself_is_bookable(appointments: Appointments) -> None:
    assert book(appointments, "b1", day="2026-03-16").booking is not None  # 14 days ahead


def test_a_slot_whose_check_in_window_closed_cannot_be_booked(
    appointments: Appointments, clock: ManualClock
) -> None:
    clock.advance(11 * 60)  # 09:11: the 09:00 slot closed at 09:10
    with pytest.raises(SlotPassed):
        book(appointments, "b1", day=TODAY, hhmm="09:00")
    assert book(appointments, "b2", day=TODAY, hhmm="09:30").booking is not None


@pytest.mark.parametrize("who", ["13800138000", "not-hex-" + "0" * 40, "AB" * 32, "abc123"])
def test_a_person_must_be_a_hex_digest_never_a_raw_number(
    appointments: Appointments, who: str
) -> None:
    with pytest.raises(MalformedCommand) as refused:
        appointments.execute(
            BookSlot("b1", HALL, TOMORROW, "social-security", hall_time(TOMORROW, "10:00"), who)
        )
    assert refused.value.http_status == 400


def test_a_slot_time_without_a_timezone_is_malformed(appointments: Appointments) -> None:
    naive = datetime(2026, 3, 3, 10, 0)
    with pytest.raises(MalformedCommand):
        appointments.execute(BookSlot("b1", HALL, TOMORROW, "social-security", naive, person(1)))


def test_a_malformed_date_is_refused(appointments: Appointments) -> None:
    with pytest.raises(MalformedCommand):
        appointments.slots(HALL, "03/03/2026")
    with pytest.raises(UnknownBooking):
        appointments.booking(HALL, "not-a-booking")


def test_rescheduling_moves_the_place_to_the_new_slot(appointments: Appointments) -> None:
    booking = book(appointments, "b1").booking
    assert booking is not None
    moved = appointments.execute(
        Reschedule("m1", HALL, booking.id, person(1), hall_time(TOMORROW, "14:00"))
    ).booking
    assert moved is not None and moved.id == booking.id
    assert moved.slot_start == hall_time(TOMORROW, "14:00")
    views = {s.start: s.booked for s in appointments.slots(HALL, TOMORROW, "social-security")}
    assert views[hall_time(TOMORROW, "10:00")] == 0 and views[hall_time(TOMORROW, "14:00")] == 1


def test_rescheduling_to_a_full_slot_keeps_the_old_place(appointments: Appointments) -> None:
    first = book(appointments, "b1", who=1, service="business-license", hhmm="10:00").booking
    book(appointments, "b2", who=2, service="business-license", hhmm="14:00")
    assert first is not None
    with pytest.raises(SlotFull):
        appointments.execute(
            Reschedule("m1", HALL, first.id, person(1), hall_time(TOMORROW, "14:00"))
        )
    assert appointments.booking(HALL, first.id).slot_start == hall_time(TOMORROW, "10:00")


def test_only_the_booking_person_may_change_it(appointments: Appointments) -> None:
    booking = book(appointments, "b1", who=1).booking
    assert booking is not None
    with pytest.raises(UnknownBooking):
        appointments.execute(CancelBooking("c1", HALL, booking.id, person(2)))
    with pytest.raises(UnknownBooking):
        appointments.execute(
            Reschedule("m1", HALL, booking.id, person(2), hall_time(TOMORROW, "14:00"))
        )


def test_cancelling_frees_the_place_and_allows_a_new_booking(appointments: Appointments) -> None:
    booking = book(appointments, "b1", who=1, service="business-license").booking
    assert booking is not None
    cancelled = appointments.execute(CancelBooking("c1", HALL, booking.id, person(1)))
    assert cancelled.booking is not None and cancelled.booking.status is BookingStatus.CANCELLED
    with pytest.raises(BookingClosed):
        appointments.execute(CancelBooking("c2", HALL, booking.id, person(1)))
    with pytest.raises(BookingClosed):
        appointments.execute(
            Reschedule("m1", HALL, booking.id, person(1), hall_time(TOMORROW, "14:00"))
        )
    book(appointments, "b2", who=2, service="business-license")  # the place is free again
    book(appointments, "b3", who=1, service="business-license", hhmm="14:00")  # no duplicate


def test_a_supervisor_sets_a_slot_capacity_never_below_the_booked(
    appointments: Appointments,
) -> None:
    start = hall_time(TOMORROW, "10:00")
    book(appointments, "b1", who=1, service="business-license")
    appointments.execute(SetSlotCapacity("s1", HALL, TOMORROW, "business-license", start, 3))
    book(appointments, "b2", who=2, service="business-license")
    book(appointments, "b3", who=3, service="business-license")
    with pytest.raises(SlotFull):
        book(appointments, "b4", who=4, service="business-license")
    with pytest.raises(CapacityBelowBooked):
        appointments.execute(SetSlotCapacity("s2", HALL, TOMORROW, "business-license", start, 2))
    with pytest.raises(MalformedCommand):
        appointments.execute(SetSlotCapacity("s3", HALL, TOMORROW, "business-license", start, -1))
    with pytest.raises(UnknownSlot):
        appointments.execute(
            SetSlotCapacity(
                "s4", HALL, TOMORROW, "business-license", hall_time(TOMORROW, "10:10"), 2
            )
        )
    (view,) = [
        s for s in appointments.slots(HALL, TOMORROW, "business-license") if s.start == start
    ]
    assert (view.capacity, view.booked, view.free) == (3, 3, 0)


def test_slots_of_a_service_that_takes_no_bookings_are_refused(appointments: Appointments) -> None:
    with pytest.raises(ServiceNotBookable):
        appointments.slots(HALL, TOMORROW, "tax")
    assert appointments.slots(HALL, "2026-03-07") == []  # Saturday: no slots at all
    assert len(appointments.slots(HALL, TOMORROW, "senior-card")) == 13


def test_my_bookings_lists_a_persons_bookings_over_a_range(appointments: Appointments) -> None:
    book(appointments, "b1", who=1, day="2026-03-04", hhmm="09:00")
    book(appointments, "b2", who=1, day=TOMORROW, service="senior-card")
    book(appointments, "b3", who=2, day=TOMORROW)
    mine = appointments.bookings_of(HALL, person(1), TODAY, "2026-03-06")
    assert [(b.date, b.service) for b in mine] == [
        (TOMORROW, "senior-card"),
        ("2026-03-04", "social-security"),
    ]
    assert appointments.bookings_of(HALL, person(3), TODAY, TODAY) == []
    with pytest.raises(MalformedCommand):
        appointments.bookings_of(HALL, person(1), "2026-03-06", TODAY)


def test_the_stored_book_replays_to_the_live_state(appointments: Appointments) -> None:
    booking = book(appointments, "b1", who=1).booking
    book(appointments, "b2", who=2, service="business-license")
    assert booking is not None
    appointments.execute(
        Reschedule("m1", HALL, booking.id, person(1), hall_time(TOMORROW, "11:00"))
    )
    appointments.execute(CancelBooking("c1", HALL, booking.id, person(1)))
    live = appointments._books[appointment_book_id(HALL, TOMORROW)]
    assert book_state(appointments.get_book(HALL, TOMORROW)) == book_state(live)
