"""Every command through the application: the outcome it returns, the state it leaves, and
each of its refusals, which must raise its named error and write nothing at all.

Window 1 serves social-security by default (tickets A001, A002 …), window 3 serves
medical-insurance (B…), window 4 has no social-security skill; see hallq/data/south-axis.toml.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any, NamedTuple

import pytest

from queue_core.application import HallqApplication as App
from queue_core.commands import (
    ALL_COMMANDS,
    AssignServices,
    CallNext,
    CallTicket,
    CancelTicket,
    CloseWindow,
    Command,
    ConfirmArrival,
    FinishService,
    IssueTicket,
    LapseRemoteTickets,
    MarkNoShow,
    OpenWindow,
    Park,
    PauseWindow,
    RateTicket,
    Recall,
    Reinstate,
    ResumeWindow,
    ReturnToQueue,
    StartServing,
    Transfer,
)
from queue_core.errors import (
    DomainError,
    IllegalTransition,
    LaneNotAllowed,
    MalformedCommand,
    NothingToCall,
    NothingToLapse,
    NotServedNow,
    RequestIdReused,
    SkillMismatch,
    TooSoon,
    UnknownHall,
    UnknownService,
    UnknownTicket,
    UnknownWindow,
    WindowStateError,
)
from queue_core.hall_day import HallDay
from queue_core.outcome import Outcome
from queue_core.ports import ManualClock
from queue_core.ticket import Ticket
from queue_core.vocabulary import Channel, Lane, TransferPlacement, WindowStatus
from queue_core.vocabulary import TicketStatus as S
from queue_core.window import Window
from tests.conftest import HALL, MORNING

Ids = Iterator[str]
Step = tuple[type[Command], dict[str, Any]]
LATER = MORNING + timedelta(hours=1)


@pytest.fixture
def ids(request_ids: Ids) -> Ids:
    return request_ids


# ---- helpers ---------------------------------------------------------------------------------


def make(command: type[Command], request_id: str, **fields: Any) -> Command:
    """`command` for the reference hall; a command naming a window acts on window 1 unless told."""
    if "window" in command.__dataclass_fields__:
        fields.setdefault("window", 1)
    return command(request_id=request_id, **{"hall": HALL, **fields})


def do(app: App, ids: Ids, command: type[Command], **fields: Any) -> Outcome:
    return app.execute(make(command, next(ids), **fields))


def issue(app: App, ids: Ids, service: str = "social-security", **fields: Any) -> str | None:
    return do(app, ids, IssueTicket, service=service, **fields).ticket


def call(app: App, ids: Ids, window: int = 1) -> str | None:
    return do(app, ids, CallNext, window=window).ticket


def day(app: App) -> HallDay:
    return app.get_day(HALL)


def ticket(app: App, number: str = "A001") -> Ticket:
    return day(app).tickets[number]


def of(app: App, *names: str, number: str = "A001") -> tuple[Any, ...]:
    """Some fields of a ticket, read back from the store."""
    return tuple(getattr(ticket(app, number), name) for name in names)


def window(app: App, number: int = 1) -> Window:
    return day(app).windows[number]


def waiting(app: App, *services: str) -> list[str]:
    return sorted(t.number for t in day(app).waiting(frozenset(services) or None))


def last_event(app: App) -> Any:
    return list(app.events.get(day(app).id))[-1]


def written(app: App) -> int:
    """The store's last notification id: anything saved, by any aggregate, moves it."""
    return app.recorder.max_notification_id() or 0


def refused(app: App, command: Command, error: type[DomainError]) -> None:
    """Execute `command`, expect exactly `error` with both messages, and nothing written."""
    version, notifications = day(app).version, written(app)
    with pytest.raises(error) as caught:
        app.execute(command)
    assert type(caught.value) is error
    assert caught.value.message_zh.strip() and caught.value.message_en.strip()
    assert (day(app).version, written(app)) == (version, notifications)


def refuse(app: App, ids: Ids, command: type[Command], error: type[DomainError], **f: Any) -> None:
    refused(app, make(command, next(ids), **f), error)


