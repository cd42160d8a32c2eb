"""What the optimiser sees: a frozen snapshot of the hall's open windows and queues.

The optimiser is a pure function of a `PlanSnapshot`, so the same snapshot always gives
the same plan, whether it comes from the live hall (`snapshot_from_day`), a simulated day
or a benchmark generator. Services are identified by their ids; names travel along only
so that the plan's reasons can be read by people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec, ServiceSpec
from queue_core.vocabulary import Lane, WindowStatus
from queue_core.window import Window


@dataclass(frozen=True)
class LaneWeights:
    """How much one minute of waiting counts, per lane (the hall's priorities)."""

    green: float = 3.0
    yellow: float = 2.0
    blue: float = 1.0

    def of(self, lane: Lane) -> float:
        return {Lane.GREEN: self.green, Lane.YELLOW: self.yellow, Lane.BLUE: self.blue}[lane]


@dataclass(frozen=True)
class PlanSettings:
    """The hall's knobs for planning. Penalties are in lane-weighted resident-minutes."""

    horizon_min: float = 60.0
    max_switches: int = 3  # K: windows moved away from their services per plan
    switch_penalty: float = 60.0  # a move must save more waiting than this to happen
    min_dwell_min: float = 20.0  # a window switched less than this ago stays
    fairness_weight: float = 10.0  # how many residents the worst service's wait counts for
    max_services_per_window: int = 3  # at most this many services in a new assignment
    lane_weights: LaneWeights = field(default_factory=LaneWeights)

    def __post_init__(self) -> None:
        if self.horizon_min <= 0 or self.max_switches < 0 or self.max_services_per_window < 1:
            raise ValueError("horizon must be positive, K >= 0, services per window >= 1")


@dataclass(frozen=True)
class WindowState:
    """One open window: what its staff can serve, what it serves now, and whether it may move."""

    number: int
    skills: tuple[str, ...]
    services: tuple[str, ...]  # assigned now, a subset of skills
    busy: bool = False  # a ticket is called or being served here
    last_switch_at: datetime | None = None  # when its services last changed (None: not today)
    frozen: bool = False  # a supervisor pinned it

    def __post_init__(self) -> None:
        if not set(self.services) <= set(self.skills):
            raise ValueError(f"window {self.number} serves services outside its skills")


@dataclass(frozen=True)
class ServiceLoad:
    """One service's queue now and its expected arrivals over the planning horizon."""

    id: str
    mean_handling_min: float
    waiting_green: int = 0
    waiting_yellow: int = 0
    waiting_blue: int = 0
    forecast_per_hour: float = 0.0  # arrivals per hour expected over the horizon
    handling_cv2: float = 1.0  # squared coefficient of variation of handling times
    name_zh: str = ""
    name_en: str = ""

    @property
    def waiting(self) -> int:
        return self.waiting_green + self.waiting_yellow + self.waiting_blue

    @property
    def label_zh(self) -> str:
        return self.name_zh or self.id

    @property
    def label_en(self) -> str:
        return self.name_en or self.id


@dataclass(frozen=True)
class PlanSnapshot:
    windows: tuple[WindowState, ...]  # the open windows only
    services: tuple[ServiceLoad, ...]
    settings: PlanSettings = field(default_factory=PlanSettings)
    taken_at: datetime | None = None  # for the record: `plan`'s own `now` decides dwell
    _services: dict[str, ServiceLoad] = field(init=False, repr=False, compare=False)
    _windows: dict[int, WindowState] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_services", {s.id: s for s in self.services})
        object.__setattr__(self, "_windows", {w.number: w for w in self.windows})
        if len(self._windows) != len(self.windows) or len(self._services) != len(self.services):
            raise ValueError("window numbers and service ids must be unique")
        for w in self.windows:
            if not set(w.skills) <= self._services.keys():
                raise ValueError(f"window {w.number} has skills for unknown services")

    def service(self, service_id: str) -> ServiceLoad:
        return self._services[service_id]

    def window(self, number: int) -> WindowState:
        return self._windows[number]

    def must_stay(self, window: WindowState, now: datetime) -> bool:
        """Whether the window keeps its services whatever the plan: pinned by a supervisor,
        mid-service, or switched less than the minimum dwell ago (no thrashing staff)."""
        if window.frozen or window.busy:
            return True
        if window.last_switch_at is None:
            return False
        return (now - window.last_switch_at).total_seconds() < 60 * self.settings.min_dwell_min


# ---- from the live hall ----------------------------------------------------------------


def switch_times(events: Iterable[object]) -> dict[int, datetime]:
    """When each window's services last changed, folded from the day's events in order.

    The day aggregate keeps no history, so the live loop folds this from the log: a window
    opened or assigned at `at` counts as switched then."""
    times: dict[int, datetime] = {}
    for event in events:
        if isinstance(event, HallDay.WindowOpened | HallDay.ServicesAssigned):
            times[event.window] = event.at
    return times


def _load(service: ServiceSpec, waiting: Counter[tuple[str, Lane]], rate: float) -> ServiceLoad:
    return ServiceLoad(
        id=service.id,
        mean_handling_min=service.mean_handling_min,
        waiting_green=waiting[(service.id, Lane.GREEN)],
        waiting_yellow=waiting[(service.id, Lane.YELLOW)],
        waiting_blue=waiting[(service.id, Lane.BLUE)],
        forecast_per_hour=rate,
        name_zh=service.name_zh,
        name_en=service.name_en,
    )


def _window_state(
    spec: HallSpec, w: Window, last_switch: Mapping[int, datetime], frozen: frozenset[int]
) -> WindowState:
    skills = spec.window(w.number).skills
    return WindowState(
        number=w.number,
        skills=skills,
        # A service the hall no longer lets this window serve is dropped, not planned for.
        services=tuple(s for s in w.services if s in skills),
        busy=w.current is not None,
        last_switch_at=last_switch.get(w.number),
        frozen=w.number in frozen,
    )


def snapshot_from_day(
    spec: HallSpec,
    day: HallDay,
    *,
    now: datetime,
    forecasts: Mapping[str, float] | None = None,
    settings: PlanSettings | None = None,
    last_switch: Mapping[int, datetime] | None = None,
    frozen: frozenset[int] = frozenset(),
) -> PlanSnapshot:
    """The snapshot of a live hall-day: its open windows (paused ones are away, so not
    planned for), waiting tickets per service and lane, and `forecasts` (arrivals per hour
    per service over the horizon; none given means only today's queue counts).

    `last_switch` comes from `switch_times` over the day's events; `frozen` lists windows a
    supervisor pinned; `now` is recorded as the time the snapshot was taken."""
    waiting = Counter((t.service, t.lane) for t in day.waiting())
    rates = forecasts or {}
    windows = tuple(
        _window_state(spec, w, last_switch or {}, frozen)
        for w in sorted(day.windows.values(), key=lambda w: w.number)
        if w.status is WindowStatus.OPEN
    )
    services = tuple(_load(s, waiting, rates.get(s.id, 0.0)) for s in spec.services)
    return PlanSnapshot(windows, services, settings or PlanSettings(), taken_at=now)
