"""The hall's `[appointments]` table, checked, and the slots it gives a date.

```toml
[appointments]
slot_minutes = 30          # length of a slot
share = 0.4                # of a service's window capacity kept for bookings
horizon_days = 14          # how far ahead residents may book
hours = [["09:00", "12:00"], ["13:30", "17:00"]]   # slots start within these, local time
weekdays = [1, 2, 3, 4, 5] # ISO weekdays (Monday 1) that take bookings
services = ["social-security", "senior-card"]       # the services that take bookings
reminder_evening = "18:00" # the day-before reminder goes out then
reminder_before_min = 60   # and another this long before the slot
```

A slot's capacity is `floor(windows × slot_minutes / mean_handling_min × share)`, at
least 1, where `windows` counts the windows with the service among their skills. Days
listed in `[[calendar.closed]]` (a `date`, or `start`/`end`) take no bookings. A hall
without the table takes no bookings at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from queue_core.appointment_values import Slot
from queue_core.errors import InvalidConfiguration
from queue_core.hall_spec import HallSpec


@dataclass(frozen=True)
class AppointmentSettings:
    slot_minutes: int = 30
    share: float = 0.4
    horizon_days: int = 14
    hours: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13, 30), time(17)))
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    services: tuple[str, ...] = ()
    closed: frozenset[str] = frozenset()  # ISO dates
    reminder_evening: time = time(18)
    reminder_before_min: int = 60


def _bad(field: str, zh: str, en: str) -> InvalidConfiguration:
    return InvalidConfiguration(
        f"配置错误（appointments.{field}）：{zh}",
        f"bad configuration at appointments.{field}: {en}",
    )


def _clock_time(value: Any, field: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise _bad(
            field, f"时间应为 HH:MM，而非 {value!r}", f"expected HH:MM, not {value!r}"
        ) from None


def _hours(raw: Any) -> tuple[tuple[time, time], ...]:
    hours = tuple((_clock_time(a, "hours"), _clock_time(b, "hours")) for a, b in raw)
    if any(start >= end for start, end in hours):
        raise _bad("hours", "每段须开始早于结束", "each period must start before it ends")
    return hours


def _closed_days(calendar: Mapping[str, Any]) -> frozenset[str]:
    days: set[str] = set()
    for entry in calendar.get("closed", ()):
        first = date.fromisoformat(str(entry.get("date", entry.get("start"))))
        last = date.fromisoformat(str(entry.get("end", first.isoformat())))
        days.update((first + timedelta(days=k)).isoformat() for k in range((last - first).days + 1))
    return frozenset(days)


def appointment_settings(document: Mapping[str, Any], spec: HallSpec) -> AppointmentSettings:
    """The checked settings from a hall document; `InvalidConfiguration` names the field."""
    raw = document.get("appointments")
    if raw is None:
        return AppointmentSettings()
    try:
        services = tuple(str(s) for s in raw.get("services", ()))
        for service in services:
            spec.service(service)  # UnknownService is a DomainError too, but say where
        settings = AppointmentSettings(
            slot_minutes=int(raw.get("slot_minutes", 30)),
            share=float(raw.get("share", 0.4)),
            horizon_days=int(raw.get("horizon_days", 14)),
            hours=_hours(raw.get("hours", AppointmentSettings.hours)),
            weekdays=frozenset(int(d) for d in raw.get("weekdays", (1, 2, 3, 4, 5))),
            services=services,
            closed=_closed_days(document.get("calendar", {})),
            reminder_evening=_clock_time(raw.get("reminder_evening", "18:00"), "reminder_evening"),
            reminder_before_min=int(raw.get("reminder_before_min", 60)),
        )
    except InvalidConfiguration:
        raise
    except Exception as wrong:  # unknown service, wrong types, bad dates
        message = getattr(wrong, "message_en", str(wrong))
        raise _bad("*", f"字段有误：{message}", f"wrong field: {message}") from None
    _check(settings)
    return settings


def _check(s: AppointmentSettings) -> None:
    if not 5 <= s.slot_minutes <= 240:
        raise _bad("slot_minutes", "须在 5 到 240 分钟之间", "must be between 5 and 240 minutes")
    if not 0 < s.share <= 1:
        raise _bad("share", "须大于 0 且不超过 1", "must be above 0 and at most 1")
    if not 0 <= s.horizon_days <= 90:
        raise _bad("horizon_days", "须在 0 到 90 天之间", "must be between 0 and 90 days")
    if not s.weekdays <= set(range(1, 8)):
        raise _bad("weekdays", "须为 1（周一）到 7（周日）", "must be 1 (Monday) to 7 (Sunday)")
    if len(set(s.services)) != len(s.services):
        raise _bad("services", "有重复的业务", "a service is listed twice")


def slot_capacity(spec: HallSpec, settings: AppointmentSettings, service: str) -> int:
    windows = sum(1 for w in spec.windows if service in w.skills)
    handling = spec.service(service).mean_handling_min
    return max(1, math.floor(windows * settings.slot_minutes / handling * settings.share))


def plan_slots(spec: HallSpec, settings: AppointmentSettings, day: str) -> list[Slot]:
    """Every bookable slot of `day` (ISO date), per service in the table's order; none on
    a closed day or a weekday without bookings."""
    local = date.fromisoformat(day)
    if day in settings.closed or local.isoweekday() not in settings.weekdays:
        return []
    zone = ZoneInfo(spec.timezone)
    length = timedelta(minutes=settings.slot_minutes)
    starts: list[datetime] = []
    for opens, closes in settings.hours:
        start = datetime.combine(local, opens, zone)
        while start + length <= datetime.combine(local, closes, zone):
            starts.append(start.astimezone(UTC))
            start += length
    return [
        Slot(service, start, settings.slot_minutes, slot_capacity(spec, settings, service))
        for service in settings.services
        for start in starts
    ]
