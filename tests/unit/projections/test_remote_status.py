"""A remote ticket's status (远程取号): its place counts for everyone, its phone is told when
to come, when it lapses, and that it lapsed. Window 1 serves social-security (A…, 8 min
each by the spec); see hallq/data/south-axis.toml."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from projections import TicketStatus
from projections.follower import LogFollower
from projections.ticket_status import come_now
from queue_core.application import HallqApplication
from queue_core.commands import (
    ConfirmArrival,
    FinishService,
    LapseRemoteTickets,
    OpenWindow,
    StartServing,
)
from queue_core.vocabulary import Channel
from tests.unit.projections.conftest import DAY, HALL, Hall, make_models

REMOTE: dict[str, Any] = {"channel": Channel.MOBILE, "remote": True}


def folded(app: HallqApplication) -> TicketStatus:
    model = TicketStatus(app.hall_spec)
    LogFollower(app, [model]).catch_up()
    return model


def status(app: HallqApplication, hall: Hall, number: str) -> dict[str, Any]:
    found = folded(app).status(HALL, DAY, number, hall.clock.now())
    assert found is not None
    return found


def serve(hall: Hall) -> str:
    number = hall.call(1)
    hall.run(StartServing, window=1)
    hall.run(FinishService, window=1)
    return number


def test_an_unconfirmed_remote_ticket_counts_in_everyones_position(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=1)
    hall.issue()  # A001
    hall.issue(**REMOTE)  # A002
    hall.issue()  # A003
    model = folded(app)
    now = hall.clock.now()
    assert model.waiting_numbers(HALL, DAY, "social-security", now) == ["A001", "A002", "A003"]
    s = model.status(HALL, DAY, "A002", now)
    assert s is not None
    assert (s["status"], s["remote"], s["arrived"], s["position"]) == ("remote", True, False, 2)
    assert s["eta"] is not None
    behind = model.status(HALL, DAY, "A003", now)
    assert behind is not None and behind["people_ahead"] == 2
    assert (behind["remote"], behind["arrived"], behind["come_now"]) == (False, True, False)


def test_the_phone_is_told_to_come_once_few_enough_people_are_ahead(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=1)
    for _ in range(7):
        hall.issue()
    hall.issue(**REMOTE)  # A008: 7 ahead, about 64 min
    s = status(app, hall, "A008")
    assert (s["people_ahead"], s["come_now"], s["lapse_at"]) == (7, False, None)
    serve(hall)
    assert status(app, hall, "A008")["come_now"] is False  # 6 ahead, about 56 min
    serve(hall)
    s = status(app, hall, "A008")
    assert (s["people_ahead"], s["come_now"]) == (5, True)  # the hall's remote_come_people


def test_come_now_follows_either_threshold(app: HallqApplication) -> None:
    policy = replace(app.hall_spec(HALL).policy, remote_come_people=3, remote_come_min=10.0)
    assert come_now(3, 99.0, False, policy) and not come_now(4, 10.1, False, policy)
    assert come_now(40, 10.0, False, policy)
    assert come_now(40, 99.0, True, policy)  # passed over: its grace is running


def test_a_passed_over_ticket_shows_when_it_lapses_then_that_it_lapsed(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=1)
    hall.issue(**REMOTE)  # A001
    hall.issue()  # A002
    serve(hall)
    s = status(app, hall, "A001")
    lapse_at = hall.clock.now() + timedelta(minutes=15)
    assert (s["status"], s["come_now"], s["lapse_at"]) == ("remote", True, lapse_at.isoformat())
    hall.minutes(15)
    hall.run(LapseRemoteTickets)
    s = status(app, hall, "A001")
    assert (s["status"], s["arrived"], s["position"], s["come_now"]) == (
        "lapsed",
        False,
        None,
        False,
    )


def test_after_arrival_the_status_is_waiting_in_the_same_place(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=1)
    hall.issue()
    hall.issue(**REMOTE)
    hall.issue()
    hall.run(ConfirmArrival, ticket="A002", kiosk="K1")
    s = status(app, hall, "A002")
    assert (s["status"], s["remote"], s["arrived"], s["position"]) == ("waiting", True, True, 2)
    assert s["come_now"] is False and s["lapse_at"] is None


def test_every_read_model_rebuilt_from_zero_equals_the_live_one_with_remote_tickets(
    app: HallqApplication, hall: Hall
) -> None:
    live = make_models(app)
    follower = LogFollower(app, live)
    hall.run(OpenWindow, window=1)
    hall.issue(token_digest="d1", **REMOTE)
    follower.catch_up()
    hall.issue(token_digest="d2", **REMOTE)
    hall.issue()
    serve(hall)
    follower.catch_up()
    hall.run(ConfirmArrival, ticket="A002", kiosk="K1")
    hall.minutes(15)
    hall.run(LapseRemoteTickets)
    follower.catch_up()
    fresh = make_models(app)
    LogFollower(app, fresh).rebuild()
    assert [m.state() for m in fresh] == [m.state() for m in live]
