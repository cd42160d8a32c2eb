"""The ticket lifecycle table, walked edge by edge (h11-style): every listed transition is
reachable through real commands, and every unlisted one is refused and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from queue_core.application import HallqApplication
from queue_core.commands import (
    CallNext,
    CallTicket,
    CancelTicket,
    Command,
    ConfirmArrival,
    FinishService,
    IssueTicket,
    LapseRemoteTickets,
    MarkNoShow,
    OpenWindow,
    Park,
    Recall,
    Reinstate,
    ReturnToQueue,
    StartServing,
    Transfer,
)
from queue_core.errors import DomainError, IllegalTransition, NothingToLapse, WindowStateError
from queue_core.lifecycle import ACTIONS, TRANSITIONS, next_status
from queue_core.ports import ManualClock
from queue_core.vocabulary import Channel
from queue_core.vocabulary import TicketStatus as S

EDGES = sorted(TRANSITIONS, key=lambda k: (k[0].value, k[1]))


def test_every_status_can_be_reached_and_done_cancelled_and_lapsed_are_terminal() -> None:
    reached = {after for after in TRANSITIONS.values()} | {S.WAITING, S.REMOTE}
    assert reached == set(S)
    sources = {before for before, _ in TRANSITIONS}
    assert not {S.DONE, S.CANCELLED, S.LAPSED} & sources


@pytest.mark.parametrize(
    ("before", "action"), sorted(TRANSITIONS, key=lambda k: (k[0].value, k[1]))
)
def test_a_listed_transition_gives_its_status(before: S, action: str) -> None:
    assert next_status("A001", before, action) is TRANSITIONS[(before, action)]


UNLISTED = sorted(
    ((status, action) for status in S for action in ACTIONS if (status, action) not in TRANSITIONS),
    key=lambda k: (k[0].value, k[1]),
)


@pytest.mark.parametrize(("before", "action"), UNLISTED)
def test_an_unlisted_transition_is_a_named_error_in_both_languages(before: S, action: str) -> None:
    with pytest.raises(IllegalTransition) as raised:
        next_status("A001", before, action)
    assert "A001" in raised.value.message_zh and "A001" in raised.value.message_en
    assert raised.value.http_status == 409


# ---- the same table, driven through the real application ------------------------------

HALL = "south-axis"
WINDOW = 1
_ids = iter(range(10**9))


def rid() -> str:
    return f"edge-{next(_ids)}"


RECIPES: dict[S, list[Callable[[ManualClock], Command]]] = {}
RECIPES[S.WAITING] = [lambda c: IssueTicket(rid(), HALL, "social-security")]
RECIPES[S.CANCELLED] = [*RECIPES[S.WAITING], lambda c: CancelTicket(rid(), HALL, "A001")]
RECIPES[S.CALLED] = [*RECIPES[S.WAITING], lambda c: CallNext(rid(), HALL, WINDOW)]
RECIPES[S.SERVING] = [*RECIPES[S.CALLED], lambda c: StartServing(rid(), HALL, WINDOW)]
RECIPES[S.DONE] = [*RECIPES[S.SERVING], lambda c: FinishService(rid(), HALL, WINDOW)]
RECIPES[S.NO_SHOW] = [*RECIPES[S.CALLED], lambda c: MarkNoShow(rid(), HALL, WINDOW)]
# A remote A001, passed over by a call of A002 (so its grace has started), window 1 free.
RECIPES[S.REMOTE] = [
    lambda c: IssueTicket(rid(), HALL, "social-security", channel=Channel.MOBILE, remote=True),
    lambda c: IssueTicket(rid(), HALL, "social-security"),
    lambda c: CallNext(rid(), HALL, WINDOW),
    lambda c: StartServing(rid(), HALL, WINDOW),
    lambda c: FinishService(rid(), HALL, WINDOW),
]


def lapse_after_grace(clock: ManualClock) -> Command:
    clock.advance(15 * 60)  # the reference hall's remote_grace_min
    return LapseRemoteTickets(rid(), HALL)


RECIPES[S.LAPSED] = [*RECIPES[S.REMOTE], lapse_after_grace]
RECIPES[S.PARKED] = [
    *RECIPES[S.CALLED],
    lambda c: Park(rid(), HALL, WINDOW, ("户口簿",), c.now() + timedelta(hours=2)),
]

ACTION_COMMANDS: dict[str, Callable[[ManualClock], Command]] = {
    "call": lambda c: CallTicket(rid(), HALL, WINDOW, "A001"),
    "cancel": lambda c: CancelTicket(rid(), HALL, "A001"),
    "recall": lambda c: Recall(rid(), HALL, WINDOW),
    "start": lambda c: StartServing(rid(), HALL, WINDOW),
    "no_show": lambda c: MarkNoShow(rid(), HALL, WINDOW),
    "return": lambda c: ReturnToQueue(rid(), HALL, "A001"),
    "park": lambda c: Park(rid(), HALL, WINDOW, ("户口簿",), c.now() + timedelta(hours=2)),
    "finish": lambda c: FinishService(rid(), HALL, WINDOW),
    "transfer": lambda c: Transfer(rid(), HALL, WINDOW, to_service="medical-insurance"),
    "reinstate": lambda c: Reinstate(rid(), HALL, "A001"),
    "arrive": lambda c: ConfirmArrival(rid(), HALL, "A001", kiosk="K1"),
    "lapse": lapse_after_grace,
}
CLOSING_EVENTS = {
    "ServiceFinished": S.DONE,
    "TicketCancelled": S.CANCELLED,
    "TicketLapsed": S.LAPSED,
}


def status_of_a001(app: HallqApplication, last_event: str) -> S:
    day = app.get_day(HALL)
    if "A001" in day.tickets:
        return day.tickets["A001"].status
    return CLOSING_EVENTS[last_event]


def bring_a001_to(app: HallqApplication, clock: ManualClock, status: S) -> None:
    app.execute(OpenWindow(rid(), HALL, WINDOW))
    for make in RECIPES[status]:
        app.execute(make(clock))
    clock.advance(60)  # past the minimum recall interval


@pytest.mark.parametrize(
    ("before", "action"), sorted(TRANSITIONS, key=lambda k: (k[0].value, k[1]))
)
def test_each_edge_of_the_table_is_what_the_application_does(
    app: HallqApplication, clock: ManualClock, before: S, action: str
) -> None:
    bring_a001_to(app, clock, before)
    assert status_of_a001(app, "") is before
    outcome = app.execute(ACTION_COMMANDS[action](clock))
    assert status_of_a001(app, outcome.event) is TRANSITIONS[(before, action)]


@pytest.mark.parametrize(("before", "action"), UNLISTED)
def test_each_missing_edge_is_refused_by_the_application_and_writes_nothing(
    app: HallqApplication, clock: ManualClock, before: S, action: str
) -> None:
    bring_a001_to(app, clock, before)
    version = app.get_day(HALL).version
    with pytest.raises(DomainError) as raised:
        app.execute(ACTION_COMMANDS[action](clock))
    # A window action on a ticket that is not at the window is refused by the window, and
    # a lapse run finds no remote ticket to lapse.
    assert isinstance(raised.value, IllegalTransition | WindowStateError | NothingToLapse)
    assert app.get_day(HALL).version == version
