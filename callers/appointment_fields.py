"""The appointment requests' fields, declared once: `callers.appointments_api` parses
with them and `callers.openapi_appointments` documents them."""

from __future__ import annotations

from collections.abc import Mapping

from callers.fields import Field, Instant, Integer, Text
from callers.interface import REQUEST_ID, SERVICE

PHONE = Text(5, 40)  # checked and normalised by `callers.person_key`, never stored
DATE = Text(10, 10, r"\d{4}-\d{2}-\d{2}", "日期，如 2026-03-02", "a date like 2026-03-02")
SLOTS_QUERY: Mapping[str, Field] = {"service": SERVICE, "date": DATE}
BOOK: Mapping[str, Field] = {
    "request_id": REQUEST_ID,
    "service": SERVICE,
    "start": Instant(),
    "phone": PHONE,
}
MOVE: Mapping[str, Field] = {"request_id": REQUEST_ID, "start": Instant()}
MINE: Mapping[str, Field] = {"phone": PHONE}
CAPACITY: Mapping[str, Field] = {
    "request_id": REQUEST_ID,
    "service": SERVICE,
    "start": Instant(),
    "capacity": Integer(0, 1000),
}
