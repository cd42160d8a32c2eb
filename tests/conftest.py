"""Shared fixtures: the real composition root, with in-memory parts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count

import pytest

from hallq.bootstrap import build_application
from hallq.settings import Settings
from queue_core.application import HallqApplication
from queue_core.ports import ManualClock

HALL = "south-axis"
# 09:00 in Shanghai on an ordinary Monday: the hall's day is 2026-03-02.
MORNING = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MORNING)


@pytest.fixture
def app(clock: ManualClock) -> Iterator[HallqApplication]:
    application = build_application(Settings(store="memory"), clock)
    yield application
    application.close()


@pytest.fixture
def request_ids() -> Iterator[str]:
    """Fresh request ids: r1, r2, …"""
    return (f"r{n}" for n in count(1))
