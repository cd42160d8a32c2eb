"""One hall-day in virtual time: SimPy processes named after the hall's actors.

- `kiosk` issues each resident's ticket when they arrive (kiosk, phone or appointment),
- `resident` gives up and cancels when their patience runs out before their call (a
  callback on the patience timer rather than a process: one scheduler event per
  resident instead of three, a twentieth of a simulated day),
- `window` opens, calls next, recalls an absent resident until the core marks a no-show,
  starts, finishes, transfers or parks, pauses for breaks and closes,
- `staffing` tells an idle window that its break or closing time has come,
- `planner` asks a `Replanner` for new assignments (the `dynamic` policy),
- `papers` brings a parked resident back with their papers.

Every change goes through a real command; the core decides which ticket a window calls.
The simulator decides only *when* a window asks (`simulations.idle_windows`), as staff
watching their terminal would. Time is in minutes after local midnight; the day ends
when the kiosks have stopped and the last window has closed.

`simulations.live_crowd` runs these same actors against a live server in accelerated
real time: it passes a real-time environment that starts at the current minute and
overrides `refused` (staff may act by hand there) and `visitor` (real kiosks issue too).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import simpy

from queue_core import commands as do
from queue_core.errors import DomainError, NothingToCall
from queue_core.hall_spec import HallSpec
from queue_core.outcome import Outcome
from simulations.core_hall import HallPort
from simulations.idle_windows import IdleWindows
from simulations.policies import Replanner
from simulations.residents import PARK, TRANSFER, Resident
from simulations.scenario import Scenario, Shift

Process = Generator[simpy.Event, Any, None]
MISSING_PAPERS = ("户口簿等材料 household register and papers",)


class SimulationError(RuntimeError):
    """The core refused a command the simulation needed: a bug, never a resident's choice."""


@dataclass(slots=True)
class Visit:
    """A resident's ticket as the resident knows it (never used to decide a call)."""

    resident: Resident
    number: str
    called: bool = False  # their number has been called once: patience no longer runs
    stage: int = 0  # 1 after a transfer or after parking
    sent_home: bool = False  # still there when the hall closed


