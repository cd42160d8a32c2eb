"""The hall's days as the core itself folds them: a shadow `HallDay` per hall-day.

Read models that show tickets and windows (the board, a ticket's status, a window's
screen) replay each day event into a copy of the aggregate with the library's own
`event.mutate`, instead of re-implementing the lifecycle. A second fold would drift from
the aggregate sooner or later (requeued, front, target window, recalls …), and then a
resident's "position" would disagree with what call next really does; with the shadow,
`queue_order` sees exactly the tickets that `choose_next` sees.

Each shadow also keeps its day's waiting tickets counted per (service, lane) as events
arrive: boards and terminals are drawn after every batch, and recounting thousands of
tickets each time showed up in profiles.

The server's board, ticket status and window view share one `ShadowDays` (see
`ShadowReadModel`): the first of them to fold an event applies it, the others get the same
day back, so each event is applied once instead of three times. What a model needs from
before the event (the ticket's and the window's previous state) the shadow keeps from the
fold (`ticket_before`, `window_before`). Models sharing a shadow fold the log in step
(one `LogFollower`) and are reset together (`LogFollower.rebuild`): one that falls behind
the shared shadow raises rather than apply an event twice. A model built without a
shadow keeps its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from projections.base import ReadModel, SpecLookup
from queue_core.hall_day import HallDay
from queue_core.snapshot_rows import ticket_to_row, window_to_row
from queue_core.ticket import Ticket
from queue_core.vocabulary import Lane, TicketStatus
from queue_core.window import Window

DayKey = tuple[str, str]  # (hall id, local ISO date)
WAITING = TicketStatus.WAITING
LANES = tuple(lane.value for lane in Lane)  # an enum's `.value` is a slow property


# Typed, unlike a bare None: the library's `mutate` returns the type it is given, and a
# compiled build (hallq.native) checks at run time that the new day is of that type.
_NO_DAY: HallDay | None = None


class ShadowDays:
    def __init__(self) -> None:
        self._clear()

    def reset(self) -> ShadowDays:
        """Forget every day (for a rebuild from zero); returns itself."""
        self._clear()
        return self

    def _clear(self) -> None:
        self.keys: dict[UUID, DayKey] = {}
        self.days: dict[DayKey, HallDay] = {}
        self.waiting: dict[DayKey, Counter[tuple[str, str]]] = {}  # (service, lane) -> n
        self.waiting_version: dict[DayKey, int] = {}  # bumped whenever `waiting` changes
        self._last_event: Any = None  # the event folded last (an object, compared by identity)
        self._last_day: HallDay | None = None  # and the day it changed
        self.position = 0  # the notification id of the event folded last (see ShadowReadModel)
        # Before the event folded last: its ticket's state and its window's (if it names
        # one), as they were in the day.
        self.ticket_before: Ticket | None = None
        self.window_before: Window | None = None

    def fold(self, event: Any) -> HallDay | None:
        """Apply one event, once: the day it changed, or None for events of other
        aggregates. Folding the event folded last again (by another model sharing this
        shadow) returns the same day and leaves `ticket_before` and `window_before` as they are."""
        if self.folded_last(event):
            return self._last_day
        self.ticket_before = self.window_before = None
        day = self._fold(event)
        self._last_event, self._last_day = event, day
        return day

    def folded_last(self, event: Any) -> bool:
        """Whether `event` (this very object) is the one folded last."""
        return event is self._last_event

    def _fold(self, event: Any) -> HallDay | None:
        if isinstance(event, HallDay.Created):
            created = event.mutate(_NO_DAY)  # the library builds it with `HallDay.__init__`
            if created is not None:
                self.keys[created.id] = (created.hall_id, created.day)
                self.days[(created.hall_id, created.day)] = created
            return created
        if not isinstance(event, HallDay.DayEvent):
            return None
        key_of = self.keys.get(event.originator_id)
        if key_of is None:
            return None  # a day whose start this model never saw: nothing to add it to
        day = self.days[key_of]
        number = getattr(event, "number", None)
        before = day.tickets.get(number) if number is not None else None
        self.ticket_before = before
        window = getattr(event, "window", None)
        self.window_before = day.windows.get(window) if window is not None else None
        event.mutate(day)
        if number is not None:
            after = day.tickets.get(number)
            counts = self.waiting.setdefault(key_of, Counter())
            if before is not None and before.status is WAITING:
                counts[(before.service, before.lane.value)] -= 1
                self.waiting_version[key_of] = self.waiting_version.get(key_of, 0) + 1
            if after is not None and after.status is WAITING:
                counts[(after.service, after.lane.value)] += 1
                self.waiting_version[key_of] = self.waiting_version.get(key_of, 0) + 1
        # Request ids only serve the aggregate's idempotency; a read model would just
        # carry up to 1,024 outcomes per day (and per model) for nothing.
        day.requests.clear()
        return day

    def get(self, hall: str, day: str) -> HallDay | None:
        return self.days.get((hall, day))

    def lane_counts(self, key: DayKey, services: Iterable[str]) -> dict[str, dict[str, int]]:
        """Waiting tickets per service and lane, every listed service present (zeros too)."""
        counts = self.waiting.get(key) or Counter()
        return {s: {lane: counts[(s, lane)] for lane in LANES} for s in services}

    def days_of(self, hall: str) -> list[str]:
        return sorted(d for h, d in self.days if h == hall)

    def state(self) -> dict[str, Any]:
        return {
            f"{h}/{d}": {
                "version": day.version,
                "tickets": sorted(ticket_to_row(t) for t in day.tickets.values()),
                "windows": sorted(window_to_row(w) for w in day.windows.values()),
            }
            for (h, d), day in sorted(self.days.items())
        }


class ShadowReadModel(ReadModel):
    """A read model drawn from shadow days: its own, or one it shares with other models
    folding the same log in step (see the module's docstring)."""

    shadow: ShadowDays

    def __init__(self, specs: SpecLookup, shadow: ShadowDays | None = None) -> None:
        self._shared_shadow = shadow  # set before the base class's reset() needs it
        super().__init__(specs)

    def fold(self, event: Any, position: int) -> None:
        if position <= self.position:
            return
        shadow = self.shadow
        if position <= shadow.position and not shadow.folded_last(event):
            # Another model sharing the shadow is ahead: applying this event again would
            # corrupt the day they all read. The follower folds them in step; a rebuild
            # resets them together.
            raise RuntimeError(
                f"{self.name} is behind the shadow it shares ({position} <= {shadow.position})"
            )
        super().fold(event, position)
        shadow.position = max(shadow.position, position)

    def reset(self) -> None:
        shared = self._shared_shadow
        self.shadow = shared.reset() if shared is not None else ShadowDays()
        super().reset()
