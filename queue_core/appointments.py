"""The appointments service: load a hall's book for a date, decide, save; and check-in,
which turns a booking into a ticket on the hall's day.

Concurrency is as for the hall's day (`HallqApplication.execute_many`): one writer per
book in this process (the application's local lock, keyed by the book's id), turns
between processes through the application's writer-lock port, and optimistic
concurrency underneath: a save at a version another writer took raises
`RecordConflictError`, the cached book is dropped, reloaded and the command re-run. So a
slot's capacity holds for threads and for processes sharing one store.

Books live in this process's memory between commands; when the application has a
writer lock (a store other processes may share), a cached book first catches up with
the store's newer events, under the lock, so a process that lost a race decides on
fresh state at once instead of conflicting again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import RecordConflictError

from queue_core.application import ConcurrencyExhausted, HallqApplication
from queue_core.appointment_book import AppointmentBook, BookingRules, appointment_book_id
from queue_core.appointment_commands import AppointmentCommand, BookSlot, CheckIn
from queue_core.appointment_errors import BookingClosed, DuplicateBooking, ServiceNotBookable
from queue_core.appointment_reminders import due_reminders
from queue_core.appointment_settings import AppointmentSettings, appointment_settings, plan_slots
from queue_core.appointment_values import (
    AppointmentOutcome,
    Booking,
    BookingStatus,
    Reminder,
    SlotView,
    booking_date,
    require_person,
)
from queue_core.commands import CancelTicket, IssueTicket, server_request_id
from queue_core.errors import DomainError, MalformedCommand
from queue_core.hall_spec import HallSpec
from queue_core.vocabulary import Channel, Lane

T = TypeVar("T")
MAX_RANGE_DAYS = 62  # "my bookings" reads one book per day of the range


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MalformedCommand(
            f"日期格式应为 YYYY-MM-DD：{value!r}", f"a date must be YYYY-MM-DD, not {value!r}"
        ) from None


def check_in_ticket_request_id(booking: str) -> str:
    """The request id of the ticket a booking's check-in issues (step 1 of `check_in`);
    the caller derives that ticket's token from it."""
    return server_request_id(f"appointment/{booking}")


