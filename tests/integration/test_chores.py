"""The hall's minute chores: a due reminder reaches the booking's page once, and a
booking nobody checked in for is recorded as a no-show."""

from __future__ import annotations

import json
from datetime import datetime

from displays.push import Subscriber
from hallq.bootstrap import build_application
from hallq.chores import HallChores
from hallq.live import LiveHall
from hallq.settings import Settings
from queue_core.appointment_commands import BookSlot
from queue_core.appointment_values import BookingStatus
from queue_core.appointments import Appointments
from queue_core.ports import ManualClock
from tests.conftest import MORNING

HALL = "south-axis"
HALF_TEN = datetime.fromisoformat("2026-03-02T10:30:00+08:00")
PERSON = "ab" * 32


async def test_a_reminder_is_pushed_once_and_a_missed_booking_becomes_a_no_show() -> None:
    clock = ManualClock(MORNING)  # 09:00
    app = build_application(Settings(store="memory"), clock)
    live = LiveHall(app)
    await live.start()
    try:
        appointments = Appointments(app)
        booked = appointments.execute(
            BookSlot("b1", HALL, "2026-03-02", "social-security", HALF_TEN, PERSON)
        ).booking
        assert booked is not None
        page = Subscriber("booking page")
        live.hub.subscribe(page, f"booking:{HALL}:{booked.id}")
        chores = HallChores(live, appointments)
        assert await chores.once() == []  # nothing due yet
        clock.advance(30 * 60)  # 09:30: the hour-before reminder of the 10:30 slot is due

        sent = await chores.once()
        assert [r.kind for r in sent] == ["hour_before"]
        message = json.loads(await page.queue.get() or b"{}")
        assert message["type"] == "reminder" and "社保" in message["data"]["text_zh"]
        assert await chores.once() == []  # marked sent: never twice

        clock.advance(71 * 60)  # 10:41: the check-in window closed at 10:40
        await chores.once()
        assert appointments.booking(HALL, booked.id).status is BookingStatus.NO_SHOW
    finally:
        await live.stop()
        app.close()
