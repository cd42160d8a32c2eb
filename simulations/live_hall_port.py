"""A `HallPort` onto a running server's hall: the crowd's commands take the server's own path.

Each command runs as `LiveHall.execute` on the server's event loop (the group committer,
then the read models catch up), so the crowd is one more client of the hall, like a
terminal. The crowd lives in its own thread and waits for each outcome; what it reads
(who waits, what is at a window) comes from the board's shadow day, read on the loop
where it is folded, because read models take no locks.

The core's clock stays real time: timestamps are real, only the simulation's durations are
compressed (`factor` real seconds per simulated minute). `moment` maps a simulated minute
to a real time relative to the simulation's present, so an appointment slot or a parking
deadline lies as far ahead in real time as the simulation means, scaled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import simpy

from hallq.live import LiveHall
from queue_core.commands import Command, IssueTicket
from queue_core.errors import DomainError
from queue_core.hall_day import HallDay
from queue_core.ids import hall_day_id
from queue_core.outcome import Outcome
from queue_core.vocabulary import Lane, TicketStatus
from simulations.crowd_day import WindowState

T = TypeVar("T")
_STRANDED = (TicketStatus.WAITING, TicketStatus.PARKED)


class LiveHallPort:
    """One hall of a live server, for the crowd's thread (never for the loop's own tasks)."""

    def __init__(
        self,
        live: LiveHall,
        loop: asyncio.AbstractEventLoop,
        hall_id: str,
        factor: float,
        timeout_s: float = 30.0,
    ) -> None:
        self.live, self.loop, self.hall_id = live, loop, hall_id
        self.factor, self.timeout_s = factor, timeout_s
        self.zone = ZoneInfo(live.app.hall_spec(hall_id).timezone)
        self.env: simpy.Environment | None = None  # the day being played: its `now`
        self.issued: set[str] = set()  # the crowd's tickets of the day being played
        self.acknowledged = 0  # commands the hall accepted from the crowd

    def begin(self, env: simpy.Environment) -> None:
        """A new simulated day starts, with its own clock and its own tickets."""
        self.env, self.issued = env, set()

    def local_now(self) -> datetime:
        return self.live.app.clock.now().astimezone(self.zone)

    # ---- HallPort ------------------------------------------------------------------------

    def run(self, command: Command, minute: float) -> Outcome | DomainError:
        future = asyncio.run_coroutine_threadsafe(self.live.execute(command), self.loop)
        try:
            outcome = future.result(self.timeout_s)
        except DomainError as error:
            return error
        self.acknowledged += 1
        if isinstance(command, IssueTicket) and outcome.ticket:
            self.issued.add(outcome.ticket)
        return outcome

    def moment(self, minute: float) -> datetime:
        now = self.env.now if self.env is not None else minute
        return self.local_now() + timedelta(seconds=(minute - now) * self.factor)

    def current_day(self) -> HallDay:
        return self.live.app.get_day(self.hall_id)  # a fresh copy from the store

    def events_so_far(self) -> Sequence[Any]:
        day = self.live.app.day_of(self.hall_id)
        return list(self.live.app.events.get(hall_day_id(self.hall_id, day)))

    def stranded(self) -> list[str]:
        """The crowd's own tickets still waiting or parked (others' are not its to cancel)."""

        def mine(day: HallDay) -> list[str]:
            return [
                number
                for number, t in day.tickets.items()
                if t.status in _STRANDED and number in self.issued
            ]

        return self._read(mine, [])

    def anyone_waiting(self, services: frozenset[str]) -> bool:
        return self._read(lambda day: next(day.waiting(services), None) is not None, False)

    # ---- more reads, for the crowd -------------------------------------------------------

    def ticket_of(self, number: str) -> tuple[str, Lane] | None:
        """The service and lane of an open ticket, or None."""

        def find(day: HallDay) -> tuple[str, Lane] | None:
            t = day.tickets.get(number)
            return None if t is None else (t.service, t.lane)

        return self._read(find, None)

    def windows(self) -> list[WindowState]:
        """The state of every window the hall's day has touched."""

        def states(day: HallDay) -> list[WindowState]:
            return [
                WindowState(
                    w.number, w.status, day.tickets[w.current].status if w.current else None
                )
                for w in day.windows.values()
            ]

        return self._read(states, [])

    def _read(self, query: Callable[[HallDay], T], empty: T) -> T:
        """`query` over today's shadow day, run on the loop; `empty` if nobody touched it."""

        async def on_loop() -> T:
            hall, live = self.hall_id, self.live
            day = live.models.board.shadow.get(hall, live.app.day_of(hall))
            return empty if day is None else query(day)

        return asyncio.run_coroutine_threadsafe(on_loop(), self.loop).result(self.timeout_s)
