"""Runs are reproducible, paired across policies, and keep Little's law every day."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from queue_core.hall_day import HallDay
from simulations.runner import run_simulation, simulate_day
from simulations.scenario import Scenario
from tests.unit.simulations.conftest import residents_of

EXPECTED = Path(__file__).parent / "expected" / "small-seed-7.json"
POLICIES = ("dedicated", "fallback", "pooled")


def figures(scenario: Scenario, seed: int, days: int = 3) -> dict[str, Any]:
    """The run's JSON without the speed (measured, not simulated) and Little's law's gap
    (rounding noise, checked below)."""
    data = run_simulation(scenario, POLICIES, days, seed).to_json()
    for policy in data["policies"].values():
        del policy["sim_days_per_s"], policy["littles_law_max_gap"]
    return data


def test_the_same_seed_gives_the_same_figures(small: Scenario) -> None:
    assert figures(small, 7) == figures(small, 7)


def test_another_seed_gives_other_residents_and_other_figures(small: Scenario) -> None:
    assert figures(small, 7)["policies"] != figures(small, 8)["policies"]


def test_a_small_seed_gives_the_saved_figures(small: Scenario) -> None:
    # Regenerate after an intended change: python -m tests.unit.simulations.test_runs
    assert figures(small, 7) == json.loads(EXPECTED.read_text())


def issued(events: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (e.at, e.number, e.service, e.lane, e.channel, e.slot_start)
        for e in events
        if isinstance(e, HallDay.TicketIssued)
    ]


def test_every_policy_meets_the_same_residents_at_the_same_moments(small: Scenario) -> None:
    for day, residents in residents_of(small, 2, seed=3):
        tickets = [issued(simulate_day(small, p, day, residents)[0].events()) for p in POLICIES]
        assert len(tickets[0]) == len(residents)
        assert tickets[0] == tickets[1] == tickets[2]


def test_a_days_residents_do_not_depend_on_which_policies_run(small: Scenario) -> None:
    alone = run_simulation(small, ["pooled"], 2, 5, keep_arrivals=True).arrivals
    together = run_simulation(small, POLICIES, 2, 5, keep_arrivals=True).arrivals
    assert alone == together


def test_littles_law_holds_on_every_day_of_every_policy(small: Scenario) -> None:
    data = run_simulation(small, POLICIES, 3, 9).to_json()
    for policy in data["policies"].values():
        assert policy["littles_law_max_gap"] < 1e-9


if __name__ == "__main__":
    from simulations.scenario_toml import load_scenario
    from tests.unit.simulations.conftest import SMALL_HALL

    EXPECTED.parent.mkdir(exist_ok=True)
    saved = figures(load_scenario(str(SMALL_HALL)), 7)
    EXPECTED.write_text(json.dumps(saved, ensure_ascii=False, indent=2) + "\n")
    print(f"written {EXPECTED}")
