"""Simulated residents and staff in a live hall, in accelerated real time (`hallq demo`).

The simulator's own actors (`simulations.engine`: kiosk, resident, window, staffing) play
the scenario's day against the running server, through `LiveHallPort`, on a SimPy
real-time clock: `speed` simulated minutes pass per real minute. The differences from a
simulated hall are those of a hall that others act in too:

- a refused command is logged and skipped, never fatal (staff may use a terminal by
  hand, a resident may cancel on their phone, the day may roll over at midnight);
- a window may call a ticket the crowd did not issue (a real kiosk or phone did): it is
  served like any resident of its service;
- an absent resident is recalled once, when the hall's minimum interval has passed in
  real time (the core's interval is real seconds), then marked a no-show; at a pace where
  that interval would keep a window waiting longer than `MAX_RECALL_WAIT_MIN` simulated
  minutes, the window marks the no-show without a recall;
- request ids carry the run's token, so a restarted demo never collides with its past.

Day after day: each day starts by taking the hall over (`crowd_day.takeover_commands`),
then plays the residents drawn for it. `Crowd.stop` ends it within one clock step.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import random
import secrets
import threading
from time import monotonic

from simpy.core import EmptySchedule, Environment, Infinity
from simpy.rt import RealtimeEnvironment

from hallq.live import LiveHall
from queue_core import commands as do
from queue_core.errors import DomainError
from queue_core.hall_spec import HallSpec
from queue_core.vocabulary import Channel, Lane
from simulations.crowd_day import DayPlan, plan_day, residents_from, shifts_from, takeover_commands
from simulations.engine import HallDaySimulation, Process, Visit
from simulations.live_hall_port import LiveHallPort
from simulations.residents import FINISH, Resident, draw_day
from simulations.scenario import Handling, Scenario

log = logging.getLogger(__name__)
LOUD_REFUSALS = 20  # refusals logged as warnings; later ones at INFO (the count is kept)
MAX_RECALL_WAIT_MIN = 6.0  # how long staff wait (simulated) for an absent resident to recall


class CrowdStopped(Exception):
    """The crowd was asked to stop: ends the day being played, at once."""


class CrowdClock(RealtimeEnvironment):
    """SimPy's real-time environment (`factor` real seconds per simulated minute, late
    events run at once) whose waits a stop request cuts short."""

    def __init__(self, stopping: threading.Event, start_min: float, factor: float) -> None:
        super().__init__(start_min, factor, strict=False)
        self.stopping = stopping

    def step(self) -> None:
        due = self.peek()
        if due is Infinity:
            raise EmptySchedule
        real = self.real_start + (due - self.env_start) * self.factor
        if self.stopping.wait(max(0.0, real - monotonic())):
            raise CrowdStopped
        Environment.step(self)


class CrowdDay(HallDaySimulation):
    """One day of the crowd: the engine's actors, tolerant of a hall others act in too."""

    def __init__(
        self, crowd: Crowd, plan: DayPlan, residents: list[Resident], env: CrowdClock
    ) -> None:
        port, spec = crowd.port, crowd.spec
        joined = residents_from(residents, plan.start_min)
        super().__init__(port, spec, crowd.scenario, plan.day_type, joined, env=env)
        self.crowd, self.port = crowd, port
        self.shifts = shifts_from(self.shifts, plan.start_min)
        self.windows_open = len(self.shifts)
        # A hair over the hall's minimum in real seconds, converted to simulated minutes.
        real_minimum_min = (spec.policy.min_recall_interval_s + 1.0) / port.factor
        self.recall_min = max(self.recall_min, real_minimum_min)
        self.recalls = self.recall_min <= MAX_RECALL_WAIT_MIN
        self._token = f"crowd-{crowd.run_id}-{crowd.days}"

    def rid(self) -> str:
        return f"{self._token}-{next(self._ids)}"

    def refused(self, command: do.Command, error: DomainError) -> None:
        self.crowd.refused(command, error)

    def visitor(self, number: str) -> Visit:
        visit = self.visits.get(number)
        if visit is None:  # a real kiosk's or phone's ticket: serve it all the same
            visit = self.visits[number] = Visit(self.stranger(number), number)
        return visit

    def stranger(self, number: str) -> Resident:
        service, lane = self.port.ticket_of(number) or (self.spec.services[0].id, Lane.BLUE)
        handling = self.crowd.handling(service).draw(self.crowd.rng)
        walk = self.scenario.behaviour.walk_min
        return Resident(
            self.env.now, service, lane, Channel.KIOSK, handling, math.inf, False, walk,
            None, FINISH, None, 0.0, 0.0,
        )  # fmt: skip

    def recall_until_gone(self, window: int) -> Process:
        """Recall once (if the pace allows), then mark the no-show: staff at a live terminal
        would not keep the window waiting through the auto no-show's recalls, each half a
        real minute apart, which at 60× would be half a simulated hour each."""
        interval_min = self.scenario.behaviour.recall_interval_s / 60
        if self.recalls:
            yield self.env.timeout(self.recall_min)
            outcome = self.must(do.Recall(self.rid(), self.hall_id, window))
            if outcome is None or outcome.event == "TicketMarkedNoShow":
                return
        yield self.env.timeout(interval_min)
        self.must(do.MarkNoShow(self.rid(), self.hall_id, window))


