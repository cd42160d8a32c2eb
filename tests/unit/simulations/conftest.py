"""Scenarios for the simulator's tests: the shipped ones, and a small hall for speed."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from queue_core.hall_spec import hall_spec_from_mapping
from simulations.days import day_seeds, open_days
from simulations.residents import Resident, draw_day
from simulations.scenario import Scenario
from simulations.scenario_toml import load_scenario

SMALL_HALL = Path(__file__).parent / "small-hall.toml"


@pytest.fixture(scope="session")
def small() -> Scenario:
    return load_scenario(str(SMALL_HALL))


@pytest.fixture(scope="session")
def mmc() -> Scenario:
    return load_scenario("mmc")


def residents_of(scenario: Scenario, days: int, seed: int) -> list[tuple[date, list[Resident]]]:
    """The runner's days and residents for `seed`, drawn the way `run_simulation` draws them."""
    spec = hall_spec_from_mapping(scenario.hall)
    dates = open_days(scenario, days)
    seeds = day_seeds(random.Random(seed), days)
    return [
        (d, draw_day(scenario, spec, d, random.Random(s)))
        for d, s in zip(dates, seeds, strict=True)
    ]