def reach(app: App, ids: Ids, steps: list[Step]) -> None:
    for command, fields in steps:
        do(app, ids, command, **fields)


# ---- states to start from, as the commands that reach them -----------------------------------

ISSUED: list[Step] = [(IssueTicket, {"service": "social-security"})]
OPENED: list[Step] = [(OpenWindow, {}), *ISSUED]
WINDOW_4: list[Step] = [(OpenWindow, {"window": 4}), *ISSUED]
PAUSED: list[Step] = [*OPENED, (PauseWindow, {})]
CALLED: list[Step] = [*OPENED, (CallNext, {})]
SERVING: list[Step] = [*CALLED, (StartServing, {})]
GREEN = {"service": "social-security", "lane": Lane.GREEN}
GREEN_SERVING: list[Step] = [(OpenWindow, {}), (IssueTicket, GREEN), *SERVING[2:]]
DONE: list[Step] = [*SERVING, (FinishService, {})]
NO_SHOW: list[Step] = [*CALLED, (MarkNoShow, {})]
REMOTE_ISSUE = {"service": "social-security", "channel": Channel.MOBILE, "remote": True}
REMOTE: list[Step] = [*OPENED, (IssueTicket, REMOTE_ISSUE)]  # A001 waiting, A002 remote


class Refusal(NamedTuple):
    state: list[Step]
    command: type[Command]
    error: type[DomainError]
    fields: dict[str, Any]


def case(name: str, *given: Any, **fields: Any) -> Any:
    return pytest.param(Refusal(*given, fields), id=name)


