"""The hall's big screen: who waits for what, what every window is doing, the last calls.

Counts and windows come from the shadow day (see `projections.shadow`), so they are the
aggregate's own state; only the list of recent calls is kept here, because the day keeps
no history.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from projections.shadow import DayKey, ShadowReadModel
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec

LAST_CALLS = 10  # what a hall screen shows; older calls are history, not news


class HallBoard(ShadowReadModel):
    name = "hall_board"

    def _reset(self) -> None:
        self.calls: dict[DayKey, deque[dict[str, Any]]] = {}
        # Per day: the services' rows with the waiting counts' version and the spec they
        # were built from, and per window its row with the state and spec it came from.
        self._services: dict[DayKey, tuple[int, HallSpec, list[dict[str, Any]]]] = {}
        self._window_rows: dict[DayKey, dict[int, tuple[Any, HallSpec, dict[str, Any]]]] = {}

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
        """The screen's state. Rows that did not change since the last board are the same
        objects as in it (and must not be changed by callers): a board is built after
        every batch of events, and comparing it with the last one sent then mostly
        compares objects with themselves."""
        spec: HallSpec = self.specs(hall)
        shadow = self.shadow.get(hall, day)
        # A day nobody has touched yet is a closed, empty hall: the screen still has rows.
        fresh = shadow or HallDay.start(hall, day)
        version = self.shadow.waiting_version.get((hall, day), 0)
        cached_services = self._services.get((hall, day))
        if (
            cached_services is None
            or cached_services[0] != version
            or cached_services[1] is not spec
        ):
            counts = self.shadow.lane_counts((hall, day), (s.id for s in spec.services))
            rows = [
                {
                    "service": s.id,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "zone": s.zone,
                    "waiting": counts[s.id],
                }
                for s in spec.services
            ]
            cached_services = self._services[(hall, day)] = (version, spec, rows)
        services = cached_services[2]
        window_rows = self._window_rows.setdefault((hall, day), {})
        windows = []
        for ws in spec.windows:
            state = fresh.windows.get(ws.number)  # None: untouched today, as the spec says
            cached = window_rows.get(ws.number)
            if cached is None or cached[0] is not state or cached[1] is not spec:
                w = state or fresh.window(spec, ws.number)
                cached = window_rows[ws.number] = (
                    state,
                    spec,
                    {
                        "number": w.number,
                        "status": w.status.value,
                        "services": list(w.services),
                        "staff": w.staff,
                        "pause_reason": w.pause_reason,
                        "current": w.current,
                    },
                )
            windows.append(cached[2])
        return {
            "hall": hall,
            "day": day,
            "services": services,
            "windows": windows,
            "last_calls": list(self.calls.get((hall, day), ())),
        }
