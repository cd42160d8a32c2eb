"""Turns folded events into push messages: what each audience needs to see, and no more.

After each batch the follower folded, the publisher sends, per hall-day touched: first
the batch's event messages (each call and recall, in order: they are what a screen must
show soonest), then state messages (the display's board, each subscribed window's view,
the cockpit, and the status of each subscribed ticket waiting in a service whose queue
the batch moved, or named by the batch, if it changed). A resuming client gets the
current state after what it missed, so the order costs it nothing. `sweep()` re-sends
statuses that changed with time alone (aging can reorder a queue without any event).
Every message carries the notification id of the newest event it reflects as its `seq`,
so processes that follow the same log number the same messages alike, and a client
resuming on another process gets no gap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from displays.push import PushHub
from projections.hall_board import HallBoard
from projections.statistics import Statistics
from projections.ticket_status import ServiceQueue, TicketStatus
from projections.window_view import WindowView
from queue_core.hall_config import HallConfiguration
from queue_core.hall_day import HallDay


@dataclass
class _Touched:
    seq: int = 0
    calls: list[tuple[int, dict[str, Any], str | None]] = field(default_factory=list)
    numbers: set[str] = field(default_factory=set)  # tickets the batch's events name


class Publisher:
    def __init__(
        self,
        hub: PushHub,
        board: HallBoard,
        tickets: TicketStatus,
        windows: WindowView,
        stats: Statistics,
        now: Callable[[], datetime],
    ) -> None:
        self.hub, self.board, self.tickets, self.windows, self.stats = (
            hub,
            board,
            tickets,
            windows,
            stats,
        )
        self.now = now
        self._days: dict[Any, tuple[str, str]] = {}  # day id -> (hall, day)
        self._configs: dict[Any, str] = {}  # hall configuration id -> hall
        self._digests: dict[tuple[str, str, str], str] = {}  # (hall, day, number) -> digest
        # Open tickets with a token (digest -> number), by the service whose queue they
        # are in: a batch that touches one service re-sends that service's phones only.
        self._in_service: dict[tuple[str, str, str], dict[str, str]] = {}
        self._service_of: dict[str, tuple[str, str, str]] = {}  # digest -> its key above
        self._closing: list[str] = []
        # (hall, day, service) -> its queue as residents last saw it (see `_moved`)
        self._faces: dict[tuple[str, str, str], ServiceQueue] = {}
        self._last_state: dict[str, dict[str, Any]] = {}  # channel -> last board or view sent
        # digest -> the last status sent to its phone: a status equal to it is not sent
        self._last_sent: dict[str, dict[str, Any]] = {}

    def track(self, batch: Sequence[tuple[Any, int]]) -> None:
        """Learn which day each event belongs to (also for events folded at start-up)."""
        for event, _ in batch:
            if isinstance(event, HallDay.Created):
                self._days[event.originator_id] = (event.hall_id, event.day)
            elif isinstance(event, HallConfiguration.Created):
                self._configs[event.originator_id] = event.hall_id
            elif isinstance(event, HallDay.TicketIssued) and event.token_digest:
                hall, day = self._days[event.originator_id]
                self._digests[(hall, day, event.number)] = event.token_digest
                self._file(event.token_digest, (hall, day, event.service), event.number)
            elif isinstance(
                event,
                HallDay.TicketTransferred
                | HallDay.ServiceFinished
                | HallDay.TicketCancelled
                | HallDay.TicketLapsed,
            ):
                hall_day = self._days.get(event.originator_id)
                if hall_day is None:
                    continue
                hall, day = hall_day
                digest = self._digests.get((hall, day, event.number))
                if digest is None:
                    continue
                if isinstance(event, HallDay.TicketTransferred):
                    self._file(digest, (hall, day, event.to_service), event.number)
                else:
                    self._closing.append(digest)  # after its final status has been sent

    def _file(self, digest: str, key: tuple[str, str, str], number: str) -> None:
        old = self._service_of.get(digest)
        if old is not None:
            self._in_service[old].pop(digest, None)
        self._service_of[digest] = key
        self._in_service.setdefault(key, {})[digest] = number

    def _unfile(self, digest: str) -> None:
        key = self._service_of.pop(digest, None)
        if key is not None:
            self._in_service[key].pop(digest, None)

    def hall_of(self, event: Any) -> str | None:
        """The hall an event belongs to (its day's or its configuration's), if known."""
        day = self._days.get(event.originator_id)
        return day[0] if day else self._configs.get(event.originator_id)

    def publish(self, batch: Sequence[tuple[Any, int]]) -> None:
        self.track(batch)
        touched: dict[tuple[str, str], _Touched] = {}
        for event, seq in batch:
            hall_day = self._days.get(event.originator_id)
            if hall_day is None:
                continue  # not a hall-day event (e.g. a hall's configuration)
            t = touched.setdefault(hall_day, _Touched())
            t.seq = seq
            number = getattr(event, "number", None)
            if number is not None:
                t.numbers.add(number)
            t.numbers.update(getattr(event, "passed", ()))  # remote tickets: now `lapse_at`
            if isinstance(event, HallDay.TicketCalled | HallDay.TicketRecalled):
                t.calls.append(
                    (seq, self._call(hall_day, event), self._digests.get((*hall_day, event.number)))
                )
        for (hall, day), t in touched.items():
            for seq, call, digest in t.calls:
                self.hub.publish(f"display:{hall}", seq, "called", call)
                if digest is not None:
                    self.hub.publish(f"ticket:{digest}", seq, "called", call)
            self._state(hall, day, t.seq)
        seq = max((seq for _, seq in batch), default=0)
        now = self.now()
        done = self._queues(self._moved(self.tickets.drain_touched(), now), seq, now)
        own = [  # tickets the batch names: their own status may have changed
            d for (hall, day), t in touched.items() for n in t.numbers
            if (d := self._digests.get((hall, day, n))) and d not in done
        ]  # fmt: skip
        self._tickets(dict.fromkeys(own), seq, now)
        for digest in self._closing:
            self._unfile(digest)
        self._closing.clear()

    def _moved(
        self, keys: Iterable[tuple[str, str, str]], now: datetime
    ) -> list[tuple[str, str, str]]:
        """The services among `keys` whose queue looks different to its waiting residents
        (the order, or an ETA as shown) than when their phones were last told: only their
        phones need a new status. An event that leaves every place and shown ETA as it was
        (often: a finish that moves the mean handling time a little), or a sweep in which
        aging reordered nothing, costs one comparison instead of one per phone."""
        moved = []
        for key in keys:
            if not self._listened(key):
                self._faces.pop(key, None)  # nobody to tell: not even worth a sort
                continue
            face = self.tickets.queue_face(*key, now)
            last = self._faces.get(key)
            if last is None or not face.looks_like(last):
                self._faces[key] = face
                moved.append(key)
        return moved

    def _listened(self, key: tuple[str, str, str]) -> bool:
        """Whether any phone listens to a ticket of this service: scanning the smaller of
        the service's tickets and the listened ticket channels (most tickets of a real
        hall have no phone connected; in a benchmark every one has)."""
        digests = self._in_service.get(key) or {}
        phones = self.hub.listened("ticket")
        if len(phones) < len(digests):
            return any(self._service_of.get(channel[7:]) == key for channel in phones)
        return any(f"ticket:{d}" in phones for d in digests)

    def sweep(self, seq: int) -> None:
        """Re-send every subscribed ticket's status that changed with time alone (aging can
        reorder a queue without any event)."""
        now = self.now()
        self._queues(self._moved(list(self._in_service), now), seq, now)

    def _call(self, hall_day: tuple[str, str], event: Any) -> dict[str, Any]:
        service_id = self.tickets.service_of(hall_day[0], hall_day[1], event.number)
        service = self.board.specs(hall_day[0]).service(service_id) if service_id else None
        return {
            "number": event.number,
            "window": event.window,
            "service": service.id if service else None,
            "name_zh": service.name_zh if service else "",
            "name_en": service.name_en if service else "",
            "recall": isinstance(event, HallDay.TicketRecalled),
            "at": event.at.isoformat(),
        }

    def _state(self, hall: str, day: str, seq: int) -> None:
        now = self.now()
        if self.hub.has_subscribers(f"display:{hall}"):
            self._if_changed(f"display:{hall}", seq, "board", self.board.board(hall, day))
        for channel in self.hub.channels("window"):
            _, channel_hall, window = channel.split(":")
            if channel_hall == hall:
                view = self.windows.view(hall, day, int(window), now)
                self._if_changed(channel, seq, "snapshot", view)
        if self.hub.has_subscribers(f"cockpit:{hall}"):
            self.hub.publish(f"cockpit:{hall}", seq, "snapshot", self.cockpit(hall, day))

    def _if_changed(self, channel: str, seq: int, kind: str, data: dict[str, Any]) -> None:
        """Publish a state message unless it equals the last one on its channel: a batch
        that changes nothing a screen shows (a service starting, say) sends it nothing."""
        if self._last_state.get(channel) != data:
            self._last_state[channel] = data
            self.hub.publish(channel, seq, kind, data)

    def _queues(self, keys: Iterable[tuple[str, str, str]], seq: int, now: datetime) -> set[str]:
        """Send the phones waiting in these services (whose queue moved, see `_moved`)
        their new status, walking each queue once; the digests of those built. A phone
        whose ticket has left the queue is told by the event about its ticket."""
        listened = self.hub.listened("ticket")
        done: set[str] = set()
        for key in keys:
            phones = self._in_service.get(key)
            if not phones:
                continue
            wanted = {n: d for d, n in phones.items() if "ticket:" + d in listened}
            for number, status in self.tickets.queue_statuses(*key, now, wanted):
                digest = wanted[number]
                done.add(digest)
                self._send(digest, status, seq)
        return done

    def _tickets(self, digests: Iterable[str], seq: int, now: datetime) -> None:
        """The status of each of these tickets that has a phone listening."""
        listened = self.hub.listened("ticket")  # live: a phone that leaves midway drops out
        find, status_of = self.tickets.find, self.tickets.status
        for digest in digests:
            if "ticket:" + digest not in listened:
                continue
            found = find(digest)
            status = status_of(*found, now) if found is not None else None
            if status is not None:
                self._send(digest, status, seq)

    def _send(self, digest: str, status: dict[str, Any], seq: int) -> None:
        """Send a phone its ticket's status unless it equals the last one it was sent.
        Nearly every status built differs (only moved queues are walked), so building it
        and comparing it whole costs less than a cheaper test first."""
        if status != self._last_sent.get(digest):
            self._last_sent[digest] = status
            self.hub.publish("ticket:" + digest, seq, "ticket", status)

    def cockpit(self, hall: str, day: str) -> dict[str, Any]:
        return {"board": self.board.board(hall, day), "summary": self.stats.summary(hall, day)}

    def forget_ticket(self, digest: str) -> None:
        """A phone left: its next subscription gets a fresh status, not a diff."""
        self._last_sent.pop(digest, None)
