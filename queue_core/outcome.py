"""What a command returns: plain values that a retry with the same request id gets again."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    event: str  # the name of the event the command recorded, e.g. "TicketCalled"
    ticket: str | None = None  # the ticket number it concerned
    window: int | None = None
    rule: str = ""  # for calls: the rule of the call policy that chose the ticket
    command: str = ""  # the kind of command that recorded it, e.g. "call_next"
    replayed: bool = False  # True when this is the remembered result of an earlier try
