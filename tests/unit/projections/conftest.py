"""Helpers for the read-model tests: the real application, driven by its own commands.

`Hall` fills in request ids and the hall; `varied_morning` is the scripted morning every
rebuild test folds twice (live in small steps, then from zero) to compare `state()`.
Window 1 serves social-security (A…), window 3 medical-insurance (B…), window 11
utilities and transit cards; see hallq/data/south-axis.toml.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from itertools import count
from typing import Any

import pytest

from projections import HallBoard, Statistics, TicketStatus, WindowView
from projections.base import ReadModel
from projections.follower import LogFollower
from queue_core.application import HallqApplication
from queue_core.commands import (
    AssignServices,
    CallNext,
    CancelTicket,
    CloseWindow,
    Command,
    FinishService,
    IssueTicket,
    MarkNoShow,
    OpenWindow,
    Park,
    PauseWindow,
    Recall,
    Reinstate,
    ResumeWindow,
    ReturnToQueue,
    StartServing,
    Transfer,
)
from queue_core.outcome import Outcome
from queue_core.ports import ManualClock
from queue_core.vocabulary import Channel, Lane, TransferPlacement

HALL = "south-axis"
DAY = "2026-03-02"


class Hall:
    def __init__(self, app: HallqApplication, clock: ManualClock) -> None:
        self.app = app
        self.clock = clock
        self._ids = count(1)

    def run(self, command: type[Command], **fields: Any) -> Outcome:
        return self.app.execute(command(f"p{next(self._ids)}", HALL, **fields))

    def issue(self, service: str = "social-security", lane: Lane = Lane.BLUE, **f: Any) -> str:
        number = self.run(IssueTicket, service=service, lane=lane, **f).ticket
        assert number is not None
        return number

    def call(self, window: int = 1) -> str:
        number = self.run(CallNext, window=window).ticket
        assert number is not None
        return number

    def minutes(self, n: float) -> None:
        self.clock.advance(n * 60)


@pytest.fixture
def hall(app: HallqApplication, clock: ManualClock) -> Hall:
    return Hall(app, clock)


def make_models(app: HallqApplication) -> list[ReadModel]:
    return [model(app.hall_spec) for model in (HallBoard, TicketStatus, WindowView, Statistics)]


def varied_morning(hall: Hall, checkpoint: Callable[[], None]) -> None:
    """Every kind of day event, over two days, calling `checkpoint` after every step."""
    h = hall
    steps: Sequence[Callable[[], Any]] = [
        lambda: h.run(OpenWindow, window=1, staff="王芳"),
        lambda: h.run(OpenWindow, window=3),
        lambda: h.run(OpenWindow, window=11),
        lambda: h.issue(lane=Lane.BLUE, token_digest="d-a1"),
        lambda: h.issue(lane=Lane.GREEN, channel=Channel.MOBILE, token_digest="d-a2"),
        lambda: h.issue("medical-insurance", Lane.YELLOW),
        lambda: h.issue("utilities", Lane.GREEN),
        lambda: h.minutes(4),
        lambda: h.call(1),
        lambda: h.call(3),
        lambda: h.call(11),
        lambda: h.run(StartServing, window=1),
        lambda: h.minutes(6),
        lambda: h.run(FinishService, window=1, rating=4),
        lambda: h.run(StartServing, window=3),
        lambda: h.run(
            Transfer,
            window=3,
            to_service="social-security",
            note="先办社保",
            placement=TransferPlacement.FRONT,
        ),
        lambda: h.call(1),
        lambda: h.minutes(1),
        lambda: h.run(Recall, window=11),
        lambda: h.run(MarkNoShow, window=11),
        lambda: h.run(Reinstate, ticket="Q001"),
        lambda: h.run(StartServing, window=1),
        lambda: h.run(
            Park, window=1, missing=("户口簿",), until=h.clock.now() + timedelta(hours=1)
        ),
        lambda: h.issue(lane=Lane.BLUE),
        lambda: h.run(PauseWindow, window=3, reason="午休"),
        lambda: h.minutes(16),
        lambda: h.run(ReturnToQueue, ticket="B001"),  # parked above: back before its deadline
        lambda: h.run(ResumeWindow, window=3),
        lambda: h.run(AssignServices, window=3, services=("social-security",), reason="排队长"),
        lambda: h.call(3),
        lambda: h.run(StartServing, window=3),
        lambda: h.minutes(3),
        lambda: h.run(FinishService, window=3, rating=5),
        lambda: h.run(CancelTicket, ticket="A003"),
        lambda: h.call(11),
        lambda: h.run(StartServing, window=11),
        lambda: h.run(FinishService, window=11),
        lambda: h.run(CloseWindow, window=11),
        lambda: h.minutes(24 * 60),
        lambda: h.run(OpenWindow, window=2),
        lambda: h.issue("medical-insurance", Lane.GREEN, token_digest="d-next-day"),
        lambda: h.call(2),
    ]
    for step in steps:
        step()
        checkpoint()


def assert_rebuild_gives_the_same_state(app: HallqApplication, hall: Hall, name: str) -> None:
    """Fold live (a catch-up every few commands), then rebuild fresh models from zero."""
    live = [m for m in make_models(app) if m.name == name]
    follower = LogFollower(app, live)
    steps = count(1)

    def every_third() -> None:
        if next(steps) % 3 == 0:
            follower.catch_up()

    varied_morning(hall, every_third)
    follower.catch_up()
    fresh = [m for m in make_models(app) if m.name == name]
    LogFollower(app, fresh).rebuild()
    assert fresh[0].state() == live[0].state()
    assert fresh[0].position == live[0].position > 0
    live[0].reset()
    LogFollower(app, live).rebuild()  # a model rebuilt in place forgets everything first
    assert live[0].state() == fresh[0].state()
