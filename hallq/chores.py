"""What the server does once a minute for each hall it serves, by the hall's clock:
lapse remote tickets nobody confirmed in time, record appointment no-shows, and hand
due reminders to the in-process adapter.

The reminders outbox (`Appointments.due_reminders`) is what an SMS or app adapter would
consume; the in-process adapter pushes each reminder to the booking's own channel
(`booking:{token}`, the booking page), then marks it sent, so a
restart sends it again only if it stopped between the two (at least once, not twice in
the normal run). Store work runs in a worker thread; pushes are made on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from zoneinfo import ZoneInfo

from hallq.live import LiveHall
from queue_core.appointment_commands import MarkReminderSent, RecordNoShows
from queue_core.appointment_values import Reminder
from queue_core.appointments import Appointments
from queue_core.commands import LapseRemoteTickets, server_request_id
from queue_core.errors import NothingToLapse
from queue_core.hall_spec import HallSpec

log = logging.getLogger("hallq.chores")
CHORES_S = 60.0


class HallChores:
    def __init__(self, live: LiveHall, appointments: Appointments) -> None:
        self.live = live
        self.appointments = appointments
        self._stopping = asyncio.Event()

    async def run(self, every_s: float = CHORES_S) -> None:
        """Until `stop()`: a round now, then one every `every_s`. Never cancelled in the
        middle of a round: its worker thread would go on using a store being closed."""
        while not self._stopping.is_set():
            try:
                await self.once()
            except Exception:  # one bad minute must not end the chores for good
                log.exception("定时任务失败 · the hall's minute chores failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), every_s)

    def stop(self) -> None:
        self._stopping.set()

    async def once(self) -> list[Reminder]:
        """One round for every hall; the reminders sent."""
        await self._lapse_remote_tickets()
        due = await asyncio.to_thread(self._record_and_collect)
        for reminder in due:
            self.live.hub.publish(
                f"booking:{reminder.hall}:{reminder.booking}",
                self.live.follower.position,
                "reminder",
                reminder_message(reminder, self.live.app.hall_spec(reminder.hall)),
            )
        await asyncio.to_thread(self._mark_sent, due)
        return due

    async def _lapse_remote_tickets(self) -> None:
        """Remote tickets passed over and unconfirmed for the hall's grace time lapse
        (through the live hall, so their phones hear it)."""
        app = self.live.app
        for hall in sorted(self.live.halls):
            now = app.clock.now()
            request_id = server_request_id(f"lapse/{app.day_of(hall, now)}/{now:%H%M}")
            with contextlib.suppress(NothingToLapse):  # nothing due: writes nothing
                await self.live.execute(LapseRemoteTickets(request_id, hall))

    def _record_and_collect(self) -> list[Reminder]:
        app, due = self.live.app, []
        for hall in sorted(self.live.halls):
            if not self.appointments.settings(hall).services:
                continue  # the hall takes no bookings
            now = app.clock.now()
            day = app.day_of(hall, now)
            if self.appointments.has_book(hall, day):
                minute = now.strftime("%H%M")
                request_id = server_request_id(f"no-shows/{day}/{minute}")
                self.appointments.execute(RecordNoShows(request_id, hall, day))
            due += self.appointments.due_reminders(hall, now)
        return due

    def _mark_sent(self, due: list[Reminder]) -> None:
        for r in due:
            self.appointments.execute(
                MarkReminderSent(server_request_id(f"reminder/{r.id}"), r.hall, r.id)
            )


def reminder_message(r: Reminder, spec: HallSpec) -> dict[str, Any]:
    service = spec.service(r.service)
    at = r.slot_start.astimezone(ZoneInfo(spec.timezone))
    when_zh = ("明天 " if r.kind == "day_before" else "今天 ") + at.strftime("%H:%M")
    when_en = ("tomorrow at " if r.kind == "day_before" else "today at ") + at.strftime("%H:%M")
    return {
        "reminder": r.id,
        "kind": r.kind,
        "service": r.service,
        "slot_start": at.isoformat(),
        "text_zh": f"提醒：您预约了{when_zh}的{service.name_zh}，请按时到厅签到",
        "text_en": f"Reminder: {service.name_en} {when_en}; please come and check in on time",
    }