REFUSALS = [
    case("any-unknown-hall", ISSUED, IssueTicket, UnknownHall, hall="nowhere", service="tax"),
    case("issue-unknown-service", ISSUED, IssueTicket, UnknownService, service="astrology"),
    case("issue-lane", ISSUED, IssueTicket, LaneNotAllowed, service="enterprise-startup",
         lane=Lane.GREEN),
    case("issue-half-slot", ISSUED, IssueTicket, MalformedCommand, service="tax", slot_end=LATER),
    case("issue-slot-reversed", ISSUED, IssueTicket, MalformedCommand, service="tax",
         slot_start=LATER, slot_end=MORNING),
    case("open-unknown-window", ISSUED, OpenWindow, UnknownWindow, window=99),
    case("open-already-open", OPENED, OpenWindow, WindowStateError),
    case("open-unskilled", ISSUED, OpenWindow, SkillMismatch, services=("tax",)),
    case("open-unknown-service", ISSUED, OpenWindow, UnknownService, services=("astrology",)),
    case("pause-closed", ISSUED, PauseWindow, WindowStateError),
    case("pause-paused", PAUSED, PauseWindow, WindowStateError),
    case("pause-unknown-window", ISSUED, PauseWindow, UnknownWindow, window=99),
    case("resume-open", OPENED, ResumeWindow, WindowStateError),
    case("resume-closed", ISSUED, ResumeWindow, WindowStateError),
    case("close-closed", ISSUED, CloseWindow, WindowStateError),
    case("close-busy", CALLED, CloseWindow, WindowStateError),
    case("assign-unskilled", ISSUED, AssignServices, SkillMismatch, services=("tax",)),
    case("assign-unknown-service", ISSUED, AssignServices, UnknownService, services=("astrology",)),
    case("assign-unknown-window", ISSUED, AssignServices, UnknownWindow, window=99, services=()),
    case("call-next-closed", ISSUED, CallNext, WindowStateError),
    case("call-next-paused", PAUSED, CallNext, WindowStateError),
    case("call-next-busy", CALLED, CallNext, WindowStateError),
    case("call-next-unskilled", WINDOW_4, CallNext, NothingToCall, window=4),
    case("call-next-nobody-waiting", NO_SHOW, CallNext, NothingToCall),
    case("call-ticket-closed", ISSUED, CallTicket, WindowStateError, ticket="A001"),
    case("call-ticket-busy", CALLED, CallTicket, WindowStateError, ticket="A001"),
    case("call-ticket-unknown", OPENED, CallTicket, UnknownTicket, ticket="A042"),
    case("call-ticket-unskilled", WINDOW_4, CallTicket, SkillMismatch, window=4, ticket="A001"),
    case("call-ticket-no-show", NO_SHOW, CallTicket, IllegalTransition, ticket="A001"),
    case("call-ticket-done", DONE, CallTicket, IllegalTransition, ticket="A001"),
    case("recall-too-soon", CALLED, Recall, TooSoon),
    case("recall-no-current", OPENED, Recall, WindowStateError),
    case("recall-serving", SERVING, Recall, IllegalTransition),
    case("no-show-no-current", OPENED, MarkNoShow, WindowStateError),
    case("no-show-serving", SERVING, MarkNoShow, IllegalTransition),
    case("reinstate-waiting", ISSUED, Reinstate, IllegalTransition, ticket="A001"),
    case("reinstate-unknown", ISSUED, Reinstate, UnknownTicket, ticket="A042"),
    case("start-no-current", OPENED, StartServing, WindowStateError),
    case("start-serving", SERVING, StartServing, IllegalTransition),
    case("finish-called", CALLED, FinishService, IllegalTransition),
    case("finish-bad-rating", SERVING, FinishService, MalformedCommand, rating=6),
    case("finish-no-current", OPENED, FinishService, WindowStateError),
    case("transfer-called", CALLED, Transfer, IllegalTransition, to_service="tax"),
    case("transfer-no-target", SERVING, Transfer, MalformedCommand),
    case("transfer-own-window", SERVING, Transfer, MalformedCommand, to_window=1),
    case("transfer-to-own-service", SERVING, Transfer, MalformedCommand,
         to_service="social-security"),
    case("transfer-unknown-service", SERVING, Transfer, UnknownService, to_service="astrology"),
    case("transfer-lane", GREEN_SERVING, Transfer, LaneNotAllowed, to_service="enterprise-startup"),
    case("transfer-unskilled-window", SERVING, Transfer, SkillMismatch, to_window=4),
    case("transfer-unknown-window", SERVING, Transfer, UnknownWindow, to_window=99),
    case("park-nothing-missing", SERVING, Park, MalformedCommand, missing=(), until=LATER),
    case("park-past-deadline", SERVING, Park, MalformedCommand, missing=("ID",), until=MORNING),
    case("park-no-current", OPENED, Park, WindowStateError, missing=("ID",), until=LATER),
    case("return-waiting", ISSUED, ReturnToQueue, IllegalTransition, ticket="A001"),
    case("return-unknown", ISSUED, ReturnToQueue, UnknownTicket, ticket="A042"),
    case("cancel-called", CALLED, CancelTicket, IllegalTransition, ticket="A001"),
    case("cancel-done", DONE, CancelTicket, IllegalTransition, ticket="A001"),
    case("cancel-unknown", ISSUED, CancelTicket, UnknownTicket, ticket="B001"),
    case("rate-waiting", ISSUED, RateTicket, IllegalTransition, ticket="A001", rating=5),
    case("rate-bad-score", DONE, RateTicket, MalformedCommand, ticket="A001", rating=0),
    case("rate-unknown", DONE, RateTicket, UnknownTicket, ticket="B001", rating=5),
    case("issue-remote-from-kiosk", OPENED, IssueTicket, MalformedCommand,
         service="social-security", remote=True),
    case("issue-remote-nobody-serves", ISSUED, IssueTicket, NotServedNow, **REMOTE_ISSUE),
    case("call-ticket-remote", REMOTE, CallTicket, IllegalTransition, ticket="A002"),
    case("arrive-waiting", REMOTE, ConfirmArrival, IllegalTransition, ticket="A001"),
    case("arrive-unknown", REMOTE, ConfirmArrival, UnknownTicket, ticket="A042"),
    case("lapse-nothing-due", REMOTE, LapseRemoteTickets, NothingToLapse),
]  # fmt: skip


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refused_command_raises_its_named_error_and_writes_nothing(
    app: App, ids: Ids, refusal: Refusal
) -> None:
    reach(app, ids, refusal.state)
    refuse(app, ids, refusal.command, refusal.error, **refusal.fields)


