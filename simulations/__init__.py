"""Discrete-event simulation of whole hall-days through the real core (`queue_core`).

Scenarios (TOML, `simulations/scenarios/`) describe a hall's residents and staff; each
day's residents are drawn once and met by every policy in turn; SimPy actors (kiosk,
resident, window) move them through the core's own commands; figures come from the
core's events. `hallq simulate` is the command line (`simulations.cli`); `hallq demo`'s
crowd plays the same actors against a live server (`simulations.live_crowd`).

The public names below load on first use: `hallq`'s other commands import this package's
command line without paying for SimPy, NumPy and SciPy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "ApplicationHall": "core_hall", "CoreHall": "core_hall", "HallPort": "core_hall",
    "HallDaySimulation": "engine", "SimulationError": "engine",
    "Crowd": "live_crowd", "LiveHallPort": "live_hall_port",
    "POLICIES": "policies", "Replanner": "policies", "UnknownPolicy": "policies",
    "policy_document": "policies",
    "SimulationResult": "runner", "run_simulation": "runner", "simulate_day": "runner",
    "Scenario": "scenario", "ScenarioError": "scenario_fields",
    "load_scenario": "scenario_toml", "scenario_names": "scenario_toml",
}  # fmt: skip
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'simulations' has no attribute {name!r}")
    return getattr(import_module(f"simulations.{home}"), name)
