"""The real core for one simulated hall-day: commands in, outcomes and the core's events out.

Why the simulator applies commands to the `HallDay` aggregate itself (the default) rather
than through `HallqApplication.execute`: a day of the reference hall is ~12,000 commands,
and what the application adds around the aggregate — store writes, request-id lookups,
locks, snapshots — is what a simulation does not need. Measured by replaying one
reference day's 12,069 commands (CPU time, best of three): through
`HallqApplication.execute_many([command])` on the in-memory store, 8,800 commands/s
(1.4 s of a day); applied with `command.apply_to(day, spec, at)`, 36,000 commands/s
(0.33 s). Batching with `execute_many` does not help: a window's next command depends on
the outcome of its last, so a batch would be the one or two commands of an instant.
What remains is exactly the core's decision code — the same validation, the same
`choose_next`, the same events in the same order — without the storage around it.
`ApplicationHall` runs the same day through a real `HallqApplication` on the memory
store instead (`hallq simulate --via-application`); a test checks both record the same
events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from hallq.bootstrap import build_application
from hallq.settings import Settings
from queue_core.application import HallqApplication
from queue_core.commands import Command
from queue_core.errors import DomainError
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec
from queue_core.ids import hall_day_id
from queue_core.outcome import Outcome
from queue_core.ports import ManualClock
from queue_core.vocabulary import TicketStatus

_STRANDED = (TicketStatus.WAITING, TicketStatus.PARKED)
_MINUTE = timedelta(minutes=1)


class HallPort(Protocol):
    """What the simulation's actors need from a hall, in minutes after local midnight."""

    def run(self, command: Command, minute: float) -> Outcome | DomainError:
        """The command's outcome, or the domain error it was refused with."""
        ...

    def moment(self, minute: float) -> datetime:
        """The hall's local time at `minute`, timezone-aware."""
        ...

    def current_day(self) -> HallDay:
        """The day as the hall holds it now, to read (a replanner, the day's end)."""
        ...

    def events_so_far(self) -> Sequence[Any]:
        """The day's events up to now, in order."""
        ...

    def stranded(self) -> list[str]:
        """Numbers of the tickets still waiting or parked (at closing: nobody will serve them)."""
        ...

    def anyone_waiting(self, services: frozenset[str]) -> bool:
        """Whether a ticket for one of `services` waits: what a window's terminal shows
        before its staff press "call next" (False means the call would find nobody)."""
        ...


class CoreHall:
    """One hall-day of the real core, in virtual time (minutes after local midnight)."""

    def __init__(
        self, spec: HallSpec, day: str, midnight: datetime, *, probe: bool = False
    ) -> None:
        self.spec, self.day_name, self.midnight = spec, day, midnight
        self.day = HallDay.start(spec.id, day)
        self.commands = 0
        self._minute, self._moment = 0.0, midnight
        # With `probe`, the core's own count of waiting tickets after every command, for
        # checking Little's law against the core's state rather than our bookkeeping.
        self.queue_probe: list[tuple[float, int]] | None = [] if probe else None

    def moment(self, minute: float) -> datetime:
        if minute != self._minute:  # commands come in bursts at one instant
            self._minute, self._moment = minute, self.midnight + _MINUTE * minute
        return self._moment

    def run(self, command: Command, minute: float) -> Outcome | DomainError:
        self.commands += 1
        try:
            command.apply_to(self.day, self.spec, self.moment(minute))
        except DomainError as error:
            return error
        if self.queue_probe is not None:
            self.queue_probe.append((minute, sum(1 for _ in self.day.waiting())))
        return self.day.requests[command.request_id]

    def current_day(self) -> HallDay:
        """The day as the core holds it now (for a replanner to read, never to change)."""
        return self.day

    def events_so_far(self) -> Sequence[Any]:
        return list(self.day.pending_events)

    def stranded(self) -> list[str]:
        return [t.number for t in self.current_day().tickets.values() if t.status in _STRANDED]

    def anyone_waiting(self, services: frozenset[str]) -> bool:
        return next(self.day.waiting(services), None) is not None

    def events(self) -> list[Any]:
        """Every event of the day, in order, from the day's start. (Not `collect_events`,
        which pops them one by one from the list's front: quadratic over a day.)"""
        return list(self.day.pending_events)


class ApplicationHall(CoreHall):
    """The same day through `HallqApplication.execute` on the in-memory store, the hall
    configured from its document as `hallq serve` configures it. The day the actors read
    (`current_day`) is folded from the store's events after each command, as a read model
    would see it."""

    def __init__(
        self, document: Mapping[str, Any], day: str, midnight: datetime, *, probe: bool = False
    ) -> None:
        self.clock = ManualClock(midnight)
        self.app: HallqApplication = build_application(
            Settings(store="memory", hall_files=()), self.clock
        )
        super().__init__(self.app.configure_hall(document), day, midnight, probe=probe)
        self.day_id = hall_day_id(self.spec.id, day)
        self.day.collect_events()  # the store's own start of the day replaces this one

    def run(self, command: Command, minute: float) -> Outcome | DomainError:
        self.commands += 1
        self.clock.set(self.moment(minute))
        result = self.app.execute_many([command])[0]
        if isinstance(result, Outcome):
            for event in self.app.events.get(self.day_id, gt=self.day.version):
                event.mutate(self.day)  # type: ignore[attr-defined]
            if self.queue_probe is not None:
                self.queue_probe.append((minute, sum(1 for _ in self.day.waiting())))
        return result

    def events_so_far(self) -> Sequence[Any]:
        return self.events()

    def events(self) -> list[Any]:
        return list(self.app.events.get(self.day_id))