class HallDaySimulation:
    """One policy's day: the residents drawn for it, the hall's staff, one hall port."""

    def __init__(
        self,
        hall: HallPort,
        spec: HallSpec,
        scenario: Scenario,
        day_type: str,
        residents: list[Resident],
        replanner: Replanner | None = None,
        env: simpy.Environment | None = None,
    ) -> None:
        # A live hall passes a real-time environment that starts at the current minute.
        self.env = env if env is not None else simpy.Environment()
        self.hall, self.spec, self.hall_id = hall, spec, spec.id
        self.scenario, self.residents, self.replanner = scenario, residents, replanner
        self.hours = scenario.hours[day_type]
        self.shifts = scenario.shifts(day_type)
        self.visits: dict[str, Visit] = {}
        skills = {w.number: frozenset(w.skills) for w in spec.windows}
        self.idle = IdleWindows(self.env, skills, spec.policy.fallback_to_skills)
        self.recall_min = _recall_interval_min(scenario, spec)
        self._ids = itertools.count(1)
        self.windows_open, self.kiosk_done = len(self.shifts), False
        self.closed = self.env.event()  # the last window has closed and the kiosks are off

    def run(self) -> None:
        """Simulate the day until the hall closes: the kiosks have stopped and the last
        window has closed (its staff serving, if their shift ran to the kiosks' stop,
        everyone who held a ticket for them)."""
        env = self.env
        env.process(self.kiosk())
        for number, shift in sorted(self.shifts.items()):
            env.process(self.window(number, shift))
            env.process(self.staffing(number, shift))
        if self.replanner is not None:
            env.process(self.planner())
        env.run(until=self.closed)

    # ---- commands ------------------------------------------------------------------------

    def rid(self) -> str:
        return f"sim-{next(self._ids)}"

    def must(self, command: do.Command) -> Outcome | None:
        """The command's outcome; a refusal goes to `refused` (None if it lets it pass)."""
        result = self.hall.run(command, self.env.now)
        if isinstance(result, DomainError):
            self.refused(command, result)
            return None
        return result

    def refused(self, command: do.Command, error: DomainError) -> None:
        """Raise: in a simulated hall only the simulation acts, so a refusal is a bug. A
        live hall, where staff may also act by hand, overrides this to log and carry on
        (the actor then skips what depended on the refused command)."""
        raise SimulationError(f"{command!r} refused at minute {self.env.now:.2f}: {error}")

    def call(self, window: int) -> Visit | None:
        if not self.hall.anyone_waiting(self.idle.reach(window)):
            return None
        command = do.CallNext(self.rid(), self.hall_id, window)
        result = self.hall.run(command, self.env.now)
        if isinstance(result, NothingToCall):
            return None
        if isinstance(result, DomainError):
            self.refused(command, result)
            return None
        return self.visitor(result.ticket or "")

    def visitor(self, number: str) -> Visit:
        """The visit of a ticket a window has called: here always one the kiosk issued (a
        live hall overrides this for tickets that real kiosks and phones issued)."""
        return self.visits[number]

    # ---- actors --------------------------------------------------------------------------

    def kiosk(self) -> Process:
        env, moment = self.env, self.hall.moment
        for r in self.residents:
            if r.arrival_min > env.now:
                yield env.timeout(r.arrival_min - env.now)
            slot = (moment(r.slot[0]), moment(r.slot[1])) if r.slot else (None, None)
            ref = f"appt-{next(self._ids)}" if r.slot else None
            issued = self.must(
                do.IssueTicket(self.rid(), self.hall_id, r.service, r.lane, r.channel, ref, *slot)
            )
            if issued is None or issued.ticket is None:
                continue  # refused, and let pass: this resident went home
            visit = self.visits[issued.ticket] = Visit(r, issued.ticket)
            if r.patience_min < math.inf:
                env.timeout(r.patience_min).callbacks.append(partial(self.resident, visit))
            self.idle.offer(r.service)
        self.kiosk_done = True
        self.close_if_done()

    def resident(self, visit: Visit, _: simpy.Event) -> None:
        """The resident's patience has run out: gone, unless called (or sent home) before."""
        if not visit.called and not visit.sent_home:
            self.must(do.CancelTicket(self.rid(), self.hall_id, visit.number, by="resident"))

    def staffing(self, window: int, shift: Shift) -> Process:
        for boundary in sorted({start for start, _ in shift.pauses} | {shift.close_min}):
            yield self.env.timeout(max(0.0, boundary - self.env.now))
            self.idle.wake(window)

    def window(self, window: int, shift: Shift) -> Process:
        env = self.env
        yield env.timeout(max(0.0, shift.open_min - env.now))
        defaults = self.spec.window(window).default_services
        self.must(
            do.OpenWindow(self.rid(), self.hall_id, window, defaults, staff=f"staff-{window}")
        )
        self.idle.assigned[window] = frozenset(defaults)
        pauses = list(shift.pauses)
        # Staff whose shift lasts until the kiosks stop serve everyone holding a ticket.
        until_empty = shift.close_min >= self.hours.last_ticket_min
        while True:
            if pauses and env.now >= pauses[0][0]:
                yield from self.pause(window, pauses.pop(0)[1])
                continue
            if env.now >= shift.close_min and not until_empty:
                break
            visit = self.call(window)
            if visit is not None:
                yield from self.serve(window, visit)
            elif env.now >= shift.close_min:
                break
            else:
                yield self.idle.wait(window)
        self.must(do.CloseWindow(self.rid(), self.hall_id, window))
        self.windows_open -= 1
        self.close_if_done()

    def pause(self, window: int, minutes: float) -> Process:
        self.must(do.PauseWindow(self.rid(), self.hall_id, window, "休息 break"))
        yield self.env.timeout(minutes)
        self.must(do.ResumeWindow(self.rid(), self.hall_id, window))

    def serve(self, window: int, visit: Visit) -> Process:
        env, r = self.env, visit.resident
        first_call, visit.called = not visit.called, True
        if first_call and r.no_show:
            yield from self.recall_until_gone(window)
            return
        if r.walk_min > 0:
            yield env.timeout(r.walk_min)
        if self.must(do.StartServing(self.rid(), self.hall_id, window)) is None:
            return  # refused (someone else moved this ticket on): call the next one
        yield env.timeout(r.handling_min if visit.stage == 0 else r.second_handling_min)
        if visit.stage == 0 and r.ending == TRANSFER:
            visit.stage = 1
            self.must(do.Transfer(self.rid(), self.hall_id, window, to_service=r.transfer_to))
            self.idle.offer(r.transfer_to or "")
        elif visit.stage == 0 and r.ending == PARK:
            visit.stage = 1
            deadline = env.now + self.scenario.behaviour.park_deadline_min
            until = self.hall.moment(deadline)
            self.must(do.Park(self.rid(), self.hall_id, window, MISSING_PAPERS, until))
            env.process(self.papers(visit, deadline))
        else:
            self.must(do.FinishService(self.rid(), self.hall_id, window))

    def recall_until_gone(self, window: int) -> Process:
        """Recall at the scenario's interval until the core's recall limit marks a no-show
        (or, in a hall without a limit, mark it after three recalls)."""
        for _ in range(3 if self.spec.policy.auto_no_show_after_recalls is None else 1_000):
            yield self.env.timeout(self.recall_min)
            outcome = self.must(do.Recall(self.rid(), self.hall_id, window))
            if outcome is None or outcome.event == "TicketMarkedNoShow":
                return
        self.must(do.MarkNoShow(self.rid(), self.hall_id, window))

    def papers(self, visit: Visit, deadline: float) -> Process:
        yield self.env.timeout(visit.resident.park_return_min)
        # Too late, and the core would refuse the return (or the hall has closed).
        if self.env.now <= deadline and not visit.sent_home:
            self.must(do.ReturnToQueue(self.rid(), self.hall_id, visit.number))
            self.idle.offer(visit.resident.service)

    def planner(self) -> Process:
        assert self.replanner is not None
        every = self.scenario.replan_every_min
        for k in itertools.count(1):
            at = self.hours.open_min + k * every
            if at >= self.hours.last_ticket_min:
                return
            yield self.env.timeout(at - self.env.now)
            day, moment = self.hall.current_day(), self.hall.moment(at)
            events = self.hall.events_so_far()
            for command in self.replanner.replan(day, self.spec, moment, events):
                if isinstance(self.hall.run(command, at), Outcome):
                    self.idle.assigned[command.window] = frozenset(command.services)
            self.idle.wake_all()  # a new assignment may give an idle window work

    def close_if_done(self) -> None:
        """At closing, staff cancel the tickets nobody can serve any more (parked, or
        waiting for a service no open window offered): the day ends empty."""
        if self.kiosk_done and self.windows_open == 0 and not self.closed.triggered:
            for number in self.hall.stranded():
                self.must(do.CancelTicket(self.rid(), self.hall_id, number, by="staff"))
                self.visits[number].sent_home = True
            self.closed.succeed()


def _recall_interval_min(scenario: Scenario, spec: HallSpec) -> float:
    """The scenario's recall interval, never shorter than the hall allows (TooSoon)."""
    # A hair over the minimum: times become datetimes rounded to the microsecond.
    seconds = max(scenario.behaviour.recall_interval_s, spec.policy.min_recall_interval_s)
    return seconds / 60 + 1e-6
