"""A hall's day is its local date: the same answer however often and in whatever order
the application is asked (it remembers the date of the current quarter hour)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hallq.bootstrap import load_hall_document
from hallq.settings import reference_hall_path
from queue_core.application import HallqApplication
from tests.conftest import HALL

# No daylight saving; at 02:00; at 02:45 with a +12:45 offset; at midnight; +5:45.
ZONES = [
    "Asia/Shanghai",
    "America/New_York",
    "Pacific/Chatham",
    "America/Havana",
    "America/Santiago",
    "Asia/Kathmandu",
]


@st.composite
def near_local_midnights(draw: st.DrawFn, zone: str) -> datetime:
    """An instant within an hour and a half of some local midnight of 2026 (where the
    date changes, and in these zones also where daylight saving starts or ends)."""
    day = draw(st.dates(date(2026, 1, 1), date(2026, 12, 31)))
    midnight = datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)
    seconds = draw(st.integers(-5400, 5400))
    return midnight + timedelta(seconds=seconds, microseconds=draw(st.integers(0, 999_999)))


@given(st.sampled_from(ZONES).flatmap(lambda z: st.tuples(
    st.just(z), st.lists(near_local_midnights(z), min_size=1, max_size=30)
)))  # fmt: skip
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_day_of_an_instant_is_its_local_date_in_the_halls_zone(
    app: HallqApplication, zone_and_instants: tuple[str, list[datetime]]
) -> None:
    """In any order, `day_of` answers as the plain conversion does, for instants given
    in UTC or in the hall's own zone."""
    zone, instants = zone_and_instants
    document = load_hall_document(reference_hall_path())
    document["timezone"] = zone
    app.configure_hall(document)
    for at in instants:
        expected = at.astimezone(ZoneInfo(zone)).date().isoformat()
        assert app.day_of(HALL, at) == expected
        assert app.day_of(HALL, at.astimezone(ZoneInfo(zone))) == expected
