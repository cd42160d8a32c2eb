"""The appointment side of the HTTP API: slots, book, my bookings, reschedule, cancel,
check in (预约).

A resident is known by a salted hash of a phone number or ID (`callers.person_key`);
the number itself goes no further than this module. A booking's handle is a token that
names the hall and the booking and carries an HMAC under the server's secret, so it is
unguessable and needs no storage; whoever holds it may change, cancel or check in that
booking, as a ticket's token lets its holder follow and cancel it.

Appointment commands do their store I/O in a worker thread (they load and save the
day's book, and a check-in issues a ticket on the hall's day through the application);
the answer waits until the read models have folded what was saved (read your writes).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from callers.accounts import Role
from callers.appointment_fields import BOOK, CAPACITY, MINE, MOVE, SLOTS_QUERY
from callers.http_api import (
    hall_spec,
    json_body,
    json_response,
    require,
    services,
    ticket_token,
)
from callers.interface import parse_object
from callers.middlewares import error_response
from callers.person_key import person_key
from projections.appointment_slots import slot_json
from projections.ticket_status import token_digest
from queue_core.appointment_commands import (
    BookSlot,
    CancelBooking,
    CheckIn,
    Reschedule,
    SetSlotCapacity,
)
from queue_core.appointment_errors import UnknownBooking
from queue_core.appointment_values import Booking
from queue_core.appointments import Appointments, check_in_ticket_request_id
from queue_core.commands import server_request_id
from queue_core.hall_spec import HallSpec

appointment_routes = web.RouteTableDef()

MINE_DAYS = (-7, 14)  # "my bookings" covers a week back and two weeks ahead


def booking_token(secret: bytes, hall: str, booking: str) -> str:
    """`{hall}.{booking}.{mac}`: readable ids, and 192 bits no one can forge."""
    mac = hmac.new(secret, f"booking-token/{hall}/{booking}".encode(), hashlib.sha256)
    return f"{hall}.{booking}.{base64.urlsafe_b64encode(mac.digest()[:24]).decode()}"


def read_booking_token(secret: bytes, token: str) -> tuple[str, str]:
    """(hall, booking) of a genuine token, else `UnknownBooking` (404, as for a ticket).
    A genuine token is ASCII; anything else is refused before `compare_digest`, which
    raises a TypeError on non-ASCII text (a 500 that fuzzing the API found)."""
    hall, _, rest = token.partition(".")
    booking, _, _ = rest.rpartition(".")
    if not (token.isascii() and hall and booking) or not hmac.compare_digest(
        booking_token(secret, hall, booking), token
    ):
        raise UnknownBooking("没有此预约", "no booking with this token")
    return hall, booking


def too_fast(request: web.Request) -> web.Response | None:
    """Booking and looking up share the ticket kiosk's limit per client address: a
    phone number proves nothing, so this is what stops one client booking every slot
    or trying number after number."""
    if services(request).issue_limit.allow(request.remote or "?", time.monotonic()):
        return None
    return error_response(
        429, "too_many_requests", "操作太频繁，请稍后再试", "too many requests; try again shortly"
    )


def appointments(request: web.Request) -> Appointments:
    return services(request).appointments


async def run(request: web.Request, call: Any, *args: Any) -> Any:
    """An appointment call in a worker thread; then wait for the read models."""
    result = await asyncio.to_thread(call, *args)
    live = services(request).live
    await live.caught_up(live.last_saved)
    return result


def booking_json(request: web.Request, booking: Booking) -> dict[str, Any]:
    svc = services(request)
    spec = svc.live.app.hall_spec(booking.hall)
    service = spec.service(booking.service)
    zone = ZoneInfo(spec.timezone)
    rules = svc.appointments.rules(booking.hall)
    early, late = timedelta(minutes=rules.early_min), timedelta(minutes=rules.late_min)
    ticket = None
    if booking.ticket is not None:
        token = ticket_token(svc.secret, booking.hall, check_in_ticket_request_id(booking.id))
        ticket = {"number": booking.ticket, "token": token, "page_url": f"/t/{token}"}
    return {
        "id": booking.id,
        "hall": booking.hall,
        "service": booking.service,
        "service_zh": service.name_zh,
        "service_en": service.name_en,
        "date": booking.date,
        "start": booking.slot_start.astimezone(zone).isoformat(),
        "end": booking.slot_end.astimezone(zone).isoformat(),
        "status": booking.status.value,
        "check_in_from": (booking.slot_start - early).astimezone(zone).isoformat(),
        "check_in_priority_until": (booking.slot_start + late).astimezone(zone).isoformat(),
        "ticket": ticket,
    }


@appointment_routes.get("/api/halls/{hall}/appointments/slots")
async def slots(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    query = dict(request.query)
    values = parse_object(SLOTS_QUERY, ("service",), query)
    day = values.get("date") or services(request).live.app.day_of(spec.id)
    return await slots_response(request, spec, values["service"], day)


async def slots_response(
    request: web.Request, spec: HallSpec, service: str, day: str
) -> web.Response:
    """A day's slots of one service, in the hall's time, with the server's `now` (the
    booking page hides slots already over by the hall's clock, not the phone's)."""
    found = await asyncio.to_thread(appointments(request).slots, spec.id, day, service)
    zone = ZoneInfo(spec.timezone)
    return json_response(
        {
            "hall": spec.id,
            "service": service,
            "date": day,
            "slots": [slot_json(s, zone) for s in found],
            "now": services(request).live.app.clock.now().astimezone(zone).isoformat(),
        }
    )


@appointment_routes.post("/api/halls/{hall}/appointments")
async def book(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    svc = services(request)
    values = parse_object(BOOK, tuple(BOOK), await json_body(request))
    start: datetime = values["start"]
    day = svc.live.app.day_of(spec.id, start)
    if (refused := too_fast(request)) is not None:
        return refused
    person = person_key(svc.secret, values["phone"])
    # Filed under the person too: someone else's request id (even a copied one) is
    # another request, never an answer with another person's booking in it.
    request_id = f"{person[:16]}/{values['request_id']}"
    command = BookSlot(request_id, spec.id, day, values["service"], start, person)
    outcome = await run(request, appointments(request).execute, command)
    assert outcome.booking is not None
    token = booking_token(svc.secret, spec.id, outcome.booking.id)
    return json_response(
        {
            "booking": booking_json(request, outcome.booking),
            "token": token,
            "page_url": f"/b/{token}",
        },
        status=200 if outcome.replayed else 201,
    )


@appointment_routes.post("/api/halls/{hall}/appointments/mine")
async def mine(request: web.Request) -> web.Response:
    """A person's bookings from a week back to two weeks ahead. Without their tokens:
    knowing someone's phone number shows when they come, not the power to change it."""
    spec = hall_spec(request)
    svc = services(request)
    values = parse_object(MINE, ("phone",), await json_body(request))
    if (refused := too_fast(request)) is not None:
        return refused
    person = person_key(svc.secret, values["phone"])
    today = date.fromisoformat(svc.live.app.day_of(spec.id))
    first, last = (str(today + timedelta(days=d)) for d in MINE_DAYS)
    found = await asyncio.to_thread(appointments(request).bookings_of, spec.id, person, first, last)
    listed = [{**booking_json(request, b), "ticket": None} for b in found]
    return json_response({"hall": spec.id, "bookings": listed})


