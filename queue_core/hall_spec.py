"""The hall's configuration as frozen values, and its checked conversion from a mapping.

A hall is described by a plain mapping (the TOML data file, or the payload of a
`HallConfigured` event); `hall_spec_from_mapping` checks every cross-reference and raises
`InvalidConfiguration` with the offending entry named, so a typo in the data file is
found when the hall is configured and never in the middle of a working day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from queue_core.call_rules import RULES
from queue_core.errors import InvalidConfiguration, UnknownService, UnknownWindow
from queue_core.vocabulary import Lane, TransferPlacement


@dataclass(frozen=True)
class ZoneSpec:
    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class ServiceSpec:
    id: str
    name_zh: str
    name_en: str
    prefix: str
    zone: str
    mean_handling_min: float
    target_wait_min: float
    lanes: tuple[Lane, ...]
    materials: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class WindowSpec:
    number: int
    zone: str
    skills: tuple[str, ...]
    default_services: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallPolicy:
    """How the hall chooses and re-chooses tickets; see `queue_core.call_rules`."""

    lane_weights: Mapping[Lane, float]
    max_wait_min: Mapping[Lane, float]
    rules: tuple[str, ...] = RULES
    fallback_to_skills: bool = True
    min_recall_interval_s: float = 30.0
    auto_no_show_after_recalls: int | None = 3
    transfer_placement: TransferPlacement = TransferPlacement.ORIGINAL_TIME
    appointment_early_min: float = 15.0
    appointment_late_min: float = 10.0
    # Remote tickets (远程取号): the phone says "come now" once at most this many people
    # are ahead, or the median wait is at most this long; a remote ticket that call next
    # has passed over lapses if it is still unconfirmed this long afterwards.
    remote_come_people: int = 5
    remote_come_min: float = 20.0
    remote_grace_min: float = 15.0


@dataclass(frozen=True)
class HallSpec:
    id: str
    name_zh: str
    name_en: str
    timezone: str
    zones: tuple[ZoneSpec, ...]
    services: tuple[ServiceSpec, ...]
    windows: tuple[WindowSpec, ...]
    policy: CallPolicy
    _services: dict[str, ServiceSpec] = field(init=False, repr=False, compare=False)
    _windows: dict[int, WindowSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_services", {s.id: s for s in self.services})
        object.__setattr__(self, "_windows", {w.number: w for w in self.windows})

    def service(self, service_id: str) -> ServiceSpec:
        try:
            return self._services[service_id]
        except KeyError:
            raise UnknownService(
                f"没有此业务：{service_id}", f"unknown service '{service_id}'"
            ) from None

    def window(self, number: int) -> WindowSpec:
        try:
            return self._windows[number]
        except KeyError:
            raise UnknownWindow(f"没有 {number} 号窗口", f"unknown window {number}") from None


def _bad(where: str, problem_zh: str, problem_en: str) -> InvalidConfiguration:
    return InvalidConfiguration(
        f"配置错误（{where}）：{problem_zh}", f"bad configuration at {where}: {problem_en}"
    )


def _lane(value: Any, where: str) -> Lane:
    try:
        return Lane(value)
    except ValueError:
        raise _bad(where, f"未知通道 {value!r}", f"unknown lane {value!r}") from None


# A lane's weight or guarantee (minutes) stays within this: a simulation emulates strict
# priority with weights like 1e24, and weight × any wait still stays far from overflow.
LANE_NUMBER_LIMIT = 1e100


def _lane_map(raw: Mapping[str, Any], where: str) -> dict[Lane, float]:
    result = {_lane(k, where): float(v) for k, v in raw.items()}
    # Aging ranks by weight × wait: an infinite, NaN or astronomically large number would
    # make that product overflow or compare as nothing, and the ranking meaningless.
    wild = sorted(lane.value for lane, v in result.items() if not abs(v) <= LANE_NUMBER_LIMIT)
    if wild:
        raise _bad(
            where,
            f"通道 {', '.join(wild)} 的数值须在 ±{LANE_NUMBER_LIMIT:g} 以内",
            f"lanes {', '.join(wild)} need a number within ±{LANE_NUMBER_LIMIT:g}",
        )
    missing = set(Lane) - set(result)
    if missing:
        names = ", ".join(sorted(lane.value for lane in missing))
        raise _bad(where, f"缺少通道 {names}", f"missing lanes {names}")
    return result


def _policy(raw: Mapping[str, Any]) -> CallPolicy:
    rules = tuple(raw.get("rules", RULES))
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise _bad("policy.rules", f"未知规则 {unknown}", f"unknown rules {unknown}")
    auto = raw.get("auto_no_show_after_recalls", 3)
    return CallPolicy(
        lane_weights=_lane_map(raw["lane_weights"], "policy.lane_weights"),
        max_wait_min=_lane_map(raw["max_wait_min"], "policy.max_wait_min"),
        rules=rules,
        fallback_to_skills=bool(raw.get("fallback_to_skills", True)),
        min_recall_interval_s=float(raw.get("min_recall_interval_s", 30)),
        auto_no_show_after_recalls=None if auto in (None, 0) else int(auto),
        transfer_placement=TransferPlacement(raw.get("transfer_placement", "original_time")),
        appointment_early_min=float(raw.get("appointment_early_min", 15)),
        appointment_late_min=float(raw.get("appointment_late_min", 10)),
        **_remote_settings(raw),
    )


def _remote_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    people = raw.get("remote_come_people", 5)
    if isinstance(people, bool) or not isinstance(people, int) or people < 0:
        raise _bad(
            "policy.remote_come_people",
            f"须为不小于 0 的整数，而非 {people!r}",
            f"must be a whole number ≥ 0, not {people!r}",
        )
    minutes = {}
    for name, default, least in (("remote_come_min", 20, 0.0), ("remote_grace_min", 15, 1.0)):
        value = raw.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < least:
            raise _bad(
                f"policy.{name}",
                f"须为不小于 {least:g} 的分钟数，而非 {value!r}",
                f"must be a number of minutes ≥ {least:g}, not {value!r}",
            )
        minutes[name] = float(value)
    return {"remote_come_people": people, **minutes}


def _service(raw: Mapping[str, Any], zones: set[str]) -> ServiceSpec:
    where = f"services.{raw.get('id', '?')}"
    prefix = str(raw["prefix"])
    if len(prefix) != 1 or not prefix.isascii() or not prefix.isupper():
        raise _bad(
            where,
            f"前缀须为一个大写字母，而非 {prefix!r}",
            f"prefix must be one capital letter, not {prefix!r}",
        )
    if raw["zone"] not in zones:
        raise _bad(where, f"未知区域 {raw['zone']!r}", f"unknown zone {raw['zone']!r}")
    lanes = tuple(_lane(v, where) for v in raw.get("lanes", [lane.value for lane in Lane]))
    if Lane.BLUE not in lanes and Lane.GREEN not in lanes:
        raise _bad(where, "至少允许绿色或普通通道", "a service must allow the green or blue lane")
    return ServiceSpec(
        id=str(raw["id"]),
        name_zh=str(raw["name_zh"]),
        name_en=str(raw["name_en"]),
        prefix=prefix,
        zone=str(raw["zone"]),
        mean_handling_min=float(raw["mean_handling_min"]),
        target_wait_min=float(raw.get("target_wait_min", 20)),
        lanes=lanes,
        materials=tuple(str(m) for m in raw.get("materials", ())),
        keywords=tuple(str(k) for k in raw.get("keywords", ())),
    )


def _window(raw: Mapping[str, Any], services: set[str], zones: set[str]) -> WindowSpec:
    where = f"windows.{raw.get('number', '?')}"
    skills = tuple(str(s) for s in raw["skills"])
    default = tuple(str(s) for s in raw.get("default_services", skills))
    unknown = [s for s in skills if s not in services]
    if unknown:
        raise _bad(where, f"未知业务 {unknown}", f"unknown services {unknown}")
    if not set(default) <= set(skills):
        raise _bad(where, "默认业务须在技能之内", "default services must be among the skills")
    if raw["zone"] not in zones:
        raise _bad(where, f"未知区域 {raw['zone']!r}", f"unknown zone {raw['zone']!r}")
    return WindowSpec(
        number=int(raw["number"]), zone=str(raw["zone"]), skills=skills, default_services=default
    )


def _unique(values: list[Any], what: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise _bad(what, f"重复的 {value!r}", f"duplicate {value!r}")
        seen.add(value)


def hall_spec_from_mapping(raw: Mapping[str, Any]) -> HallSpec:
    """Build a checked `HallSpec`; raise `InvalidConfiguration` naming the first problem."""
    try:
        zones = tuple(
            ZoneSpec(str(z["id"]), str(z["name_zh"]), str(z["name_en"])) for z in raw["zones"]
        )
        zone_ids = {z.id for z in zones}
        services = tuple(_service(s, zone_ids) for s in raw["services"])
        service_ids = {s.id for s in services}
        windows = tuple(_window(w, service_ids, zone_ids) for w in raw["windows"])
        _unique([z.id for z in zones], "zones")
        _unique([s.id for s in services], "services")
        _unique([w.number for w in windows], "windows")
        return HallSpec(
            id=str(raw["id"]),
            name_zh=str(raw["name_zh"]),
            name_en=str(raw["name_en"]),
            timezone=str(raw.get("timezone", "Asia/Shanghai")),
            zones=zones,
            services=services,
            windows=windows,
            policy=_policy(raw["policy"]),
        )
    except KeyError as missing:
        raise _bad("hall", f"缺少字段 {missing}", f"missing field {missing}") from None
    except (TypeError, ValueError) as wrong:
        raise _bad("hall", f"字段类型错误：{wrong}", f"wrong field type: {wrong}") from None
