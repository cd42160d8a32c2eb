"""A window's state inside the hall's day: a frozen value, replaced on every event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from queue_core.copying import copier
from queue_core.vocabulary import WindowStatus


@dataclass(frozen=True, slots=True)
class Window:
    number: int
    skills: tuple[str, ...]
    services: tuple[str, ...]  # the assignment: a subset of skills
    status: WindowStatus = WindowStatus.CLOSED
    current: str | None = None  # ticket number called or being served here
    pause_reason: str = ""
    staff: str = ""
    last_rule: str = ""  # why the last ticket was chosen, for the terminal

    def updated(self, **changes: Any) -> Window:
        """A copy with `changes` (see `queue_core.copying`: on every event's path)."""
        return _copy(self, **changes)


_copy = copier(Window)
