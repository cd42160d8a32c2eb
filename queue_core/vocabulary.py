"""The small closed vocabularies of the hall: lanes, channels, statuses.

They are plain `Enum`s, not `str` mixins, on purpose: the JSON encoder writes a `str`
enum as a bare string and it comes back as `str`, silently; a plain `Enum` reaches the
store's registered transcoding and comes back as itself.
"""

from __future__ import annotations

from enum import Enum


class Word(Enum):
    """A member of one of the vocabularies below."""

    # Members are singletons compared by identity, so they are hashed by identity too:
    # Enum's own `__hash__` is a Python-level call, and lanes key the call policy's
    # mappings that a queue sort reads for every ticket.
    __hash__ = object.__hash__


class Lane(Word):
    """Colour-coded priority lane."""

    GREEN = "green"  # elderly, disabled, sick, pregnant
    YELLOW = "yellow"  # business / enterprise start-up
    BLUE = "blue"  # regular


class Channel(Word):
    """Where a ticket came from."""

    KIOSK = "kiosk"
    MOBILE = "mobile"
    APPOINTMENT = "appointment"
    STAFF = "staff"


class TicketStatus(Word):
    REMOTE = "remote"  # taken from a phone, not yet confirmed at a kiosk: never called
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    PARKED = "parked"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"  # a remote ticket never confirmed in time (see HallDay.lapse_remote)


class WindowStatus(Word):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class TransferPlacement(Word):
    """Where a transferred ticket joins its new queue."""

    ORIGINAL_TIME = "original_time"  # by its original issue time
    FRONT = "front"  # ahead of everyone else in its new service


LANE_NAMES_ZH = {Lane.GREEN: "绿色通道", Lane.YELLOW: "黄色通道", Lane.BLUE: "普通"}
