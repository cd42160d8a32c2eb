"""The arrival history: its CSV format, its levels, and reading it off the statistics."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from projections import Statistics
from projections.follower import LogFollower
from queue_core.application import HallqApplication
from queue_core.commands import IssueTicket
from queue_core.ports import ManualClock
from queue_core.vocabulary import Lane
from scheduler.history import ArrivalCount, ArrivalHistory
from scheduler.levels import Level, slot_minutes, slot_of

MONDAY = date(2026, 3, 2)
TUESDAY = date(2026, 3, 3)


@pytest.fixture
def small_history() -> ArrivalHistory:
    return ArrivalHistory.of(
        [
            ArrivalCount(MONDAY, "09:00", "tax", "blue", 3),
            ArrivalCount(MONDAY, "09:00", "tax", "green", 1),
            ArrivalCount(MONDAY, "09:15", "tax", "blue", 2),
            ArrivalCount(MONDAY, "09:45", "notary", "yellow", 4),
            ArrivalCount(MONDAY, "10:00", "notary", "blue", 5),
            ArrivalCount(TUESDAY, "09:00", "tax", "blue", 7),
        ]
    )


def test_csv_round_trip_keeps_every_count(tmp_path: Path, small_history: ArrivalHistory):
    path = tmp_path / "history.csv"
    small_history.save_csv(path)
    assert path.read_text(encoding="utf-8").splitlines()[:2] == [
        "date,slot,service,lane,arrivals",
        "2026-03-02,09:00,tax,blue,3",
    ]
    assert ArrivalHistory.load_csv(path) == small_history


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("2026-03-02,09:07,tax,blue,1", "quarter-hour"),
        ("2026-03-02,09:00,tax,purple,1", "lane"),
        ("2026-02-30,09:00,tax,blue,1", "day"),
        ("2026-03-02,09:00,tax,blue,-1", "negative"),
        ("2026-03-02,09:00,tax,blue", "unpack"),
    ],
)
def test_a_bad_line_is_refused_with_its_line_number(tmp_path: Path, line: str, problem: str):
    path = tmp_path / "history.csv"
    path.write_text(f"date,slot,service,lane,arrivals\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"history.csv:2: .*{problem}"):
        ArrivalHistory.load_csv(path)


def test_a_wrong_header_is_refused(tmp_path: Path):
    path = tmp_path / "history.csv"
    path.write_text("day,slot,service,lane,count\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        ArrivalHistory.load_csv(path)


def test_duplicates_are_summed_and_zeros_dropped():
    history = ArrivalHistory.of(
        [
            ArrivalCount(MONDAY, "09:00", "tax", "blue", 2),
            ArrivalCount(MONDAY, "09:00", "tax", "blue", 3),
            ArrivalCount(MONDAY, "09:15", "tax", "blue", 0),
        ]
    )
    assert history.counts == (ArrivalCount(MONDAY, "09:00", "tax", "blue", 5),)


def test_the_three_levels_sum_lanes_slots_and_services(small_history: ArrivalHistory):
    assert small_history.per_hall_slot() == {
        (MONDAY, "09:00"): 4,
        (MONDAY, "09:15"): 2,
        (MONDAY, "09:45"): 4,
        (MONDAY, "10:00"): 5,
        (TUESDAY, "09:00"): 7,
    }
    assert small_history.per_service_hour() == {
        (MONDAY, "tax", "09:00"): 6,
        (MONDAY, "notary", "09:00"): 4,
        (MONDAY, "notary", "10:00"): 5,
        (TUESDAY, "tax", "09:00"): 7,
    }
    assert small_history.per_service_slot()[(MONDAY, "tax", "09:00")] == 4
    assert sum(small_history.per_level(Level.SERVICE_15MIN).values()) == 22


def test_before_keeps_only_earlier_days(small_history: ArrivalHistory):
    assert small_history.before(TUESDAY).days() == (MONDAY,)
    assert small_history.before(MONDAY).counts == ()


def test_slots_are_quarter_hours():
    assert slot_of(9 * 60 + 44) == "09:30"
    assert slot_minutes("17:45") == 17 * 60 + 45
    for bad in ("9:00", "24:00", "09:10"):
        with pytest.raises(ValueError):
            slot_minutes(bad)


def test_history_is_read_off_the_statistics_read_model(app: HallqApplication, clock: ManualClock):
    issued = [("social-security", Lane.BLUE), ("social-security", Lane.GREEN), ("tax", Lane.BLUE)]
    for n, (service, lane) in enumerate(issued):
        app.execute(IssueTicket(f"r{n}", "south-axis", service=service, lane=lane))
        clock.advance(10 * 60)  # 09:00, 09:10, 09:20 in Shanghai
    statistics = Statistics(app.hall_spec)
    LogFollower(app, [statistics]).catch_up()
    history = ArrivalHistory.from_statistics(statistics, "south-axis")
    assert history.counts == (
        ArrivalCount(MONDAY, "09:00", "social-security", "blue", 1),
        ArrivalCount(MONDAY, "09:00", "social-security", "green", 1),
        ArrivalCount(MONDAY, "09:15", "tax", "blue", 1),
    )
    assert ArrivalHistory.from_statistics(statistics, "south-axis", ["2026-03-03"]).counts == ()
