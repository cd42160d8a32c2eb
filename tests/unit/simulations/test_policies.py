"""The policies differ only in the hall document the core runs, and `dynamic` re-plans
through `AssignServices` commands of a `Replanner`."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from queue_core.commands import AssignServices
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec, hall_spec_from_mapping
from queue_core.vocabulary import Lane
from simulations.policies import UnknownPolicy, parse_policies, policy_document
from simulations.replanning import OptimiserReplanner
from simulations.runner import simulate_day
from simulations.scenario import Scenario, day_type_of
from tests.unit.simulations.conftest import residents_of


def test_policies_are_read_from_a_comma_separated_list() -> None:
    assert parse_policies("fallback, pooled,fallback") == ("fallback", "pooled")
    with pytest.raises(UnknownPolicy, match="未知策略"):
        parse_policies("fallback,clairvoyant")


def test_dedicated_turns_fallback_off_and_pooled_gives_every_window_every_service(
    small: Scenario,
) -> None:
    assert (
        hall_spec_from_mapping(policy_document("dedicated", small.hall)).policy.fallback_to_skills
        is False
    )
    pooled = hall_spec_from_mapping(policy_document("pooled", small.hall))
    every = {s.id for s in pooled.services}
    assert all(set(w.skills) == set(w.default_services) == every for w in pooled.windows)
    assert small.hall["windows"][0]["skills"] == ["a", "b"]  # the scenario's hall is untouched


def calls(small: Scenario, policy: str) -> list[Any]:
    [(day, residents)] = residents_of(small, 1, seed=21)
    hall, _ = simulate_day(small, policy, day, residents)
    return [e for e in hall.events() if isinstance(e, HallDay.TicketCalled)]


def test_only_fallback_calls_tickets_outside_a_windows_assignment(small: Scenario) -> None:
    assert not any(c.rule.startswith("fallback:") for c in calls(small, "dedicated"))
    assert any(c.rule.startswith("fallback:") for c in calls(small, "fallback"))


def test_sharing_windows_shortens_the_time_residents_spend_queueing(small: Scenario) -> None:
    # Every arrival's time in queue, whether called or given up: the waits of the called
    # alone would flatter a policy that drives the impatient away.
    days = residents_of(small, 4, seed=13)
    queueing = {}
    for policy in ("dedicated", "fallback", "pooled"):
        records = [simulate_day(small, policy, d, r)[1] for d, r in days]
        queueing[policy] = statistics.fmean(
            w for rec in records for lane in Lane for w in rec.waits[lane] + rec.abandon_waits[lane]
        )
    assert queueing["pooled"] < queueing["fallback"] < queueing["dedicated"]


class GiveWindowThreeServiceA:
    """A replanner that moves window 3 to services a and c at its first re-plan."""

    def __init__(self) -> None:
        self.seen: list[tuple[datetime, int]] = []

    def replan(
        self, day: HallDay, spec: HallSpec, at: datetime, events: Sequence[Any]
    ) -> list[AssignServices]:
        self.seen.append((at, len(events)))
        if len(self.seen) > 1:
            return []
        return [AssignServices("plan-1", spec.id, 3, ("a", "c"), reason="测试 test")]


def test_a_replanner_is_asked_on_schedule_and_its_commands_reach_the_core(small: Scenario) -> None:
    [(day, residents)] = residents_of(small, 1, seed=21)
    replanner = GiveWindowThreeServiceA()
    hall, record = simulate_day(small, "dynamic", day, residents, replanner=replanner)
    hours = small.hours[day_type_of(day)]
    assert [at.hour * 60 + at.minute for at, _ in replanner.seen] == [560, 580, 600, 620, 640, 660 - 0][:len(replanner.seen)]  # fmt: skip
    assert all(b > a for (_, a), (_, b) in zip(replanner.seen, replanner.seen[1:], strict=False))
    assigned = [e for e in hall.events() if isinstance(e, HallDay.ServicesAssigned)]
    assert [(e.window, tuple(e.services)) for e in assigned] == [(3, ("a", "c"))]
    assert record.reassigned == [(3, hours.open_min + small.replan_every_min)]
    later = [c for c in calls_of(hall) if c.window == 3 and c.at > assigned[0].at]
    assert any(c.number.startswith("A") and not c.rule.startswith("fallback:") for c in later)


def calls_of(hall: Any) -> list[Any]:
    return [e for e in hall.events() if isinstance(e, HallDay.TicketCalled)]


def test_dynamic_runs_the_schedulers_optimiser(small: Scenario) -> None:
    [(day, residents)] = residents_of(small, 1, seed=21)
    replanner = OptimiserReplanner(small, day_type_of(day), time_limit_s=0.1)
    _, record = simulate_day(small, "dynamic", day, residents, replanner=replanner)
    assert replanner.plans == 5  # every 20 minutes from 09:20 to 10:40
    assert sum(len(w) for w in record.waits.values()) > 0
