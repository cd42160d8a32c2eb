"""One contract, two stores: everything the core promises holds on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from queue_core.application import HallqApplication
from queue_core.commands import (
    CallNext,
    FinishService,
    IssueTicket,
    OpenWindow,
    StartServing,
    Transfer,
)
from queue_core.ports import ManualClock
from queue_core.vocabulary import Channel, Lane, TicketStatus
from tests.conftest import HALL

OpenApp = Callable[[], HallqApplication]


def test_a_fresh_process_sees_the_same_day(open_app: OpenApp, clock: ManualClock) -> None:
    first = open_app()
    first.execute(OpenWindow("o", HALL, 1))
    first.execute(IssueTicket("i1", HALL, "social-security", Lane.GREEN, Channel.MOBILE))
    first.execute(IssueTicket("i2", HALL, "social-security", Lane.YELLOW))
    clock.advance(30)
    first.execute(CallNext("c", HALL, 1))
    second = open_app()
    assert second.get_day(HALL)._to_state() == first.get_day(HALL)._to_state()
    a1 = second.get_day(HALL).tickets["A001"]
    assert a1.lane is Lane.GREEN and a1.channel is Channel.MOBILE  # enums come back as enums
    assert a1.status is TicketStatus.CALLED and a1.issued_at == clock.now() - timedelta(seconds=30)


def test_a_busy_day_loads_from_its_snapshot(open_app: OpenApp, clock: ManualClock) -> None:
    app = open_app()
    app.execute(OpenWindow("o", HALL, 1))
    for k in range(app.SNAPSHOT_INTERVAL // 4 + 5):  # past the snapshot interval
        app.execute(IssueTicket(f"i{k}", HALL, "social-security"))
        app.execute(CallNext(f"c{k}", HALL, 1))
        app.execute(StartServing(f"s{k}", HALL, 1))
        app.execute(FinishService(f"f{k}", HALL, 1))
    day_id = app.get_day(HALL).id
    snapshot = next(iter(app.snapshots.get(day_id, desc=True, limit=1)))  # type: ignore[union-attr]
    assert snapshot.originator_version == app.SNAPSHOT_INTERVAL
    fresh = open_app()
    assert fresh.get_day(HALL)._to_state() == app.get_day(HALL)._to_state()
    # A client retrying after the server restarted gets its first answer, and no new event.
    version = fresh.get_day(HALL).version
    again = fresh.execute(CallNext("c3", HALL, 1))
    assert again.replayed and again.ticket == "A004" and again.command == "call_next"
    assert fresh.get_day(HALL).version == version


def test_a_stale_writer_retries_and_both_commands_land(
    open_app: OpenApp, clock: ManualClock
) -> None:
    one = open_app()
    two = open_app()
    one.execute(OpenWindow("o1", HALL, 1))
    two.execute(OpenWindow("o2", HALL, 2))  # two's view was stale only if one got there first
    one.execute(IssueTicket("i1", HALL, "social-security"))
    two.execute(IssueTicket("i2", HALL, "social-security"))  # stale cache: conflict, reload, retry
    one.execute(IssueTicket("i3", HALL, "social-security"))
    numbers = sorted(open_app().get_day(HALL).tickets)
    assert numbers == ["A001", "A002", "A003"]


def test_a_transfer_keeps_its_original_issue_time_across_reloads(
    open_app: OpenApp, clock: ManualClock
) -> None:
    app = open_app()
    app.execute(OpenWindow("o", HALL, 1))
    issued = app.execute(IssueTicket("i", HALL, "social-security"))
    issued_at = clock.now()
    clock.advance(600)
    app.execute(CallNext("c", HALL, 1))
    app.execute(StartServing("s", HALL, 1))
    app.execute(Transfer("t", HALL, 1, to_service="medical-insurance", note="医保报销"))
    moved = open_app().get_day(HALL).tickets[issued.ticket]  # type: ignore[index]
    assert moved.service == "medical-insurance" and moved.requeued and moved.issued_at == issued_at
