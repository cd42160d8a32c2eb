"""Quarter-hour slots and the three levels at which arrivals are counted and judged.

A day's arrivals are cells keyed by (service, slot), where a slot is the local start
"HH:MM" of a 15-minute bucket. Forecasts and errors are then read at three levels: the
whole hall per quarter hour, each service per hour, and each service per quarter hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

SLOT_MIN = 15

Cells = Mapping[tuple[str, str], float]  # (service, slot) -> arrivals


class Level(Enum):
    HALL_15MIN = "hall_15min"
    SERVICE_1H = "service_1h"
    SERVICE_15MIN = "service_15min"

    @property
    def label(self) -> str:
        """The zh/en name shown in reports."""
        return _LABELS[self]


_LABELS = {
    Level.HALL_15MIN: "大厅×15分钟 hall × 15 min",
    Level.SERVICE_1H: "业务×1小时 service × 1 h",
    Level.SERVICE_15MIN: "业务×15分钟 service × 15 min",
}


def slot_of(minutes: float) -> str:
    """Return the "HH:MM" slot that holds the given minute of the day (or moment in it)."""
    whole = int(minutes)
    start = whole - whole % SLOT_MIN
    return f"{start // 60:02d}:{start % 60:02d}"


def slot_minutes(slot: str) -> int:
    """Return the minute of the day at which ``slot`` ("HH:MM") starts; ValueError if malformed."""
    hours, _, minutes = slot.partition(":")
    value = int(hours) * 60 + int(minutes)
    if len(slot) != 5 or not 0 <= value < 24 * 60 or value % SLOT_MIN:
        raise ValueError(f"not a quarter-hour slot: {slot!r}")
    return value


def hour_of(slot: str) -> str:
    """Return the "HH:00" hour that holds ``slot``."""
    return f"{slot[:2]}:00"


def level_key(level: Level, service: str, slot: str) -> tuple[str, ...]:
    """Return the key of the level's cell that (service, slot) falls into."""
    if level is Level.HALL_15MIN:
        return (slot,)
    if level is Level.SERVICE_1H:
        return (service, hour_of(slot))
    return (service, slot)


def aggregate(cells: Cells, level: Level) -> dict[tuple[str, ...], float]:
    """Return the cells summed up to ``level``."""
    result: dict[tuple[str, ...], float] = {}
    for (service, slot), value in cells.items():
        key = level_key(level, service, slot)
        result[key] = result.get(key, 0.0) + value
    return result
