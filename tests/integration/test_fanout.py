"""Pushes between server processes: the `Fanout` port (in-memory twin and Redis, one
contract), and live halls on one store that hear each other's saves through it.

Each "process" here is a `HallqApplication` and `LiveHall` of its own on the same store,
as separate server processes would have; the poll is set far beyond the test's patience
wherever only the fan-out can explain a delivery.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from displays.push import Subscriber
from hallq.bootstrap import build_application, load_hall_document
from hallq.fanout import Fanout, LocalBus, LocalFanout
from hallq.live import LiveHall
from hallq.redis_fanout import RedisFanout
from hallq.settings import Settings, reference_hall_path
from queue_core.commands import CallNext, IssueTicket, OpenWindow
from queue_core.errors import UnknownHall
from tests.integration.conftest import OwnRedis

HALL = "south-axis"
NEVER = 3600.0  # a poll interval no test waits for


# ---- the contract: both adapters ------------------------------------------------------


@pytest.fixture(params=["local", "redis"])
def make_fanout(request: pytest.FixtureRequest) -> Iterator[Callable[[], Fanout]]:
    """Fan-outs of several processes on one store."""
    if request.param == "local":
        bus = LocalBus()
        yield lambda: LocalFanout(bus)
        return
    url = request.getfixturevalue("redis_url")
    store = f"test/{uuid.uuid4().hex}"  # this test's own channels on the shared Redis
    yield lambda: RedisFanout(url, store)


class Ear:
    def __init__(self) -> None:
        self.heard: list[tuple[str, int]] = []
        self.restarts: list[str] = []  # halls told "read the store" (-1) on (re)subscribing
        self.arrived = asyncio.Event()

    def __call__(self, hall: str, position: int) -> None:
        if position < 0:
            self.restarts.append(hall)
            return
        self.heard.append((hall, position))
        self.arrived.set()

    async def next(self) -> tuple[str, int]:
        await asyncio.wait_for(self.arrived.wait(), 5)
        self.arrived.clear()
        return self.heard[-1]


@asynccontextmanager
async def started(fanout: Fanout, halls: list[str], ear: Ear) -> AsyncIterator[Fanout]:
    await fanout.start(halls, ear)
    await asyncio.wait_for(fanout.connected.wait(), 5)
    try:
        yield fanout
    finally:
        await fanout.stop()


async def test_an_announcement_reaches_the_other_processes_of_that_hall_only(
    make_fanout: Callable[[], Fanout],
) -> None:
    ours, theirs, elsewhere = Ear(), Ear(), Ear()
    async with (
        started(make_fanout(), [HALL, "north"], ours) as a,
        started(make_fanout(), [HALL], theirs) as b,
        started(make_fanout(), ["east"], elsewhere),
    ):
        assert ours.restarts == [HALL, "north"] and theirs.restarts == [HALL]
        a.announce(HALL, 7)
        assert await theirs.next() == (HALL, 7)
        a.announce(HALL, 9)
        assert await theirs.next() == (HALL, 9)
        # Sentinels sent after: when they arrive, anything stray would have arrived too.
        a.announce("east", 11)
        assert await elsewhere.next() == ("east", 11)
        b.announce(HALL, 12)
        assert await ours.next() == (HALL, 12)
        assert ours.heard == [(HALL, 12)]  # a process does not hear itself
        assert elsewhere.heard == [("east", 11)]  # nor another hall's announcements


async def test_a_stopped_fanout_hears_nothing_more(make_fanout: Callable[[], Fanout]) -> None:
    theirs, witness = Ear(), Ear()
    async with started(make_fanout(), [HALL], Ear()) as a:
        async with started(make_fanout(), [HALL], witness):
            async with started(make_fanout(), [HALL], theirs):
                a.announce(HALL, 1)
                await theirs.next()
                await witness.next()
            a.announce(HALL, 2)
            assert await witness.next() == (HALL, 2)  # delivered to those still listening
        assert theirs.heard == [(HALL, 1)]


# ---- live halls on one store ------------------------------------------------------------


@asynccontextmanager
async def live_hall(
    settings: Settings, fanout: Fanout | None, poll_s: float = NEVER
) -> AsyncIterator[LiveHall]:
    app = build_application(settings)
    live = LiveHall(app, poll_s=poll_s, fanout=fanout)
    await live.start()
    try:
        yield live
    finally:
        await live.stop()
        app.close()


def listen(live: LiveHall, channel: str) -> Subscriber:
    subscriber = Subscriber("test")
    live.hub.subscribe(subscriber, channel)
    return subscriber


async def next_message(subscriber: Subscriber, kind: str, timeout: float = 5.0) -> dict[str, Any]:
    async def wait() -> dict[str, Any]:
        while True:
            text = await subscriber.queue.get()
            assert text is not None, "the test's subscriber overflowed"
            message: dict[str, Any] = json.loads(text)
            if message["type"] == kind:
                return message

    return await asyncio.wait_for(wait(), timeout)


async def test_a_call_made_through_one_process_reaches_a_screen_on_another_at_once(
    store_settings: Settings, redis_url: str
) -> None:
    settings = replace(store_settings, redis_url=redis_url)
    key = settings.store_key()
    async with (
        live_hall(settings, RedisFanout(redis_url, key)) as a,
        live_hall(settings, RedisFanout(redis_url, key)) as b,
    ):
        assert b.fanout is not None
        await asyncio.wait_for(b.fanout.connected.wait(), 5)
        screen = listen(b, f"display:{HALL}")
        await a.execute(IssueTicket("fan-1", HALL, "social-security"))
        await a.execute(OpenWindow("fan-2", HALL, window=1))
        outcome = await a.execute(CallNext("fan-3", HALL, window=1))
        called = await next_message(screen, "called")
        assert called["data"]["window"] == 1
        assert called["data"]["number"] == outcome.ticket
        # The same sequence number in both processes: a client may resume on either.
        assert called["seq"] == a.follower.position == b.follower.position


async def test_without_redis_commands_work_and_the_poll_delivers_until_it_returns(
    tmp_path: Path, own_redis: OwnRedis
) -> None:
    settings = Settings(store="sqlite", db_path=tmp_path / "shared.sqlite3")
    key = settings.store_key()
    async with (
        live_hall(settings, RedisFanout(own_redis.url, key), poll_s=0.2) as a,
        live_hall(settings, RedisFanout(own_redis.url, key), poll_s=0.2) as b,
    ):
        assert a.fanout is not None and b.fanout is not None
        screen = listen(b, f"display:{HALL}")
        await a.execute(IssueTicket("out-1", HALL, "social-security"))
        await a.execute(IssueTicket("out-2", HALL, "social-security"))
        await a.execute(OpenWindow("out-3", HALL, window=1))
        await a.execute(OpenWindow("out-3b", HALL, window=2))

        assert isinstance(a.fanout, RedisFanout) and isinstance(b.fanout, RedisFanout)
        subscribed = (a.fanout.subscriptions, b.fanout.subscriptions)
        own_redis.stop()
        first = await a.execute(CallNext("out-4", HALL, window=1))  # commands keep working
        called = await next_message(screen, "called")  # brought by the poll
        assert called["data"]["number"] == first.ticket

        own_redis.start()
        await asyncio.wait_for(_resubscribed(a.fanout, b.fanout, subscribed), 10)
        b.poll_s = a.poll_s = NEVER  # from here on, only the fan-out can deliver in time
        await asyncio.sleep(0.3)  # the timers armed with the short poll (0.2 s) run out
        await _until_announcements_travel(a)
        second = await a.execute(CallNext("out-5", HALL, window=2))
        called = await next_message(screen, "called", timeout=3)
        assert called["data"]["number"] == second.ticket


async def _resubscribed(a: RedisFanout, b: RedisFanout, before: tuple[int, int]) -> None:
    """Both listeners have subscribed again since `before` (their counts then)."""
    while a.subscriptions <= before[0] or b.subscriptions <= before[1]:
        await asyncio.sleep(0.05)


async def _until_announcements_travel(live: LiveHall) -> None:
    """After an outage a publisher waits out its retry pause before it tries again."""
    assert isinstance(live.fanout, RedisFanout)
    while live.fanout.dropping():
        await asyncio.sleep(0.05)


def second_hall(folder: Path, hall_id: str) -> Path:
    document = load_hall_document(reference_hall_path())
    document["id"] = hall_id
    path = folder / f"{hall_id}.json"
    path.write_text(json.dumps(document, ensure_ascii=False))
    return path


async def test_processes_serving_different_halls_skip_each_others_events(
    tmp_path: Path,
) -> None:
    shared = Settings(store="sqlite", db_path=tmp_path / "shared.sqlite3")
    north = replace(shared, hall_files=(second_hall(tmp_path, "north-bank"),))
    bus = LocalBus()
    async with (
        live_hall(shared, LocalFanout(bus)) as south_side,
        live_hall(north, LocalFanout(bus)) as north_side,
    ):
        await north_side.execute(IssueTicket("n-1", "north-bank", "social-security"))
        await south_side.execute(IssueTicket("s-1", HALL, "social-security"))
        await north_side.execute(IssueTicket("n-2", "north-bank", "social-security"))
        await south_side.execute(IssueTicket("s-2", HALL, "social-security"))
        newest = south_side.app.recorder.max_notification_id()
        assert south_side.follower.position == newest  # moved past the other hall's events
        state = json.dumps(south_side.models.board.state())
        assert "north-bank" not in state and HALL in state
        day = south_side.app.day_of(HALL)
        assert south_side.models.board.board(HALL, day)["services"][0]["waiting"]["blue"] == 2
        with pytest.raises(UnknownHall):
            south_side.spec("north-bank")  # 404 here: that hall is served elsewhere


async def test_a_gap_longer_than_a_page_hides_none_of_this_process_s_events(
    tmp_path: Path,
) -> None:
    """Another process saved a page's worth of another hall's events, then some of ours,
    before our own save: the gap is read page by page, and none of ours is skipped."""
    shared = Settings(store="sqlite", db_path=tmp_path / "shared.sqlite3")
    both = replace(shared, hall_files=(reference_hall_path(), second_hall(tmp_path, "north-bank")))
    other = build_application(both)
    try:
        async with live_hall(shared, None) as south_side:
            other.execute_many(
                [IssueTicket(f"n-{k}", "north-bank", "social-security") for k in range(600)]
            )
            for k in range(3):
                other.execute(IssueTicket(f"s-{k}", HALL, "social-security"))
            await south_side.execute(IssueTicket("ours", HALL, "social-security"))
            day = south_side.app.day_of(HALL)
            board = south_side.models.board.board(HALL, day)
            assert board["services"][0]["waiting"]["blue"] == 4
            assert south_side.follower.position == other.recorder.max_notification_id()
    finally:
        other.close()
