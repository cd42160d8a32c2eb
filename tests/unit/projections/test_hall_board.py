"""The hall board, folded from the real application's log."""

from __future__ import annotations

from projections import HallBoard
from projections.follower import LogFollower
from queue_core.application import HallqApplication
from queue_core.commands import FinishService, OpenWindow, PauseWindow, Recall, StartServing
from queue_core.vocabulary import Lane
from tests.unit.projections.conftest import DAY, HALL, Hall, assert_rebuild_gives_the_same_state


def folded(app: HallqApplication) -> HallBoard:
    board = HallBoard(app.hall_spec)
    LogFollower(app, [board]).catch_up()
    return board


def test_the_board_counts_waiting_tickets_per_service_and_lane(
    app: HallqApplication, hall: Hall
) -> None:
    hall.issue(lane=Lane.GREEN)
    hall.issue(lane=Lane.GREEN)
    hall.issue(lane=Lane.BLUE)
    hall.issue("tax", Lane.YELLOW)
    board = folded(app).board(HALL, DAY)
    services = {s["service"]: s for s in board["services"]}
    assert services["social-security"]["waiting"] == {"green": 2, "yellow": 0, "blue": 1}
    assert services["tax"]["waiting"] == {"green": 0, "yellow": 1, "blue": 0}
    assert services["tax"]["name_zh"] == "税务" and services["tax"]["zone"] == "gov"
    spec = app.hall_spec(HALL)
    assert [s["service"] for s in board["services"]] == [s.id for s in spec.services]
    assert (board["hall"], board["day"]) == (HALL, DAY)


def test_a_called_ticket_leaves_the_waiting_counts_and_shows_at_its_window(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=1, staff="王芳")
    hall.issue(lane=Lane.BLUE)
    hall.minutes(1)
    hall.issue(lane=Lane.GREEN)
    hall.minutes(1)
    number = hall.call(1)
    board = folded(app).board(HALL, DAY)
    assert number == "A002"  # waited 1 min × weight 3 against 2 min × 1
    assert board["services"][0]["waiting"] == {"green": 0, "yellow": 0, "blue": 1}
    one = board["windows"][0]
    assert one == {
        "number": 1,
        "status": "open",
        "services": ["social-security"],
        "staff": "王芳",
        "pause_reason": "",
        "current": "A002",
    }


def test_every_window_of_the_hall_is_listed_in_order_with_its_state(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=3)
    hall.run(PauseWindow, window=3, reason="午休")
    windows = folded(app).board(HALL, DAY)["windows"]
    assert [w["number"] for w in windows] == list(range(1, 21))
    assert windows[2]["status"] == "paused" and windows[2]["pause_reason"] == "午休"
    assert windows[1]["status"] == "closed"
    assert windows[1]["services"] == ["social-security", "medical-insurance"]  # its defaults


def test_last_calls_are_newest_first_and_a_recall_counts_as_a_call(
    app: HallqApplication, hall: Hall
) -> None:
    hall.run(OpenWindow, window=1)
    hall.run(OpenWindow, window=3)
    hall.issue()
    hall.issue("medical-insurance")
    hall.call(1)
    hall.minutes(1)
    hall.call(3)
    hall.minutes(1)
    hall.run(Recall, window=1)
    calls = folded(app).board(HALL, DAY)["last_calls"]
    assert [(c["number"], c["window"], c["service"]) for c in calls] == [
        ("A001", 1, "social-security"),
        ("B001", 3, "medical-insurance"),
        ("A001", 1, "social-security"),
    ]
    assert calls[0]["at"] == "2026-03-02T01:02:00+00:00"


def test_the_board_keeps_only_the_ten_latest_calls(app: HallqApplication, hall: Hall) -> None:
    hall.run(OpenWindow, window=1)
    for _ in range(12):
        hall.issue()
    for _ in range(12):
        hall.call(1)
        hall.run(StartServing, window=1)
        hall.run(FinishService, window=1)
    calls = folded(app).board(HALL, DAY)["last_calls"]
    assert [c["number"] for c in calls] == [f"A{n:03d}" for n in range(12, 2, -1)]


def test_a_day_without_events_is_an_empty_closed_hall_and_days_lists_what_was_seen(
    app: HallqApplication, hall: Hall
) -> None:
    hall.issue()
    hall.minutes(24 * 60)
    hall.issue()
    board = folded(app)
    assert board.days(HALL) == ["2026-03-02", "2026-03-03"]
    empty = board.board(HALL, "2026-03-04")
    assert all(w["status"] == "closed" and w["current"] is None for w in empty["windows"])
    assert all(sum(s["waiting"].values()) == 0 for s in empty["services"])
    assert empty["last_calls"] == []


def test_rebuilding_the_board_from_zero_gives_the_state_it_reached_live(
    app: HallqApplication, hall: Hall
) -> None:
    assert_rebuild_gives_the_same_state(app, hall, "hall_board")


def test_a_board_asked_after_every_command_is_the_board_rebuilt_from_zero(
    app: HallqApplication, hall: Hall
) -> None:
    """The board reuses the rows that did not change since the last one it built: asked
    after every step of a busy morning, it is always what a fresh fold of the log gives,
    and the row of a window the step left alone is the very same object as before."""
    live = HallBoard(app.hall_spec)
    follower = LogFollower(app, [live])
    steps = [
        lambda: hall.run(OpenWindow, window=1, staff="王芳"),
        lambda: hall.run(OpenWindow, window=2),
        lambda: hall.issue(lane=Lane.GREEN),
        lambda: hall.issue("tax", Lane.YELLOW),
        lambda: hall.issue(),
        lambda: hall.call(1),
        lambda: hall.run(StartServing, window=1),
        lambda: hall.run(PauseWindow, window=2, reason="午休"),
        lambda: hall.run(FinishService, window=1),
        lambda: hall.call(1),
        lambda: hall.minutes(1),
        lambda: hall.run(Recall, window=1),
    ]
    spec = app.hall_spec(HALL)

    def window_states() -> list[object]:
        shadow = live.shadow.get(HALL, DAY)
        return [shadow.windows.get(w.number) if shadow else None for w in spec.windows]

    before, states = live.board(HALL, DAY), window_states()
    for step in steps:
        step()
        follower.catch_up()
        board = live.board(HALL, DAY)
        assert board == folded(app).board(HALL, DAY)
        now_states = window_states()
        for old, new, was, now in zip(
            before["windows"], board["windows"], states, now_states, strict=True
        ):
            if was is now and was is not None:  # the step left this window as it was
                assert new is old
        before, states = board, now_states
