"""Checked readers of a scenario's TOML fields: each names the entry it refuses, in zh and en."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)


class ScenarioError(ValueError):
    """A scenario that cannot be simulated; the message names the offending entry."""

    def __init__(self, where: str, problem_zh: str, problem_en: str) -> None:
        self.where = where
        self.message_zh = f"场景配置错误（{where}）：{problem_zh}"
        self.message_en = f"bad scenario at {where}: {problem_en}"
        super().__init__(f"{self.message_en} / {self.message_zh}")


def table(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ScenarioError(where, "应为表（table）", "must be a table")
    return raw


def only_keys(raw: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
    """Refuse unknown keys, so a misspelt setting is an error and not silently ignored."""
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ScenarioError(where, f"未知字段 {unknown}", f"unknown keys {unknown}")


def number(raw: Any, where: str, *, low: float = 0.0, high: float = math.inf) -> float:
    """A number within [low, high]; "inf" is accepted where `high` is infinite."""
    if raw == "inf" and math.isinf(high):
        return math.inf
    if isinstance(raw, bool) or not isinstance(raw, int | float) or math.isnan(raw):
        raise ScenarioError(where, f"应为数字，而非 {raw!r}", f"must be a number, not {raw!r}")
    if not low <= raw <= high:
        raise ScenarioError(
            where,
            f"应在 {low} 与 {high} 之间，而非 {raw}",
            f"must be in [{low}, {high}], not {raw}",
        )
    return float(raw)


def positive(raw: Any, where: str) -> float:
    value = number(raw, where)
    if value <= 0:
        raise ScenarioError(where, "应大于 0", "must be greater than 0")
    return value


def probability(raw: Any, where: str) -> float:
    return number(raw, where, high=1.0)


def clock_minute(raw: Any, where: str) -> float:
    """Minutes after midnight from "HH:MM" (up to "24:00")."""
    text = str(raw)
    hours, sep, minutes = text.partition(":")
    ok = sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2
    value = int(hours) * 60 + int(minutes) if ok else -1
    if not ok or int(minutes) >= 60 or not 0 <= value <= 24 * 60:
        raise ScenarioError(
            where, f'时刻应写作 "HH:MM"，而非 {raw!r}', f'a time is "HH:MM", not {raw!r}'
        )
    return float(value)


def strings(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ScenarioError(where, "应为字符串列表", "must be a list of strings")
    return tuple(raw)


def member(raw: Any, choices: Iterable[str], where: str) -> str:
    options = tuple(choices)
    if raw not in options:
        raise ScenarioError(
            where,
            f"应为 {list(options)} 之一，而非 {raw!r}",
            f"must be one of {list(options)}, not {raw!r}",
        )
    return str(raw)


def shares(raw: Any, kind: type[E], where: str) -> dict[E, float]:
    """Non-negative shares keyed by an enum's values; they must not all be zero."""
    values = {
        kind(member(k, [e.value for e in kind], f"{where}.{k}")): number(v, f"{where}.{k}")
        for k, v in table(raw, where).items()
    }
    if sum(values.values()) <= 0:
        raise ScenarioError(where, "份额之和须大于 0", "the shares must not all be zero")
    return values
