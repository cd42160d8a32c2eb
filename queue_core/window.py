"""A window's state inside the hall's day: a frozen value, replaced on every event."""

from __future__ import annotations

from dataclasses import dataclass

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
