"""What the live planner needs from the log that the day itself does not keep.

The hall-day aggregate holds each window's state now, not its story: when its services
last changed (the optimiser's minimum dwell), and which services a window had when it
closed (the instant re-plan hands exactly those over). This read model folds both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from projections.base import ReadModel
from queue_core.hall_day import HallDay

DayKey = tuple[str, str]


class PlanInputs(ReadModel):
    name = "plan_inputs"

    def _reset(self) -> None:
        self.keys: dict[UUID, DayKey] = {}
        self.switched: dict[DayKey, dict[int, datetime]] = {}  # window -> last change
        self.services: dict[DayKey, dict[int, tuple[str, ...]]] = {}  # window -> services
        # Windows closed, in order, with the services they had: (position, window, services).
        self.closed: dict[DayKey, list[tuple[int, int, tuple[str, ...]]]] = {}
        self._seen = 0  # the position being folded, for `closed`

    def fold(self, event: Any, position: int) -> None:
        self._seen = position
        super().fold(event, position)

    def apply(self, event: Any) -> None:
        if isinstance(event, HallDay.Created):
            self.keys[event.originator_id] = (event.hall_id, event.day)
            return
        key = self.keys.get(event.originator_id)
        if key is None:
            return
        if isinstance(event, HallDay.WindowOpened | HallDay.ServicesAssigned):
            self.switched.setdefault(key, {})[event.window] = event.at
            self.services.setdefault(key, {})[event.window] = tuple(event.services)
        elif isinstance(event, HallDay.WindowClosed):
            had = self.services.get(key, {}).get(event.window, ())
            self.closed.setdefault(key, []).append((self._seen, event.window, had))

    def last_switch(self, hall: str, day: str) -> dict[int, datetime]:
        return dict(self.switched.get((hall, day), {}))

    def closed_after(
        self, hall: str, day: str, position: int
    ) -> list[tuple[int, int, tuple[str, ...]]]:
        """Windows closed after log position `position`: (position, window, its services)."""
        return [c for c in self.closed.get((hall, day), []) if c[0] > position]

    def state(self) -> dict[str, Any]:
        return {
            "switched": {
                f"{h}/{d}": {str(w): at.isoformat() for w, at in sorted(s.items())}
                for (h, d), s in sorted(self.switched.items())
            },
            "services": {
                f"{h}/{d}": {str(w): list(s) for w, s in sorted(ws.items())}
                for (h, d), ws in sorted(self.services.items())
            },
            "closed": {
                f"{h}/{d}": [[c[0], c[1], list(c[2])] for c in cs]
                for (h, d), cs in sorted(self.closed.items())
            },
        }
