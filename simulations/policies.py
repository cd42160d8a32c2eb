"""The staffing policies a run compares, each a variant of the hall's own configuration.

- `dedicated`: each window calls only its assigned services (the call policy's
  `fallback_to_skills` off).
- `fallback`: as the reference hall runs: assigned services first, then the window's
  other skills when nobody of its own is waiting.
- `pooled`: every window can and does serve every service — a lower bound on waits for
  the same staff, not something a real hall can do.
- `dynamic`: the hall's own call policy plus a `Replanner` called every few virtual
  minutes, whose `AssignServices` commands go through the core like any other.

Policies change only the hall document the core is configured with; residents, staff
hours and every decision rule stay the same, so differences are the policy's doing.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from queue_core.commands import AssignServices
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec

POLICIES = ("dedicated", "fallback", "pooled", "dynamic")


class UnknownPolicy(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"unknown policy '{name}' (choose from {', '.join(POLICIES)}) / "
            f"未知策略「{name}」（可选：{'、'.join(POLICIES)}）"
        )


class Replanner(Protocol):
    """Re-plans the hall's windows during a simulated day (the `dynamic` policy).

    Called every `Scenario.replan_every_min` virtual minutes while the kiosks issue, with
    the day as the core holds it (read only), the hall's spec, the virtual time and the
    day's events so far. Returns the `AssignServices` commands to carry out now, each with
    a request id unused today (a reused id would return its earlier outcome instead).
    """

    def replan(
        self, day: HallDay, spec: HallSpec, at: datetime, events: Sequence[Any]
    ) -> Sequence[AssignServices]: ...


def parse_policies(text: str) -> tuple[str, ...]:
    """Policies from "fallback,pooled"; `UnknownPolicy` for a name not in `POLICIES`."""
    names = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    for name in names:
        if name not in POLICIES:
            raise UnknownPolicy(name)
    return names or ("fallback",)


def policy_document(policy: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """The hall document the core is configured with under `policy`."""
    if policy not in POLICIES:
        raise UnknownPolicy(policy)
    result = copy.deepcopy(dict(document))
    result["policy"] = dict(result.get("policy", {}))
    if policy == "dedicated":
        result["policy"]["fallback_to_skills"] = False
    elif policy == "fallback":
        result["policy"]["fallback_to_skills"] = True
    elif policy == "pooled":
        every = [s["id"] for s in result["services"]]
        result["windows"] = [
            {**w, "skills": list(every), "default_services": list(every)} for w in result["windows"]
        ]
    return result
