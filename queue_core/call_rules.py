"""Call next: a pure, deterministic chain of rules over a snapshot of waiting tickets.

`choose_next` looks first at the services assigned to the window (and tickets sent to the
window itself), then, if the policy allows, at the window's other skills, so that a
window never idles while residents it could serve are waiting. Each rule either picks a
ticket or passes; the first that picks wins, and its name is recorded in the call event
so that every call can be explained later. Ties always fall back to issue order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from queue_core.ticket import Ticket
from queue_core.vocabulary import Lane

RULES: tuple[str, ...] = ("overdue", "appointment", "requeued", "aging", "issue_order")


class Policy(Protocol):
    """What the rules read from the hall's call policy (`hall_spec.CallPolicy`)."""

    @property
    def lane_weights(self) -> Mapping[Lane, float]: ...
    @property
    def max_wait_min(self) -> Mapping[Lane, float]: ...
    @property
    def rules(self) -> tuple[str, ...]: ...
    @property
    def fallback_to_skills(self) -> bool: ...


@dataclass(frozen=True)
class WindowSkills:
    number: int
    services: frozenset[str]  # assigned now
    skills: frozenset[str]  # everything its staff can serve


@dataclass(frozen=True)
class Choice:
    ticket: Ticket
    rule: str  # e.g. "aging", or "fallback:aging" when found among the other skills


def _waited_s(ticket: Ticket, now: datetime) -> float:
    return (now - ticket.issued_at).total_seconds()


def _overdue(c: Sequence[Ticket], now: datetime, p: Policy) -> Ticket | None:
    late = [t for t in c if _waited_s(t, now) > p.max_wait_min[t.lane] * 60]
    return min(late, key=lambda t: (t.issued_at, t.seq), default=None)


def _appointment(c: Sequence[Ticket], now: datetime, p: Policy) -> Ticket | None:
    due = [t for t in c if t.slot_start and t.slot_end and t.slot_start <= now <= t.slot_end]
    return min(due, key=lambda t: (t.slot_start, t.seq), default=None)


def _requeued(c: Sequence[Ticket], now: datetime, p: Policy) -> Ticket | None:
    back = [t for t in c if t.requeued]
    return min(back, key=lambda t: (not t.front, t.issued_at, t.seq), default=None)


def _aging(c: Sequence[Ticket], now: datetime, p: Policy) -> Ticket | None:
    return max(c, key=lambda t: (_waited_s(t, now) * p.lane_weights[t.lane], -t.seq), default=None)


def _issue_order(c: Sequence[Ticket], now: datetime, p: Policy) -> Ticket | None:
    return min(c, key=lambda t: t.seq, default=None)


_RULE_FUNCS: dict[str, Callable[[Sequence[Ticket], datetime, Policy], Ticket | None]] = {
    "overdue": _overdue,
    "appointment": _appointment,
    "requeued": _requeued,
    "aging": _aging,
    "issue_order": _issue_order,
}


def _run_chain(candidates: Sequence[Ticket], now: datetime, policy: Policy) -> Choice | None:
    if not candidates:
        return None
    for rule in policy.rules:
        ticket = _RULE_FUNCS[rule](candidates, now, policy)
        if ticket is not None:
            return Choice(ticket, rule)
    return Choice(_issue_order(candidates, now, policy), "issue_order")  # type: ignore[arg-type]


def choose_next(
    window: WindowSkills, waiting: Iterable[Ticket], now: datetime, policy: Policy
) -> Choice | None:
    """The ticket this window should call now and the rule that chose it, or None.

    `waiting` must hold only WAITING tickets; the function reads nothing else and has no
    side effects, so the same inputs always give the same choice.
    """
    mine: list[Ticket] = []
    others: list[Ticket] = []
    for t in waiting:
        if t.target_window is not None and t.target_window != window.number:
            continue
        if t.service in window.services or t.target_window == window.number:
            mine.append(t)
        elif t.service in window.skills:
            others.append(t)
    choice = _run_chain(mine, now, policy)
    if choice is None and policy.fallback_to_skills:
        fallback = _run_chain(others, now, policy)
        if fallback is not None:
            choice = Choice(fallback.ticket, f"fallback:{fallback.rule}")
    return choice
