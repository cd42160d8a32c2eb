"""Scenarios load from TOML, and a wrong entry is refused with its place named in zh and en."""

from __future__ import annotations

import copy
import json
import math
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from queue_core.hall_spec import hall_spec_from_mapping
from simulations.scenario_fields import ScenarioError
from simulations.scenario_toml import load_scenario, scenario_from_mapping, scenario_names
from tests.unit.simulations.conftest import SMALL_HALL

RAW = tomllib.loads(SMALL_HALL.read_text())


def with_change(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    change(raw)
    return raw


@pytest.mark.parametrize("name", ["south-axis-weekday", "enrolment-surge", "mmc"])
def test_each_shipped_scenario_loads_with_a_valid_hall(name: str) -> None:
    assert name in scenario_names()
    scenario = load_scenario(name)
    spec = hall_spec_from_mapping(scenario.hall)
    assert {load.service for load in scenario.services} <= {s.id for s in spec.services}
    assert all(scenario.shifts(day_type) for day_type in scenario.hours)


def test_the_reference_day_expects_about_three_thousand_tickets() -> None:
    scenario = load_scenario("south-axis-weekday")
    assert 2800 <= sum(load.per_day["weekday"] for load in scenario.services) <= 3200


def test_the_hall_plans_with_the_scenarios_handling_means() -> None:
    scenario = load_scenario("south-axis-weekday")
    spec = hall_spec_from_mapping(scenario.hall)
    for load in scenario.services:
        assert spec.service(load.service).mean_handling_min == load.handling.mean_min


def test_patience_written_as_inf_means_nobody_gives_up() -> None:
    assert math.isinf(load_scenario("mmc").behaviour.patience_mean_min)


BAD: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "a misspelt section": (lambda r: r.update(residnets={}), "scenario"),
    "a time that is no time": (lambda r: r["hours"]["weekday"].update(open="9:60"), "hours.weekday.open"),
    "closing before opening": (lambda r: r["hours"]["weekday"].update(last_ticket="08:00"), "hours.weekday"),
    "a service the hall lacks": (lambda r: r["services"].update(passport=r["services"]["a"]), "services.passport"),
    "a probability above one": (lambda r: r["residents"].update(no_show_probability=1.5), "residents.no_show_probability"),
    "transfers and parking above one": (lambda r: r["residents"].update(transfer_probability=0.6, park_probability=0.6), "residents"),
    "an unknown lane": (lambda r: r["residents"]["lanes"].update(purple=0.1), "residents.lanes.purple"),
    "a window the hall lacks": (lambda r: r["staffing"][0].update(windows=[1, 99]), "staffing[0].windows"),
    "overlapping pauses": (lambda r: r["staffing"][0].update(pauses=[["10:00", 30], ["10:20", 5]]), "staffing[0].pauses"),
    "a transfer to nowhere": (lambda r: r["services"]["a"].update(transfer_to=["z"]), "services.a.transfer_to"),
    "an exponential with a cv": (lambda r: r["services"]["c"]["handling"].update(cv=2), "services.c.handling"),
    "a negative handling time": (lambda r: r["services"]["a"]["handling"].update(mean_min=-1), "services.a.handling.mean_min"),
    "an open day without staff": (lambda r: r["staffing"].pop(0) and r["staffing"].pop(1), "staffing"),
    "two sources for the hall": (lambda r: r["hall"].update(packaged="south-axis"), "hall"),
    "a hall the core refuses": (lambda r: r["hall"]["document"]["windows"][0].update(skills=["x"]), "hall"),
    "a surge of an unknown zone": (lambda r: r["surges"][0].pop("services") and r["surges"][0].update(zone="moon"), "surges[0].zone"),
    "a date that is no date": (lambda r: r["calendar"].update(start="2026-13-01"), "calendar.start"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_wrong_entry_is_named_in_both_languages(case: str) -> None:
    change, where = BAD[case]
    with pytest.raises(ScenarioError) as refused:
        scenario_from_mapping(with_change(change), "broken", SMALL_HALL.parent)
    assert refused.value.where == where
    assert where in refused.value.message_zh and where in refused.value.message_en


def test_an_unknown_scenario_name_lists_the_shipped_ones() -> None:
    with pytest.raises(ScenarioError) as refused:
        load_scenario("south-axis-holiday")
    assert "south-axis-weekday" in refused.value.message_en


def test_a_hall_file_is_read_next_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "hall.json").write_text(json.dumps(RAW["hall"]["document"]))
    raw = with_change(
        lambda r: r.update(hall={"file": "hall.json", "policy": {"rules": ["issue_order"]}})
    )
    scenario = scenario_from_mapping(raw, "from-file", tmp_path)
    assert scenario.hall["id"] == "small"
    assert scenario.hall["policy"]["rules"] == ["issue_order"]  # the override
    assert scenario.hall["policy"]["lane_weights"]["green"] == 3  # the rest kept


def test_a_variant_names_only_what_differs_from_its_base() -> None:
    base, surge = load_scenario("south-axis-weekday"), load_scenario("enrolment-surge")
    assert surge.services == base.services and surge.staffing == base.staffing
    assert surge.start_date.month == 9
    edu = {"school-enrolment", "student-aid", "childcare", "qualification-certificate", "teacher-certificate"}  # fmt: skip
    assert surge.surge_factor("school-enrolment", "weekday", 600) == 3.0
    assert {s for s in surge.surges[0].services} == edu
    assert surge.surge_factor("social-security", "weekday", 600) == 1.0