def test_every_command_has_a_refusal_case() -> None:
    assert {p.values[0].command for p in REFUSALS} == set(ALL_COMMANDS)


# ---- each command's happy path ---------------------------------------------------------------


def test_issuing_a_ticket_records_it_as_waiting_for_its_service(app: App, ids: Ids) -> None:
    outcome = do(app, ids, IssueTicket, service="tax", lane=Lane.GREEN, channel=Channel.MOBILE)
    assert outcome == Outcome("TicketIssued", "F001", None, "", "issue")
    t = ticket(app, "F001")
    assert (t.service, t.lane, t.channel) == ("tax", Lane.GREEN, Channel.MOBILE)
    assert (t.status, t.issued_at, t.seq, waiting(app, "tax")) == (S.WAITING, MORNING, 1, ["F001"])


def test_numbers_count_per_prefix_and_a_shared_prefix_shares_its_counter(
    app: App, ids: Ids
) -> None:
    services = ["social-security", "social-security", "medical-insurance"]
    numbers = [issue(app, ids, s) for s in [*services, "employment", "unemployment", "employment"]]
    assert numbers == ["A001", "A002", "B001", "U001", "U002", "U003"]
    assert day(app).counters == {"A": 2, "B": 1, "U": 3}


def test_an_opened_window_serves_its_defaults_or_the_chosen_services(app: App, ids: Ids) -> None:
    assert do(app, ids, OpenWindow) == Outcome("WindowOpened", None, 1, "", "open")
    chosen = do(app, ids, OpenWindow, window=2, services=("employment",), staff="Li")
    assert chosen == Outcome("WindowOpened", None, 2, "", "open")
    assert (window(app).status, window(app).services) == (WindowStatus.OPEN, ("social-security",))
    assert "long-term-care" in window(app).skills
    assert (window(app, 2).services, window(app, 2).staff) == (("employment",), "Li")


def test_a_paused_window_can_be_resumed_and_then_closed(app: App, ids: Ids) -> None:
    do(app, ids, OpenWindow, staff="Li")
    assert do(app, ids, PauseWindow, reason="lunch") == Outcome(
        "WindowPaused", None, 1, "", "pause"
    )
    assert (window(app).status, window(app).pause_reason) == (WindowStatus.PAUSED, "lunch")
    assert do(app, ids, ResumeWindow) == Outcome("WindowResumed", None, 1, "", "resume")
    assert (window(app).status, window(app).pause_reason) == (WindowStatus.OPEN, "")
    assert do(app, ids, CloseWindow) == Outcome("WindowClosed", None, 1, "", "close")
    assert (window(app).status, window(app).staff) == (WindowStatus.CLOSED, "")


def test_assigning_services_changes_what_a_window_calls_first(app: App, ids: Ids) -> None:
    reach(app, ids, OPENED)
    issue(app, ids, "housing-fund")
    services = ("housing-fund", "housing-fund", "medical-insurance")
    outcome = do(app, ids, AssignServices, services=services, reason="rush")
    assert outcome == Outcome("ServicesAssigned", None, 1, "", "assign")
    assert window(app).services == ("housing-fund", "medical-insurance")
    assert do(app, ids, CallNext) == Outcome("TicketCalled", "C001", 1, "aging", "call_next")


def test_call_next_calls_the_waiting_ticket_to_the_window(app: App, ids: Ids) -> None:
    reach(app, ids, OPENED)
    assert do(app, ids, CallNext) == Outcome("TicketCalled", "A001", 1, "aging", "call_next")
    assert of(app, "status", "window", "called_at") == (S.CALLED, 1, MORNING)
    assert (window(app).current, window(app).last_rule, waiting(app)) == ("A001", "aging", [])


def test_call_next_falls_back_to_the_windows_other_skills(app: App, ids: Ids) -> None:
    do(app, ids, OpenWindow)
    issue(app, ids, "medical-insurance")
    assert do(app, ids, CallNext) == Outcome(
        "TicketCalled", "B001", 1, "fallback:aging", "call_next"
    )


