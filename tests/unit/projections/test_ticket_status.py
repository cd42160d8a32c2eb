"""A resident's ticket status, folded from the real application's log."""

from __future__ import annotations

from typing import Any

import pytest

import projections.ticket_status as module
from hallq.native import compiled
from projections import TicketStatus
from projections.follower import LogFollower
from queue_core.application import HallqApplication
from queue_core.commands import (
    CancelTicket,
    FinishService,
    OpenWindow,
    ReturnToQueue,
    StartServing,
    Transfer,
)
from queue_core.vocabulary import Channel, Lane
from tests.unit.projections.conftest import (
    DAY,
    HALL,
    Hall,
    assert_rebuild_gives_the_same_state,
    varied_morning,
)


def folded(app: HallqApplication) -> TicketStatus:
    model = TicketStatus(app.hall_spec)
    LogFollower(app, [model]).catch_up()
    return model


def status(app: HallqApplication, hall: Hall, number: str) -> dict[str, Any]:
    found = folded(app).status(HALL, DAY, number, hall.clock.now())
    assert found is not None
    return found


def test_a_ticket_is_found_by_its_token_digest(app: HallqApplication, hall: Hall) -> None:
    hall.issue(token_digest="sha-1")
    hall.issue("medical-insurance", channel=Channel.MOBILE, token_digest="sha-2")
    model = folded(app)
    assert model.find("sha-2") == (HALL, DAY, "B001")
    assert model.find("sha-1") == (HALL, DAY, "A001")
    assert model.find("nobody") is None


def test_a_waiting_ticket_reports_its_place_and_the_rest_of_its_details(
    app: HallqApplication, hall: Hall
) -> None:
    hall.issue()
    hall.issue(channel=Channel.MOBILE)
    s = status(app, hall, "A002")
    assert s["number"] == "A002" and s["service"] == "social-security"
    assert (s["lane"], s["channel"], s["status"]) == ("blue", "mobile", "waiting")
    assert s["issued_at"] == "2026-03-02T01:00:00+00:00"
    assert (s["window"], s["position"], s["people_ahead"]) == (None, 2, 1)


def test_a_later_green_ticket_is_ahead_of_an_earlier_blue_one_as_call_next_agrees(
    app: HallqApplication, hall: Hall
) -> None:
    hall.issue(lane=Lane.BLUE)
    hall.minutes(1)
    hall.issue(lane=Lane.GREEN)
    hall.minutes(1)  # blue: 2 min × weight 1; green: 1 min × weight 3
    model = folded(app)
    now = hall.clock.now()
    assert model.waiting_numbers(HALL, DAY, "social-security", now) == ["A002", "A001"]
    assert model.status(HALL, DAY, "A002", now)["position"] == 1  # type: ignore[index]
    assert model.status(HALL, DAY, "A001", now)["position"] == 2  # type: ignore[index]
    hall.run(OpenWindow, window=1)
    assert hall.call(1) == "A002"


def test_the_order_depends_on_the_moment_asked_because_tickets_age(
    app: HallqApplication, hall: Hall
) -> None:
    hall.issue(lane=Lane.BLUE)
    hall.minutes(10)
    hall.issue(lane=Lane.GREEN)
    model = folded(app)
    now = hall.clock.now()
    later = hall.clock.advance(10 * 60)  # green: 10 × 3 = 30 overtakes blue: 20 × 1
    assert model.waiting_numbers(HALL, DAY, "social-security", now) == ["A001", "A002"]
    assert model.waiting_numbers(HALL, DAY, "social-security", later) == ["A002", "A001"]


def test_a_requeued_ticket_is_ahead_of_those_who_were_waiting(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=3)
    hall.issue("medical-insurance")
    hall.minutes(5)
    hall.issue(lane=Lane.GREEN)
    hall.issue(lane=Lane.GREEN)
    hall.call(3)
    hall.run(StartServing, window=3)
    hall.run(Transfer, window=3, to_service="social-security", note="先办社保")
    s = status(app, hall, "B001")
    assert (s["service"], s["position"], s["people_ahead"]) == ("social-security", 1, 0)
    hall.run(OpenWindow, window=1)
    hall.call(1)
    hall.run(ReturnToQueue, ticket="B001")  # back again: still requeued, still first
    assert status(app, hall, "B001")["position"] == 1


