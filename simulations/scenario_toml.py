"""Reading a scenario from TOML: every entry checked, the first wrong one named (zh/en).

`load_scenario` takes a name from `simulations/scenarios/` (`south-axis-weekday`) or a
path. The hall comes from the packaged data (`packaged = "south-axis"`), a file next to
the scenario (`file = …`) or inline (`document = {…}`); `policy = {…}` overrides entries
of the hall's call policy, e.g. for a validation run under pure lane priority.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from queue_core.hall_spec import HallSpec
from simulations.scenario import DAY_TYPES, Hours, Scenario, Surge
from simulations.scenario_fields import (
    ScenarioError,
    clock_minute,
    member,
    number,
    only_keys,
    strings,
    table,
)
from simulations.scenario_hall import checked_spec, hall_document, with_handling_means
from simulations.scenario_parts import behaviour, profile, service_load, shift

SCENARIOS = Path(__file__).parent / "scenarios"
TOP_KEYS = ("extends", "name", "title_zh", "title_en", "hall", "calendar", "hours", "profile",
            "residents", "services", "surges", "staffing", "simulation")  # fmt: skip


def scenario_names() -> list[str]:
    """The scenarios shipped with the simulator."""
    return sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def scenario_path(name_or_path: str) -> Path:
    """The file of a shipped scenario's name, or the given path if it is a file."""
    shipped = SCENARIOS / f"{name_or_path}.toml"
    if shipped.is_file():
        return shipped
    path = Path(name_or_path)
    if path.is_file():
        return path
    raise ScenarioError(
        name_or_path,
        f"找不到此场景；可选：{', '.join(scenario_names())}",
        f"no such scenario; shipped ones: {', '.join(scenario_names())}",
    )


def load_scenario(name_or_path: str) -> Scenario:
    """The checked scenario; `ScenarioError` names the first wrong entry."""
    path = scenario_path(name_or_path)
    return scenario_from_mapping(read_raw(path), path.stem, path.parent)


def read_raw(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's tables; with `extends = "other"`, merged onto the other scenario's
    (tables key by key, anything else replaced), so a variant names only what differs."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(path.name, f"TOML 语法错误：{error}", f"TOML syntax: {error}") from None
    base = raw.pop("extends", None)
    if base is None:
        return raw
    base_path = (
        scenario_path(str(base))
        if (SCENARIOS / f"{base}.toml").is_file()
        else path.parent / str(base)
    )
    if base_path.resolve() in seen or not base_path.is_file():
        raise ScenarioError("extends", f"无法继承 {base!r}", f"cannot extend {base!r}")
    return merged(read_raw(base_path, (*seen, path.resolve())), raw)


def merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def scenario_from_mapping(raw: Mapping[str, Any], name: str, folder: Path) -> Scenario:
    only_keys(raw, TOP_KEYS, "scenario")
    hall = hall_document(table(raw.get("hall", {}), "hall"), folder)
    spec = checked_spec(hall)
    calendar = table(raw.get("calendar", {}), "calendar")
    only_keys(calendar, ("start", "closed"), "calendar")
    closed = frozenset(
        member(d, DAY_TYPES, "calendar.closed")
        for d in strings(calendar.get("closed", ["sunday"]), "calendar.closed")
    )
    open_types = [d for d in DAY_TYPES if d not in closed]
    services = table(raw.get("services", {}), "services")
    loads = tuple(service_load(s, v, spec) for s, v in services.items())
    simulation = table(raw.get("simulation", {}), "simulation")
    only_keys(simulation, ("replan_every_min", "warmup_min"), "simulation")
    scenario = Scenario(
        name=str(raw.get("name", name)),
        title_zh=str(raw.get("title_zh", name)),
        title_en=str(raw.get("title_en", name)),
        hall=with_handling_means(hall, loads),
        start_date=start_date(calendar.get("start", "2026-03-02")),
        closed=closed,
        hours={d: hours(raw, d) for d in open_types},
        profile={d: profile(table(raw.get("profile", {}), "profile").get(d), d) for d in open_types},
        services=loads,
        surges=tuple(surge(s, i, spec) for i, s in enumerate(raw.get("surges", []))),
        behaviour=behaviour(table(raw.get("residents", {}), "residents")),
        staffing=tuple(shift(s, i, spec) for i, s in enumerate(raw.get("staffing", []))),
        replan_every_min=number(simulation.get("replan_every_min", hall_every_min(hall)), "simulation.replan_every_min", low=1),
        warmup_min=number(simulation.get("warmup_min", 0), "simulation.warmup_min"),
    )  # fmt: skip
    check_whole(scenario)
    return scenario


def hall_every_min(hall: Mapping[str, Any]) -> Any:
    """The hall's own re-planning interval (its `[scheduler]` table), else 15 minutes."""
    scheduler = hall.get("scheduler")
    return scheduler.get("every_min", 15) if isinstance(scheduler, Mapping) else 15


def start_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ScenarioError(
            "calendar.start",
            f"日期应写作 YYYY-MM-DD，而非 {raw!r}",
            f"a date is YYYY-MM-DD, not {raw!r}",
        ) from None


def hours(raw: Mapping[str, Any], day_type: str) -> Hours:
    where = f"hours.{day_type}"
    entry = table(table(raw.get("hours", {}), "hours").get(day_type), where)
    only_keys(entry, ("open", "last_ticket"), where)
    opens = clock_minute(entry.get("open"), f"{where}.open")
    last = clock_minute(entry.get("last_ticket"), f"{where}.last_ticket")
    if last <= opens:
        raise ScenarioError(where, "停止取号须晚于开门", "last_ticket must come after open")
    return Hours(opens, last)


def surge(raw: Any, index: int, spec: HallSpec) -> Surge:
    where = f"surges[{index}]"
    entry = table(raw, where)
    only_keys(entry, ("services", "zone", "factor", "day_types", "from", "until"), where)
    if "zone" in entry:
        zone = member(entry["zone"], [z.id for z in spec.zones], f"{where}.zone")
        services = frozenset(s.id for s in spec.services if s.zone == zone)
    else:
        ids = [s.id for s in spec.services]
        services = frozenset(
            member(s, ids, f"{where}.services") for s in strings(entry.get("services"), where)
        )
    day_types = strings(entry.get("day_types", list(DAY_TYPES)), f"{where}.day_types")
    return Surge(
        services=services,
        factor=number(entry.get("factor"), f"{where}.factor"),
        day_types=frozenset(member(d, DAY_TYPES, f"{where}.day_types") for d in day_types),
        start_min=clock_minute(entry.get("from", "00:00"), f"{where}.from"),
        end_min=clock_minute(entry.get("until", "24:00"), f"{where}.until"),
    )


def check_whole(scenario: Scenario) -> None:
    """Checks across sections: every open day has staff and some arrivals."""
    for day_type, opening in scenario.hours.items():
        if not scenario.shifts(day_type):
            raise ScenarioError(
                "staffing", f"{day_type} 没有任何窗口上岗", f"no window is staffed on {day_type}"
            )
        if not any(load.per_day.get(day_type, 0) > 0 for load in scenario.services):
            raise ScenarioError(
                "services",
                f"{day_type} 没有任何业务有来客",
                f"no service has arrivals on {day_type}",
            )
        weights = scenario.profile[day_type]
        if weights[0][0] > opening.open_min:
            raise ScenarioError(
                f"profile.{day_type}", "须从开门时刻或更早开始", "must start at or before opening"
            )
