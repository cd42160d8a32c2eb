"""The hall's big screen: who waits for what, what every window is doing, the last calls.

Counts and windows come from the shadow day (see `projections.shadow`), so they are the
aggregate's own state; only the list of recent calls is kept here, because the day keeps
no history.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from projections.base import ReadModel
from projections.shadow import DayKey, ShadowDays
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec

LAST_CALLS = 10  # what a hall screen shows; older calls are history, not news


class HallBoard(ReadModel):
    name = "hall_board"

    def _reset(self) -> None:
        self.shadow = ShadowDays()
        self.calls: dict[DayKey, deque[dict[str, Any]]] = {}

    def apply(self, event: Any) -> None:
        day = self.shadow.fold(event)
        if day is None:
            return
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
                for (h, d), c in sorted(self.shadow.waiting.items())
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
        counts = self.shadow.lane_counts((hall, day), (s.id for s in spec.services))
        services = [
            {
                "service": s.id,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "zone": s.zone,
                "waiting": counts[s.id],
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
