"""How hallq's values are written to the event store (the library's transcoder, extended).

Enums are written by value and come back as members. Every transcoding name is part of
the stored format: never rename one, add a new name instead.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from queue_core.vocabulary import Channel, Lane, TicketStatus, TransferPlacement, WindowStatus


class EnumAsValue(Transcoding):
    def __init__(self, enum_type: type[Enum], name: str) -> None:
        self.type = enum_type
        self.name = name
        self._members = {m.value: m for m in enum_type}

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        return self._members[data]


ENUM_TRANSCODINGS = (
    EnumAsValue(Lane, "hallq_lane"),
    EnumAsValue(Channel, "hallq_channel"),
    EnumAsValue(TicketStatus, "hallq_ticket_status"),
    EnumAsValue(WindowStatus, "hallq_window_status"),
    EnumAsValue(TransferPlacement, "hallq_transfer_placement"),
)


class HallqTranscoder(JSONTranscoder):
    """The library's JSON transcoder with hallq's transcodings registered (by topic)."""

    def __init__(self) -> None:
        super().__init__()
        for transcoding in ENUM_TRANSCODINGS:
            self.register(transcoding)
