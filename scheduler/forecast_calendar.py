"""A hall's calendar: seasons that multiply some services' arrivals, and closed days.

Read from the ``[calendar]`` table of the hall's data file::

    [[calendar.seasons]]
    name = "enrolment"            # shown in reports
    start = "09-01"               # MM-DD, inclusive; a season may wrap the new year
    end = "09-15"
    services = ["school-enrolment"]   # empty or missing: every service
    multiplier = 3.0

    [[calendar.closed]]
    date = "2026-10-01"           # or start = "2026-10-01", end = "2026-10-07"

Forecasts divide the history by the multipliers before learning (so a September surge
does not leak into October) and multiply the forecast day by them afterwards.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Season:
    name: str
    start: tuple[int, int]  # (month, day)
    end: tuple[int, int]
    services: frozenset[str]  # empty: every service
    multiplier: float

    def covers(self, day: date, service: str) -> bool:
        return (not self.services or service in self.services) and self.in_season(day)

    def in_season(self, day: date) -> bool:
        today = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= today <= self.end
        return today >= self.start or today <= self.end  # e.g. 12-20 … 01-10


@dataclass(frozen=True)
class Calendar:
    seasons: tuple[Season, ...] = ()
    closed: frozenset[date] = frozenset()

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Calendar:
        """Return the calendar of a ``[calendar]`` table; ValueError names the bad entry."""
        seasons = tuple(_season(s, i) for i, s in enumerate(raw.get("seasons", ())))
        closed = frozenset(d for i, c in enumerate(raw.get("closed", ())) for d in _closed(c, i))
        return cls(seasons, closed)

    @classmethod
    def from_toml(cls, path: Path) -> Calendar:
        """Return the ``[calendar]`` table of a TOML file (a hall file); empty if it has none."""
        with path.open("rb") as f:
            return cls.from_mapping(tomllib.load(f).get("calendar", {}))

    def is_closed(self, day: date) -> bool:
        return day in self.closed

    def multiplier(self, day: date, service: str) -> float:
        """Return the product of the multipliers of every season covering (day, service)."""
        result = 1.0
        for season in self.seasons:
            if season.covers(day, service):
                result *= season.multiplier
        return result

    def unknown_services(self, known: Iterable[str]) -> list[str]:
        """Return the services named by seasons that are not in ``known`` (typos)."""
        names = set(known)
        return sorted({s for season in self.seasons for s in season.services} - names)


def _month_day(value: Any, where: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(value).split("-"))
        date(2024, month, day)  # a leap year, so 02-29 is allowed
    except ValueError:
        raise ValueError(f"日历 calendar {where}: 应为 MM-DD, not {value!r}") from None
    return month, day


def _season(raw: Mapping[str, Any], index: int) -> Season:
    where = f"seasons[{index}]"
    multiplier = float(raw.get("multiplier", 1.0))
    if not multiplier > 0:
        raise ValueError(f"日历 calendar {where}: 倍数须大于 0 / multiplier must be > 0")
    return Season(
        name=str(raw.get("name", where)),
        start=_month_day(raw["start"], f"{where}.start"),
        end=_month_day(raw["end"], f"{where}.end"),
        services=frozenset(str(s) for s in raw.get("services", ())),
        multiplier=multiplier,
    )


def _closed(raw: Mapping[str, Any], index: int) -> list[date]:
    where = f"closed[{index}]"
    try:
        if "date" in raw:
            return [date.fromisoformat(str(raw["date"]))]
        first, last = date.fromisoformat(str(raw["start"])), date.fromisoformat(str(raw["end"]))
    except (KeyError, ValueError):
        raise ValueError(f"日历 calendar {where}: 需要 date 或 start/end (YYYY-MM-DD)") from None
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
