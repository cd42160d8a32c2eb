"""The read models' contract on the real stores: folded live in small steps or rebuilt
from zero, every model reaches the same state on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from queue_core.application import HallqApplication
from queue_core.ports import ManualClock
from tests.unit.projections.conftest import Hall, assert_rebuild_gives_the_same_state


@pytest.mark.parametrize("name", ["hall_board", "ticket_status", "window_view", "statistics"])
def test_rebuilding_from_zero_gives_the_state_reached_live(
    open_app: Callable[[], HallqApplication], clock: ManualClock, name: str
) -> None:
    app = open_app()
    assert_rebuild_gives_the_same_state(app, Hall(app, clock), name)
