"""The `[appointments]` table: checked with clear errors, and the slots it gives a date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hallq.bootstrap import load_hall_document
from queue_core.appointment_settings import appointment_settings, plan_slots, slot_capacity
from queue_core.errors import InvalidConfiguration
from queue_core.hall_spec import hall_spec_from_mapping

DOCUMENT = load_hall_document(Path("hallq/data/south-axis.toml"))
SPEC = hall_spec_from_mapping(DOCUMENT)


def with_table(**changes: Any) -> dict[str, Any]:
    return {**DOCUMENT, "appointments": {**DOCUMENT["appointments"], **changes}}


def test_capacity_follows_the_windows_and_handling_time() -> None:
    settings = appointment_settings(DOCUMENT, SPEC)
    # social-security: 4 windows × 30 / 8 min × 0.4 = 6; business-license: 2 × 30 / 20 × 0.4 → 1
    assert slot_capacity(SPEC, settings, "social-security") == 6
    assert slot_capacity(SPEC, settings, "business-license") == 1  # at least one


def test_a_working_day_has_slots_within_the_hours_and_a_closed_day_none() -> None:
    settings = appointment_settings(DOCUMENT, SPEC)
    starts = [s.start for s in plan_slots(SPEC, settings, "2026-03-02") if s.service == "notary"]
    assert len(starts) == 6 + 7  # 09:00–11:30 and 13:30–16:30
    assert plan_slots(SPEC, settings, "2026-03-08") == []  # Sunday
    assert plan_slots(SPEC, settings, "2026-10-02") == []  # National Day, from [calendar]


def test_a_hall_without_the_table_takes_no_bookings() -> None:
    bare = {k: v for k, v in DOCUMENT.items() if k != "appointments"}
    assert plan_slots(SPEC, appointment_settings(bare, SPEC), "2026-03-02") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slot_minutes": 0}, "slot_minutes"),
        ({"share": 1.5}, "share"),
        ({"horizon_days": -1}, "horizon_days"),
        ({"hours": [["12:00", "09:00"]]}, "hours"),
        ({"hours": [["9am", "12:00"]]}, "hours"),
        ({"weekdays": [0]}, "weekdays"),
        ({"services": ["no-such-service"]}, "*"),
        ({"services": ["notary", "notary"]}, "services"),
    ],
)
def test_a_wrong_table_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidConfiguration) as wrong:
        appointment_settings(with_table(**changes), SPEC)
    assert f"appointments.{field}" in wrong.value.message_en
    assert f"appointments.{field}" in wrong.value.message_zh
