"""The residents of one simulated day, drawn in full before the day is simulated.

Everything random about a resident (arrival, service, lane, channel, handling time,
patience, whether they answer the call, whether they are transferred or parked) is drawn
here from the day's own `random.Random`, so every policy meets exactly the same people:
paired replications, where a difference between policies is the policy's doing.
Arrivals are a Poisson process whose rate follows the scenario's profile (piecewise
constant), scaled to each service's expected daily count and its surges.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from queue_core.hall_spec import HallSpec
from queue_core.vocabulary import Channel, Lane
from simulations.scenario import Handling, Scenario, ServiceLoad, day_type_of

FINISH, TRANSFER, PARK = "finish", "transfer", "park"


@dataclass(frozen=True, slots=True)
class Resident:
    arrival_min: float  # minutes after local midnight
    service: str
    lane: Lane
    channel: Channel
    handling_min: float
    patience_min: float  # math.inf: waits for ever
    no_show: bool  # gone when first called
    walk_min: float
    slot: tuple[float, float] | None  # an appointment's booked slot, in minutes
    ending: str  # FINISH, TRANSFER or PARK after the first handling
    transfer_to: str | None
    second_handling_min: float  # at the transfer target, or once the papers are back
    park_return_min: float  # how long a parked resident is away (may miss the deadline)


def segments(scenario: Scenario, day_type: str) -> list[tuple[float, float, float]]:
    """(start, end, profile weight) pieces of the issuing hours, cut at every profile and
    surge boundary, so that each piece has one constant arrival rate per service."""
    hours = scenario.hours[day_type]
    points = scenario.profile[day_type]
    cuts = {hours.open_min, hours.last_ticket_min}
    cuts.update(t for t, _ in points)
    cuts.update(x for s in scenario.surges for x in (s.start_min, s.end_min))
    inside = sorted(c for c in cuts if hours.open_min <= c <= hours.last_ticket_min)
    pieces = []
    for start, end in pairwise(inside):
        weight = next(w for t, w in reversed(points) if t <= start)
        pieces.append((start, end, weight))
    return pieces


def piece_rates(
    load: ServiceLoad, scenario: Scenario, day_type: str
) -> list[tuple[float, float, float]]:
    """(start, end, arrivals per minute) of one service over the issuing hours."""
    pieces = segments(scenario, day_type)
    mass = sum(w * (end - start) for start, end, w in pieces)
    expected = load.per_day.get(day_type, 0.0)
    if mass <= 0 or expected <= 0:
        return []
    return [
        (start, end, expected * w / mass * scenario.surge_factor(load.service, day_type, start))
        for start, end, w in pieces
    ]


def expected_per_hour(
    load: ServiceLoad, scenario: Scenario, day_type: str, start: float, end: float
) -> float:
    """The service's mean arrival rate per hour over [start, end): the scenario's truth,
    which a replanner may use as a perfect forecast."""
    arrivals = sum(
        rate * max(0.0, min(end, b) - max(start, a))
        for a, b, rate in piece_rates(load, scenario, day_type)
    )
    return arrivals / (end - start) * 60 if end > start else 0.0


def arrival_times(
    load: ServiceLoad, scenario: Scenario, day_type: str, rng: random.Random
) -> list[float]:
    """One service's arrival minutes of the day: a piecewise-constant Poisson process."""
    times: list[float] = []
    for start, end, rate in piece_rates(load, scenario, day_type):
        t = start
        while rate > 0:
            t += rng.expovariate(rate)  # memoryless: restarting at each piece is exact
            if t >= end:
                break
            times.append(t)
    return times


def draw_day(scenario: Scenario, spec: HallSpec, day: date, rng: random.Random) -> list[Resident]:
    """Every resident of `day`, in arrival order; the same `rng` state gives the same day."""
    day_type = day_type_of(day)
    arrivals = [
        (t, load)
        for load in scenario.services
        for t in arrival_times(load, scenario, day_type, rng)
    ]
    arrivals.sort(key=lambda pair: pair[0])
    draw = _Drawer(scenario, spec, rng)
    return [draw.resident(t, load) for t, load in arrivals]


class _Drawer:
    """Draws one resident's attributes, always in the same order from the same stream."""

    def __init__(self, scenario: Scenario, spec: HallSpec, rng: random.Random) -> None:
        self.b = scenario.behaviour
        self.spec, self.rng = spec, rng
        self.loads = {load.service: load for load in scenario.services}
        self.channels = list(self.b.channels)
        self.channel_weights = [self.b.channels[c] for c in self.channels]

    def resident(self, t: float, load: ServiceLoad) -> Resident:
        rng, b = self.rng, self.b
        lane = self.lane(load.service)
        channel = rng.choices(self.channels, self.channel_weights)[0]
        handling = load.handling.draw(rng)
        patience = rng.expovariate(1 / b.patience_mean_min) if b.patience_mean_min < math.inf else math.inf  # fmt: skip
        no_show = rng.random() < b.no_show_probability
        ending, target = self.ending(load, lane)
        second = self.handling_of(target or load.service).draw(rng)
        away = rng.uniform(*b.park_return_min)
        slot = self.slot(t) if channel is Channel.APPOINTMENT else None
        return Resident(
            t, load.service, lane, channel, handling, patience, no_show, b.walk_min,
            slot, ending, target, second, away,
        )  # fmt: skip

    def lane(self, service: str) -> Lane:
        offered = [lane for lane in self.b.lanes if lane in self.spec.service(service).lanes]
        weights = [self.b.lanes[lane] for lane in offered]
        if not offered or sum(weights) <= 0:
            return self.spec.service(service).lanes[-1]  # the service's own last lane: blue
        return self.rng.choices(offered, weights)[0]

    def ending(self, load: ServiceLoad, lane: Lane) -> tuple[str, str | None]:
        u = self.rng.random()
        # A transfer must land on a service that offers the resident's lane, or the
        # core refuses it (LaneNotAllowed), as it would refuse the staff.
        targets = [s for s in load.transfer_to if lane in self.spec.service(s).lanes]
        if u < self.b.transfer_probability and targets:
            return TRANSFER, self.rng.choice(targets)
        if u < self.b.transfer_probability + self.b.park_probability:
            return PARK, None
        return FINISH, None

    def handling_of(self, service: str) -> Handling:
        load = self.loads.get(service)
        if load is not None:
            return load.handling
        return Handling("exponential", self.spec.service(service).mean_handling_min)

    def slot(self, t: float) -> tuple[float, float]:
        """The booked slot: residents come up to the hall's early allowance before it."""
        length = self.b.appointment_slot_min
        early = self.spec.policy.appointment_early_min
        start = math.floor((t + self.rng.uniform(0, early)) / length) * length
        return start, start + length
