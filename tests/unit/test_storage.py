"""How events are written: every event class survives the store's transcoder with its
types intact (enums as enums, datetimes as datetimes), and topics are explicit and stable."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from eventsourcing.persistence import DatetimeAsISO, UUIDAsHex
from eventsourcing.utils import get_topic, resolve_topic

from hallq.storage import HallqTranscoder
from queue_core.hall_config import HallConfiguration
from queue_core.hall_day import HallDay
from queue_core.vocabulary import Channel, Lane

AT = datetime(2026, 3, 2, 1, 2, 3, 456789, tzinfo=UTC)
SAMPLES: dict[str, object] = {
    "str": "A001",
    "int": 7,
    "bool": True,
    "datetime": AT,
    "Lane": Lane.GREEN,
    "Channel": Channel.MOBILE,
    "Sequence[str]": ["户口簿", "ID"],  # a list back from JSON, whatever it was raised as
    "str | None": "ref-1",
    "int | None": None,
    "datetime | None": AT,
    "dict[str, Any]": {"id": "x", "nested": [1, "二"]},
}
DAY_EVENTS = [
    cls
    for cls in vars(HallDay).values()
    if isinstance(cls, type) and issubclass(cls, HallDay.DayEvent) and cls is not HallDay.DayEvent
]
ALL_EVENTS = [
    *DAY_EVENTS,
    HallDay.Created,
    HallConfiguration.Created,
    HallConfiguration.Reconfigured,
]


def transcoder() -> HallqTranscoder:
    t = HallqTranscoder()
    t.register(UUIDAsHex())
    t.register(DatetimeAsISO())
    return t


def payload(cls: type) -> dict[str, object]:
    skip = {"originator_id", "originator_version", "timestamp"}
    return {f.name: SAMPLES[str(f.type)] for f in dataclasses.fields(cls) if f.name not in skip}


@pytest.mark.parametrize("cls", ALL_EVENTS, ids=lambda c: c.__qualname__)
def test_an_event_comes_back_from_the_store_with_its_types(cls: type) -> None:
    state = payload(cls) | {"timestamp": AT}
    back = transcoder().decode(transcoder().encode(state))
    assert back == state
    for key, value in state.items():
        assert type(back[key]) is type(value), key


@pytest.mark.parametrize("cls", ALL_EVENTS, ids=lambda c: c.__qualname__)
def test_every_event_has_an_explicit_registered_topic(cls: type) -> None:
    topic = get_topic(cls)
    assert topic.startswith("hallq.")  # not module:qualname, so renaming a class is safe
    assert resolve_topic(topic) is cls


def test_no_two_events_share_a_topic() -> None:
    """An event class that forgot its TOPIC would inherit its parent's: caught here."""
    topics = [get_topic(cls) for cls in ALL_EVENTS]
    assert len(topics) == len(set(topics))


def test_the_snapshot_topic_resolves_in_a_fresh_process() -> None:
    import subprocess
    import sys

    code = "from eventsourcing.utils import resolve_topic; import queue_core.hall_day as m; "
    code += "assert resolve_topic('hallq.HallDay.Snapshot') is m.HallDay.Snapshot"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_plain_str_enum_would_have_come_back_as_a_bare_string() -> None:
    """Why the vocabularies are plain Enums: the trap this transcoder setup avoids."""
    import enum
    import json

    class Colour(str, enum.Enum):  # noqa: UP042 - the very pattern under test
        GREEN = "green"

    assert type(json.loads(json.dumps({"lane": Colour.GREEN}))["lane"]) is str
    assert not issubclass(Lane, str)
