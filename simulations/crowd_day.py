"""Which day a live crowd plays, from which minute, and how it takes the hall over.

The crowd of `hallq demo` plays a scenario's day in the hall's local time. Started while
the hall is open, it joins the day at the current minute, so the arrival profile matches
the clock on the wall; started outside opening hours (a demo may start at midnight), it
plays the day from the opening. A day the scenario keeps closed (Sunday) is played as
the last open day before it. Every later day is played from its opening.

All pure: the live parts are in `simulations.live_crowd`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from queue_core import commands as do
from queue_core.vocabulary import TicketStatus, WindowStatus
from simulations.residents import Resident
from simulations.scenario import Scenario, Shift, day_type_of


@dataclass(frozen=True)
class DayPlan:
    day: date  # the calendar day whose residents are drawn (its day type sets the hours)
    day_type: str
    start_min: float  # the simulation starts here, in minutes after local midnight
    open_min: float
    last_ticket_min: float
    close_min: float  # the last shift's end: when the day is over at the latest

    @property
    def joined(self) -> bool:
        """Whether the day is joined at the current minute rather than played from opening."""
        return self.start_min > self.open_min


def plan_day(scenario: Scenario, local_now: datetime, *, first: bool) -> DayPlan:
    """The day to play next: joined at `local_now`'s minute if `first` and the hall is open
    then, else played from its opening."""
    day = last_open_day(scenario, local_now.date())
    day_type = day_type_of(day)
    hours = scenario.hours[day_type]
    minute = minute_of(local_now)
    joins = first and day == local_now.date()
    joins = joins and hours.open_min <= minute < hours.last_ticket_min
    shifts = scenario.shifts(day_type).values()
    close = max((s.close_min for s in shifts), default=hours.last_ticket_min)
    start = minute if joins else hours.open_min
    return DayPlan(day, day_type, start, hours.open_min, hours.last_ticket_min, close)


def last_open_day(scenario: Scenario, day: date) -> date:
    """`day` if the scenario's hall opens then, else the last day before it that it does."""
    for back in range(7):
        candidate = day - timedelta(days=back)
        if scenario.is_open(candidate):
            return candidate
    raise ValueError(f"scenario {scenario.name} never opens its hall")


def minute_of(moment: datetime) -> float:
    """Minutes after midnight of `moment`'s own (local) day."""
    return moment.hour * 60 + moment.minute + moment.second / 60


def residents_from(residents: Iterable[Resident], start_min: float) -> list[Resident]:
    """The residents who arrive from `start_min` on (earlier ones came before the crowd)."""
    return [r for r in residents if r.arrival_min >= start_min]


def shifts_from(shifts: dict[int, Shift], start_min: float) -> dict[int, Shift]:
    """The shifts as they look from `start_min`: ended ones dropped, the others opening no
    earlier than `start_min`, with only the pauses not yet over (one under way keeps
    what is left of it, so staff at lunch when the crowd starts stay at lunch)."""
    joined: dict[int, Shift] = {}
    for window, shift in shifts.items():
        if shift.close_min <= start_min:
            continue
        pauses = tuple(
            (max(at, start_min), at + minutes - max(at, start_min))
            for at, minutes in shift.pauses
            if at + minutes > start_min
        )
        joined[window] = replace(shift, open_min=max(shift.open_min, start_min), pauses=pauses)
    return joined


@dataclass(frozen=True)
class WindowState:
    number: int
    status: WindowStatus
    current: TicketStatus | None  # the status of the ticket at the window, if any


def takeover_commands(
    hall: str, windows: Iterable[WindowState], rid: Callable[[], str]
) -> list[do.Command]:
    """Commands that leave every window closed and free, so the crowd's staff open them
    as their shifts say: a called ticket nobody came for is a no-show, one being served
    is finished, a paused window is resumed, then each open window is closed. (What a
    previous run, or a previous day of the crowd, left behind.)"""
    commands: list[do.Command] = []
    for w in windows:
        if w.status is WindowStatus.CLOSED:
            continue
        if w.current is TicketStatus.CALLED:
            commands.append(do.MarkNoShow(rid(), hall, w.number))
        elif w.current is TicketStatus.SERVING:
            commands.append(do.FinishService(rid(), hall, w.number))
        if w.status is WindowStatus.PAUSED:
            commands.append(do.ResumeWindow(rid(), hall, w.number))
        commands.append(do.CloseWindow(rid(), hall, w.number))
    return commands
