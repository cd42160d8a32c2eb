"""Live slot availability: the appointment books, folded from the log.

The booking page shows how many places each slot has left and keeps that number live
(`slots:{hall}` over the WebSocket). The books are replayed here with their own events
(`event.mutate`), as `projections.shadow` does for hall days, so availability is exactly
what the aggregate would decide, without a store read per page view or per push.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from projections.base import ReadModel
from queue_core.appointment_book import AppointmentBook
from queue_core.appointment_values import BookingStatus, SlotView


class SlotAvailability(ReadModel):
    name = "appointment_slots"

    def _reset(self) -> None:
        self._books: dict[Any, AppointmentBook] = {}
        self._by_day: dict[tuple[str, str], AppointmentBook] = {}
        self.touched: set[tuple[str, str]] = set()  # (hall, day) changed since last taken

    def apply(self, event: Any) -> None:
        if isinstance(event, AppointmentBook.Created):
            created = event.mutate(None)
            assert isinstance(created, AppointmentBook)
            book = created
            self._books[event.originator_id] = book
            self._by_day[(book.hall_id, book.day)] = book
        elif isinstance(event, AppointmentBook.BookEvent):
            found = self._books.get(event.originator_id)
            if found is None:
                return  # a book opened before this model's start: not followed
            event.mutate(found)
            book = found
        else:
            return
        self.touched.add((book.hall_id, book.day))

    def slots(self, hall: str, day: str, service: str | None = None) -> list[SlotView]:
        book = self._by_day.get((hall, day))
        return [] if book is None else book.slot_views(service)

    def expected(self, hall: str, day: str) -> list[tuple[str, datetime]]:
        """(service, slot start) of each booking still to come (booked, not yet checked
        in): arrivals the planner knows of before they happen."""
        book = self._by_day.get((hall, day))
        if book is None:
            return []
        return [
            (b.service, b.slot_start)
            for b in book.bookings.values()
            if b.status is BookingStatus.BOOKED
        ]

    def day_message(self, hall: str, day: str) -> dict[str, Any]:
        """What `slots:{hall}` carries for one day: every slot's places, by service."""
        services: dict[str, list[dict[str, Any]]] = {}
        book = self._by_day.get((hall, day))
        if book is not None:
            for s in book.slot_views():
                services.setdefault(s.service, []).append(slot_json(s, book.zone))
        return {"date": day, "services": services}

    def days(self, hall: str) -> list[str]:
        return sorted(day for h, day in self._by_day if h == hall)

    def take_touched(self) -> set[tuple[str, str]]:
        touched, self.touched = self.touched, set()
        return touched

    def state(self) -> dict[str, Any]:
        return {f"{hall}/{day}": self.day_message(hall, day) for hall, day in sorted(self._by_day)}


def slot_json(s: SlotView, zone: tzinfo) -> dict[str, Any]:
    """A slot as the API shows it too: times in the hall's zone."""
    return {
        "start": s.start.astimezone(zone).isoformat(),
        "end": s.end.astimezone(zone).isoformat(),
        "capacity": s.capacity,
        "booked": s.booked,
        "free": s.free,
    }
