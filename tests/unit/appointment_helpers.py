"""Shared helpers of the appointment tests: people as salted digests, hall-time slots."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from queue_core.appointment_book import AppointmentBook

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = "2026-03-02"  # MORNING's hall date, a Monday
TOMORROW = "2026-03-03"


def person(n: int) -> str:
    """A resident as the caller would name them: a salted hash, never the phone number."""
    return hashlib.sha256(f"salt/1380013{n:04d}".encode()).hexdigest()


def hall_time(day: str, hhmm: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), SHANGHAI)


def book_state(book: AppointmentBook) -> dict[str, Any]:
    """Everything a book knows, for replay-equals-live comparisons."""
    return {
        "version": book.version,
        "slots": sorted((s.service, s.start, s.capacity) for s in book.slots.values()),
        "bookings": dict(sorted(book.bookings.items())),
        "booked": {k: v for k, v in sorted(book.booked.items()) if v},
        "sent": sorted(book.sent),
        "requests": {k: v for k, v in sorted(book.requests.items())},
    }
