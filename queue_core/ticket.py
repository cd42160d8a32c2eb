"""A ticket's state inside the hall's day: a frozen value, replaced on every event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from queue_core.copying import copier
from queue_core.vocabulary import Channel, Lane, TicketStatus


@dataclass(frozen=True, slots=True)
class Ticket:
    number: str
    service: str
    lane: Lane
    channel: Channel
    seq: int  # issue order within the day: the last tie-breaker of every rule
    issued_at: datetime  # kept through transfers, returns and reinstatement: fairness
    status: TicketStatus = TicketStatus.WAITING
    window: int | None = None  # the window that called or serves it
    called_at: datetime | None = None
    recalls: int = 0
    reinstated: bool = False
    requeued: bool = False  # transferred or returned: rule 3 of the call policy
    front: bool = False  # requeued at the front of its new service
    target_window: int | None = None  # only this window may call it
    appointment_ref: str | None = None
    slot_start: datetime | None = None
    slot_end: datetime | None = None
    parked_until: datetime | None = None
    missing: tuple[str, ...] = ()
    remote: bool = False  # taken from a phone (远程取号); stays True after arrival
    passed_at: datetime | None = None  # when call next first passed it over while remote

    def updated(self, **changes: Any) -> Ticket:
        """A copy with `changes` (see `queue_core.copying`: on every event's path)."""
        return _copy(self, **changes)

    @property
    def is_open(self) -> bool:
        """Still in the hall's hands (not done, cancelled or a lapsed remote ticket)."""
        return self.status not in _CLOSED


_CLOSED = frozenset({TicketStatus.DONE, TicketStatus.CANCELLED, TicketStatus.LAPSED})
_copy = copier(Ticket)