def test_the_eta_band_is_ordered_and_more_windows_make_it_shorter(
    app: HallqApplication, hall: Hall
) -> None:
    for _ in range(6):
        hall.issue()
    before = status(app, hall, "A006")
    assert before["people_ahead"] == 5
    # No window is open yet: the estimate still assumes one, never zero.
    assert before["eta"] == {
        "p50_min": 48.0,
        "p90_min": pytest.approx(48 + 1.2816 * 4 * 6**0.5, abs=0.1),
    }
    assert before["eta_simple_min"] == 48.0  # 8 min × position 6 ÷ 1 window
    hall.run(OpenWindow, window=1)
    hall.run(OpenWindow, window=2)  # social-security is among window 2's defaults too
    hall.run(OpenWindow, window=4)  # not serving social-security: does not count
    after = status(app, hall, "A006")
    assert after["eta"]["p90_min"] >= after["eta"]["p50_min"] >= 0
    assert after["eta"]["p50_min"] == 24.0 < before["eta"]["p50_min"]
    assert after["eta"]["p90_min"] < before["eta"]["p90_min"]
    assert after["eta_simple_min"] == 24.0


def test_the_eta_learns_todays_handling_times_after_three_services(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=1)
    for _ in range(5):
        hall.issue()
    for n in range(3):
        hall.call(1)
        hall.run(StartServing, window=1)
        hall.minutes(3 + n)  # 3, 4 and 5 minutes: mean 4, sd 1
        hall.run(FinishService, window=1)
    s = status(app, hall, "A005")
    assert s["position"] == 2
    assert s["eta"] == {"p50_min": 8.0, "p90_min": pytest.approx(8 + 1.2816 * 2**0.5, abs=0.1)}
    assert s["eta_simple_min"] == 16.0  # the simple estimate keeps the spec's 8 minutes


def test_status_follows_a_ticket_through_called_serving_and_done(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=1)
    hall.issue()
    hall.call(1)
    called = status(app, hall, "A001")
    assert (called["status"], called["window"], called["position"]) == ("called", 1, None)
    assert called["eta"] is None and called["eta_simple_min"] is None
    hall.run(StartServing, window=1)
    assert (status(app, hall, "A001")["status"], status(app, hall, "A001")["window"]) == (
        "serving",
        1,
    )
    hall.run(FinishService, window=1, rating=5)
    done = status(app, hall, "A001")
    assert (done["status"], done["window"], done["people_ahead"]) == ("done", None, None)


def test_a_cancelled_ticket_says_so_and_an_unknown_one_is_none(
    app: HallqApplication, hall: Hall
) -> None:
    hall.issue()
    hall.run(CancelTicket, ticket="A001")
    assert status(app, hall, "A001")["status"] == "cancelled"
    model = folded(app)
    now = hall.clock.now()
    assert model.status(HALL, DAY, "A999", now) is None
    assert model.status(HALL, "2026-03-09", "A001", now) is None


