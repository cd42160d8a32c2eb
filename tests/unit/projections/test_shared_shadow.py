"""Models sharing one shadow of each day (as the server builds them) know exactly what
models with a shadow each know, after every step of a morning with every kind of event."""

from __future__ import annotations

import pytest

from projections import HallBoard, TicketStatus, WindowView
from projections.follower import LogFollower
from projections.shadow import ShadowDays
from queue_core.application import HallqApplication
from tests.unit.projections.conftest import DAY, HALL, Hall, varied_morning

MODELS = (HallBoard, TicketStatus, WindowView)


def test_shared_shadow_models_equal_private_ones_step_by_step(
    app: HallqApplication, hall: Hall
) -> None:
    days = ShadowDays()
    shared = [model(app.hall_spec, days) for model in MODELS]
    private = [model(app.hall_spec) for model in MODELS]
    shared_follower, private_follower = LogFollower(app, shared), LogFollower(app, private)
    checked = 0

    def compare() -> None:
        nonlocal checked
        shared_follower.catch_up()
        private_follower.catch_up()
        for ours, theirs in zip(shared, private, strict=True):
            assert ours.state() == theirs.state(), type(ours).__name__
        ours_status, their_status = shared[1], private[1]
        assert isinstance(ours_status, TicketStatus) and isinstance(their_status, TicketStatus)
        # The same services are re-sent to phones: the shadow's before-state is right.
        assert ours_status.drain_touched() == their_status.drain_touched()
        now = hall.clock.now()
        for digest, (h, d, number) in their_status.digests.items():
            assert ours_status.find(digest) == (h, d, number)
            assert ours_status.status(h, d, number, now) == their_status.status(h, d, number, now)
        checked += 1

    varied_morning(hall, compare)
    assert checked > 20
    assert days.get(HALL, DAY) is shared[0].shadow.get(HALL, DAY)  # one copy of the day


def test_a_rebuild_resets_the_shared_shadow_once_for_all(app: HallqApplication, hall: Hall) -> None:
    days = ShadowDays()
    shared = [model(app.hall_spec, days) for model in MODELS]
    follower = LogFollower(app, shared)
    varied_morning(hall, follower.catch_up)
    before = [m.state() for m in shared]
    follower.rebuild()
    assert [m.state() for m in shared] == before
    assert all(m.shadow is days for m in shared)


def test_a_model_behind_its_shared_shadow_refuses_to_apply_an_event_again(
    app: HallqApplication, hall: Hall
) -> None:
    days = ShadowDays()
    board, status = HallBoard(app.hall_spec, days), TicketStatus(app.hall_spec, days)
    hall.issue()
    hall.issue()
    LogFollower(app, [board]).catch_up()  # the board alone: the shadow is ahead of status
    with pytest.raises(RuntimeError, match="behind the shadow"):
        LogFollower(app, [status]).catch_up()
    LogFollower(app, [board, status]).rebuild()  # together again: in step
    assert status.state()["days"] == board.state()["days"]
