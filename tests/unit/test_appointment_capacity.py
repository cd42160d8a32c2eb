"""Capacity is exact: 100 threads racing for a slot's last places get exactly as many
bookings as there were places; and no interleaving of book, move, cancel and capacity
changes ever overbooks a slot or loses count of its bookings."""

from __future__ import annotations

import threading
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hallq.bootstrap import build_application
from hallq.settings import Settings
from queue_core.application import HallqApplication
from queue_core.appointment_book import AppointmentBook, appointment_book_id
from queue_core.appointment_commands import (
    BookSlot,
    CancelBooking,
    Reschedule,
    SetSlotCapacity,
)
from queue_core.appointment_errors import SlotFull
from queue_core.appointment_values import ACTIVE, HOLDS_PLACE
from queue_core.appointments import Appointments
from queue_core.errors import DomainError
from queue_core.ports import ManualClock
from tests.conftest import HALL, MORNING
from tests.unit.appointment_helpers import TOMORROW, book_state, hall_time, person

SLOT = hall_time(TOMORROW, "10:00")


def race_for_the_last_places(a: Appointments, racers: int) -> tuple[int, int]:
    """Fill the 10:00 social-security slot but for 2 places, then let `racers` threads
    book at once; (successes, SlotFull refusals)."""
    for k in range(4):  # capacity 6: 2 left
        a.execute(BookSlot(f"pre-{k}", HALL, TOMORROW, "social-security", SLOT, person(k)))
    start = threading.Barrier(racers)
    results: Counter[str] = Counter()

    def racer(n: int) -> None:
        start.wait()
        try:
            a.execute(BookSlot(f"race-{n}", HALL, TOMORROW, "social-security", SLOT, person(n)))
            results["booked"] += 1
        except SlotFull:
            results["full"] += 1

    threads = [threading.Thread(target=racer, args=(100 + n,)) for n in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results["booked"], results["full"]


def test_a_hundred_threads_get_exactly_the_last_two_places(app: HallqApplication) -> None:
    a = Appointments(app)
    assert race_for_the_last_places(a, 100) == (2, 98)
    stored = a.get_book(HALL, TOMORROW)
    assert stored.booked[("social-security", SLOT)] == 6
    assert sum(1 for b in stored.bookings.values() if b.slot_start == SLOT) == 6


def check_invariants(book: AppointmentBook) -> None:
    for key, slot in book.slots.items():
        holding = [b for b in book.bookings.values() if b.status in HOLDS_PLACE]
        booked = sum(1 for b in holding if (b.service, b.slot_start) == key)
        assert book.booked.get(key, 0) == booked <= slot.capacity
    active = Counter((b.person, b.service) for b in book.bookings.values() if b.status in ACTIVE)
    assert max(active.values(), default=0) <= 1


SERVICES = ("business-license", "housing-fund")  # 1 and 2 places a slot
STARTS = ("10:00", "10:30", "11:00")
op = st.one_of(
    st.tuples(st.just("book"), st.integers(0, 5), st.sampled_from(SERVICES), st.sampled_from(STARTS)),
    st.tuples(st.just("move"), st.integers(0, 5), st.sampled_from(SERVICES), st.sampled_from(STARTS)),
    st.tuples(st.just("cancel"), st.integers(0, 5), st.sampled_from(SERVICES), st.just("")),
    st.tuples(st.just("capacity"), st.integers(0, 3), st.sampled_from(SERVICES), st.sampled_from(STARTS)),
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, max_size=30))
def test_no_interleaving_overbooks_or_miscounts(ops: list[tuple[str, int, str, str]]) -> None:
    app = build_application(Settings(store="memory"), ManualClock(MORNING))
    a = Appointments(app)
    mine: dict[tuple[int, str], str] = {}  # (person, service) -> their latest booking id
    live: AppointmentBook | None = None
    for k, (kind, n, service, hhmm) in enumerate(ops):
        rid = f"r{k}"
        try:
            if kind == "book":
                made = a.execute(
                    BookSlot(rid, HALL, TOMORROW, service, hall_time(TOMORROW, hhmm), person(n))
                )
                assert made.booking is not None
                mine[(n, service)] = made.booking.id
            elif kind == "move" and (n, service) in mine:
                a.execute(
                    Reschedule(rid, HALL, mine[(n, service)], person(n), hall_time(TOMORROW, hhmm))
                )
            elif kind == "cancel" and (n, service) in mine:
                a.execute(CancelBooking(rid, HALL, mine[(n, service)], person(n)))
            elif kind == "capacity":
                a.execute(
                    SetSlotCapacity(rid, HALL, TOMORROW, service, hall_time(TOMORROW, hhmm), n)
                )
        except DomainError:
            pass
        live = a._books.get(appointment_book_id(HALL, TOMORROW))
        if live is not None:
            check_invariants(live)
    if live is not None:
        assert book_state(a.get_book(HALL, TOMORROW)) == book_state(live)
    app.close()