class Crowd:
    """The simulated residents and staff of one live hall, day after day, in a thread."""

    def __init__(
        self,
        live: LiveHall,
        loop: asyncio.AbstractEventLoop,
        scenario: Scenario,
        speed: float,
        *,
        first_day: DayPlan | None = None,
        seed: int | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("a crowd needs a speed above zero")
        self.scenario, self.first_day = scenario, first_day
        self.spec: HallSpec = live.app.hall_spec(scenario.hall_id)
        self.port = LiveHallPort(live, loop, scenario.hall_id, factor=60.0 / speed)
        self.rng = random.Random(seed)
        self.run_id = secrets.token_hex(4)  # never from the seed: a rerun must not collide
        self.loads = {load.service: load.handling for load in scenario.services}
        self.days = 0
        self.refusals = 0
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hallq-crowd", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the command under way (it is acknowledged or refused, never cut)."""
        self.stopping.set()
        self._thread.join(timeout_s)
        if self.refusals:
            n = self.refusals
            log.warning("模拟人群：%d 条命令被拒绝 crowd: %d commands refused", n, n)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def handling(self, service: str) -> Handling:
        found = self.loads.get(service)
        mean = self.spec.service(service).mean_handling_min
        return found if found is not None else Handling("exponential", mean)

    def refused(self, command: do.Command, error: DomainError) -> None:
        self.refusals += 1
        level = logging.WARNING if self.refusals <= LOUD_REFUSALS else logging.INFO
        log.log(level, "模拟人群跳过 crowd skipped %s: %s", type(command).__name__, error)

    def _run(self) -> None:
        try:
            plan = self.first_day or plan_day(self.scenario, self.port.local_now(), first=True)
            while not self.stopping.is_set():
                self.play(plan)
                plan = plan_day(self.scenario, self.port.local_now(), first=False)
        except CrowdStopped:
            pass
        except Exception:  # the hall must go on serving: only the crowd stops
            log.exception("模拟人群出错已停止 the crowd failed and stopped")

    def play(self, plan: DayPlan) -> None:
        """Take the hall over, then play `plan`'s day until its last window closes."""
        self.days += 1
        env = CrowdClock(self.stopping, plan.start_min, self.port.factor)
        self.port.begin(env)
        ids = itertools.count(1)
        token = f"crowd-{self.run_id}-{self.days}-takeover"
        for command in takeover_commands(self.spec.id, self.port.windows(), lambda: f"{token}-{next(ids)}"):  # fmt: skip
            result = self.port.run(command, env.now)
            if isinstance(result, DomainError):
                self.refused(command, result)
        residents = draw_day(self.scenario, self.spec, plan.day, random.Random(self.rng.getrandbits(64)))  # fmt: skip
        day = CrowdDay(self, plan, residents, env)
        env.sync()  # drawing and taking over took real time: the day starts now
        day.run()