@pytest.mark.skipif(
    compiled(module), reason="counts sorts by patching the module, which a compiled one forbids"
)
def test_many_status_queries_cost_one_sort_per_service_per_event(
    app: HallqApplication, hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(50):
        hall.issue()
    hall.issue("medical-insurance")
    model = TicketStatus(app.hall_spec)
    follower = LogFollower(app, [model])
    follower.catch_up()
    sorts: list[str] = []
    real = module.queue_order

    def counting(tickets: Any, now: Any, policy: Any) -> Any:
        ordered = real(tickets, now, policy)
        sorts.append(ordered[0].service if ordered else "")
        return ordered

    monkeypatch.setattr(module, "queue_order", counting)
    now = hall.clock.now()
    positions = [model.status(HALL, DAY, f"A{n:03d}", now)["position"] for n in range(1, 51)]  # type: ignore[index]
    assert positions == list(range(1, 51))
    model.status(HALL, DAY, "B001", now)
    assert sorts == ["social-security", "medical-insurance"]
    hall.run(OpenWindow, window=1)
    hall.call(1)
    follower.catch_up()
    for n in range(2, 51):
        model.status(HALL, DAY, f"A{n:03d}", now)
    assert sorts == ["social-security", "medical-insurance", "social-security"]


def test_rebuilding_ticket_status_from_zero_gives_the_state_it_reached_live(
    app: HallqApplication, hall: Hall
) -> None:
    assert_rebuild_gives_the_same_state(app, hall, "ticket_status")


def test_statuses_asked_after_every_command_are_those_rebuilt_from_zero(
    app: HallqApplication, hall: Hall
) -> None:
    """Queue orders are kept between events that cannot reorder them (a finish, a window
    opening: they move ETAs only): asked within the same second after every step, every
    ticket's status is still what a fresh fold of the log gives."""
    live = TicketStatus(app.hall_spec)
    follower = LogFollower(app, [live])
    numbers: list[str] = []
    steps = [
        lambda: hall.run(OpenWindow, window=1),
        lambda: numbers.append(hall.issue(lane=Lane.GREEN)),
        lambda: numbers.append(hall.issue()),
        lambda: numbers.append(hall.issue()),
        lambda: numbers.append(hall.issue(lane=Lane.YELLOW)),
        lambda: hall.call(1),
        lambda: hall.run(StartServing, window=1),
        lambda: hall.run(FinishService, window=1),
        lambda: hall.run(OpenWindow, window=2),
        lambda: hall.call(1),
        lambda: hall.run(StartServing, window=1),
        lambda: hall.run(Transfer, window=1, to_service="tax"),
        lambda: numbers.append(hall.issue("tax")),
        lambda: hall.run(CancelTicket, ticket=numbers[2]),
    ]
    for step in steps:
        step()  # the clock stands still: every order is asked for in the same second
        follower.catch_up()
        fresh = folded(app)
        now = hall.clock.now()
        for number in numbers:
            assert live.status(HALL, DAY, number, now) == fresh.status(HALL, DAY, number, now)


def test_walking_a_queue_gives_each_wanted_ticket_the_status_asked_one_by_one(
    app: HallqApplication, hall: Hall
) -> None:
    """The publisher walks a moved queue (`queue_statuses`) instead of asking each phone's
    status: after every step of a varied morning, with remote tickets holding places,
    every service's walk gives exactly `status` for each queued ticket it was asked for,
    front first, and nothing for the rest."""
    live = TicketStatus(app.hall_spec)
    follower = LogFollower(app, [live])
    services = [s.id for s in app.hall_spec(HALL).services]
    walked = 0

    def check() -> None:
        nonlocal walked
        follower.catch_up()
        now = hall.clock.now()
        for day in live.shadow.days_of(HALL):
            tickets = live.shadow.get(HALL, day).tickets  # type: ignore[union-attr]
            for service in services:
                queued = {n: live.status(HALL, day, n, now) for n in tickets}
                queued = {n: s for n, s in queued.items() if s and s["service"] == service
                          and s["position"] is not None}  # fmt: skip
                every = list(live.queue_statuses(HALL, day, service, now, set(tickets)))
                assert dict(every) == queued
                assert [s["position"] for _, s in every] == list(range(1, len(every) + 1))
                some = set(list(queued)[::2])
                assert dict(live.queue_statuses(HALL, day, service, now, some)) == {
                    n: queued[n] for n in some
                }
                walked += len(every)

    remote = {"channel": Channel.MOBILE, "remote": True}
    varied_morning(hall, check)
    for step in (  # remote places count, and call next passes them over (`lapse_at`)
        lambda: hall.issue("medical-insurance", **remote),
        lambda: hall.issue("medical-insurance", lane=Lane.GREEN),
        lambda: hall.issue("medical-insurance", **remote),
        lambda: hall.issue(**remote),
        lambda: hall.minutes(3),
        lambda: hall.run(StartServing, window=2),
        lambda: hall.run(FinishService, window=2),
        lambda: hall.call(2),
    ):
        step()
        check()
    assert walked > 50
