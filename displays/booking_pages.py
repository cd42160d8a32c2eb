"""The resident's booking pages (预约), phone-first: pick a slot, see and use a booking,
list my bookings. Everything they change goes through the public API
(`callers.appointments_api`); these routes only draw the first view.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from callers.appointments_api import booking_json, read_booking_token
from displays.pages import hall_context
from hallq.web import SERVICES
from queue_core.appointment_settings import AppointmentSettings
from queue_core.errors import DomainError

booking_routes = web.RouteTableDef()
WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def bookable_days(settings: AppointmentSettings, today: date) -> list[dict[str, str]]:
    """The days a resident may book, from today to the horizon, as the picker shows them."""
    days = []
    for k in range(settings.horizon_days + 1):
        d = today + timedelta(days=k)
        if d.isoweekday() in settings.weekdays and d.isoformat() not in settings.closed:
            label_zh = "今天" if k == 0 else "明天" if k == 1 else f"周{WEEKDAYS_ZH[d.weekday()]}"
            label_en = "Today" if k == 0 else "Tomorrow" if k == 1 else WEEKDAYS_EN[d.weekday()]
            days.append(
                {"date": d.isoformat(), "day": f"{d.month}/{d.day}", "zh": label_zh, "en": label_en}
            )
    return days


@booking_routes.get("/halls/{hall}/book")
@aiohttp_jinja2.template("book.html")
async def book_page(request: web.Request) -> dict[str, Any]:
    context = hall_context(request)
    svc = request.app[SERVICES]
    hall = context["hall"]["id"]
    settings = await asyncio.to_thread(svc.appointments.settings, hall)
    services = [s for s in context["hall"]["services"] if s["id"] in settings.services]
    wanted = request.query.get("service", "")
    chosen = wanted if any(s["id"] == wanted for s in services) else ""
    today = date.fromisoformat(context["day"])
    return {
        **context,
        "book": {
            "services": [
                {"id": s["id"], "name_zh": s["name_zh"], "name_en": s["name_en"]} for s in services
            ],
            "service": chosen,
            "days": bookable_days(settings, today),
        },
    }


@booking_routes.get("/b/{token}")
async def booking_page(request: web.Request) -> web.StreamResponse:
    """One booking: when and where, its QR for the kiosk, check in, cancel; once checked
    in, a link to the ticket's own live page. An unknown token is a bilingual 404 page."""
    svc = request.app[SERVICES]
    token = request.match_info["token"]
    try:
        hall, booking_id = read_booking_token(svc.secret, token)
        booking = await asyncio.to_thread(svc.appointments.booking, hall, booking_id)
    except DomainError:
        return aiohttp_jinja2.render_template(
            "booking.html", request, {"booking": None}, status=404
        )
    spec = svc.live.app.hall_spec(hall)
    context = {
        "token": token,
        "booking": booking_json(request, booking),
        "hall": {"id": spec.id, "name_zh": spec.name_zh, "name_en": spec.name_en},
    }
    return aiohttp_jinja2.render_template("booking.html", request, context)


@booking_routes.get("/halls/{hall}/mine")
@aiohttp_jinja2.template("mine.html")
async def my_bookings(request: web.Request) -> dict[str, Any]:
    """My bookings: those this phone made (their tokens kept in the browser), and a
    look-up by phone number (without the power to change them)."""
    return hall_context(request)
