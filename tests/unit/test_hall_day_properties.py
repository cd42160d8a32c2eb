"""Property-based: random command sequences against a small reference model of the hall.

Remote tickets (远程取号) are in the model too: issued only while a window skilled for the
service is open, never called before they arrive, lapsed exactly when the hall's grace
since call next first passed them over has run out.

After every step: no ticket is held by two windows, every ticket is in exactly one place,
numbers are unique and dense per prefix, replaying the stored events (with and without
snapshots) gives the live state, and a retried request id writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from hallq.settings import Settings
from queue_core.application import HallqApplication
from queue_core.commands import (
    CallNext,
    CallTicket,
    CancelTicket,
    CloseWindow,
    Command,
    ConfirmArrival,
    FinishService,
    IssueTicket,
    LapseRemoteTickets,
    MarkNoShow,
    OpenWindow,
    Park,
    PauseWindow,
    Recall,
    Reinstate,
    ResumeWindow,
    ReturnToQueue,
    StartServing,
    Transfer,
)
from queue_core.errors import DomainError
from queue_core.hall_day import HallDay
from queue_core.ids import hall_day_id
from queue_core.ports import ManualClock
from queue_core.vocabulary import Channel, Lane
from queue_core.vocabulary import TicketStatus as S

HALL = "tiny"
SERVICES = {"a": "A", "b": "B", "c": "B"}  # b and c share a prefix, and so a counter
SKILLS = {1: ("a", "b"), 2: ("b", "c"), 3: ("a", "c")}


def tiny_hall() -> dict[str, Any]:
    return {
        "id": HALL,
        "name_zh": "小厅",
        "name_en": "Tiny hall",
        "zones": [{"id": "z", "name_zh": "区", "name_en": "Zone"}],
        "services": [
            {"id": s, "name_zh": s, "name_en": s, "prefix": p, "zone": "z", "mean_handling_min": 5}
            for s, p in SERVICES.items()
        ],
        "windows": [
            {"number": n, "zone": "z", "skills": list(k), "default_services": [k[0]]}
            for n, k in SKILLS.items()
        ],
        "policy": {
            "lane_weights": {"green": 3, "yellow": 2, "blue": 1},
            "max_wait_min": {"green": 20, "yellow": 30, "blue": 60},
            "min_recall_interval_s": 30,
            "auto_no_show_after_recalls": 2,
        },
    }


# What the model expects an accepted window action to do to the window's current ticket.
WINDOW_ACTIONS = {
    "start": (S.CALLED, S.SERVING),
    "finish": (S.SERVING, S.DONE),
    "no_show": (S.CALLED, S.NO_SHOW),
    "park": ((S.CALLED, S.SERVING), S.PARKED),
    "transfer": (S.SERVING, S.WAITING),
}

windows = st.sampled_from(sorted(SKILLS))
DAY_ENDS = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
GRACE = timedelta(minutes=15)  # the policy's remote_grace_min (its default)
CLOSED = (S.DONE, S.CANCELLED, S.LAPSED)


class HallMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
        self.app = HallqApplication(self.clock, env=Settings(store="memory").eventsourcing_env())
        self.app.SNAPSHOT_INTERVAL = 7  # type: ignore[misc]  # snapshots every few steps
        self.app.configure_hall(tiny_hall())
        self.n = 0
        self.tickets: dict[str, tuple[S, str]] = {}  # model: number -> (status, service)
        self.windows: dict[int, tuple[str, str | None]] = {w: ("closed", None) for w in SKILLS}
        self.reinstated: set[str] = set()
        self.passed: dict[str, datetime] = {}  # remote tickets call next has passed over
        self.last: tuple[Command, Any] | None = None

    # ---- helpers ---------------------------------------------------------------------

    def rid(self) -> str:
        self.n += 1
        return f"q{self.n}"

    def run(self, command: Command) -> Any:
        try:
            result: Any = self.app.execute(command)
        except DomainError as error:
            result = error
        self.last = (command, result)
        return result

    def day(self) -> HallDay:
        """The live day (a day whose every command was refused is not stored at all)."""
        live = self.app._days.get(hall_day_id(HALL, self.app.day_of(HALL)))
        return live or self.app.get_day(HALL)

    def ticket_numbers(self) -> list[str]:
        return sorted(self.tickets)

    # ---- rules -----------------------------------------------------------------------

    @initialize(opened=st.booleans())
    def maybe_open_window_1(self, opened: bool) -> None:
        """Often start with a window open: remote tickets, calls and lapses need one."""
        if opened:
            self.open_window(1)

    @rule(service=st.sampled_from(sorted(SERVICES)), lane=st.sampled_from(list(Lane)))
    def issue(self, service: str, lane: Lane) -> None:
        outcome = self.run(IssueTicket(self.rid(), HALL, service, lane))
        assert not isinstance(outcome, DomainError)
        prefix = SERVICES[service]
        used = [n for n in self.tickets if n[0] == prefix]
        assert outcome.ticket == f"{prefix}{len(used) + 1:03d}"
        self.tickets[outcome.ticket] = (S.WAITING, service)

    @rule(service=st.sampled_from(sorted(SERVICES)))
    def issue_remote(self, service: str) -> None:
        command = IssueTicket(self.rid(), HALL, service, channel=Channel.MOBILE, remote=True)
        outcome = self.run(command)
        served = any(s != "closed" and service in SKILLS[w] for w, (s, _) in self.windows.items())
        assert isinstance(outcome, DomainError) != served, outcome
        if served:
            self.tickets[outcome.ticket] = (S.REMOTE, service)

    @rule(window=windows, service=st.sampled_from(sorted(SERVICES)))
    def a_walk_in_behind_a_remote_ticket_is_called(self, window: int, service: str) -> None:
        """Three steps that random choice seldom lines up: the way to a passed-over ticket."""
        self.issue_remote(service)
        self.issue(service, Lane.BLUE)
        self.call_next(window)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data())
    def confirm_arrival(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self.ticket_numbers()))
        status, service = self.tickets[number]
        result = self.run(ConfirmArrival(self.rid(), HALL, number, kiosk="K1"))
        assert isinstance(result, DomainError) != (status is S.REMOTE), (number, status)
        if status is S.REMOTE:
            self.tickets[number] = (S.WAITING, service)

    @rule()
    def lapse_remote_tickets(self) -> None:
        now = self.clock.now()
        due = sorted(
            n
            for n, (status, _) in self.tickets.items()
            if status is S.REMOTE and n in self.passed and now - self.passed[n] >= GRACE
        )
        result = self.run(LapseRemoteTickets(self.rid(), HALL))
        assert isinstance(result, DomainError) == (not due), (due, result)
        for number in due:
            self.tickets[number] = (S.LAPSED, self.tickets[number][1])

    def note_passed_over(self, window: int) -> None:
        """Remote tickets a call just passed over: of the window's skills, marked once."""
        day = self.day()
        for number, (status, _) in self.tickets.items():
            if status is not S.REMOTE:
                continue
            passed_at = day.tickets[number].passed_at
            if number in self.passed:
                assert passed_at == self.passed[number]
            elif passed_at is not None:
                assert passed_at == self.clock.now()
                assert day.tickets[number].service in SKILLS[window]
                self.passed[number] = passed_at

    @rule(window=windows)
    def open_window(self, window: int) -> None:
        result = self.run(OpenWindow(self.rid(), HALL, window))
        assert isinstance(result, DomainError) == (self.windows[window][0] != "closed")
        if not isinstance(result, DomainError):
            self.windows[window] = ("open", None)

    @rule(window=windows)
    def close_window(self, window: int) -> None:
        state, current = self.windows[window]
        result = self.run(CloseWindow(self.rid(), HALL, window))
        assert isinstance(result, DomainError) == (state == "closed" or current is not None)
        if not isinstance(result, DomainError):
            self.windows[window] = ("closed", None)

    @rule(window=windows, pause=st.booleans())
    def pause_or_resume(self, window: int, pause: bool) -> None:
        state, current = self.windows[window]
        command = (
            PauseWindow(self.rid(), HALL, window, "break")
            if pause
            else ResumeWindow(self.rid(), HALL, window)
        )
        result = self.run(command)
        expected_from = "open" if pause else "paused"
        assert isinstance(result, DomainError) == (state != expected_from)
        if not isinstance(result, DomainError):
            self.windows[window] = ("paused" if pause else "open", current)

    @rule(window=windows)
    def call_next(self, window: int) -> None:
        state, current = self.windows[window]
        callable_ = [
            n for n, (s, svc) in self.tickets.items() if s is S.WAITING and svc in SKILLS[window]
        ]
        result = self.run(CallNext(self.rid(), HALL, window))
        if state != "open" or current is not None or not callable_:
            assert isinstance(result, DomainError)
            return
        transferred_elsewhere = {
            n for n, t in self.day().tickets.items() if t.target_window not in (None, window)
        }
        if set(callable_) <= transferred_elsewhere:
            assert isinstance(result, DomainError)
            return
        assert not isinstance(result, DomainError), result
        assert result.ticket in callable_  # never an unconfirmed remote ticket
        self.tickets[result.ticket] = (S.CALLED, self.tickets[result.ticket][1])
        self.windows[window] = (state, result.ticket)
        self.note_passed_over(window)

    @precondition(lambda self: self.tickets)
    @rule(window=windows, data=st.data())
    def call_specific(self, window: int, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self.ticket_numbers()))
        result = self.run(CallTicket(self.rid(), HALL, window, number, "asked for"))
        if not isinstance(result, DomainError):
            status, service = self.tickets[number]
            assert status is S.WAITING and self.windows[window] == ("open", None)
            self.tickets[number] = (S.CALLED, service)
            self.windows[window] = ("open", number)

    @rule(window=windows, action=st.sampled_from(sorted(WINDOW_ACTIONS)))
    def window_action(self, window: int, action: str) -> None:
        current = self.windows[window][1]
        command: Command = {
            "start": StartServing(self.rid(), HALL, window),
            "finish": FinishService(self.rid(), HALL, window, rating=5),
            "no_show": MarkNoShow(self.rid(), HALL, window),
            "park": Park(
                self.rid(), HALL, window, ("证明",), self.clock.now() + timedelta(minutes=30)
            ),
            "transfer": Transfer(self.rid(), HALL, window, to_service="c" if window != 2 else "b"),
        }[action]
        result = self.run(command)
        allowed_from, after = WINDOW_ACTIONS[action]
        allowed = allowed_from if isinstance(allowed_from, tuple) else (allowed_from,)
        status = self.tickets[current][0] if current else None
        transfer_is_noop = (
            action == "transfer" and current and self.tickets[current][1] == command.to_service
        )  # type: ignore[attr-defined]
        expect_ok = current is not None and status in allowed and not transfer_is_noop
        assert isinstance(result, DomainError) != expect_ok, (action, current, status, result)
        if expect_ok:
            service = command.to_service if action == "transfer" else self.tickets[current][1]  # type: ignore[attr-defined]
            self.tickets[current] = (after, service)  # type: ignore[index]
            if after is not S.SERVING:
                self.windows[window] = (self.windows[window][0], None)

    @rule(window=windows)
    def recall(self, window: int) -> None:
        current = self.windows[window][1]
        result = self.run(Recall(self.rid(), HALL, window))
        if current is None or self.tickets[current][0] is not S.CALLED:
            assert isinstance(result, DomainError)
        elif not isinstance(result, DomainError) and result.event == "TicketMarkedNoShow":
            self.tickets[current] = (S.NO_SHOW, self.tickets[current][1])
            self.windows[window] = (self.windows[window][0], None)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), action=st.sampled_from(["return", "cancel", "reinstate"]))
    def ticket_action(self, data: st.DataObject, action: str) -> None:
        number = data.draw(st.sampled_from(self.ticket_numbers()))
        status, service = self.tickets[number]
        command = {
            "return": ReturnToQueue(self.rid(), HALL, number),
            "cancel": CancelTicket(self.rid(), HALL, number),
            "reinstate": Reinstate(self.rid(), HALL, number),
        }[action]
        result = self.run(command)
        allowed = {
            "return": {S.CALLED, S.PARKED},
            "cancel": {S.WAITING, S.PARKED, S.REMOTE},
            "reinstate": {S.NO_SHOW} if number not in self.reinstated else set(),
        }[action]
        assert isinstance(result, DomainError) != (status in allowed), (
            action,
            number,
            status,
            result,
        )
        if not isinstance(result, DomainError):
            self.tickets[number] = (S.CANCELLED if action == "cancel" else S.WAITING, service)
            if action == "reinstate":
                self.reinstated.add(number)
            for w, (state, current) in self.windows.items():
                if current == number:
                    self.windows[w] = (state, None)

    @rule(minutes=st.integers(0, 40))
    def time_passes(self, minutes: int) -> None:
        # The model is one hall-day: stop before local midnight (09:00 + 14 h), where the
        # hall would start a new day with every window closed.
        late = self.clock.now() + timedelta(minutes=minutes) > DAY_ENDS
        self.clock.advance(0 if late else minutes * 60)

    @precondition(lambda self: self.last is not None)
    @rule()
    def retry_the_last_command(self) -> None:
        command, first = self.last  # type: ignore[misc]
        version = self.day().version
        again = self.run(command)
        if isinstance(first, DomainError):
            return  # a refusal wrote nothing and is not remembered; a retry is checked afresh
        assert again == type(first)(**{**first.__dict__, "replayed": True})
        assert self.day().version == version

    # ---- invariants ------------------------------------------------------------------

    @invariant()
    def the_model_and_the_hall_agree(self) -> None:
        if not self.tickets and not any(s != "closed" for s, _ in self.windows.values()):
            return
        day = self.day()
        for number, (status, service) in self.tickets.items():
            if status in CLOSED:
                assert number not in day.tickets and day.was_issued(number)
            else:
                assert day.tickets[number].status is status, number
                assert day.tickets[number].service == service
        for w, (state, current) in self.windows.items():
            live = day.windows.get(w)
            assert (live.status.value if live else "closed") == state
            assert (live.current if live else None) == current

    @invariant()
    def no_ticket_is_held_by_two_windows_and_each_is_in_one_place(self) -> None:
        if hall_day_id(HALL, self.app.day_of(HALL)) not in self.app._days:
            return
        day = self.day()
        held = [w.current for w in day.windows.values() if w.current is not None]
        assert len(held) == len(set(held))
        waiting = [t.number for t in day.waiting()]
        assert len(waiting) == len(set(waiting))
        assert not set(waiting) & set(held)
        for number in held:
            assert day.tickets[number].status in (S.CALLED, S.SERVING)
            assert day.tickets[number].window in {
                w.number for w in day.windows.values() if w.current == number
            }
        remote = [t.number for t in day.remote()]
        assert len(remote) == len(set(remote)) and not set(remote) & (set(waiting) | set(held))
        for t in day.tickets.values():
            assert (t.status is S.WAITING) == (t.number in waiting)
            assert (t.status is S.REMOTE) == (t.number in remote)

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        day_id = hall_day_id(HALL, self.app.day_of(HALL))
        if day_id not in self.app._days:
            return
        live = self.day()._to_state()
        with_snapshots: HallDay = self.app.repository.get(day_id)
        from_events: Any = None
        for event in self.app.events.get(day_id):
            from_events = event.mutate(from_events)
        assert with_snapshots._to_state() == live
        assert from_events._to_state() == live


TestHallDay = HallMachine.TestCase
TestHallDay.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
