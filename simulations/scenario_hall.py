"""A scenario's hall: the packaged reference hall, a file beside the scenario, or inline;
with the scenario's call-policy overrides and handling means, checked by the core."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from hallq.bootstrap import load_hall_document
from queue_core.errors import InvalidConfiguration
from queue_core.hall_spec import HallSpec, hall_spec_from_mapping
from simulations.scenario import ServiceLoad
from simulations.scenario_fields import ScenarioError, only_keys, table


def packaged_hall(name: str) -> Path:
    """A hall data file shipped with hallq (`hallq/data/<name>.toml`)."""
    return Path(str(resources.files("hallq") / "data" / f"{name}.toml"))


def hall_document(raw: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    only_keys(raw, ("packaged", "file", "document", "policy"), "hall")
    sources = [k for k in ("packaged", "file", "document") if k in raw]
    if len(sources) != 1:
        raise ScenarioError(
            "hall",
            "须且只须给出 packaged、file、document 之一",
            "give exactly one of packaged, file, document",
        )
    if "document" in raw:
        document = copy.deepcopy(dict(table(raw["document"], "hall.document")))
    else:
        where = packaged_hall(str(raw["packaged"])) if "packaged" in raw else folder / raw["file"]
        if not where.is_file():
            raise ScenarioError("hall", f"找不到大厅文件 {where}", f"no hall file at {where}")
        document = load_hall_document(where)
    policy = dict(table(document.get("policy", {}), "hall.policy"))
    policy.update(table(raw.get("policy", {}), "hall.policy"))
    document["policy"] = policy
    return document


def with_handling_means(document: dict[str, Any], loads: tuple[ServiceLoad, ...]) -> dict[str, Any]:
    """The hall with each simulated service's `mean_handling_min` set to the scenario's
    mean, so whatever plans from the hall's configuration (the `dynamic` policy's
    optimiser) plans with the times the simulation will draw."""
    means = {load.service: load.handling.mean_min for load in loads}
    services = [
        {**s, "mean_handling_min": means[s["id"]]} if s.get("id") in means else s
        for s in document["services"]
    ]
    return {**document, "services": services}


def checked_spec(document: Mapping[str, Any]) -> HallSpec:
    try:
        return hall_spec_from_mapping(document)
    except InvalidConfiguration as error:
        raise ScenarioError("hall", error.message_zh, error.message_en) from None
