"""A server's read models follow what another process writes to the same store: the
poll reads the log's tail, and a gap before this process's own saves is filled from it;
on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from eventsourcing.persistence import OperationalError

from hallq.bootstrap import build_application
from hallq.live import LiveHall
from hallq.settings import Settings
from queue_core.commands import IssueTicket, OpenWindow

HALL = "south-axis"


async def test_writes_of_another_application_reach_the_live_read_models(
    store_settings: Settings,
) -> None:
    ours, theirs = build_application(store_settings), build_application(store_settings)
    live = LiveHall(ours, poll_s=0.05)
    await live.start()
    try:
        theirs.execute(IssueTicket("other-1", HALL, "social-security"))  # not offered to us
        day = ours.day_of(HALL)
        for _ in range(100):
            if live.models.board.board(HALL, day)["services"][0]["waiting"]["blue"] == 1:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the other process's ticket never reached the board")
        theirs.execute(IssueTicket("other-2", HALL, "social-security"))
        await live.execute(OpenWindow("ours-1", HALL, window=1))  # after a gap in our offers
        waiting = live.models.board.board(HALL, day)["services"][0]["waiting"]["blue"]
        assert waiting == 2  # read-your-writes also brought in the write before ours
        assert live.follower.position == ours.recorder.max_notification_id()
    finally:
        await live.stop()
        ours.close()
        theirs.close()


async def test_a_save_that_lost_a_race_is_folded_at_once(store_settings: Settings) -> None:
    """Our cached day is stale, so our insert conflicts (on PostgreSQL burning sequence
    ids) and is retried: the follower must fold past the hole without a poll's help."""
    ours, theirs = build_application(store_settings), build_application(store_settings)
    live = LiveHall(ours, poll_s=3600)
    await live.start()
    try:
        await live.execute(IssueTicket("ours-1", HALL, "social-security"))
        theirs.execute(IssueTicket("theirs-1", HALL, "social-security"))
        outcome = await asyncio.wait_for(
            live.execute(IssueTicket("ours-2", HALL, "social-security")), 10
        )
        assert outcome.ticket == "A003"  # reloaded after the conflict
        assert live.follower.position == ours.recorder.max_notification_id()
        board = live.models.board.board(HALL, ours.day_of(HALL))
        assert board["services"][0]["waiting"]["blue"] == 3
    finally:
        await live.stop()
        ours.close()
        theirs.close()


async def test_a_store_that_fails_a_read_is_read_again(tmp_path: Path) -> None:
    """A failed read of the log (PostgreSQL restarting, say) is logged and tried again:
    the follower does not die and leave every later command waiting."""
    settings = Settings(store="sqlite", db_path=tmp_path / "shared.sqlite3")
    ours, theirs = build_application(settings), build_application(settings)
    live = LiveHall(ours, poll_s=0.05)
    await live.start()
    real_read, failures = ours.recorder.select_notifications, [0]

    def failing_once(*args: Any, **kwargs: Any) -> Any:
        if not failures[0]:
            failures[0] += 1
            raise OperationalError("the server closed the connection unexpectedly")
        return real_read(*args, **kwargs)

    ours.recorder.select_notifications = failing_once  # type: ignore[method-assign]
    try:
        theirs.execute(IssueTicket("other-1", HALL, "social-security"))  # found by a poll
        outcome = await asyncio.wait_for(
            live.execute(IssueTicket("ours-1", HALL, "social-security")), 10
        )
        assert failures[0] == 1 and outcome.ticket == "A002"
        board = live.models.board.board(HALL, ours.day_of(HALL))
        assert board["services"][0]["waiting"]["blue"] == 2
    finally:
        await live.stop()
        ours.close()
        theirs.close()
