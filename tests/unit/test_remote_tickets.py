"""Remote tickets (远程取号) in the core: they hold their place but are never called before a
kiosk confirms arrival; call next records passing them over, and they lapse after the
hall's grace. Window 1 serves social-security (A…); see hallq/data/south-axis.toml."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from queue_core.application import HallqApplication as App
from queue_core.call_rules import Choice, WindowSkills, passed_over
from queue_core.commands import (
    CallNext,
    CallTicket,
    CancelTicket,
    Command,
    ConfirmArrival,
    FinishService,
    IssueTicket,
    LapseRemoteTickets,
    OpenWindow,
    StartServing,
)
from queue_core.errors import IllegalTransition, InvalidConfiguration, NothingToLapse
from queue_core.hall_day import HallDay
from queue_core.hall_spec import hall_spec_from_mapping
from queue_core.ports import ManualClock
from queue_core.snapshot_rows import ticket_from_row, ticket_to_row
from queue_core.ticket import Ticket
from queue_core.vocabulary import Channel, Lane
from queue_core.vocabulary import TicketStatus as S
from tests.conftest import HALL, MORNING
from tests.unit.test_hall_day_properties import tiny_hall

GRACE_S = 15 * 60  # the reference hall's remote_grace_min (the default)


@pytest.fixture
def run(app: App, request_ids: Iterator[str]) -> Any:
    def run(command: type[Command], **fields: Any) -> Any:
        return app.execute(command(next(request_ids), HALL, **fields))

    return run


def remote(run: Any) -> str:
    number: str = run(
        IssueTicket, service="social-security", channel=Channel.MOBILE, remote=True
    ).ticket
    return number


def walk_in(run: Any) -> str:
    number: str = run(IssueTicket, service="social-security").ticket
    return number


def serve_next(run: Any) -> str:
    number: str = run(CallNext, window=1).ticket
    run(StartServing, window=1)
    run(FinishService, window=1)
    return number


def ticket(app: App, number: str) -> Ticket:
    return app.get_day(HALL).tickets[number]


def test_call_next_skips_an_unconfirmed_remote_ticket_and_records_passing_it(
    app: App, run: Any, clock: ManualClock
) -> None:
    run(OpenWindow, window=1)
    assert remote(run) == "A001"
    assert walk_in(run) == "A002"
    assert ticket(app, "A001").status is S.REMOTE
    assert run(CallNext, window=1).ticket == "A002"
    assert ticket(app, "A001").passed_at == MORNING
    last: Any = list(app.events.get(app.get_day(HALL).id))[-1]
    assert last.passed == ["A001"]


def test_a_confirmed_remote_ticket_is_called_in_its_original_place(
    app: App, run: Any, clock: ManualClock
) -> None:
    run(OpenWindow, window=1)
    walk_in(run)  # A001
    remote(run)  # A002
    walk_in(run)  # A003
    clock.advance(60)
    outcome = run(ConfirmArrival, ticket="A002", kiosk="K1")
    assert (outcome.event, outcome.ticket) == ("ArrivalConfirmed", "A002")
    t = ticket(app, "A002")
    assert (t.status, t.issued_at, t.seq, t.remote) == (S.WAITING, MORNING, 2, True)
    assert [serve_next(run) for _ in range(3)] == ["A001", "A002", "A003"]


def test_the_passing_mark_is_set_once_and_only_by_call_next(
    app: App, run: Any, clock: ManualClock
) -> None:
    run(OpenWindow, window=1)
    remote(run)  # A001
    walk_in(run)  # A002
    walk_in(run)  # A003
    run(CallTicket, window=1, ticket="A003")  # a chosen call passes nobody
    assert ticket(app, "A001").passed_at is None
    run(StartServing, window=1)
    run(FinishService, window=1)
    clock.advance(60)
    serve_next(run)  # A002
    clock.advance(60)
    walk_in(run)  # A004
    serve_next(run)
    assert ticket(app, "A001").passed_at == MORNING + timedelta(seconds=60)


def test_calling_an_unconfirmed_remote_ticket_by_number_is_refused_in_both_languages(
    app: App, run: Any
) -> None:
    run(OpenWindow, window=1)
    remote(run)
    with pytest.raises(IllegalTransition) as refused:
        run(CallTicket, window=1, ticket="A001")
    assert "远程" in refused.value.message_zh and "A001" in refused.value.message_zh
    assert "remotely" in refused.value.message_en and "kiosk" in refused.value.message_en


def test_a_remote_ticket_lapses_only_after_the_grace_since_it_was_passed_over(
    app: App, run: Any, clock: ManualClock
) -> None:
    run(OpenWindow, window=1)
    remote(run)  # A001: passed below
    remote(run)  # A002: confirmed in time
    remote(run)  # A003: passed a minute later, so it lapses a minute later
    walk_in(run)  # A004
    run(ConfirmArrival, ticket="A002", kiosk="K1")
    serve_next(run)  # A002: confirmed, called in its place; A001 passed
    clock.advance(60)
    serve_next(run)  # A004: A003 passed now
    clock.advance(GRACE_S - 61)
    with pytest.raises(NothingToLapse):
        run(LapseRemoteTickets)
    clock.advance(1)
    outcome = run(LapseRemoteTickets)
    assert (outcome.event, outcome.ticket, outcome.command) == ("TicketLapsed", "A001", "lapse")
    day = app.get_day(HALL)
    assert "A001" not in day.tickets and day.was_issued("A001")
    assert day.tickets["A003"].status is S.REMOTE  # its grace started one call later


def test_one_lapse_run_lapses_every_due_ticket_and_a_retry_writes_nothing(
    app: App, run: Any, clock: ManualClock
) -> None:
    run(OpenWindow, window=1)
    remote(run)
    remote(run)
    walk_in(run)
    serve_next(run)  # passes A001 and A002
    clock.advance(GRACE_S)
    lapse = LapseRemoteTickets("lapse-1", HALL)
    first = app.execute(lapse)
    version = app.get_day(HALL).version
    events: list[Any] = list(app.events.get(app.get_day(HALL).id))
    assert [type(e).__name__ for e in events[-2:]] == ["TicketLapsed", "TicketLapsed"]
    assert [e.number for e in events[-2:]] == ["A001", "A002"]
    again = app.execute(lapse)
    assert again.replayed and (again.event, again.ticket) == (first.event, first.ticket)
    with pytest.raises(NothingToLapse):
        app.execute(LapseRemoteTickets("lapse-2", HALL))
    assert app.get_day(HALL).version == version


def test_a_lapsed_ticket_can_no_longer_arrive_nor_be_cancelled(
    app: App, run: Any, clock: ManualClock
) -> None:
    run(OpenWindow, window=1)
    remote(run)
    walk_in(run)
    serve_next(run)
    clock.advance(GRACE_S)
    run(LapseRemoteTickets)
    for command, fields in ((ConfirmArrival, {"kiosk": "K1"}), (CancelTicket, {})):
        with pytest.raises(IllegalTransition):
            run(command, ticket="A001", **fields)


def test_the_resident_may_cancel_a_remote_ticket(app: App, run: Any) -> None:
    run(OpenWindow, window=1)
    remote(run)
    assert run(CancelTicket, ticket="A001").event == "TicketCancelled"


# ---- the pure part ---------------------------------------------------------------------


def _t(number: str, service: str, seq: int, **f: Any) -> Ticket:
    return Ticket(number, service, Lane.BLUE, Channel.MOBILE, seq, MORNING, **f)


def test_passed_over_names_remote_tickets_ranked_before_the_choice_in_issue_order(
    app: App,
) -> None:
    policy = app.hall_spec(HALL).policy
    window = WindowSkills(1, frozenset({"a"}), frozenset({"a", "b"}))
    chosen = Choice(_t("A005", "a", 5), "issue_order")
    remote = [_t("A004", "a", 4), _t("A001", "a", 1), _t("A009", "a", 9), _t("B002", "b", 2)]
    later = MORNING + timedelta(minutes=1)
    assert passed_over(window, remote, chosen, later, policy) == ("A001", "A004")
    fell_back = Choice(_t("B005", "b", 5), "fallback:aging")
    assert passed_over(window, remote, fell_back, later, policy) == ("A001", "B002", "A004", "A009")


# ---- stored forms ----------------------------------------------------------------------


def test_a_snapshot_keeps_the_remote_fields(app: App, run: Any, clock: ManualClock) -> None:
    run(OpenWindow, window=1)
    remote(run)
    remote(run)
    walk_in(run)
    serve_next(run)
    run(ConfirmArrival, ticket="A002", kiosk="K1")
    day = app.get_day(HALL)
    copy = HallDay.Snapshot.take(day).mutate(None)
    assert copy.tickets == day.tickets
    assert [t.number for t in copy.remote()] == ["A001"]
    assert sorted(t.number for t in copy.queued()) == ["A001", "A002"]
    a1 = copy.tickets["A001"]
    assert (a1.remote, a1.passed_at, copy.tickets["A002"].remote) == (True, MORNING, True)


def test_a_row_from_before_remote_tickets_reads_as_an_ordinary_ticket() -> None:
    t = _t("A001", "a", 1, remote=True, passed_at=MORNING, status=S.REMOTE)
    row = ticket_to_row(t)
    assert ticket_from_row(row) == t
    old = ticket_from_row(row[:19])
    assert (old.remote, old.passed_at) == (False, None)


# ---- the hall's settings ---------------------------------------------------------------


def test_the_remote_settings_default_and_are_read_from_the_policy() -> None:
    spec = hall_spec_from_mapping(tiny_hall())
    p = spec.policy
    assert (p.remote_come_people, p.remote_come_min, p.remote_grace_min) == (5, 20.0, 15.0)
    raw = tiny_hall()
    raw["policy"].update(remote_come_people=2, remote_come_min=7.5, remote_grace_min=10)
    p = hall_spec_from_mapping(raw).policy
    assert (p.remote_come_people, p.remote_come_min, p.remote_grace_min) == (2, 7.5, 10.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("remote_come_people", -1),
        ("remote_come_people", 2.5),
        ("remote_come_people", True),
        ("remote_come_min", -3),
        ("remote_come_min", "soon"),
        ("remote_grace_min", 0),
    ],
)
def test_a_bad_remote_setting_is_named_in_both_languages(name: str, value: Any) -> None:
    raw = tiny_hall()
    raw["policy"][name] = value
    with pytest.raises(InvalidConfiguration) as bad:
        hall_spec_from_mapping(raw)
    assert name in bad.value.message_zh and name in bad.value.message_en