def test_call_ticket_calls_the_chosen_ticket_out_of_order(app: App, ids: Ids) -> None:
    reach(app, ids, OPENED)
    issue(app, ids)
    outcome = do(app, ids, CallTicket, ticket="A002", reason="elderly")
    assert outcome == Outcome("TicketCalled", "A002", 1, "specific", "call")
    assert (ticket(app, "A002").status, window(app).current) == (S.CALLED, "A002")
    assert waiting(app) == ["A001"]


def test_a_recall_counts_and_restarts_the_interval(app: App, ids: Ids, clock: ManualClock) -> None:
    reach(app, ids, CALLED)
    now = clock.advance(30)
    assert do(app, ids, Recall) == Outcome("TicketRecalled", "A001", 1, "", "recall")
    assert of(app, "status", "recalls", "called_at") == (S.CALLED, 1, now)
    clock.advance(29)
    refuse(app, ids, Recall, TooSoon)


def test_a_fourth_recall_marks_a_no_show_by_itself(app: App, ids: Ids, clock: ManualClock) -> None:
    reach(app, ids, CALLED)
    for recalls in (1, 2, 3):
        clock.advance(30)
        assert do(app, ids, Recall).event == "TicketRecalled"
        assert ticket(app).recalls == recalls
    clock.advance(30)
    assert do(app, ids, Recall) == Outcome("TicketMarkedNoShow", "A001", 1, "", "recall")
    assert (ticket(app).status, window(app).current, last_event(app).auto) == (
        S.NO_SHOW,
        None,
        True,
    )


def test_marking_a_no_show_frees_the_window(app: App, ids: Ids) -> None:
    reach(app, ids, CALLED)
    assert do(app, ids, MarkNoShow) == Outcome("TicketMarkedNoShow", "A001", 1, "", "no_show")
    assert of(app, "status", "window") == (S.NO_SHOW, None)
    assert (window(app).current, waiting(app), last_event(app).auto) == (None, [], False)


def test_a_no_show_can_be_reinstated_once_and_then_is_refused(app: App, ids: Ids) -> None:
    reach(app, ids, NO_SHOW)
    assert do(app, ids, Reinstate, ticket="A001") == Outcome(
        "TicketReinstated", "A001", None, "", "reinstate"
    )
    assert of(app, "status", "reinstated", "issued_at") == (S.WAITING, True, MORNING)
    assert waiting(app) == ["A001"]
    assert call(app, ids) == "A001"
    do(app, ids, MarkNoShow)
    refuse(app, ids, Reinstate, IllegalTransition, ticket="A001")


def test_starting_service_keeps_the_ticket_at_its_window(app: App, ids: Ids) -> None:
    reach(app, ids, CALLED)
    assert do(app, ids, StartServing) == Outcome("ServiceStarted", "A001", 1, "", "start")
    assert (ticket(app).status, window(app).current) == (S.SERVING, "A001")


def test_finishing_closes_the_ticket_and_frees_the_window(app: App, ids: Ids) -> None:
    reach(app, ids, SERVING)
    assert do(app, ids, FinishService, rating=5) == Outcome(
        "ServiceFinished", "A001", 1, "", "finish"
    )
    assert ("A001" in day(app).tickets, day(app).was_issued("A001")) == (False, True)
    assert window(app).current is None


def test_a_transfer_to_another_service_requeues_the_ticket_there_with_its_issue_time(
    app: App, ids: Ids, clock: ManualClock
) -> None:
    reach(app, ids, OPENED)
    clock.advance(600)
    reach(app, ids, SERVING[2:])
    outcome = do(app, ids, Transfer, to_service="medical-insurance", note="a claim too")
    assert outcome == Outcome("TicketTransferred", "A001", 1, "", "transfer")
    assert of(app, "status", "service", "window") == (S.WAITING, "medical-insurance", None)
    assert of(app, "requeued", "front", "issued_at") == (True, False, MORNING)
    assert (waiting(app, "medical-insurance"), waiting(app, "social-security")) == (["A001"], [])
    assert window(app).current is None
    do(app, ids, OpenWindow, window=3)
    assert do(app, ids, CallNext, window=3) == Outcome(
        "TicketCalled", "A001", 3, "requeued", "call_next"
    )


