"""How hallq's values are written to the event store (the library's transcoder, extended).

Enums are written by value and come back as members. Every transcoding name is part of
the stored format: never rename one, add a new name instead.
"""

from __future__ import annotations

from enum import Enum
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding

# Imported for its event topics ("hallq.AppointmentBook.*"): every reader of the log
# needs them, and every store is built with this module's transcoder.
import queue_core.appointment_book  # noqa: F401
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
    """The library's JSON transcoder with hallq's transcodings registered (by topic), and
    a faster encoder: orjson, writing the very same JSON (custom types as
    `{"_type_": name, "_data_": ...}`), so decoding stays the library's own.

    orjson writes enums and UUIDs natively, untagged, so they are tagged here first; that
    covers the top level of a stored object, which is where events keep them. A test
    round-trips every event class to hold that line.
    """

    _OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def __init__(self) -> None:
        super().__init__()
        self._tagged_types: set[type] = {UUID}
        for transcoding in ENUM_TRANSCODINGS:
            self.register(transcoding)

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        if issubclass(transcoding.type, Enum | UUID):
            self._tagged_types.add(transcoding.type)  # orjson would write these untagged

    def encode(self, obj: Any) -> bytes:
        if type(obj) is dict:
            tag = self._tagged_types
            obj = {k: self._encode_obj(v) if type(v) in tag else v for k, v in obj.items()}
        return orjson.dumps(obj, default=self._encode_obj, option=self._OPTIONS)

    def decode(self, data: bytes) -> Any:
        """orjson's parse, then the library's per-dict hook applied bottom-up, as
        `json.JSONDecoder(object_hook=...)` would: a cold load replays hundreds of events."""
        return self._revive(orjson.loads(data))

    def _revive(self, node: Any) -> Any:
        if type(node) is dict:
            for key, value in node.items():
                if type(value) in _CONTAINERS:
                    node[key] = self._revive(value)
            return self._decode_obj(node) if len(node) == 2 else node
        for i, value in enumerate(node):
            if type(value) in _CONTAINERS:
                node[i] = self._revive(value)
        return node


_CONTAINERS = (dict, list)
