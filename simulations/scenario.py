"""A simulation scenario as frozen values: the hall, its residents, their arrivals, its staff.

Times of day are minutes after local midnight (09:30 is 570.0), so the simulator's clock,
the arrival profile and the staffing plan share one unit. A scenario is read from TOML
by `simulations.scenario_toml.load_scenario`, which checks every entry and names the
first wrong one; here are only the values and the small pure rules that read them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from queue_core.vocabulary import Channel, Lane

DAY_TYPES = ("weekday", "saturday", "sunday")


def day_type_of(day: date) -> str:
    """The scenario's day type of a calendar date: Monday to Friday are `weekday`."""
    return DAY_TYPES[max(0, day.weekday() - 4)]


@dataclass(frozen=True)
class Handling:
    """A service's handling time at the window, in minutes."""

    dist: str  # "lognormal" (with `cv`) or "exponential"
    mean_min: float
    cv: float = 1.0

    def draw(self, rng: random.Random) -> float:
        """One handling time drawn from `rng`; the mean over many draws is `mean_min`."""
        if self.dist == "exponential":
            return rng.expovariate(1.0 / self.mean_min)
        sigma2 = math.log1p(self.cv * self.cv)
        return rng.lognormvariate(math.log(self.mean_min) - sigma2 / 2, math.sqrt(sigma2))


@dataclass(frozen=True)
class ServiceLoad:
    """How many residents come for one service, and how long each keeps a window."""

    service: str
    per_day: Mapping[str, float]  # day type -> expected arrivals that day (before surges)
    handling: Handling
    transfer_to: tuple[str, ...] = ()  # services a transfer from here may lead to


@dataclass(frozen=True)
class Surge:
    """Arrivals of some services multiplied, on some day types, within some hours."""

    services: frozenset[str]
    factor: float
    day_types: frozenset[str]
    start_min: float = 0.0
    end_min: float = 24 * 60.0


@dataclass(frozen=True)
class Hours:
    open_min: float  # the doors open and the kiosks start issuing
    last_ticket_min: float  # the kiosks stop; windows serve whoever holds a ticket


@dataclass(frozen=True)
class Shift:
    """When some windows are staffed on some day types, and when their staff pause."""

    day_types: frozenset[str]
    windows: tuple[int, ...]
    open_min: float
    close_min: float
    pauses: tuple[tuple[float, float], ...] = ()  # (start, minutes), in time order


@dataclass(frozen=True)
class Behaviour:
    """What residents do once they hold a ticket."""

    lanes: Mapping[Lane, float]  # shares, renormalised over the lanes a service offers
    channels: Mapping[Channel, float]  # kiosk / mobile / appointment shares
    patience_mean_min: float  # exponential; math.inf: nobody gives up
    no_show_probability: float  # not there when called: recalled, then marked no-show
    transfer_probability: float  # of a service with `transfer_to` targets
    park_probability: float  # materials missing (容缺受理): parked, back later
    park_return_min: tuple[float, float]  # uniform range of the trip home for papers
    park_deadline_min: float  # the parked ticket's deadline after parking
    walk_min: float  # from the call to the window
    recall_interval_s: float  # between recalls of an absent resident
    appointment_slot_min: float = 30.0


@dataclass(frozen=True)
class Scenario:
    name: str
    title_zh: str
    title_en: str
    hall: Mapping[str, Any]  # the hall document, as `HallConfiguration.configure` takes it
    start_date: date
    closed: frozenset[str]  # day types with no service
    hours: Mapping[str, Hours]  # per open day type
    profile: Mapping[str, tuple[tuple[float, float], ...]]  # day type -> ((from, weight), …)
    services: tuple[ServiceLoad, ...]
    surges: tuple[Surge, ...]
    behaviour: Behaviour
    staffing: tuple[Shift, ...]
    replan_every_min: float = 15.0
    warmup_min: float = 0.0  # tickets issued this long after opening are not measured

    @property
    def hall_id(self) -> str:
        return str(self.hall["id"])

    def is_open(self, day: date) -> bool:
        return day_type_of(day) not in self.closed

    def surge_factor(self, service: str, day_type: str, minute: float) -> float:
        """The product of every surge that covers this service at this minute."""
        factor = 1.0
        for surge in self.surges:
            if (
                service in surge.services
                and day_type in surge.day_types
                and surge.start_min <= minute < surge.end_min
            ):
                factor *= surge.factor
        return factor

    def shifts(self, day_type: str) -> dict[int, Shift]:
        """Window -> its shift on this day type (a later entry overrides an earlier one)."""
        return {w: s for s in self.staffing if day_type in s.day_types for w in s.windows}
