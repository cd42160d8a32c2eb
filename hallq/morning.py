"""A scripted morning through the real core: what `make demo` shows before the server.

Residents arrive at random (seeded, so every run tells the same story), windows call,
serve, recall, transfer and park through the very commands staff will use, on the
embedded SQLite store, in virtual time. Each line is one thing a supervisor would see.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from hallq.bootstrap import build_application
from hallq.settings import Settings
from queue_core.application import HallqApplication
from queue_core.commands import (
    CallNext,
    Command,
    FinishService,
    IssueTicket,
    OpenWindow,
    Park,
    PauseWindow,
    Recall,
    ResumeWindow,
    ReturnToQueue,
    StartServing,
    Transfer,
)
from queue_core.errors import DomainError, NothingToCall
from queue_core.outcome import Outcome
from queue_core.ports import ManualClock
from queue_core.vocabulary import LANE_NAMES_ZH, Channel, Lane

HALL = "south-axis"
OPEN_WINDOWS = (1, 2, 3, 5, 6, 8, 11, 12, 15, 18)
RULES_ZH = {
    "overdue": "超过通道保障时限",
    "appointment": "预约时段内",
    "requeued": "转办/回队优先",
    "aging": "等候时间×通道权重",
    "issue_order": "取号先后",
    "specific": "指定叫号",
}


@dataclass
class Visit:
    ticket: str
    service: str
    lane: Lane
    arrived: datetime
    called: datetime | None = None
    handling_min: float = 5.0
    no_show: bool = False
    serving: bool = False


class Morning:
    def __init__(self, app: HallqApplication, clock: ManualClock, out: TextIO, seed: int) -> None:
        self.app, self.clock, self.out = app, clock, out
        self.rng = random.Random(seed)
        self.spec = app.hall_spec(HALL)
        self.zone = ZoneInfo(self.spec.timezone)
        self.visits: dict[str, Visit] = {}
        self.at_window: dict[int, tuple[str, datetime]] = {}  # window -> (ticket, since)
        self.parked: list[tuple[str, datetime]] = []  # (ticket, when its resident comes back)
        self.n = 0

    def say(self, zh: str, en: str) -> None:
        stamp = self.clock.now().astimezone(self.zone).strftime("%H:%M")
        self.out.write(f"{stamp}  {zh}\n       {en}\n")

    def run(self, command: Command) -> Outcome:
        self.n += 1
        return self.app.execute(command)

    def rid(self) -> str:
        return f"morning-{self.n}"

    # ---- actors ----------------------------------------------------------------------

    def open_hall(self) -> None:
        for w in OPEN_WINDOWS:
            self.run(OpenWindow(self.rid(), HALL, w, staff=f"staff-{w}"))
        names = "、".join(str(w) for w in OPEN_WINDOWS)
        self.say(
            f"开门：{names} 号窗口开始受理",
            f"Doors open: windows {', '.join(map(str, OPEN_WINDOWS))} open",
        )

    def resident_arrives(self) -> None:
        served = {s for w in OPEN_WINDOWS for s in self.spec.window(w).skills}
        service = self.spec.service(self.rng.choice(sorted(served)))
        lanes = [lane for lane in (Lane.GREEN, Lane.YELLOW, Lane.BLUE) if lane in service.lanes]
        weights = {Lane.GREEN: 0.2, Lane.YELLOW: 0.15, Lane.BLUE: 0.65}
        lane = self.rng.choices(lanes, [weights[x] for x in lanes])[0]
        channel = self.rng.choice([Channel.KIOSK, Channel.KIOSK, Channel.MOBILE])
        outcome = self.run(IssueTicket(self.rid(), HALL, service.id, lane, channel))
        ticket = outcome.ticket or ""
        handling = max(1.0, self.rng.lognormvariate(0, 0.5) * service.mean_handling_min)
        self.visits[ticket] = Visit(
            ticket, service.id, lane, self.clock.now(), handling_min=handling
        )
        self.visits[ticket].no_show = self.rng.random() < 0.04
        self.say(
            f"取号 {ticket} · {service.name_zh} · {LANE_NAMES_ZH[lane]} · {channel.value}",
            f"Ticket {ticket} taken for {service.name_en}, {lane.value} lane, via {channel.value}",
        )

    def window_turn(self, window: int) -> None:
        now = self.clock.now()
        if window not in self.at_window:
            self.call(window)
            return
        ticket, since = self.at_window[window]
        visit = self.visits[ticket]
        minutes = (now - since).total_seconds() / 60
        if not visit.serving and visit.no_show:
            self.absent(window, ticket, minutes)
        elif not visit.serving and minutes >= 1:
            self.run(StartServing(self.rid(), HALL, window))
            visit.serving = True
            self.at_window[window] = (ticket, now)
        elif visit.serving and minutes >= visit.handling_min:
            visit.serving = False
            self.finish(window, visit)

    def call(self, window: int) -> None:
        try:
            outcome = self.run(CallNext(self.rid(), HALL, window))
        except NothingToCall:
            return
        except DomainError:
            return  # paused
        ticket = outcome.ticket or ""
        visit = self.visits[ticket]
        visit.called = visit.called or self.clock.now()
        self.at_window[window] = (ticket, self.clock.now())
        waited = (self.clock.now() - visit.arrived).total_seconds() / 60
        rule = outcome.rule.removeprefix("fallback:")
        spare = "（空闲窗口兼办）" if outcome.rule.startswith("fallback:") else ""
        self.say(
            f"叫号 请 {ticket} 号到 {window} 号窗口办理 — 已等 {waited:.0f} 分钟，依据：{RULES_ZH[rule]}{spare}",
            f"Call: ticket {ticket}, please go to window {window} — waited {waited:.0f} min; rule: {outcome.rule}",
        )

    def absent(self, window: int, ticket: str, minutes: float) -> None:
        if minutes < 0.5:
            return
        outcome = self.run(Recall(self.rid(), HALL, window))
        if outcome.event == "TicketMarkedNoShow":
            del self.at_window[window]
            self.say(f"过号 {ticket} 号三次呼叫未到，{window} 号窗口继续叫号",
                     f"No-show: {ticket} did not come after three recalls; window {window} moves on")  # fmt: skip
        else:
            self.say(
                f"重呼 请 {ticket} 号到 {window} 号窗口",
                f"Recall: ticket {ticket} to window {window}",
            )

    def finish(self, window: int, visit: Visit) -> None:
        roll = self.rng.random()
        if roll < 0.06 and visit.service == "social-security":
            self.run(
                Transfer(
                    self.rid(), HALL, window, to_service="medical-insurance", note="医保关系转移"
                )
            )
            self.say(f"转办 {visit.ticket} 号转至医保，保留原取号时间", f"Transfer: {visit.ticket} moves to medical insurance, keeping its place")  # fmt: skip
            visit.service, visit.handling_min = "medical-insurance", 6
        elif roll < 0.1:
            until = self.clock.now() + timedelta(minutes=40)
            self.run(Park(self.rid(), HALL, window, ("户口簿 household register",), until))
            self.say(f"容缺受理 {visit.ticket} 号缺户口簿，40 分钟内补齐后优先办理", f"Parked: {visit.ticket} must bring the household register within 40 min, then goes first")  # fmt: skip
            self.parked.append((visit.ticket, self.clock.now() + timedelta(minutes=25)))
        else:
            rating = self.rng.choice([5, 5, 5, 4, 4, 3])
            self.run(FinishService(self.rid(), HALL, window, rating=rating))
            self.say(f"办结 {visit.ticket} 号（{window} 号窗口），评价 {rating} 星", f"Done: {visit.ticket} at window {window}, rated {rating}/5")  # fmt: skip
        del self.at_window[window]

    def returns(self) -> None:
        for ticket, back_at in list(self.parked):
            if self.clock.now() >= back_at:
                self.parked.remove((ticket, back_at))
                self.run(ReturnToQueue(self.rid(), HALL, ticket))
                self.say(f"回队 {ticket} 号补齐材料，按原取号时间优先", f"Back: {ticket} brought the papers and is requeued with its original time")  # fmt: skip

    # ---- the morning -----------------------------------------------------------------

    def play(self, minutes: int) -> None:
        self.open_hall()
        for minute in range(minutes):
            arrivals = (
                self.rng.choices([0, 1, 2, 3], [0.35, 0.35, 0.2, 0.1])[0]
                if minute < minutes - 20
                else 0
            )
            for _ in range(arrivals):
                self.resident_arrives()
            if minute == 45:
                self.run(PauseWindow(self.rid(), HALL, 12, "茶歇 tea break"))
                self.say("暂停 12 号窗口茶歇 15 分钟", "Window 12 pauses for a 15-minute tea break")
            if minute == 60:
                self.run(ResumeWindow(self.rid(), HALL, 12))
                self.say("恢复 12 号窗口恢复受理", "Window 12 is back")
            self.returns()
            for w in OPEN_WINDOWS:
                self.window_turn(w)
            self.clock.advance(60)
        self.summary()

    def summary(self) -> None:
        waits: dict[Lane, list[float]] = defaultdict(list)
        for v in self.visits.values():
            if v.called:
                waits[v.lane].append((v.called - v.arrived).total_seconds() / 60)
        day = self.app.get_day(HALL)
        self.out.write("\n上午小结 Morning summary\n")
        self.out.write(
            f"  取号 tickets issued: {len(self.visits)}   仍在等候 still waiting: {sum(1 for _ in day.waiting())}\n"
        )
        self.out.write(
            f"  {'通道 lane':<14}{'叫号 called':>12}{'平均等候 mean wait':>22}{'最长 max':>10}\n"
        )
        for lane in Lane:
            w = waits.get(lane, [])
            mean = sum(w) / len(w) if w else 0.0
            self.out.write(
                f"  {LANE_NAMES_ZH[lane] + ' ' + lane.value:<14}{len(w):>12}{mean:>18.1f} min{max(w, default=0):>7.0f} min\n"
            )
        self.out.write(
            f"  事件 events stored: {day.version}   库 store: {self.app.env.get('SQLITE_DBNAME', 'memory')}\n"
        )


def play_morning(out: TextIO, db: Path, seed: int = 7, minutes: int = 150) -> HallqApplication:
    """Play a morning on a fresh SQLite file at `db`; return the application (for tests)."""
    for stale in db.parent.glob(db.name + "*"):
        if stale.is_file():
            stale.unlink()
    db.parent.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 3, 2, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    clock = ManualClock(start)
    app = build_application(Settings(store="sqlite", db_path=db), clock)
    Morning(app, clock, out, seed).play(minutes)
    return app
