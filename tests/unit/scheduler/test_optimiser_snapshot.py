"""The optimiser's snapshot of a real hall-day: open windows, who is busy, queues by lane."""

from __future__ import annotations

from datetime import timedelta

import pytest

from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec, hall_spec_from_mapping
from queue_core.vocabulary import Channel, Lane
from scheduler.snapshot import PlanSettings, snapshot_from_day, switch_times
from tests.unit.scheduler.optimiser_halls import NOW

SKILLS = {1: ["a", "b"], 2: ["b", "c"], 3: ["a", "c"]}


@pytest.fixture
def spec() -> HallSpec:
    return hall_spec_from_mapping(
        {
            "id": "small",
            "name_zh": "小厅",
            "name_en": "Small hall",
            "zones": [{"id": "z", "name_zh": "区", "name_en": "Zone"}],
            "services": [
                {"id": s, "name_zh": f"业务{s}", "name_en": f"Service {s}", "prefix": s.upper(),
                 "zone": "z", "mean_handling_min": m}
                for s, m in (("a", 6), ("b", 8), ("c", 12))
            ],
            "windows": [
                {"number": n, "zone": "z", "skills": k, "default_services": k[:1]}
                for n, k in SKILLS.items()
            ],
            "policy": {
                "lane_weights": {"green": 3, "yellow": 2, "blue": 1},
                "max_wait_min": {"green": 20, "yellow": 30, "blue": 60},
            },
        }
    )  # fmt: skip


@pytest.fixture
def day(spec: HallSpec) -> HallDay:
    """Windows 1–3 open at 09:00, 09:10, 09:20; 3 then pauses; a, a, b, b, b are issued
    (a green, a yellow), and window 2 calls the first b."""
    day = HallDay.start("small", "2026-03-02")
    at = NOW - timedelta(minutes=60)
    for n in SKILLS:
        day.open_window(spec, request_id=f"o{n}", at=at + timedelta(minutes=10 * (n - 1)),
                        window=n, services=None, staff=f"staff{n}")  # fmt: skip
    day.pause_window(spec, request_id="p3", at=at, window=3, reason="break")
    for i, (service, lane) in enumerate(
        [
            ("a", Lane.GREEN),
            ("a", Lane.BLUE),
            ("b", Lane.BLUE),
            ("b", Lane.YELLOW),
            ("b", Lane.BLUE),
        ]
    ):
        day.issue_ticket(spec, request_id=f"i{i}", at=at, service=service, lane=lane,
                         channel=Channel.KIOSK)  # fmt: skip
    day.call_next(spec, request_id="c2", at=at, window=2)
    return day


def test_the_snapshot_holds_the_open_windows_with_skills_services_and_who_is_busy(spec, day):
    snapshot = snapshot_from_day(spec, day, now=NOW, frozen=frozenset({1}))
    assert snapshot.taken_at == NOW
    assert [w.number for w in snapshot.windows] == [1, 2]  # 3 is paused: away
    one, two = snapshot.windows
    assert (one.skills, one.services, one.busy, one.frozen) == (("a", "b"), ("a",), False, True)
    assert (two.skills, two.services, two.busy, two.frozen) == (("b", "c"), ("b",), True, False)


def test_the_snapshot_counts_waiting_tickets_by_service_and_lane(spec, day):
    snapshot = snapshot_from_day(spec, day, now=NOW, forecasts={"c": 9.0})
    a, b, c = (snapshot.service(s) for s in "abc")
    assert (a.waiting_green, a.waiting_yellow, a.waiting_blue) == (1, 0, 1)
    assert (b.waiting_green, b.waiting_yellow, b.waiting_blue) == (0, 1, 1)  # one was called
    assert (c.waiting, c.forecast_per_hour, a.forecast_per_hour) == (0, 9.0, 0.0)
    assert (a.mean_handling_min, c.mean_handling_min, a.name_zh) == (6, 12, "业务a")


def test_switch_times_come_from_the_days_events(spec, day):
    day.assign_services(spec, request_id="s1", at=NOW - timedelta(minutes=5), window=1,
                        services=("b",), reason="plan")  # fmt: skip
    times = switch_times(day.collect_events())
    assert times == {1: NOW - timedelta(minutes=5), 2: NOW - timedelta(minutes=50),
                     3: NOW - timedelta(minutes=40)}  # fmt: skip
    snapshot = snapshot_from_day(spec, day, now=NOW, last_switch=times, settings=PlanSettings())
    assert snapshot.window(1).services == ("b",)
    assert snapshot.must_stay(snapshot.window(1), NOW)  # switched 5 minutes ago
    assert not snapshot.must_stay(snapshot.window(1), NOW + timedelta(minutes=16))
