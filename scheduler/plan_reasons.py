"""Turning a chosen assignment into a `Plan` whose every change says why, with numbers.

The numbers come from the same wait curves the optimiser used, so a reason never
contradicts the decision: a window's capacity is shared equally by the services it
serves, and each service's expected wait is read off its curve at its total capacity.
"""

from __future__ import annotations

from collections.abc import Mapping

from scheduler.plan import Change, Plan, PlanStatus
from scheduler.snapshot import PlanSnapshot
from scheduler.wait_curves import WaitCurve

Assignment = Mapping[int, tuple[str, ...]]


def current_assignment(snapshot: PlanSnapshot) -> dict[int, tuple[str, ...]]:
    return {w.number: w.services for w in snapshot.windows}


def capacities(assignment: Assignment) -> dict[str, float]:
    """Windows per service, a window shared by k services counting 1/k for each."""
    result: dict[str, float] = {}
    for services in assignment.values():
        for s in services:
            result[s] = result.get(s, 0.0) + 1 / len(services)
    return result


def expected_waits(curves: Mapping[str, WaitCurve], assignment: Assignment) -> dict[str, float]:
    """Expected wait in minutes of every service someone waits for or is expected at."""
    cap = capacities(assignment)
    return {s: round(c.at(cap.get(s, 0.0)), 1) for s, c in curves.items() if c.volume > 0}


def _names(snapshot: PlanSnapshot, services: tuple[str, ...], zh: bool) -> str:
    if not services:
        return "（无）" if zh else "(none)"
    labels = [
        snapshot.service(s).label_zh if zh else snapshot.service(s).label_en for s in services
    ]
    return "、".join(labels) if zh else ", ".join(labels)


def _effects(
    snapshot: PlanSnapshot,
    touched: tuple[str, ...],
    before: Mapping[str, float],
    after: Mapping[str, float],
    zh: bool,
) -> str:
    """One clause per touched service with anyone to serve, e.g. 社保预计等候 8.0 → 11.3 分钟
    （排队 6 人）, joined in the language asked for."""
    parts = []
    for s in (s for s in touched if s in before):
        load, was, will = snapshot.service(s), before[s], after[s]
        if zh:
            parts.append(
                f"{load.label_zh}预计等候 {was:.1f} → {will:.1f} 分钟（排队 {load.waiting} 人）"
            )
        else:
            parts.append(
                f"{load.label_en} expected wait {was:.1f} → {will:.1f} min ({load.waiting} waiting)"
            )
    return ("；" if zh else "; ").join(parts)


def explain_change(
    snapshot: PlanSnapshot,
    window: int,
    after_services: tuple[str, ...],
    before: Mapping[str, float],
    after: Mapping[str, float],
) -> Change:
    before_services = snapshot.window(window).services
    touched = tuple(dict.fromkeys(before_services + after_services))
    zh = f"{window} 号窗口由「{_names(snapshot, before_services, True)}」改为「{_names(snapshot, after_services, True)}」"
    en = f"window {window}: {_names(snapshot, before_services, False)} → {_names(snapshot, after_services, False)}"
    effects_zh = _effects(snapshot, touched, before, after, zh=True)
    effects_en = _effects(snapshot, touched, before, after, zh=False)
    return Change(
        window=window,
        services_before=before_services,
        services_after=after_services,
        reason_zh=f"{zh}：{effects_zh}" if effects_zh else zh,
        reason_en=f"{en}: {effects_en}" if effects_en else en,
        wait_before={s: before[s] for s in touched if s in before},
        wait_after={s: after[s] for s in touched if s in after},
        is_switch=bool(before_services),
    )


def build_plan(
    snapshot: PlanSnapshot,
    curves: Mapping[str, WaitCurve],
    chosen: Assignment,
    *,
    status: PlanStatus,
    objective: float,
    solve_ms: float,
) -> Plan:
    """The plan moving the hall from its current assignment to `chosen`."""
    current = current_assignment(snapshot)
    before = expected_waits(curves, current)
    after = expected_waits(curves, {**current, **chosen})
    changes = tuple(
        explain_change(snapshot, w, services, before, after)
        for w, services in sorted(chosen.items())
        if frozenset(services) != frozenset(current[w])
    )
    return Plan(changes, status, objective, solve_ms, before, after)
