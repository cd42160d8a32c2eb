"""The appointment book of one hall on one date: its slots, and every booking in them.

One aggregate per hall and date is the consistency boundary that makes capacity exact:
every booking is checked against the whole book and saved at the next version, so of
two writers racing for the last place one loses with a conflict, reloads and is refused.
Its id is `uuid5(hall, date)`, so any process finds it without a lookup.

As in `HallDay`, methods check everything first and trigger one event last (a refusal
writes nothing), `apply` bodies only assign, and every event records the outcome of its
request id, so a retried request gets its first answer and writes nothing. A day's book
is small (hundreds of bookings), so every request id is remembered, not just the last few.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from queue_core.appointment_errors import (
    BookingClosed,
    CapacityBelowBooked,
    DateNotBookable,
    DuplicateBooking,
    ServiceNotBookable,
    SlotFull,
    SlotPassed,
    TooEarly,
    UnknownBooking,
    UnknownSlot,
)
from queue_core.appointment_values import (
    ACTIVE,
    HOLDS_PLACE,
    AppointmentOutcome,
    Booking,
    BookingStatus,
    Slot,
    SlotView,
    booking_id,
    require_aware,
    require_person,
)
from queue_core.errors import MalformedCommand, RequestIdReused
from queue_core.ids import HALLQ_NAMESPACE


def appointment_book_id(hall_id: str, day: str) -> UUID:
    return uuid5(HALLQ_NAMESPACE, f"appointment-book/{hall_id}/{day}")


@dataclass(frozen=True)
class BookingRules:
    """What the book reads from the hall's settings at the time of a command."""

    early_min: float = 15.0  # check-in opens this long before the slot
    late_min: float = 10.0  # and closes this long after its start
    horizon_days: int = 14  # bookings at most this many days ahead


def _hhmm(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%H:%M}"


