"""Small halls for the optimiser's tests, and an independent check of every planning rule."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from scheduler.plan import Plan
from scheduler.snapshot import PlanSettings, PlanSnapshot, ServiceLoad, WindowState

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def load(
    sid: str,
    *,
    handling: float = 10.0,
    green: int = 0,
    yellow: int = 0,
    blue: int = 0,
    per_hour: float = 0.0,
) -> ServiceLoad:
    return ServiceLoad(sid, handling, green, yellow, blue, per_hour, name_zh=f"业务{sid}")


def window(number: int, skills: str, services: str, **flags: Any) -> WindowState:
    """A window whose skills and services are given as letters: window(1, "ab", "a")."""
    return WindowState(number, tuple(skills), tuple(services), **flags)


def hall(windows: list[WindowState], loads: list[ServiceLoad], **settings: Any) -> PlanSnapshot:
    return PlanSnapshot(tuple(windows), tuple(loads), PlanSettings(**settings))


def current(snapshot: PlanSnapshot) -> dict[int, tuple[str, ...]]:
    return {w.number: w.services for w in snapshot.windows}


def after(snapshot: PlanSnapshot, plan: Plan) -> dict[int, tuple[str, ...]]:
    return plan.assignment(current(snapshot))


def violations(
    snapshot: PlanSnapshot, assignment: Mapping[int, tuple[str, ...]], now: datetime = NOW
) -> list[str]:
    """Every planning rule the assignment breaks, checked from first principles."""
    found = []
    settings = snapshot.settings
    switched = 0
    for w in snapshot.windows:
        new = assignment[w.number]
        changed = frozenset(new) != frozenset(w.services)
        if not set(new) <= set(w.skills):
            found.append(f"window {w.number} serves {new} outside its skills {w.skills}")
        if changed and snapshot.must_stay(w, now):
            found.append(f"window {w.number} must stay but moved to {new}")
        if changed and len(new) > settings.max_services_per_window:
            found.append(f"window {w.number} was given {len(new)} services")
        if not new and not snapshot.must_stay(w, now):
            found.append(f"open window {w.number} serves nothing")
        switched += changed and bool(w.services)
    if switched > settings.max_switches:
        found.append(f"{switched} switches, more than K = {settings.max_switches}")
    for s in snapshot.services:
        served_now = any(s.id in w.services for w in snapshot.windows)
        served_after = any(s.id in services for services in assignment.values())
        if s.waiting_green and served_now and not served_after:
            found.append(f"green-lane residents of {s.id} lost their window")
    return found
