"""The day's statistics in quarter hours, folded from the real application's log."""

from __future__ import annotations

from typing import Any

from projections import Statistics
from projections.follower import LogFollower
from queue_core.application import HallqApplication
from queue_core.commands import FinishService, MarkNoShow, OpenWindow, StartServing, Transfer
from queue_core.vocabulary import Lane
from tests.unit.projections.conftest import DAY, HALL, Hall, assert_rebuild_gives_the_same_state


def folded(app: HallqApplication) -> Statistics:
    model = Statistics(app.hall_spec)
    LogFollower(app, [model]).catch_up()
    return model


def nonzero(rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Each cell's key and only its counters that are not zero: short expectations."""
    keys = ("bucket", "service", "lane", "window")
    return {
        tuple(r[k] for k in keys): {k: v for k, v in r.items() if k not in keys and v} for r in rows
    }


def small_morning(hall: Hall) -> None:
    """09:00 A001 blue; 09:05 A002 green; window 1 serves both, window 3 sends B001 over."""
    hall.issue(lane=Lane.BLUE)
    hall.minutes(5)
    hall.issue(lane=Lane.GREEN)
    hall.run(OpenWindow, window=1)
    hall.minutes(5)
    assert hall.call(1) == "A002"  # 09:10, waited 5 min
    hall.run(StartServing, window=1)
    hall.minutes(6)
    hall.run(FinishService, window=1, rating=5)  # 09:16, handled in 6 min
    hall.issue("medical-insurance", Lane.YELLOW)
    hall.minutes(4)
    assert hall.call(1) == "A001"  # 09:20, waited 20 min
    hall.minutes(1)
    hall.run(MarkNoShow, window=1)
    hall.run(OpenWindow, window=3)
    hall.minutes(10)
    assert hall.call(3) == "B001"  # 09:31, waited 15 min
    hall.run(StartServing, window=3)
    hall.minutes(2)
    hall.run(Transfer, window=3, to_service="social-security")
    assert hall.call(1) == "B001"  # a second call: no second wait
    hall.run(StartServing, window=1)
    hall.minutes(7)
    hall.run(FinishService, window=1, rating=3)  # 09:40, handled in 7 min


def test_a_small_morning_lands_in_its_quarter_hours_of_local_time(
    app: HallqApplication, hall: Hall
) -> None:
    small_morning(hall)
    assert nonzero(folded(app).rows(HALL, DAY)) == {
        ("09:00", "social-security", "blue", None): {"arrivals": 1},
        ("09:00", "social-security", "green", None): {"arrivals": 1},
        ("09:00", "social-security", "green", 1): {
            "calls": 1, "wait_count": 1, "wait_sum_min": 5.0, "wait_max_min": 5.0,
        },
        ("09:15", "medical-insurance", "yellow", None): {"arrivals": 1},
        ("09:15", "social-security", "blue", 1): {
            "calls": 1, "wait_count": 1, "wait_sum_min": 20.0, "wait_max_min": 20.0,
            "no_shows": 1,
        },
        ("09:15", "social-security", "green", 1): {
            "handled": 1, "handling_sum_min": 6.0, "ratings": 1, "rating_sum": 5,
        },
        ("09:30", "medical-insurance", "yellow", 3): {
            "calls": 1, "wait_count": 1, "wait_sum_min": 15.0, "wait_max_min": 15.0,
            "transfers": 1,
        },
        ("09:30", "social-security", "yellow", 1): {
            "calls": 1, "handled": 1, "handling_sum_min": 7.0, "ratings": 1, "rating_sum": 3,
        },
    }  # fmt: skip


def test_every_row_has_every_counter_and_is_sorted(app: HallqApplication, hall: Hall) -> None:
    small_morning(hall)
    rows = folded(app).rows(HALL, DAY)
    assert rows[0] == {
        "bucket": "09:00",
        "service": "social-security",
        "lane": "blue",
        "window": None,
        "arrivals": 1,
        "calls": 0,
        "wait_count": 0,
        "wait_sum_min": 0,
        "wait_max_min": 0,
        "handled": 0,
        "handling_sum_min": 0,
        "no_shows": 0,
        "transfers": 0,
        "ratings": 0,
        "rating_sum": 0,
    }
    assert [r["bucket"] for r in rows] == sorted(r["bucket"] for r in rows)


def test_the_summary_of_a_small_morning(app: HallqApplication, hall: Hall) -> None:
    small_morning(hall)
    assert folded(app).summary(HALL, DAY) == {
        "arrivals": 3,
        "served": 2,
        "no_shows": 1,
        "transfers": 1,
        "mean_wait_min": 13.33,
        "mean_handling_min": 6.5,
        "mean_rating": 4.0,
        "by_lane": {
            "green": {"arrivals": 1, "mean_wait_min": 5.0},
            "yellow": {"arrivals": 1, "mean_wait_min": 15.0},
            "blue": {"arrivals": 1, "mean_wait_min": 20.0},
        },
    }


def test_a_quarter_hour_starts_on_its_first_second(app: HallqApplication, hall: Hall) -> None:
    hall.clock.advance(14 * 60 + 59)
    hall.issue()  # 09:14:59
    hall.clock.advance(1)
    hall.issue()  # 09:15:00
    buckets = [r["bucket"] for r in folded(app).rows(HALL, DAY)]
    assert buckets == ["09:00", "09:15"]


def test_a_quiet_day_has_no_rows_and_an_empty_summary(app: HallqApplication) -> None:
    model = folded(app)
    assert model.rows(HALL, DAY) == []
    summary = model.summary(HALL, DAY)
    assert summary["arrivals"] == 0 and summary["mean_wait_min"] is None
    assert summary["by_lane"]["green"] == {"arrivals": 0, "mean_wait_min": None}


def test_rebuilding_the_statistics_from_zero_gives_the_state_they_reached_live(
    app: HallqApplication, hall: Hall
) -> None:
    assert_rebuild_gives_the_same_state(app, hall, "statistics")
