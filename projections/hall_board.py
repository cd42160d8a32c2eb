"""The hall's big screen: who waits for what, what every window is doing, the last calls.

Counts and windows come from the shadow day (see `projections.shadow`), so they are the
aggregate's own state; only the list of recent calls is kept here, because the day keeps
no history.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from typing import Any

from projections.base import ReadModel
from projections.shadow import DayKey, ShadowDays
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec
from queue_core.ticket import Ticket
from queue_core.vocabulary import Lane, TicketStatus

LAST_CALLS = 10  # what a hall screen shows; older calls are history, not news


def lane_counts(tickets: Iterable[Ticket], services: Iterable[str]) -> dict[str, dict[str, int]]:
    """Waiting tickets per service and lane, every listed service present (zeros too)."""
    counts = {s: {lane.value: 0 for lane in Lane} for s in services}
    for t in tickets:
        if t.service in counts:
            counts[t.service][t.lane.value] += 1
    return counts


class HallBoard(ReadModel):
    name = "hall_board"

    def _reset(self) -> None:
        self.shadow = ShadowDays()
        self.calls: dict[DayKey, deque[dict[str, Any]]] = {}
        # Waiting tickets per (service, lane), kept as events arrive: a board is drawn
        # after every batch, and recounting thousands of tickets each time showed up.
        self.waiting: dict[DayKey, Counter[tuple[str, str]]] = {}

    def apply(self, event: Any) -> None:
        key = self.shadow.key(event)
        number = getattr(event, "number", None)
        before = self.shadow.days[key].tickets.get(number) if key and number else None
        day = self.shadow.fold(event)
        if day is None:
            return
        after = day.tickets.get(number) if number else None
        counts = self.waiting.setdefault((day.hall_id, day.day), Counter())
        if before is not None and before.status is TicketStatus.WAITING:
            counts[(before.service, before.lane.value)] -= 1
        if after is not None and after.status is TicketStatus.WAITING:
            counts[(after.service, after.lane.value)] += 1
        # A recall is announced again on the screen and by voice: for residents it is a call.
        if isinstance(event, HallDay.TicketCalled | HallDay.TicketRecalled):
            key = (day.hall_id, day.day)
            recent = self.calls.setdefault(key, deque(maxlen=LAST_CALLS))
            recent.appendleft(
                {
                    "number": event.number,
                    "window": event.window,
                    "service": day.tickets[event.number].service,
                    "at": event.at.isoformat(),
                }
            )

    def state(self) -> dict[str, Any]:
        return {
            "days": self.shadow.state(),
            "last_calls": {f"{h}/{d}": list(c) for (h, d), c in sorted(self.calls.items())},
            "waiting": {
                f"{h}/{d}": {f"{s}/{lane}": n for (s, lane), n in sorted(c.items()) if n}
                for (h, d), c in sorted(self.waiting.items())
            },
        }

    # ---- queries -----------------------------------------------------------------------

    def days(self, hall: str) -> list[str]:
        return self.shadow.days_of(hall)

    def board(self, hall: str, day: str) -> dict[str, Any]:
        spec: HallSpec = self.specs(hall)
        shadow = self.shadow.get(hall, day)
        # A day nobody has touched yet is a closed, empty hall: the screen still has rows.
        fresh = shadow or HallDay.start(hall, day)
        counts = self.waiting.get((hall, day), Counter())
        services = [
            {
                "service": s.id,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "zone": s.zone,
                "waiting": {lane.value: counts[(s.id, lane.value)] for lane in Lane},
            }
            for s in spec.services
        ]
        windows = []
        for ws in spec.windows:
            w = fresh.window(spec, ws.number)
            windows.append(
                {
                    "number": w.number,
                    "status": w.status.value,
                    "services": list(w.services),
                    "staff": w.staff,
                    "pause_reason": w.pause_reason,
                    "current": w.current,
                }
            )
        calls = [dict(c) for c in self.calls.get((hall, day), ())]
        return {
            "hall": hall,
            "day": day,
            "services": services,
            "windows": windows,
            "last_calls": calls,
        }
