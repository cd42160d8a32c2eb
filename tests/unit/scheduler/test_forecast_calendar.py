"""The hall calendar: seasons, closed days, and the reference hall's own calendar."""

from __future__ import annotations

from datetime import date

import pytest

from hallq.bootstrap import load_hall_document
from hallq.settings import reference_hall_path
from queue_core.hall_spec import hall_spec_from_mapping
from scheduler.forecast_calendar import Calendar
from tests.conftest import HALL

CALENDAR = Calendar.from_mapping(
    {
        "seasons": [
            {"name": "enrolment", "start": "09-01", "end": "09-15", "services": ["school-enrolment"], "multiplier": 3.0},
            {"name": "year end", "start": "12-20", "end": "01-10", "multiplier": 1.5},
            {"name": "deadline", "start": "09-10", "end": "09-10", "services": ["school-enrolment"], "multiplier": 2.0},
        ],
        "closed": [{"date": "2026-01-01"}, {"start": "2026-10-01", "end": "2026-10-07"}],
    }
)  # fmt: skip


@pytest.mark.parametrize(
    ("day", "service", "multiplier"),
    [
        (date(2026, 9, 1), "school-enrolment", 3.0),
        (date(2026, 9, 15), "school-enrolment", 3.0),
        (date(2026, 9, 16), "school-enrolment", 1.0),
        (date(2026, 9, 1), "tax", 1.0),
        (date(2026, 9, 10), "school-enrolment", 6.0),  # overlapping seasons multiply
        (date(2026, 12, 31), "tax", 1.5),  # a season without services covers every one
        (date(2027, 1, 10), "tax", 1.5),  # … and may wrap the new year
        (date(2027, 1, 11), "tax", 1.0),
    ],
)
def test_seasons_multiply_the_services_they_name(day, service, multiplier):
    assert CALENDAR.multiplier(day, service) == multiplier


def test_closed_days_include_whole_ranges():
    assert CALENDAR.is_closed(date(2026, 1, 1))
    assert all(CALENDAR.is_closed(date(2026, 10, d)) for d in range(1, 8))
    assert not CALENDAR.is_closed(date(2026, 10, 8))


@pytest.mark.parametrize(
    "raw",
    [
        {"seasons": [{"start": "13-01", "end": "09-15"}]},
        {"seasons": [{"start": "09-01", "end": "09-31"}]},
        {"seasons": [{"start": "09-01", "end": "09-15", "multiplier": 0}]},
        {"closed": [{"day": "2026-10-01"}]},
        {"closed": [{"date": "2026-13-01"}]},
    ],
)
def test_bad_entries_are_refused(raw):
    with pytest.raises(ValueError, match="calendar"):
        Calendar.from_mapping(raw)


def test_the_reference_hall_carries_an_enrolment_season_for_its_education_services():
    path = reference_hall_path()
    spec = hall_spec_from_mapping(load_hall_document(path))  # the core ignores [calendar]
    calendar = Calendar.from_toml(path)
    assert spec.id == HALL
    assert calendar.unknown_services(s.id for s in spec.services) == []
    education = {s.id for s in spec.services if s.zone == "edu"}
    enrolment_day = date(2026, 9, 3)
    assert {
        s.id for s in spec.services if calendar.multiplier(enrolment_day, s.id) == 3.0
    } == education
    assert calendar.is_closed(date(2026, 10, 1))


def test_a_file_without_calendar_gives_an_empty_one(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_text('id = "x"\n', encoding="utf-8")
    assert Calendar.from_toml(path) == Calendar()
