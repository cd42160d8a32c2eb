"""Appointments on the real stores (SQLite file and PostgreSQL), with several
applications standing for several server processes: capacity stays exact when they all
race for a slot's last places, and the stored book replays to the live one."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from queue_core.application import HallqApplication
from queue_core.appointment_book import appointment_book_id
from queue_core.appointment_commands import (
    BookSlot,
    CancelBooking,
    CheckIn,
    MarkReminderSent,
    Reschedule,
)
from queue_core.appointment_errors import SlotFull
from queue_core.appointment_values import BookingStatus
from queue_core.appointments import Appointments
from queue_core.ports import ManualClock
from tests.conftest import HALL
from tests.unit.appointment_helpers import TODAY, TOMORROW, book_state, hall_time, person

OpenApp = Callable[[], HallqApplication]
SLOT = hall_time(TOMORROW, "10:00")
PROCESSES = 4
RACERS = 100  # threads, spread over the processes
LEFT = 3  # free places when the race starts (capacity 6)


def test_racing_processes_book_exactly_the_last_free_places(open_app: OpenApp) -> None:
    processes = [Appointments(open_app()) for _ in range(PROCESSES)]
    for k in range(6 - LEFT):
        processes[0].execute(
            BookSlot(f"pre-{k}", HALL, TOMORROW, "social-security", SLOT, person(k))
        )
    for p in processes[1:]:  # every process has its own (now stale) copy of the book
        p.slots(HALL, TOMORROW, "social-security")
    start = threading.Barrier(RACERS)
    results: Counter[str] = Counter()
    booked: list[str] = []

    def racer(n: int) -> None:
        me = processes[n % PROCESSES]
        start.wait()
        try:
            outcome = me.execute(
                BookSlot(f"race-{n}", HALL, TOMORROW, "social-security", SLOT, person(100 + n))
            )
        except SlotFull:
            results["full"] += 1
        else:
            assert outcome.booking is not None
            booked.append(outcome.booking.id)
            results["booked"] += 1

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (results["booked"], results["full"]) == (LEFT, RACERS - LEFT)
    stored = Appointments(open_app()).get_book(HALL, TOMORROW)  # the store is the judge
    assert stored.booked[("social-security", SLOT)] == 6
    in_slot = [b for b in stored.bookings.values() if b.slot_start == SLOT]
    assert len(in_slot) == 6 and set(booked) <= {b.id for b in in_slot}


def test_a_fresh_process_replays_the_book_to_the_live_state(
    open_app: OpenApp, clock: ManualClock
) -> None:
    first = Appointments(open_app())
    one = first.execute(
        BookSlot("b1", HALL, TODAY, "social-security", hall_time(TODAY, "10:00"), person(1))
    ).booking
    two = first.execute(
        BookSlot("b2", HALL, TODAY, "senior-card", hall_time(TODAY, "10:30"), person(2))
    ).booking
    assert one is not None and two is not None
    first.execute(Reschedule("m1", HALL, one.id, person(1), hall_time(TODAY, "11:00")))
    first.execute(CancelBooking("c1", HALL, two.id, person(2)))
    (reminder,) = first.due_reminders(HALL, hall_time(TODAY, "10:00"))
    first.execute(MarkReminderSent("s1", HALL, reminder.id))
    clock.set(hall_time(TODAY, "10:50"))
    checked = first.execute(CheckIn("ci", HALL, one.id)).booking
    assert checked is not None and checked.status is BookingStatus.CHECKED_IN

    second = Appointments(open_app())
    live = first._books[appointment_book_id(HALL, TODAY)]
    assert book_state(second.get_book(HALL, TODAY)) == book_state(live)
    assert second.booking(HALL, one.id) == checked
    assert second.app.get_day(HALL).tickets[str(checked.ticket)].appointment_ref == one.id
    # A retry reaching the other process gets the first answer, and writes nothing.
    again = second.execute(CheckIn("ci", HALL, one.id))
    assert again.replayed and again.booking == checked
    assert second.due_reminders(HALL, hall_time(TODAY, "10:00")) == []
