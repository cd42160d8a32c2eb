"""A resident's view of one ticket: its status, its place in the queue, and a wait estimate.

The place is computed with the core's own `queue_order` over the shadow day's waiting
tickets (see `projections.shadow`), so "3rd in line" is what call next would really do if
nobody else arrived. The server asks for up to thousands of tickets after every call, so
the sorted order of a service is cached per (hall, day, service, day version, second):
one event costs at most one sort per service that somebody asks about.

Remote tickets (远程取号) hold their place in that order while unconfirmed, so everyone's
position counts them; their status says `come_now` once the hall's threshold is reached
(see `come_now`), and `lapse_at` once call next has passed them over.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from projections.shadow import DayKey, ShadowReadModel
from queue_core.call_rules import queue_order
from queue_core.hall_day import HallDay
from queue_core.hall_spec import CallPolicy
from queue_core.snapshot_rows import ticket_to_row
from queue_core.ticket import Ticket
from queue_core.vocabulary import TicketStatus as S
from queue_core.vocabulary import WindowStatus
from queue_core.window import Window


def token_digest(token: str) -> str:
    """The only form of a resident's ticket token that the event log (and so this model)
    ever holds: tickets are found by it, the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


PRIOR_CV = 0.5  # handling-time spread assumed until a service has MIN_OBSERVED durations
MIN_OBSERVED = 3
Z90 = 1.2815515655446004  # 90th percentile of the standard normal
CACHE_LIMIT = 4096  # queue orders kept; a burst of many (second, service) pairs stays bounded


@dataclass(frozen=True)
class ServiceQueue:
    """One service's queue at one moment, with what every ETA of it needs."""

    order: list[str]
    places: dict[str, int]  # number -> 1-based position
    windows: int  # open windows assigned the service (at least 1)
    mean_min: float  # handling time: observed today, or the spec's
    sd_min: float
    spec_mean_min: float
    etas: dict[int, tuple[float, float, float]]  # position -> eta, see `eta_table`

    def looks_like(self, other: ServiceQueue) -> bool:
        """The same order, and the same ETA shown at every place: the ETAs are compared
        only when the order is the same and they come from different numbers (a finish
        moves the mean handling time; it rarely moves an ETA as shown)."""
        if self.order != other.order:
            return False
        if self.etas is other.etas:
            return True
        places = range(1, len(self.order) + 1)
        return all(self.eta(p) == other.eta(p) for p in places)

    def eta(self, position: int) -> tuple[float, float, float]:
        """(p50, p90, simple estimate) in minutes, as shown: rounded to 0.1 min."""
        found = self.etas.get(position)
        if found is None:
            p50, p90 = eta_band(position - 1, self.windows, self.mean_min, self.sd_min)
            simple = self.spec_mean_min * position / self.windows
            found = self.etas[position] = (round(p50, 1), round(p90, 1), round(simple, 1))
        return found


