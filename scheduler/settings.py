"""A hall's scheduling settings: the `[scheduler]` table of its data file, checked.

Like the calendar, the table sits in the hall's document and the core ignores it: how
often to re-plan, what prompts an early re-plan, whether plans apply themselves or wait
for a supervisor, and the optimiser's knobs (`scheduler.snapshot.PlanSettings`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from scheduler.forecast_calendar import Calendar
from scheduler.snapshot import LaneWeights, PlanSettings

MODES = ("auto", "approve", "off")


class BadSchedulerSettings(ValueError):
    """A wrong entry in the `[scheduler]` table; the message names it in zh and en."""


@dataclass(frozen=True)
class SchedulerSettings:
    mode: str = "approve"  # auto: apply at once; approve: a supervisor decides; off
    every_min: float = 15.0  # a full re-plan at least this often
    min_gap_min: float = 3.0  # no two plans closer than this (a closing window excepted)
    time_limit_s: float = 0.5  # the optimiser's budget in the live hall
    queue_trigger: float = 1.5  # re-plan early when a queue's wait passes target × this
    deviation_trigger: float = 0.3  # … or the last hour's arrivals miss the forecast by this
    deviation_min_arrivals: float = 10.0  # … counting only hours with at least this many
    plan: PlanSettings = field(default_factory=PlanSettings)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> SchedulerSettings:
        raw = document.get("scheduler") or {}
        if not isinstance(raw, Mapping):
            raise BadSchedulerSettings("[scheduler] 须为表 / [scheduler] must be a table")
        plan_raw = {k: v for k, v in raw.items() if k in _PLAN_KEYS}
        own = {k: v for k, v in raw.items() if k not in _PLAN_KEYS and k != "lane_weights"}
        unknown = sorted(set(own) - _OWN_KEYS)
        if unknown:
            raise BadSchedulerSettings(
                f"[scheduler] 未知设置：{', '.join(unknown)} / unknown settings: {', '.join(unknown)}"
            )
        for key, value in {**own, **plan_raw}.items():
            if key != "mode" and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise BadSchedulerSettings(
                    f"[scheduler] {key} 须为数字 / {key} must be a number, not {value!r}"
                )
        if own.get("mode", "approve") not in MODES:
            raise BadSchedulerSettings(
                f"[scheduler] mode 须为 {'/'.join(MODES)} / mode must be one of {', '.join(MODES)}"
            )
        weights = raw.get("lane_weights") or {}
        try:
            plan = PlanSettings(**plan_raw, lane_weights=LaneWeights(**weights))
        except (TypeError, ValueError) as error:
            raise BadSchedulerSettings(
                f"[scheduler] 规划参数有误 / bad plan settings: {error}"
            ) from None
        return cls(**own, plan=plan)


_PLAN_KEYS = {f.name for f in fields(PlanSettings)} - {"lane_weights"}
_OWN_KEYS = {f.name for f in fields(SchedulerSettings)} - {"plan"}


def planning_of(document: Mapping[str, Any]) -> tuple[SchedulerSettings, Calendar]:
    """A hall document's `[scheduler]` and `[calendar]` tables, checked (ValueError, with
    `BadSchedulerSettings` for the former, names the wrong entry)."""
    return SchedulerSettings.from_document(document), Calendar.from_mapping(
        document.get("calendar") or {}
    )
