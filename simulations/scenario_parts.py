"""Readers of a scenario's larger sections: services, residents, staffing, arrival profile."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from queue_core.hall_spec import HallSpec
from queue_core.vocabulary import Channel, Lane
from simulations.scenario import DAY_TYPES, Behaviour, Handling, ServiceLoad, Shift
from simulations.scenario_fields import (
    ScenarioError,
    clock_minute,
    member,
    number,
    only_keys,
    positive,
    probability,
    shares,
    strings,
    table,
)

RESIDENT_KEYS = ("lanes", "channels", "patience_mean_min", "no_show_probability",
                 "transfer_probability", "park_probability", "park_return_min",
                 "park_deadline_min", "walk_min", "recall_interval_s", "appointment_slot_min")  # fmt: skip


def service_load(service: str, raw: Any, spec: HallSpec) -> ServiceLoad:
    where = f"services.{service}"
    member(service, [s.id for s in spec.services], where)
    entry = table(raw, where)
    only_keys(entry, ("per_day", "handling", "transfer_to"), where)
    per_day = table(entry.get("per_day", {}), f"{where}.per_day")
    targets = strings(entry.get("transfer_to", []), f"{where}.transfer_to")
    for target in targets:
        member(target, [s.id for s in spec.services if s.id != service], f"{where}.transfer_to")
    return ServiceLoad(
        service=service,
        per_day={
            member(d, DAY_TYPES, f"{where}.per_day"): number(n, f"{where}.per_day.{d}")
            for d, n in per_day.items()
        },
        handling=handling(entry.get("handling"), f"{where}.handling"),
        transfer_to=targets,
    )


def handling(raw: Any, where: str) -> Handling:
    entry = table(raw, where)
    only_keys(entry, ("dist", "mean_min", "cv"), where)
    dist = member(entry.get("dist", "lognormal"), ("lognormal", "exponential"), f"{where}.dist")
    if dist == "exponential" and "cv" in entry:
        raise ScenarioError(
            where, "指数分布的变异系数恒为 1，勿填 cv", "an exponential has cv 1: drop cv"
        )
    return Handling(
        dist=dist,
        mean_min=positive(entry.get("mean_min"), f"{where}.mean_min"),
        cv=number(entry.get("cv", 1.0), f"{where}.cv", high=10.0),
    )


def behaviour(raw: Mapping[str, Any]) -> Behaviour:
    where = "residents"
    only_keys(raw, RESIDENT_KEYS, where)
    transfer = probability(raw.get("transfer_probability", 0.0), f"{where}.transfer_probability")
    park = probability(raw.get("park_probability", 0.0), f"{where}.park_probability")
    if transfer + park > 1:
        raise ScenarioError(
            where, "转办与容缺概率之和不能超过 1", "transfer + park must not exceed 1"
        )
    back = raw.get("park_return_min", [20, 60])
    if not isinstance(back, list) or len(back) != 2:
        raise ScenarioError(f"{where}.park_return_min", "应为 [最短, 最长]", "must be [low, high]")
    low, high = (number(v, f"{where}.park_return_min") for v in back)
    if high < low:
        raise ScenarioError(
            f"{where}.park_return_min", "最长不能短于最短", "high must not be below low"
        )
    return Behaviour(
        lanes=shares(raw.get("lanes", {"blue": 1}), Lane, f"{where}.lanes"),
        channels=shares(raw.get("channels", {"kiosk": 1}), Channel, f"{where}.channels"),
        patience_mean_min=number(raw.get("patience_mean_min", "inf"), f"{where}.patience_mean_min", high=math.inf),
        no_show_probability=probability(raw.get("no_show_probability", 0.0), f"{where}.no_show_probability"),
        transfer_probability=transfer,
        park_probability=park,
        park_return_min=(low, high),
        park_deadline_min=positive(raw.get("park_deadline_min", 90), f"{where}.park_deadline_min"),
        walk_min=number(raw.get("walk_min", 0.0), f"{where}.walk_min"),
        recall_interval_s=number(raw.get("recall_interval_s", 30), f"{where}.recall_interval_s", low=1),
        appointment_slot_min=positive(raw.get("appointment_slot_min", 30), f"{where}.appointment_slot_min"),
    )  # fmt: skip


def profile(raw: Any, day_type: str) -> tuple[tuple[float, float], ...]:
    """((from minute, relative intensity), …) in time order; each holds until the next."""
    where = f"profile.{day_type}"
    entry = table(raw, where)
    points = sorted(
        (clock_minute(t, f"{where}.{t}"), number(w, f"{where}.{t}")) for t, w in entry.items()
    )
    if not points or all(w == 0 for _, w in points):
        raise ScenarioError(where, "须至少有一个正的强度", "needs at least one positive weight")
    return tuple(points)


def shift(raw: Any, index: int, spec: HallSpec) -> Shift:
    where = f"staffing[{index}]"
    entry = table(raw, where)
    only_keys(entry, ("day_types", "windows", "open", "close", "pauses"), where)
    numbers = [w.number for w in spec.windows]
    chosen = entry.get("windows", "all")
    if chosen != "all" and not (isinstance(chosen, list) and chosen):
        raise ScenarioError(
            f"{where}.windows", '应为窗口号列表或 "all"', 'must be window numbers or "all"'
        )
    windows = (
        tuple(numbers) if chosen == "all" else tuple(_window(w, numbers, where) for w in chosen)
    )
    opens = clock_minute(entry.get("open"), f"{where}.open")
    closes = clock_minute(entry.get("close"), f"{where}.close")
    if closes <= opens:
        raise ScenarioError(where, "下班须晚于上岗", "close must come after open")
    pauses = tuple(_pause(p, f"{where}.pauses[{i}]") for i, p in enumerate(entry.get("pauses", [])))
    ends = [opens] + [start + minutes for start, minutes in pauses]
    starts = [start for start, _ in pauses] + [closes]
    if any(start < end for start, end in zip(starts, ends, strict=True)):
        raise ScenarioError(f"{where}.pauses", "暂停须按时间先后、互不重叠，且在上岗时间内", "pauses must be in order, apart, within the shift")  # fmt: skip
    return Shift(
        day_types=frozenset(
            member(d, DAY_TYPES, f"{where}.day_types")
            for d in strings(entry.get("day_types", ["weekday", "saturday"]), f"{where}.day_types")
        ),
        windows=windows,
        open_min=opens,
        close_min=closes,
        pauses=pauses,
    )


def _window(raw: Any, numbers: list[int], where: str) -> int:
    if raw not in numbers:
        raise ScenarioError(
            f"{where}.windows", f"大厅没有 {raw!r} 号窗口", f"the hall has no window {raw!r}"
        )
    return int(raw)


def _pause(raw: Any, where: str) -> tuple[float, float]:
    if not isinstance(raw, list) or len(raw) != 2:
        raise ScenarioError(where, '应为 ["HH:MM", 分钟]', 'must be ["HH:MM", minutes]')
    return clock_minute(raw[0], where), positive(raw[1], where)