class TicketStatus(ShadowReadModel):
    name = "ticket_status"

    def _reset(self) -> None:
        self.closed: dict[DayKey, dict[str, Ticket]] = {}  # done and cancelled tickets
        self.digests: dict[str, tuple[str, str, str]] = {}
        self.started: dict[DayKey, dict[str, datetime]] = {}  # serving since
        # Handling durations per (day, service): count, sum, sum of squares (minutes).
        self.handling: dict[DayKey, dict[str, list[float]]] = {}
        self._cache: dict[tuple[str, str, str, int, datetime], ServiceQueue] = {}
        # Per service, a counter bumped by every event that can move its queue or its ETA
        # (its tickets, its windows): the cache key, and what the publisher re-sends.
        self._versions: dict[tuple[str, str, str], int] = {}
        # Bumped only by events about a ticket in the queue (joining, leaving, changing):
        # a finish or a window opening changes ETAs, not the order, which is not re-sorted.
        self._order_versions: dict[tuple[str, str, str], int] = {}
        self._orders: dict[tuple[str, str, str, int, datetime], list[str]] = {}
        self.touched: set[tuple[str, str, str]] = set()
        self._fixed_parts: dict[tuple[str, str, datetime], dict[str, Any]] = {}
        self._memo_now: datetime | None = None
        self._eta_tables: dict[tuple[int, float, float, float], dict[int, Any]] = {}
        self._memo: dict[tuple[str, str, str], ServiceQueue] = {}

    def apply(self, event: Any) -> None:
        self._memo_now = None
        day = self.shadow.fold(event)
        if day is None:
            return
        # The ticket and window as they were before the event (kept by the shadow, which
        # another model may have folded this event into already), and as they are now.
        before, window_before = self.shadow.ticket_before, self.shadow.window_before
        key = (day.hall_id, day.day)
        number = getattr(event, "number", None)
        after = day.tickets.get(number) if number is not None else None
        window = getattr(event, "window", None)
        window_after = day.windows.get(window) if window is not None else None
        reordered = {t.service for t in (before, after) if t is not None and t.status in _QUEUED}
        moved = _services_moved_by(event, before, window_before)
        for service in moved | _services_moved_by(event, after, window_after):
            self._bump(key, service, service in reordered)
        for passed in getattr(event, "passed", ()):  # their `lapse_at` appears
            ticket = day.tickets.get(passed)
            if ticket is not None:
                self._bump(key, ticket.service, False)
        if number is None:
            return
        if isinstance(event, HallDay.TicketIssued) and event.token_digest:
            self.digests[event.token_digest] = (day.hall_id, day.day, number)
        started = self.started.setdefault(key, {})
        if isinstance(event, HallDay.ServiceStarted):
            started[number] = event.at
        elif isinstance(event, HallDay.ServiceFinished) and before and number in started:
            minutes = (event.at - started.pop(number)).total_seconds() / 60
            stats = self.handling.setdefault(key, {}).setdefault(before.service, [0, 0.0, 0.0])
            stats[0] += 1
            stats[1] += minutes
            stats[2] += minutes * minutes
        elif isinstance(event, HallDay.TicketTransferred | HallDay.TicketParked):
            started.pop(number, None)  # that service ended without a finish: not a sample
        if before is not None and number not in day.tickets:
            self.closed.setdefault(key, {})[number] = before.updated(
                status=_CLOSING.get(type(event), S.CANCELLED), window=None
            )

    def _bump(self, key: DayKey, service: str, reordered: bool) -> None:
        versioned = (key[0], key[1], service)
        self._versions[versioned] = self._versions.get(versioned, 0) + 1
        if reordered:
            self._order_versions[versioned] = self._order_versions.get(versioned, 0) + 1
        self.touched.add(versioned)

    def drain_touched(self) -> set[tuple[str, str, str]]:
        """(hall, day, service) whose statuses may have changed since the last call."""
        touched, self.touched = self.touched, set()
        return touched

    def state(self) -> dict[str, Any]:
        return {
            "days": self.shadow.state(),
            "closed": {
                f"{h}/{d}": sorted(ticket_to_row(t) for t in c.values())
                for (h, d), c in sorted(self.closed.items())
            },
            "digests": {k: list(v) for k, v in sorted(self.digests.items())},
            "started": {
                f"{h}/{d}": {n: at.isoformat() for n, at in sorted(s.items())}
                for (h, d), s in sorted(self.started.items())
            },
            "handling": {
                f"{h}/{d}": dict(sorted(s.items())) for (h, d), s in self.handling.items()
            },
        }

    # ---- queries -----------------------------------------------------------------------

    def find(self, token_digest: str) -> tuple[str, str, str] | None:
        return self.digests.get(token_digest)

    def service_of(self, hall: str, day: str, number: str) -> str | None:
        shadow = self.shadow.get(hall, day)
        ticket = shadow.tickets.get(number) if shadow is not None else None
        if ticket is None:
            ticket = self.closed.get((hall, day), {}).get(number)
        return ticket.service if ticket is not None else None

    def waiting_numbers(self, hall: str, day: str, service: str, now: datetime) -> list[str]:
        return list(self._queue(hall, day, service, now).order)

    def _ticket(self, hall: str, day: str, number: str) -> Ticket | None:
        shadow = self.shadow.get(hall, day)
        if shadow is None:
            return None
        return shadow.tickets.get(number) or self.closed.get((hall, day), {}).get(number)

    def queue_face(self, hall: str, day: str, service: str, now: datetime) -> ServiceQueue:
        """The service's queue as its waiting residents see it (compare two with
        `ServiceQueue.looks_like`). While it looks the same, no waiting ticket's status changes
        except by an event about that very ticket."""
        return self._queue(hall, day, service, now)

    def status(self, hall: str, day: str, number: str, now: datetime) -> dict[str, Any] | None:
        t = self._ticket(hall, day, number)
        if t is None:
            return None
        status = t.status
        if status not in _QUEUED:
            return {
                **self._fixed(t),
                "status": _STATUS_NAMES[status],
                "window": t.window if status in (S.CALLED, S.SERVING) else None,
                "position": None,
                "people_ahead": None,
                "eta": None,
                "eta_simple_min": None,
                "arrived": status is not S.LAPSED,
                "come_now": False,
                "lapse_at": None,
            }
        q = self._queue(hall, day, t.service, now)
        return self._queued(hall, t, q, q.places[number])

    def queue_statuses(
        self, hall: str, day: str, service: str, now: datetime, wanted: Container[str]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(number, status) of each ticket in `wanted` that holds a place in the
        service's queue, front first: the same statuses as `status`, for a whole queue
        at once. After a call every place behind it moves, and the publisher re-sends
        them all; walking the queue gives each its place without looking it up."""
        shadow = self.shadow.get(hall, day)
        if shadow is None:
            return
        tickets = shadow.tickets
        q = self._queue(hall, day, service, now)
        for position, number in enumerate(q.order, 1):
            if number in wanted:
                yield number, self._queued(hall, tickets[number], q, position)

    def _queued(self, hall: str, t: Ticket, q: ServiceQueue, position: int) -> dict[str, Any]:
        """The status of a ticket holding `position` in its service's queue `q`."""
        p50, p90, simple = q.eta(position)
        come, lapse_at = False, None
        remote = t.status is S.REMOTE
        if remote:
            policy = self.specs(hall).policy
            come = come_now(position - 1, p50, t.passed_at is not None, policy)
            if t.passed_at is not None:
                grace = timedelta(minutes=policy.remote_grace_min)
                lapse_at = (t.passed_at + grace).isoformat()
        return {
            **self._fixed(t),
            "status": _STATUS_NAMES[t.status],
            "window": None,
            "position": position,
            "people_ahead": position - 1,
            "eta": {"p50_min": p50, "p90_min": p90},
            "eta_simple_min": simple,
            "arrived": not remote,
            "come_now": come,
            "lapse_at": lapse_at,
        }

    def _fixed(self, t: Ticket) -> dict[str, Any]:
        """The parts of a status that never change for this ticket at this service:
        built once, because statuses are rebuilt for every phone after every call."""
        key = (t.number, t.service, t.issued_at)
        fixed = self._fixed_parts.get(key)
        if fixed is None:
            fixed = self._fixed_parts[key] = {
                "number": t.number,
                "service": t.service,
                "lane": t.lane.value,
                "channel": t.channel.value,
                "issued_at": t.issued_at.isoformat(),
                "remote": t.remote,
            }
        return fixed

    def _queue(self, hall: str, day: str, service: str, now: datetime) -> ServiceQueue:
        # The server asks for the same few queues once per phone, at one `now`, with no
        # event folded in between: remember them for that `now` (apply() forgets).
        if now is not self._memo_now:
            self._memo_now, self._memo = now, {}
        q = self._memo.get((hall, day, service))
        if q is None:
            q = self._memo[(hall, day, service)] = self._queue_at(hall, day, service, now)
        return q

    def _queue_at(self, hall: str, day: str, service: str, now: datetime) -> ServiceQueue:
        shadow = self.shadow.get(hall, day)
        second = now.replace(microsecond=0)  # one order per second: same answer for all
        cache_key = (hall, day, service, self._versions.get((hall, day, service), 0), second)
        found = self._cache.get(cache_key)
        if found is not None:
            return found
        spec = self.specs(hall)
        order_key = (hall, day, service, self._order_versions.get((hall, day, service), 0), second)
        order = self._orders.get(order_key)
        if order is None:
            waiting = list(shadow.queued((service,))) if shadow is not None else []
            order = [t.number for t in queue_order(waiting, second, spec.policy)]
            if len(self._orders) >= CACHE_LIMIT:
                self._orders.clear()
            self._orders[order_key] = order
        windows = 0
        if shadow is not None:
            windows = sum(
                1
                for w in shadow.windows.values()
                if w.status is WindowStatus.OPEN and service in w.services
            )
        prior = spec.service(service).mean_handling_min
        mean, sd = handling_estimate(self.handling.get((hall, day), {}).get(service), prior)
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        windows = max(windows, 1)
        # ETAs depend on the position and these four numbers only, which stay the same
        # over many calls: one table per combination serves every queue that shares it.
        etas = self._eta_tables.setdefault((windows, mean, sd, prior), {})
        if len(self._eta_tables) > CACHE_LIMIT:
            self._eta_tables.clear()
        q = ServiceQueue(
            order, {n: i for i, n in enumerate(order, 1)}, windows, mean, sd, prior, etas
        )
        self._cache[cache_key] = q
        return q


_QUEUED = (S.WAITING, S.REMOTE)  # statuses with a place in the queue


def _services_moved_by(event: Any, ticket: Ticket | None, window: Window | None) -> set[str]:
    """Services whose queue or ETA this event can change, from its ticket or (for an
    event about a window alone) the window it opens, closes, pauses or reassigns (they
    change how many serve): asked with their states before the event and after it."""
    if isinstance(event, HallDay.ServiceStarted | HallDay.TicketRecalled):
        return set()  # the ticket is out of the queue already: nobody's place moves
    if getattr(event, "number", None) is not None:
        return {ticket.service} if ticket is not None else set()
    return set(window.services) if window is not None else set(getattr(event, "services", ()))


_STATUS_NAMES = {status: status.value for status in S}  # an enum's `.value` is a slow property
_CLOSING = {HallDay.ServiceFinished: S.DONE, HallDay.TicketLapsed: S.LAPSED}


def come_now(people_ahead: int, eta_p50_min: float, passed: bool, policy: CallPolicy) -> bool:
    """Whether a remote ticket's resident should set off for the hall now: at most the
    hall's `remote_come_people` ahead, or a median wait of at most `remote_come_min`
    minutes, or already passed over by a call (its grace is running)."""
    return (
        passed or people_ahead <= policy.remote_come_people or eta_p50_min <= policy.remote_come_min
    )


def handling_estimate(observed: list[float] | None, prior_mean: float) -> tuple[float, float]:
    """Mean and standard deviation of handling time (minutes): today's samples once there
    are MIN_OBSERVED of them, else the spec's mean with a coefficient of variation PRIOR_CV."""
    if observed is None or observed[0] < MIN_OBSERVED:
        return prior_mean, prior_mean * PRIOR_CV
    n, total, squares = observed
    mean = total / n
    variance = max(squares - n * mean * mean, 0.0) / (n - 1)  # sample variance
    return mean, math.sqrt(variance)


def eta_band(ahead: int, windows: int, mean: float, sd: float) -> tuple[float, float]:
    """Median and 90th percentile of the wait (minutes) until this ticket is called.

    The ticket waits for its own turn after `ahead` others, shared by `windows` parallel
    windows: about k = (ahead + 1) / windows handlings in a row at one window. A sum of k
    independent handlings has mean k·mean and standard deviation sqrt(k)·sd (central limit
    theorem), so the wait is taken as Normal(k·mean, k·sd²): p50 is its mean and p90 adds
    1.2816 standard deviations. The normal band is symmetric and ignores arrivals with
    higher priority, so it is a band for "if nobody jumps the queue", not a guarantee.
    """
    k = (ahead + 1) / max(windows, 1)
    p50 = max(k * mean, 0.0)
    p90 = max(p50 + Z90 * math.sqrt(k) * sd, p50)
    return p50, p90
