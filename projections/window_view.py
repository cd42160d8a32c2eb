"""A window's terminal: its state, the ticket at the counter with that ticket's own story,
and how many wait for each of its skills.

Window and ticket state come from the shadow day (see `projections.shadow`). The day keeps
no history, so each open ticket's events are kept here as lines for the clerk: a
transferred resident arrives with the previous window's note, a parked one with the
missing materials and deadline. A ticket's lines are dropped when it is done or
cancelled: it can never be at a counter again, so a long day does not pile up history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.shadow import DayKey, ShadowReadModel
from queue_core.hall_day import HallDay

CLOSING = (HallDay.ServiceFinished, HallDay.TicketCancelled)


def note(event: Any) -> str:
    """What the clerk should read about this step, in one line (empty when nothing)."""
    if isinstance(event, HallDay.TicketIssued):
        slot = f", slot {event.slot_start.isoformat()}" if event.slot_start else ""
        return f"{event.service}, {event.lane.value} lane, {event.channel.value}{slot}"
    if isinstance(event, HallDay.TicketCalled):
        return f"rule {event.rule}" + (f": {event.reason}" if event.reason else "")
    if isinstance(event, HallDay.TicketMarkedNoShow):
        return "automatic after recalls" if event.auto else ""
    if isinstance(event, HallDay.TicketTransferred):
        target = f" window {event.to_window}" if event.to_window is not None else ""
        front = ", at the front" if event.front else ""
        said = f": {event.note}" if event.note else ""
        return f"to {event.to_service}{target}{front}{said}"
    if isinstance(event, HallDay.TicketParked):
        return f"missing {', '.join(event.missing)}; until {event.until.isoformat()}"
    if isinstance(event, HallDay.ServiceFinished):
        rating = f", rating {event.rating}" if event.rating is not None else ""
        return f"{event.result}{rating}"
    if isinstance(event, HallDay.TicketCancelled):
        return f"by {event.by}"
    return ""


class WindowView(ShadowReadModel):
    name = "window_view"

    def _reset(self) -> None:
        self.history: dict[DayKey, dict[str, list[dict[str, Any]]]] = {}
        # When the ticket was last called (a recall is not a new call: the wait ended then).
        self.called: dict[DayKey, dict[str, str]] = {}

    def apply(self, event: Any) -> None:
        day = self.shadow.fold(event)
        number = getattr(event, "number", None)
        if day is None or number is None:
            return
        key = (day.hall_id, day.day)
        lines = self.history.setdefault(key, {})
        called = self.called.setdefault(key, {})
        if isinstance(event, CLOSING):
            lines.pop(number, None)
            called.pop(number, None)
            return
        lines.setdefault(number, []).append(
            {
                "at": event.at.isoformat(),
                "event": type(event).__name__,
                "window": getattr(event, "window", None),
                "note": note(event),
            }
        )
        if isinstance(event, HallDay.TicketCalled):
            called[number] = event.at.isoformat()

    def state(self) -> dict[str, Any]:
        return {
            "days": self.shadow.state(),
            "history": {f"{h}/{d}": v for (h, d), v in sorted(self.history.items())},
            "called": {f"{h}/{d}": v for (h, d), v in sorted(self.called.items())},
        }

    # ---- queries -----------------------------------------------------------------------

    def view(self, hall: str, day: str, window: int, now: datetime) -> dict[str, Any]:
        """The window's screen. `now` is part of the web layer's contract; nothing shown
        here depends on it yet (waits are measured from events, not from the clock)."""
        spec = self.specs(hall)
        shadow = self.shadow.get(hall, day) or HallDay.start(hall, day)
        w = shadow.window(spec, window)
        current = None
        if w.current is not None:
            t = shadow.tickets[w.current]
            called_at = self.called.get((hall, day), {}).get(t.number)
            waited = None
            if called_at is not None:
                seconds = (datetime.fromisoformat(called_at) - t.issued_at).total_seconds()
                waited = round(seconds / 60, 1)
            current = {
                "number": t.number,
                "service": t.service,
                "lane": t.lane.value,
                "status": t.status.value,
                "called_at": called_at,
                "waited_min": waited,
                "history": [dict(line) for line in self.history[(hall, day)][t.number]],
            }
        return {
            "window": w.number,
            "status": w.status.value,
            "services": list(w.services),
            "skills": list(w.skills),
            "staff": w.staff,
            "pause_reason": w.pause_reason,
            "last_rule": w.last_rule,
            "current": current,
            "waiting": self.shadow.lane_counts((hall, day), w.skills),
        }
