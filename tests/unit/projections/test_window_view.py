"""A window's terminal view, folded from the real application's log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from projections import WindowView
from projections.follower import LogFollower
from queue_core.application import HallqApplication
from queue_core.commands import (
    CallTicket,
    FinishService,
    OpenWindow,
    Park,
    PauseWindow,
    Recall,
    ReturnToQueue,
    StartServing,
    Transfer,
)
from queue_core.vocabulary import Lane, TransferPlacement
from tests.unit.projections.conftest import DAY, HALL, Hall, assert_rebuild_gives_the_same_state


def view(app: HallqApplication, hall: Hall, window: int) -> dict[str, Any]:
    model = WindowView(app.hall_spec)
    LogFollower(app, [model]).catch_up()
    return model.view(HALL, DAY, window, hall.clock.now())


def test_a_window_shows_its_current_ticket_with_its_wait_and_story(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=1, staff="王芳")
    hall.issue(lane=Lane.GREEN)
    hall.minutes(5)
    hall.call(1)
    hall.minutes(1)
    hall.run(Recall, window=1)  # a recall neither ends nor restarts the wait
    v = view(app, hall, 1)
    assert (v["window"], v["status"], v["staff"], v["last_rule"]) == (1, "open", "王芳", "aging")
    current = v["current"]
    assert current["number"] == "A001" and current["lane"] == "green"
    assert current["status"] == "called"
    assert current["called_at"] == "2026-03-02T01:05:00+00:00"
    assert current["waited_min"] == 5.0
    assert [line["event"] for line in current["history"]] == [
        "TicketIssued",
        "TicketCalled",
        "TicketRecalled",
    ]
    assert current["history"][1] == {
        "at": "2026-03-02T01:05:00+00:00",
        "event": "TicketCalled",
        "window": 1,
        "note": "rule aging",
    }


def test_a_transferred_ticket_arrives_with_the_previous_windows_note(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=1)
    hall.run(OpenWindow, window=3)
    hall.issue()
    hall.call(1)
    hall.run(StartServing, window=1)
    hall.run(
        Transfer,
        window=1,
        to_service="medical-insurance",
        placement=TransferPlacement.FRONT,
        note="需先办医保报销",
    )
    hall.call(3)
    current = view(app, hall, 3)["current"]
    assert current["service"] == "medical-insurance"
    transfer = current["history"][3]
    assert transfer["event"] == "TicketTransferred" and transfer["window"] == 1
    assert transfer["note"] == "to medical-insurance, at the front: 需先办医保报销"
    assert current["history"][4]["note"] == "rule requeued"


def test_a_parked_ticket_comes_back_with_its_missing_materials_and_deadline(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=5)
    hall.issue("household-registration")
    hall.call(5)
    hall.run(StartServing, window=5)
    deadline = hall.clock.now() + timedelta(hours=2)
    hall.run(Park, window=5, missing=("户口簿", "租赁合同"), until=deadline)
    assert view(app, hall, 5)["current"] is None  # parking frees the window
    hall.minutes(40)
    hall.run(ReturnToQueue, ticket="D001")
    hall.run(CallTicket, window=5, ticket="D001", reason="材料已补齐")
    history = view(app, hall, 5)["current"]["history"]
    events = [line["event"] for line in history]
    assert events[-3:] == ["TicketParked", "TicketReturned", "TicketCalled"]
    assert history[-3]["note"] == "missing 户口簿, 租赁合同; until 2026-03-02T03:00:00+00:00"
    assert history[-1]["note"] == "rule specific: 材料已补齐"
    assert view(app, hall, 5)["current"]["waited_min"] == 40.0  # from issue, not from return


def test_the_window_counts_waiting_tickets_for_each_of_its_skills(
    app: HallqApplication, hall: Hall
) -> None:
    hall.issue(lane=Lane.GREEN)
    hall.issue("medical-insurance", Lane.YELLOW)
    hall.issue("housing-fund")
    hall.issue("tax")  # not a skill of window 1
    v = view(app, hall, 1)
    assert list(v["waiting"]) == v["skills"]
    assert v["skills"] == ["social-security", "medical-insurance", "housing-fund", "long-term-care"]
    assert v["waiting"]["social-security"] == {"green": 1, "yellow": 0, "blue": 0}
    assert v["waiting"]["medical-insurance"] == {"green": 0, "yellow": 1, "blue": 0}
    assert v["waiting"]["long-term-care"] == {"green": 0, "yellow": 0, "blue": 0}


def test_a_closed_window_shows_its_defaults_and_a_paused_one_its_reason(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=3)
    hall.run(PauseWindow, window=3, reason="系统故障")
    closed = view(app, hall, 2)
    assert (closed["status"], closed["services"], closed["current"]) == (
        "closed",
        ["social-security", "medical-insurance"],
        None,
    )
    paused = view(app, hall, 3)
    assert (paused["status"], paused["pause_reason"]) == ("paused", "系统故障")


def test_history_of_a_finished_ticket_is_forgotten(app: HallqApplication, hall: Hall) -> None:
    hall.run(OpenWindow, window=1)
    hall.issue()
    hall.call(1)
    hall.run(StartServing, window=1)
    hall.run(FinishService, window=1)
    model = WindowView(app.hall_spec)
    LogFollower(app, [model]).catch_up()
    assert model.state()["history"] == {f"{HALL}/{DAY}": {}}


def test_rebuilding_the_window_view_from_zero_gives_the_state_it_reached_live(
    app: HallqApplication, hall: Hall
) -> None:
    assert_rebuild_gives_the_same_state(app, hall, "window_view")