def _from_token(request: web.Request) -> tuple[str, str]:
    return read_booking_token(services(request).secret, request.match_info["token"])


@appointment_routes.get("/api/appointments/{token}")
async def show(request: web.Request) -> web.Response:
    hall, booking = _from_token(request)
    found = await asyncio.to_thread(appointments(request).booking, hall, booking)
    return json_response({"booking": booking_json(request, found)})


@appointment_routes.delete("/api/appointments/{token}")
async def cancel(request: web.Request) -> web.Response:
    hall, booking = _from_token(request)
    found = await asyncio.to_thread(appointments(request).booking, hall, booking)
    command = CancelBooking(server_request_id(f"cancel/{booking}"), hall, booking, found.person)
    outcome = await run(request, appointments(request).execute, command)
    return json_response({"booking": booking_json(request, outcome.booking or found)})


@appointment_routes.post("/api/appointments/{token}/reschedule")
async def reschedule(request: web.Request) -> web.Response:
    hall, booking = _from_token(request)
    values = parse_object(MOVE, tuple(MOVE), await json_body(request))
    found = await asyncio.to_thread(appointments(request).booking, hall, booking)
    request_id = f"{found.person[:16]}/{values['request_id']}"
    command = Reschedule(request_id, hall, booking, found.person, values["start"])
    outcome = await run(request, appointments(request).execute, command)
    return json_response({"booking": booking_json(request, outcome.booking or found)})


@appointment_routes.post("/api/appointments/{token}/check-in")
async def check_in(request: web.Request) -> web.Response:
    """On arrival: the booking becomes a ticket (with the slot's priority when on time).
    The ticket's token is derived from the booking, so a retry answers the same."""
    hall, booking = _from_token(request)
    svc = services(request)
    token = ticket_token(svc.secret, hall, check_in_ticket_request_id(booking))
    request_id = server_request_id(f"check-in/{booking}")
    command = CheckIn(request_id, hall, booking, token_digest=token_digest(token))
    outcome = await run(request, appointments(request).execute, command)
    assert outcome.booking is not None  # a check-in always answers with its booking
    return json_response({"booking": booking_json(request, outcome.booking)})


@appointment_routes.post("/api/halls/{hall}/appointments/capacity")
async def set_capacity(request: web.Request) -> web.Response:
    """A supervisor sets one slot's places (never below what is already booked): fewer
    for a short-staffed afternoon, more when extra windows open."""
    spec = hall_spec(request)
    claims = require(request, Role.SUPERVISOR)
    values = parse_object(CAPACITY, tuple(CAPACITY), await json_body(request))
    start: datetime = values["start"]
    day = services(request).live.app.day_of(spec.id, start)
    command = SetSlotCapacity(
        values["request_id"], spec.id, day, values["service"], start, values["capacity"],
        by=claims.username,
    )  # fmt: skip
    await run(request, appointments(request).execute, command)
    return await slots_response(request, spec, values["service"], day)
