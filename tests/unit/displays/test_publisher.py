"""The publisher over the real core and read models: which phone hears what, and when.

Phones are subscribers without sockets, so every message lands in their queue; tickets
carry token digests as the HTTP API issues them.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from displays.publisher import Publisher
from displays.push import PushHub, Subscriber
from hallq.live import ReadModels
from projections.follower import LogFollower
from queue_core.application import HallqApplication
from queue_core.commands import CallNext, FinishService, IssueTicket, OpenWindow, StartServing
from queue_core.ports import ManualClock
from queue_core.vocabulary import Lane

HALL = "south-axis"


class Hall:
    def __init__(self, app: HallqApplication, clock: ManualClock) -> None:
        self.app, self.clock = app, clock
        self.models = ReadModels.for_app(app)
        self.follower = LogFollower(app, self.models.all())
        self.hub = PushHub()
        m = self.models
        self.publisher = Publisher(self.hub, m.board, m.tickets, m.windows, m.stats, clock.now)
        self.ids = iter(range(1, 10_000))
        self.phones: dict[str, Subscriber] = {}

    def run(self, command: Any, **fields: Any) -> str | None:
        outcome = self.app.execute(command(f"r{next(self.ids)}", HALL, **fields))
        batch = self.follower.read()
        self.follower.fold(batch)
        self.publisher.publish(batch)
        return outcome.ticket

    def issue(self, service: str = "social-security", lane: Lane = Lane.BLUE) -> str:
        digest = f"digest-{next(self.ids)}"
        number = self.run(IssueTicket, service=service, lane=lane, token_digest=digest)
        assert number is not None
        phone = self.phones[number] = Subscriber(number)
        self.hub.subscribe(phone, f"ticket:{digest}")
        return number

    def heard(self, number: str) -> list[dict[str, Any]]:
        """What the phone of `number` received since last asked, oldest first."""
        queue = self.phones[number].queue
        messages = [orjson.loads(item.text) for item in queue.items]
        queue.items.clear()
        queue.pending_state.clear()
        return messages


@pytest.fixture
def hall(app: HallqApplication, clock: ManualClock) -> Hall:
    return Hall(app, clock)


def places(messages: list[dict[str, Any]]) -> list[int | None]:
    return [m["data"]["position"] for m in messages if m["type"] == "ticket"]


def test_a_call_moves_every_phone_behind_it_and_no_phone_of_another_service(hall: Hall) -> None:
    hall.run(OpenWindow, window=1)
    first, second, third = hall.issue(), hall.issue(), hall.issue()
    other = hall.issue("housing-fund")
    for number in (first, second, third, other):
        hall.heard(number)
    hall.clock.advance(60)
    assert hall.run(CallNext, window=1) == first
    assert [m["type"] for m in hall.heard(first)] == ["called", "ticket"]
    assert places(hall.heard(second)) == [1]
    assert places(hall.heard(third)) == [2]
    assert hall.heard(other) == []


def test_a_finish_that_moves_no_place_and_no_shown_eta_sends_no_phone_a_status(
    hall: Hall,
) -> None:
    hall.run(OpenWindow, window=1)
    first, second = hall.issue(), hall.issue()
    hall.run(CallNext, window=1)
    hall.run(StartServing, window=1)
    for number in (first, second):
        hall.heard(number)
    hall.clock.advance(5 * 60)
    hall.run(FinishService, window=1)  # the first sample: ETAs still use the hall's mean
    assert [m["data"]["status"] for m in hall.heard(first)] == ["done"]
    assert hall.heard(second) == []


def test_the_sweep_tells_a_phone_that_time_alone_moved_it(hall: Hall) -> None:
    hall.run(OpenWindow, window=1)
    blue = hall.issue(lane=Lane.BLUE)
    hall.clock.advance(60)
    green = hall.issue(lane=Lane.GREEN)  # weight 3: overtakes the blue ticket by aging
    status = hall.models.tickets.status(HALL, hall.app.day_of(HALL), green, hall.clock.now())
    assert status is not None and status["position"] == 2  # both waited 0 ×3 < 1 min ×1
    hall.heard(blue)
    hall.clock.advance(120)  # blue has waited 3 min (×1), green 2 min (×3 = 6)
    hall.publisher.sweep(hall.follower.position)
    assert places(hall.heard(green)) == [1]
    assert places(hall.heard(blue)) == [2]
    hall.publisher.sweep(hall.follower.position)
    assert hall.heard(green) == hall.heard(blue) == []  # nothing new: nothing sent


def test_a_screen_gets_a_board_only_when_the_board_changed(hall: Hall) -> None:
    screen = Subscriber("screen")
    hall.hub.subscribe(screen, f"display:{HALL}")
    hall.run(OpenWindow, window=1)
    hall.issue()

    def boards() -> list[dict[str, Any]]:
        kinds = [orjson.loads(item.text) for item in screen.queue.items]
        screen.queue.items.clear()
        screen.queue.pending_state.clear()
        return [m for m in kinds if m["type"] == "board"]

    boards()
    hall.run(CallNext, window=1)
    assert len(boards()) == 1  # the window's current ticket changed
    hall.run(StartServing, window=1)
    assert boards() == []  # nothing a screen shows has changed
    hall.run(FinishService, window=1)
    [board] = boards()
    assert next(w for w in board["data"]["windows"] if w["number"] == 1)["current"] is None