def test_a_transfer_to_a_window_lets_only_that_window_call_the_ticket(app: App, ids: Ids) -> None:
    reach(app, ids, SERVING)
    assert do(app, ids, Transfer, to_window=3) == Outcome(
        "TicketTransferred", "A001", 1, "", "transfer"
    )
    assert of(app, "target_window", "service", "requeued") == (3, "social-security", True)
    reach(app, ids, [(OpenWindow, {"window": 2}), (OpenWindow, {"window": 3})])
    refuse(app, ids, CallTicket, SkillMismatch, window=2, ticket="A001")
    refuse(app, ids, CallNext, NothingToCall, window=2)
    assert do(app, ids, CallNext, window=3) == Outcome(
        "TicketCalled", "A001", 3, "requeued", "call_next"
    )


@pytest.mark.parametrize(
    ("placement", "first"),
    [(TransferPlacement.FRONT, "B001"), (TransferPlacement.ORIGINAL_TIME, "A001"), (None, "A001")],
)
def test_a_transfer_placed_at_the_front_goes_ahead_of_earlier_requeued_tickets(
    app: App, ids: Ids, clock: ManualClock, placement: TransferPlacement | None, first: str
) -> None:
    reach(app, ids, [(OpenWindow, {}), (OpenWindow, {"window": 3})])
    issue(app, ids, "social-security")
    clock.advance(60)
    issue(app, ids, "medical-insurance")
    assert call(app, ids, 1) == "A001"
    do(app, ids, ReturnToQueue, ticket="A001")  # requeued too, and issued before B001
    assert call(app, ids, 3) == "B001"
    do(app, ids, StartServing, window=3)
    do(app, ids, Transfer, window=3, to_service="social-security", placement=placement)
    assert ticket(app, "B001").front is (placement is TransferPlacement.FRONT)
    assert do(app, ids, CallNext) == Outcome("TicketCalled", first, 1, "requeued", "call_next")


def test_a_parked_ticket_returns_to_the_queue_requeued_with_its_issue_time(
    app: App, ids: Ids, clock: ManualClock
) -> None:
    reach(app, ids, SERVING)
    outcome = do(app, ids, Park, missing=("ID card",), until=LATER)
    assert outcome == Outcome("TicketParked", "A001", 1, "", "park")
    assert of(app, "status", "parked_until", "missing") == (S.PARKED, LATER, ("ID card",))
    assert (ticket(app).window, window(app).current, waiting(app)) == (None, None, [])
    clock.set(LATER)
    assert do(app, ids, ReturnToQueue, ticket="A001") == Outcome(
        "TicketReturned", "A001", None, "", "return"
    )
    assert of(app, "status", "requeued", "issued_at") == (S.WAITING, True, MORNING)
    assert waiting(app) == ["A001"]


def test_a_parked_ticket_cannot_return_late(app: App, ids: Ids, clock: ManualClock) -> None:
    reach(app, ids, SERVING)
    do(app, ids, Park, missing=("ID card",), until=LATER)
    clock.set(LATER + timedelta(seconds=1))
    refuse(app, ids, ReturnToQueue, IllegalTransition, ticket="A001")
    assert ticket(app).status is S.PARKED


def test_a_called_ticket_returned_to_the_queue_frees_its_window(app: App, ids: Ids) -> None:
    reach(app, ids, CALLED)
    assert do(app, ids, ReturnToQueue, ticket="A001") == Outcome(
        "TicketReturned", "A001", 1, "", "return"
    )
    assert (ticket(app).requeued, window(app).current, waiting(app)) == (True, None, ["A001"])