class Appointments:
    MAX_ATTEMPTS = 50

    def __init__(self, app: HallqApplication) -> None:
        self.app = app
        self._books: dict[UUID, AppointmentBook] = {}
        self._settings: dict[str, tuple[HallSpec, AppointmentSettings]] = {}
        self._rng = random.Random()

    # ---- settings ----------------------------------------------------------------------

    def settings(self, hall: str) -> AppointmentSettings:
        """The hall's checked `[appointments]` table (re-read when the hall is reconfigured)."""
        spec = self.app.hall_spec(hall)
        cached = self._settings.get(hall)
        if cached is None or cached[0] is not spec:
            cached = self._settings[hall] = (
                spec,
                appointment_settings(self.app.hall_document(hall), spec),
            )
        return cached[1]

    def rules(self, hall: str) -> BookingRules:
        policy = self.app.hall_spec(hall).policy
        return BookingRules(
            policy.appointment_early_min,
            policy.appointment_late_min,
            self.settings(hall).horizon_days,
        )

    # ---- commands ----------------------------------------------------------------------

    def execute(self, command: AppointmentCommand) -> AppointmentOutcome:
        """Carry out one command; return its outcome or raise its `DomainError`."""
        if isinstance(command, CheckIn):
            return self.check_in(command)
        if isinstance(command, BookSlot):
            self.app.hall_spec(command.hall).service(command.service)  # UnknownService: 404
        day = command.book_date()
        _iso_date(day)
        rules, at = self.rules(command.hall), self.app.clock.now()
        method = command.METHOD
        return self._decide(
            command.hall,
            day,
            command,
            lambda book: getattr(book, method)(rules, at=at, **command.arguments()),
        )

    def check_in(self, command: CheckIn) -> AppointmentOutcome:
        """Check in at the clock's time: from the slot's start − early to its start +
        late the ticket carries the slot (priority by the call policy's rule 2); later
        that day it is an ordinary ticket; earlier, `TooEarly`; a booking already
        checked in gets its ticket again.

        The check-in spans two aggregates, the book and the hall's day, so it is an
        idempotent two-step rather than one transaction:
        1. issue the ticket on the hall's day through `HallqApplication.execute`, with a
           request id derived from the booking (`~appointment/<booking id>`, an id no client may send): however
           often this step runs, the day issues one ticket and answers with its number;
        2. record the check-in, with that number, on the book.
        A crash between the steps leaves a ticket and an unchecked booking; the next
        check-in of that booking (a retry, or the resident trying again) repeats step 1,
        gets the same ticket back, and completes step 2. (The day remembers its last
        1,024 request ids, minutes at a busy hall: a retry much later would issue a
        second ticket.)
        """
        hall, day, rules = command.hall, booking_date(command.booking), self.rules(command.hall)
        at = self.app.clock.now()

        def plan(book: AppointmentBook) -> AppointmentOutcome | tuple[Booking, bool]:
            remembered = book.remembered(command.request_id, command.KIND)
            if remembered is not None:
                return remembered
            booking = book.booking(command.booking)
            if booking.ticket is not None:
                return AppointmentOutcome("BookingCheckedIn", "check_in", booking, replayed=True)
            if booking.status is BookingStatus.NO_SHOW and any(
                b.id != booking.id and b.service == booking.service and b.status is not BookingStatus.CANCELLED
                for b in book.bookings_of(booking.person)
            ):  # fmt: skip
                # A no-show who booked again that day comes for the new booking: one
                # person, one ticket for the service.
                raise DuplicateBooking(
                    "您当天已另有此业务的预约，请用新的预约签到",
                    "you booked this service again today: check in with the new booking",
                )
            return booking, book.check_in_priority(rules, at, booking)

        planned = self._with_book(hall, day, plan)
        if isinstance(planned, AppointmentOutcome):
            return planned
        booking, priority = planned
        issued = self.app.execute(
            self._ticket_for(booking, priority, command.lane, command.token_digest)
        )
        number = str(issued.ticket)
        if issued.replayed:  # step 1 ran before: keep what it decided
            ticket = self.app.get_day(hall, day).tickets.get(number)
            priority = priority if ticket is None else ticket.slot_start is not None
        try:
            return self._decide(
                hall,
                day,
                command,
                lambda book: book.record_check_in(
                    rules,
                    request_id=command.request_id,
                    at=at,
                    booking=booking.id,
                    ticket=number,
                    priority=priority,
                ),
            )
        except BookingClosed:
            # Cancelled between the steps: the ticket of step 1 must not wait to be called.
            void = server_request_id(f"appointment-void/{booking.id}")
            with suppress(DomainError):  # already gone (cancelled, or called meanwhile)
                self.app.execute(CancelTicket(void, hall, number, by="system"))
            raise

    def _ticket_for(
        self, booking: Booking, priority: bool, lane: Lane | None, token_digest: str | None
    ) -> IssueTicket:
        if lane is None:
            lanes = self.app.hall_spec(booking.hall).service(booking.service).lanes
            lane = Lane.BLUE if Lane.BLUE in lanes else lanes[0]
        return IssueTicket(
            request_id=check_in_ticket_request_id(booking.id),
            hall=booking.hall,
            service=booking.service,
            lane=lane,
            channel=Channel.APPOINTMENT,
            appointment_ref=booking.id,
            slot_start=booking.slot_start if priority else None,
            slot_end=booking.slot_end if priority else None,
            token_digest=token_digest,
        )

    # ---- queries -----------------------------------------------------------------------

    def slots(self, hall: str, day: str, service: str | None = None) -> list[SlotView]:
        """The day's slots (of one bookable service, or all) with capacity, booked, free."""
        _iso_date(day)
        if service is not None:
            self.app.hall_spec(hall).service(service)
            if service not in self.settings(hall).services:
                raise ServiceNotBookable(
                    f"此业务不接受预约：{service}", f"'{service}' takes no bookings"
                )
        return self._with_book(hall, day, lambda book: book.slot_views(service))

    def booking(self, hall: str, booking: str) -> Booking:
        """One booking by id: its status, slot, service and, once checked in, ticket."""
        return self._with_book(hall, booking_date(booking), lambda book: book.booking(booking))

    def bookings_of(self, hall: str, person: str, first: str, last: str) -> list[Booking]:
        """The person's bookings on the dates from `first` to `last` (inclusive), in
        slot order, whatever their status."""
        require_person(person)
        start, end = _iso_date(first), _iso_date(last)
        days = (end - start).days + 1
        if not 0 < days <= MAX_RANGE_DAYS:
            raise MalformedCommand(
                f"日期范围须为 1 到 {MAX_RANGE_DAYS} 天",
                f"a range must span 1 to {MAX_RANGE_DAYS} days",
            )
        found: list[Booking] = []
        for k in range(days):
            day = (start + timedelta(days=k)).isoformat()
            if self._exists(hall, day):
                found += self._with_book(hall, day, lambda book: book.bookings_of(person))
        return sorted(found, key=lambda b: (b.slot_start, b.service))

    def due_reminders(self, hall: str, at: datetime | None = None) -> list[Reminder]:
        """Reminders due at `at` (default: now) and not yet marked sent: today's books
        (an hour before) and tomorrow's (the evening before)."""
        at = at or self.app.clock.now()
        today = _iso_date(self.app.day_of(hall, at))
        settings = self.settings(hall)
        due: list[Reminder] = []
        for day in (today, today + timedelta(days=1)):
            if self._exists(hall, day.isoformat()):
                due += self._with_book(
                    hall, day.isoformat(), lambda book: due_reminders(book, settings, at)
                )
        return due

    def get_book(self, hall: str, day: str) -> AppointmentBook:
        """A fresh copy of the book from the store (for reading; never saved)."""
        try:
            book: AppointmentBook = self.app.repository.get(appointment_book_id(hall, day))
        except AggregateNotFoundError:
            return self._open(hall, day)
        return book

    # ---- load, decide, save ------------------------------------------------------------

    def has_book(self, hall: str, day: str) -> bool:
        """Whether the day has a book at all (nothing was ever booked for it if not)."""
        return self._exists(hall, day)

    def _exists(self, hall: str, day: str) -> bool:
        book_id = appointment_book_id(hall, day)
        return book_id in self._books or bool(list(self.app.events.get(book_id, limit=1)))

    def _open(self, hall: str, day: str) -> AppointmentBook:
        spec = self.app.hall_spec(hall)
        slots = plan_slots(spec, self.settings(hall), day)
        return AppointmentBook.open(hall, day, spec.timezone, slots)

    def _load(self, book_id: UUID, hall: str, day: str) -> AppointmentBook:
        cached = self._books.get(book_id)
        if cached is not None:
            if self._shared:
                event: Any
                for event in self.app.events.get(book_id, gt=cached.version):
                    event.mutate(cached)
            return cached
        try:
            book: AppointmentBook = self.app.repository.get(book_id)
        except AggregateNotFoundError:
            return self._open(hall, day)  # cached only once saved
        self._books[book_id] = book
        return book

    @property
    def _shared(self) -> bool:
        return self.app._writer_lock is not None

    @contextmanager
    def _turn(self, book_id: UUID) -> Iterator[None]:
        """This process's lock for the book, then the store-wide turn (as for a day)."""
        shared = self.app._writer_lock
        with (
            self.app._local_lock.hold([book_id]),
            shared.hold([book_id]) if shared is not None else nullcontext(),
        ):
            yield

    def _with_book(self, hall: str, day: str, read: Callable[[AppointmentBook], T]) -> T:
        """`read(book)` under this process's lock for the book (it may catch the cached
        book up); reads take no store-wide turn, since they write nothing."""
        book_id = appointment_book_id(hall, day)
        with self.app._local_lock.hold([book_id]):
            try:
                return read(self._load(book_id, hall, day))
            except DomainError:
                raise  # a refusal reads and changes nothing
            except BaseException:
                self._books.pop(book_id, None)  # e.g. a catch-up cut short
                raise

    def _decide(
        self,
        hall: str,
        day: str,
        command: AppointmentCommand,
        act: Callable[[AppointmentBook], AppointmentOutcome | None],
    ) -> AppointmentOutcome:
        book_id = appointment_book_id(hall, day)
        for attempt in range(self.MAX_ATTEMPTS):
            try:
                with self._turn(book_id):
                    return self._decide_once(book_id, hall, day, command, act)
            except RecordConflictError:
                self._books.pop(book_id, None)
                time.sleep(self._rng.uniform(0, 0.002 * (attempt + 1)))
            except DomainError:
                raise  # refused before any event: the cached book is as it was
            except BaseException:
                self._books.pop(book_id, None)  # a half-decided book must never be reused
                raise
        raise ConcurrencyExhausted(f"gave up after {self.MAX_ATTEMPTS} conflicting attempts")

    def _decide_once(
        self,
        book_id: UUID,
        hall: str,
        day: str,
        command: AppointmentCommand,
        act: Callable[[AppointmentBook], AppointmentOutcome | None],
    ) -> AppointmentOutcome:
        book = self._load(book_id, hall, day)
        remembered = book.remembered(command.request_id, command.KIND)
        if remembered is not None:
            return remembered
        answer = act(book)
        if answer is not None:
            return answer  # nothing to record (a new book stays unsaved and uncached)
        self.app._notify(self.app.events.put(book.collect_events()))
        self._books[book_id] = book
        return book.requests[command.request_id]
