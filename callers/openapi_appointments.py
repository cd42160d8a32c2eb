"""The appointments' part of the OpenAPI document (预约: slots, book, mine, change, check in).

Request bodies come from the declarations `callers.appointments_api` parses with, so the
document and the parser cannot disagree; `callers/openapi.py` merges these in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from callers.appointment_fields import BOOK, CAPACITY, DATE, MINE, MOVE
from callers.fields import Field
from callers.interface import SERVICE
from callers.openapi_parts import ok, ref


def _body(fields: Mapping[str, Field]) -> dict[str, Any]:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": list(fields),
        "properties": {name: field.schema() for name, field in fields.items()},
    }
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    names = {400: "BadRequest", 404: "NotFound", 409: "Conflict", 429: "TooManyRequests"}
    return {str(s): ref("responses", names[s]) for s in statuses}


TOKEN = {
    "name": "token",
    "in": "path",
    "required": True,
    "description": "the booking's token, as the booking answered it",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}


def appointment_paths() -> dict[str, Any]:
    hall = ref("parameters", "Hall")
    booking = ok("the booking", "BookingAnswer")
    return {
        "/api/halls/{hall}/appointments/slots": {
            "get": {
                "operationId": "appointmentSlots",
                "summary": "可预约时段 · a day's slots of one service with their free places",
                "tags": ["resident"],
                "parameters": [
                    hall,
                    {
                        "name": "service",
                        "in": "query",
                        "required": True,
                        "schema": SERVICE.schema(),
                    },
                    {
                        "name": "date",
                        "in": "query",
                        "required": False,
                        "description": "YYYY-MM-DD in the hall's zone; default today",
                        "schema": DATE.schema(),
                    },
                ],
                "responses": {"200": ok("the slots", "Slots"), **_errors(400, 404, 409)},
            }
        },
        "/api/halls/{hall}/appointments": {
            "post": {
                "operationId": "book",
                "summary": "预约 · book a slot (the phone number or ID is hashed, never kept)",
                "tags": ["resident"],
                "parameters": [hall],
                "requestBody": _body(BOOK),
                "responses": {
                    "201": ok("booked", "Booked"),
                    "200": ok("a retried request: the first answer", "Booked"),
                    **_errors(400, 404, 409, 429),
                },
            }
        },
        "/api/halls/{hall}/appointments/mine": {
            "post": {
                "operationId": "myBookings",
                "summary": "我的预约 · a person's bookings, a week back to two weeks ahead (no tokens)",
                "tags": ["resident"],
                "parameters": [hall],
                "requestBody": _body(MINE),
                "responses": {
                    "200": ok("the bookings", "MyBookings"),
                    **_errors(400, 404, 429),
                },
            }
        },
        "/api/halls/{hall}/appointments/capacity": {
            "post": {
                "operationId": "setSlotCapacity",
                "summary": "调整时段名额 · a supervisor sets one slot's places (never below those booked)",
                "tags": ["supervisor"],
                "security": [{"bearerAuth": []}],
                "parameters": [hall],
                "requestBody": _body(CAPACITY),
                "responses": {
                    "200": ok("the day's slots of that service", "Slots"),
                    "401": ref("responses", "Unauthorized"),
                    "403": ref("responses", "Forbidden"),
                    **_errors(400, 404, 409),
                },
            }
        },
        "/api/appointments/{token}": {
            "get": {
                "operationId": "showBooking",
                "summary": "预约详情 · one booking",
                "tags": ["resident"],
                "parameters": [TOKEN],
                "responses": {"200": booking, **_errors(404)},
            },
            "delete": {
                "operationId": "cancelBooking",
                "summary": "取消预约 · cancel the booking (its place is free again)",
                "tags": ["resident"],
                "parameters": [TOKEN],
                "responses": {"200": booking, **_errors(404, 409)},
            },
        },
        "/api/appointments/{token}/reschedule": {
            "post": {
                "operationId": "rescheduleBooking",
                "summary": "改约 · move the booking to another slot of its service and day",
                "tags": ["resident"],
                "parameters": [TOKEN],
                "requestBody": _body(MOVE),
                "responses": {"200": booking, **_errors(400, 404, 409)},
            }
        },
        "/api/appointments/{token}/check-in": {
            "post": {
                "operationId": "checkIn",
                "summary": "签到 · on arrival: the booking becomes a ticket (called first when on time)",
                "tags": ["resident"],
                "parameters": [TOKEN],
                "responses": {"200": booking, **_errors(404, 409)},
            }
        },
    }


def appointment_schemas() -> dict[str, Any]:
    text = {"type": "string"}
    slot = {
        "type": "object",
        "required": ["start", "end", "capacity", "booked", "free"],
        "properties": {
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "capacity": {"type": "integer"},
            "booked": {"type": "integer"},
            "free": {"type": "integer"},
        },
    }
    ticket = {
        "type": "object",
        "nullable": True,
        "required": ["number", "token", "page_url"],
        "properties": {"number": text, "token": text, "page_url": text},
    }
    booking_text = ("id", "hall", "service", "service_zh", "service_en", "date", "start", "end", "check_in_from", "check_in_priority_until")  # fmt: skip
    booking = {
        "type": "object",
        "required": [*booking_text, "status", "ticket"],
        "properties": {
            **dict.fromkeys(booking_text, text),
            "status": {"type": "string", "enum": ["booked", "checked_in", "cancelled", "no_show"]},
            "ticket": ticket,
        },
    }
    return {
        "Slot": slot,
        "Slots": {
            "type": "object",
            "required": ["hall", "service", "date", "slots", "now"],
            "properties": {
                "hall": text,
                "service": text,
                "date": text,
                "now": {"type": "string", "format": "date-time"},
                "slots": {"type": "array", "items": ref("schemas", "Slot")},
            },
        },
        "Booking": booking,
        "BookingAnswer": {
            "type": "object",
            "required": ["booking"],
            "properties": {"booking": ref("schemas", "Booking")},
        },
        "Booked": {
            "type": "object",
            "required": ["booking", "token", "page_url"],
            "properties": {"booking": ref("schemas", "Booking"), "token": text, "page_url": text},
        },
        "MyBookings": {
            "type": "object",
            "required": ["hall", "bookings"],
            "properties": {
                "hall": text,
                "bookings": {"type": "array", "items": ref("schemas", "Booking")},
            },
        },
    }