def test_a_cancelled_ticket_leaves_and_its_number_is_not_reused(app: App, ids: Ids) -> None:
    reach(app, ids, ISSUED)
    outcome = do(app, ids, CancelTicket, ticket="A001", by="staff")
    assert outcome == Outcome("TicketCancelled", "A001", None, "", "cancel")
    assert ("A001" in day(app).tickets, waiting(app)) == (False, [])
    assert issue(app, ids) == "A002"


# ---- request ids and batches --------------------------------------------------------------------


def test_a_retry_replays_the_same_outcome_and_writes_nothing(app: App, ids: Ids) -> None:
    reach(app, ids, OPENED)
    retry = make(CallNext, "call-1")
    first = app.execute(retry)
    issue(app, ids)
    version, notifications = day(app).version, written(app)
    assert app.execute(retry) == replace(first, replayed=True)
    assert (day(app).version, written(app)) == (version, notifications)
    assert (window(app).current, waiting(app)) == ("A001", ["A002"])


def test_a_request_id_cannot_be_reused_for_another_kind_of_command(app: App) -> None:
    app.execute(make(IssueTicket, "same", service="tax"))
    refused(app, make(OpenWindow, "same"), RequestIdReused)


def test_execute_many_answers_each_command_in_place_and_saves_the_rest_at_once(
    app: App, ids: Ids, monkeypatch: pytest.MonkeyPatch
) -> None:
    reach(app, ids, ISSUED)  # the day exists: the batch writes only its own events
    version, saves, put = day(app).version, [], app.events.put
    monkeypatch.setattr(app.events, "put", lambda e, **kw: saves.append(len(e)) or put(e, **kw))
    batch = [
        make(OpenWindow, next(ids)),
        make(IssueTicket, next(ids), service="astrology"),
        make(CallNext, next(ids)),
        make(CloseWindow, next(ids)),  # refused: the call just made keeps window 1 busy
    ]
    results = app.execute_many(batch)
    assert results[0] == Outcome("WindowOpened", None, 1, "", "open")
    assert results[2] == Outcome("TicketCalled", "A001", 1, "aging", "call_next")
    assert [type(r) for r in results[1::2]] == [UnknownService, WindowStateError]
    assert (saves, day(app).version, window(app).current) == ([2], version + 2, "A001")


# ---- known bugs ---------------------------------------------------------------------------------


def test_a_refused_first_command_of_the_day_writes_nothing(app: App, ids: Ids) -> None:
    refuse(app, ids, IssueTicket, UnknownService, service="astrology")


def test_a_call_ticket_cannot_reuse_the_request_id_of_a_call_next(app: App, ids: Ids) -> None:
    reach(app, ids, [*OPENED, (OpenWindow, {"window": 2}), *ISSUED])
    app.execute(make(CallNext, "same"))
    refused(app, make(CallTicket, "same", window=2, ticket="A002"), RequestIdReused)


def test_a_resident_rates_a_finished_visit_once_and_statistics_count_it(app: App, ids: Ids) -> None:
    from projections.follower import LogFollower
    from projections.statistics import Statistics

    app.execute(OpenWindow(next(ids), HALL, 1))
    number = app.execute(IssueTicket(next(ids), HALL, "social-security")).ticket or ""
    with pytest.raises(IllegalTransition):  # not before the visit is over
        app.execute(RateTicket(next(ids), HALL, number, 5))
    for command in (CallNext, StartServing, FinishService):
        app.execute(command(next(ids), HALL, 1))
    with pytest.raises(MalformedCommand):
        app.execute(RateTicket(next(ids), HALL, number, 6))
    assert app.execute(RateTicket(next(ids), HALL, number, 4, "很快")).event == "TicketRated"
    with pytest.raises(IllegalTransition):
        app.execute(RateTicket(next(ids), HALL, number, 5))
    with pytest.raises(UnknownTicket):
        app.execute(RateTicket(next(ids), HALL, "A999", 5))
    stats = Statistics(app.hall_spec)
    LogFollower(app, [stats]).catch_up()
    summary = stats.summary(HALL, app.day_of(HALL))
    assert summary["mean_rating"] == 4 and summary["served"] == 1