class AppointmentBook(Aggregate):
    TOPIC = "hallq.AppointmentBook"

    class Created(Aggregate.Created):
        TOPIC = "hallq.AppointmentBook.Opened"
        hall_id: str
        day: str
        timezone: str
        slots: list[list[Any]]  # [service, start (ISO, UTC), minutes, capacity]

    class BookEvent(Aggregate.Event):
        TOPIC = "hallq.AppointmentBook.BookEvent"  # abstract, never stored
        request_id: str
        at: datetime
        COMMAND: ClassVar[str] = ""

        def apply(self, book: AppointmentBook) -> None:
            booking = self.evolve(book)
            book.requests[self.request_id] = AppointmentOutcome(
                event=type(self).__name__,
                command=self.COMMAND,
                booking=booking,
                count=len(getattr(self, "booking_ids", ())),
            )

        def evolve(self, book: AppointmentBook) -> Booking | None:
            raise NotImplementedError

    class BookingMade(BookEvent):
        TOPIC = "hallq.AppointmentBook.BookingMade"
        COMMAND = "book"
        booking_id: str
        service: str
        slot_start: datetime
        person: str

        def evolve(self, book: AppointmentBook) -> Booking | None:
            slot = book.slots[(self.service, self.slot_start)]
            booking = Booking(
                id=self.booking_id,
                hall=book.hall_id,
                date=book.day,
                service=self.service,
                slot_start=slot.start,
                slot_end=slot.end,
                person=self.person,
                status=BookingStatus.BOOKED,
                placed_at=self.at,
            )
            book._of_person.setdefault(self.person, []).append(self.booking_id)
            return book._put(booking)

    class BookingMoved(BookEvent):
        TOPIC = "hallq.AppointmentBook.BookingMoved"
        COMMAND = "reschedule"
        booking_id: str
        slot_start: datetime

        def evolve(self, book: AppointmentBook) -> Booking | None:
            old = book.bookings[self.booking_id]
            slot = book.slots[(old.service, self.slot_start)]
            return book._put(
                replace(old, slot_start=slot.start, slot_end=slot.end, placed_at=self.at)
            )

    class BookingCancelled(BookEvent):
        TOPIC = "hallq.AppointmentBook.BookingCancelled"
        COMMAND = "cancel"
        booking_id: str

        def evolve(self, book: AppointmentBook) -> Booking | None:
            old = book.bookings[self.booking_id]
            return book._put(replace(old, status=BookingStatus.CANCELLED))

    class BookingCheckedIn(BookEvent):
        TOPIC = "hallq.AppointmentBook.BookingCheckedIn"
        COMMAND = "check_in"
        booking_id: str
        ticket: str
        priority: bool

        def evolve(self, book: AppointmentBook) -> Booking | None:
            old = book.bookings[self.booking_id]
            return book._put(
                replace(
                    old,
                    status=BookingStatus.CHECKED_IN,
                    ticket=self.ticket,
                    priority=self.priority,
                    checked_in_at=self.at,
                )
            )

    class NoShowsRecorded(BookEvent):
        TOPIC = "hallq.AppointmentBook.NoShowsRecorded"
        COMMAND = "no_show"
        booking_ids: list[str]

        def evolve(self, book: AppointmentBook) -> Booking | None:
            for bid in self.booking_ids:
                book._put(replace(book.bookings[bid], status=BookingStatus.NO_SHOW))
            return None

    class SlotCapacitySet(BookEvent):
        TOPIC = "hallq.AppointmentBook.SlotCapacitySet"
        COMMAND = "set_capacity"
        service: str
        slot_start: datetime
        capacity: int
        by: str

        def evolve(self, book: AppointmentBook) -> Booking | None:
            key = (self.service, self.slot_start)
            book.slots[key] = replace(book.slots[key], capacity=self.capacity)
            return None

    class ReminderSent(BookEvent):
        TOPIC = "hallq.AppointmentBook.ReminderSent"
        COMMAND = "reminder_sent"
        reminder_id: str

        def evolve(self, book: AppointmentBook) -> Booking | None:
            book.sent.add(self.reminder_id)
            return None

    # ---- state -------------------------------------------------------------------------

    def __init__(self, hall_id: str, day: str, timezone: str, slots: list[list[Any]]) -> None:
        self.hall_id = hall_id
        self.day = day
        self.timezone = timezone
        self.slots: dict[tuple[str, datetime], Slot] = {}
        for service, start, minutes, capacity in slots:
            slot = Slot(service, datetime.fromisoformat(start), int(minutes), int(capacity))
            self.slots[slot.key] = slot
        self.bookings: dict[str, Booking] = {}
        self.booked: dict[tuple[str, datetime], int] = {}  # derived: places held per slot
        self.sent: set[str] = set()  # reminder ids already sent
        self.requests: dict[str, AppointmentOutcome] = {}
        self._of_person: dict[str, list[str]] = {}  # derived: person -> booking ids

    @classmethod
    def open(cls, hall_id: str, day: str, timezone: str, slots: list[Slot]) -> AppointmentBook:
        """A new book with these slots (derived from the hall's settings by the caller)."""
        rows = [[s.service, s.start.isoformat(), s.minutes, s.capacity] for s in slots]
        return cls._create(
            cls.Created,
            id=appointment_book_id(hall_id, day),
            hall_id=hall_id,
            day=day,
            timezone=timezone,
            slots=rows,
        )

    def _put(self, booking: Booking) -> Booking:
        old = self.bookings.get(booking.id)
        if old is not None and old.status in HOLDS_PLACE:
            self.booked[(old.service, old.slot_start)] -= 1
        if booking.status in HOLDS_PLACE:
            key = (booking.service, booking.slot_start)
            self.booked[key] = self.booked.get(key, 0) + 1
        self.bookings[booking.id] = booking
        return booking

    # ---- queries -----------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def slot_views(self, service: str | None = None) -> list[SlotView]:
        """The slots (of one service, or all) in time order, with places booked."""
        return [
            SlotView(s.service, s.start, s.end, s.capacity, self.booked.get(s.key, 0))
            for s in sorted(self.slots.values(), key=lambda s: (s.start, s.service))
            if service is None or s.service == service
        ]

    def booking(self, booking: str) -> Booking:
        try:
            return self.bookings[booking]
        except KeyError:
            raise UnknownBooking(f"没有此预约：{booking}", f"no booking '{booking}'") from None

    def bookings_of(self, person: str) -> list[Booking]:
        return [self.bookings[b] for b in self._of_person.get(person, ())]

    def remembered(self, request_id: str, command: str) -> AppointmentOutcome | None:
        """The outcome of an earlier command with this request id, if there was one."""
        outcome = self.requests.get(request_id)
        if outcome is None:
            return None
        if outcome.command != command:
            raise RequestIdReused(
                f"请求编号 {request_id} 已用于其他操作",
                f"request id {request_id} was used for another command",
            )
        return replace(outcome, replayed=True)

    def free(self, slot: Slot) -> int:
        return slot.capacity - self.booked.get(slot.key, 0)

    def check_in_priority(self, rules: BookingRules, at: datetime, booking: Booking) -> bool:
        """Whether a check-in at `at` keeps the slot's priority (within the window), or
        becomes an ordinary ticket (later that day). `TooEarly` before the window;
        `BookingClosed` for a cancelled booking or on a later day."""
        if booking.status is BookingStatus.CANCELLED:
            raise BookingClosed("预约已取消", "the booking was cancelled")
        opens = booking.slot_start - timedelta(minutes=rules.early_min)
        if at < opens:
            local = opens.astimezone(self.zone)
            raise TooEarly(
                f"签到尚未开始，请于 {local:%m月%d日 %H:%M} 后再来",
                f"check-in opens at {local:%H:%M} on {local:%Y-%m-%d}; please come back then",
                come_back_at=opens,
            )
        if self._local_day(at) != self.day:
            raise BookingClosed("预约日期已过", "the booking's day is over")
        return at <= booking.slot_start + timedelta(minutes=rules.late_min)

    def _local_day(self, at: datetime) -> str:
        return at.astimezone(self.zone).date().isoformat()

    # ---- checks ------------------------------------------------------------------------

    def _require_bookable_day(self, rules: BookingRules, at: datetime) -> None:
        today = datetime.fromisoformat(self._local_day(at)).date()
        ahead = (datetime.fromisoformat(self.day).date() - today).days
        if ahead < 0:
            raise DateNotBookable(f"{self.day} 已过", f"{self.day} is in the past")
        if ahead > rules.horizon_days:
            raise DateNotBookable(
                f"只能预约 {rules.horizon_days} 天内的时段",
                f"bookings open at most {rules.horizon_days} days ahead",
            )
        if not self.slots:
            raise DateNotBookable(f"{self.day} 不接受预约", f"no bookings are taken on {self.day}")

    def _slot(self, service: str, start: datetime) -> Slot:
        slot = self.slots.get((service, require_aware(start)))
        if slot is not None:
            return slot
        if not any(s.service == service for s in self.slots.values()):
            raise ServiceNotBookable(
                f"此业务不接受预约：{service}", f"'{service}' takes no bookings"
            )
        local = _hhmm(start, self.zone)
        raise UnknownSlot(
            f"{self.day} {local} 没有此业务的预约时段",
            f"no slot of '{service}' starts at {local} on {self.day}",
        )

    def _require_open(self, rules: BookingRules, slot: Slot, at: datetime) -> None:
        if at > slot.start + timedelta(minutes=rules.late_min):
            raise SlotPassed(f"{_hhmm(slot.start, self.zone)} 时段已过", "that slot is over")

    def _require_free(self, slot: Slot) -> None:
        if self.free(slot) <= 0:
            local = _hhmm(slot.start, self.zone)
            raise SlotFull(f"{local} 时段已约满", f"the {local} slot is fully booked")

    def _own(self, booking: str, person: str) -> Booking:
        """The person's own booking; someone else's is as unknown as a missing one."""
        found = self.bookings.get(booking)
        if found is None or found.person != require_person(person):
            raise UnknownBooking(f"没有此预约：{booking}", f"no booking '{booking}'")
        return found

    def _require_booked(self, booking: Booking) -> None:
        if booking.status is not BookingStatus.BOOKED:
            zh = {
                BookingStatus.CHECKED_IN: "已签到",
                BookingStatus.CANCELLED: "已取消",
                BookingStatus.NO_SHOW: "已记为爽约",
            }[booking.status]
            raise BookingClosed(
                f"预约{zh}，不能再更改", f"the booking is {booking.status.value}: it can't change"
            )

    # ---- commands ----------------------------------------------------------------------

    def book_slot(
        self,
        rules: BookingRules,
        *,
        request_id: str,
        at: datetime,
        service: str,
        slot_start: datetime,
        person: str,
    ) -> AppointmentOutcome | None:
        require_person(person)
        self._require_bookable_day(rules, at)
        slot = self._slot(service, slot_start)
        self._require_open(rules, slot, at)
        if any(b.service == service and b.status in ACTIVE for b in self.bookings_of(person)):
            raise DuplicateBooking(
                f"您当天已预约此业务（{self.day}）",
                f"you already hold a booking for this service on {self.day}",
            )
        self._require_free(slot)
        self.trigger_event(
            self.BookingMade,
            request_id=request_id,
            at=at,
            booking_id=booking_id(self.hall_id, self.day, request_id),
            service=service,
            slot_start=slot.start,
            person=person,
        )
        return None

    def reschedule(
        self,
        rules: BookingRules,
        *,
        request_id: str,
        at: datetime,
        booking: str,
        person: str,
        slot_start: datetime,
    ) -> AppointmentOutcome | None:
        """Move to another slot of the same service and day, in one event: the old place
        is freed only because the new one is taken."""
        current = self._own(booking, person)
        self._require_booked(current)
        slot = self._slot(current.service, slot_start)
        self._require_open(rules, slot, at)
        if slot.start != current.slot_start:
            self._require_free(slot)
        self.trigger_event(
            self.BookingMoved,
            request_id=request_id,
            at=at,
            booking_id=booking,
            slot_start=slot.start,
        )
        return None

    def cancel(
        self, rules: BookingRules, *, request_id: str, at: datetime, booking: str, person: str
    ) -> AppointmentOutcome | None:
        self._require_booked(self._own(booking, person))
        self.trigger_event(self.BookingCancelled, request_id=request_id, at=at, booking_id=booking)
        return None

    def record_check_in(
        self,
        rules: BookingRules,
        *,
        request_id: str,
        at: datetime,
        booking: str,
        ticket: str,
        priority: bool,
    ) -> AppointmentOutcome | None:
        """Record the ticket a check-in was given; a booking already checked in keeps
        its first ticket (a concurrent or retried check-in gets that one)."""
        current = self.booking(booking)
        if current.status is BookingStatus.CHECKED_IN:
            return AppointmentOutcome("BookingCheckedIn", "check_in", current, replayed=True)
        if current.status is BookingStatus.CANCELLED:
            raise BookingClosed("预约已取消", "the booking was cancelled")
        self.trigger_event(
            self.BookingCheckedIn,
            request_id=request_id,
            at=at,
            booking_id=booking,
            ticket=ticket,
            priority=priority,
        )
        return None

    def record_no_shows(
        self, rules: BookingRules, *, request_id: str, at: datetime
    ) -> AppointmentOutcome | None:
        """Mark every booking whose check-in window closed before `at` unchecked."""
        late = timedelta(minutes=rules.late_min)
        missed = [
            b.id
            for b in self.bookings.values()
            if b.status is BookingStatus.BOOKED and b.slot_start + late < at
        ]
        if not missed:
            return AppointmentOutcome("NoShowsRecorded", "no_show", count=0)
        self.trigger_event(self.NoShowsRecorded, request_id=request_id, at=at, booking_ids=missed)
        return None

    def set_slot_capacity(
        self,
        rules: BookingRules,
        *,
        request_id: str,
        at: datetime,
        service: str,
        slot_start: datetime,
        capacity: int,
        by: str = "",
    ) -> AppointmentOutcome | None:
        slot = self._slot(service, slot_start)
        if capacity < 0:
            raise MalformedCommand("名额不能为负", "a capacity cannot be negative")
        booked = self.booked.get(slot.key, 0)
        if capacity < booked:
            raise CapacityBelowBooked(
                f"已有 {booked} 人预约，名额不能少于此数",
                f"{booked} places are booked: the capacity cannot go below that",
            )
        self.trigger_event(
            self.SlotCapacitySet,
            request_id=request_id,
            at=at,
            service=service,
            slot_start=slot.start,
            capacity=capacity,
            by=by,
        )
        return None

    def mark_reminder_sent(
        self, rules: BookingRules, *, request_id: str, at: datetime, reminder: str
    ) -> AppointmentOutcome | None:
        self.booking(reminder.split(":", 1)[0])  # a reminder of a booking in this book
        if reminder in self.sent:
            return AppointmentOutcome("ReminderSent", "reminder_sent", replayed=True)
        self.trigger_event(self.ReminderSent, request_id=request_id, at=at, reminder_id=reminder)
        return None
