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
from typing import Any, Protocol

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


# Each rule: does it apply to this ticket now, and if so, its order among the tickets it
# applies to (smaller first). A chain of "first rule that picks anyone, then its minimum"
# is then the same as the minimum of (index of the first rule that applies, that key):
# one sort key that gives both the next ticket and the whole queue order.
#   overdue      waited longer than its lane's guarantee  -> (issued_at, seq)
#   appointment  checked in and now within its slot        -> (slot_start, seq)
#   requeued     transferred or returned                   -> (not front, issued_at, seq)
#   aging        always                                    -> (-waited_s * lane weight, seq)
#   issue_order  always                                    -> (seq,)
_OVERDUE, _APPOINTMENT, _REQUEUED, _AGING, _ISSUE_ORDER = range(5)
_RULE_CODES = {
    "overdue": _OVERDUE,
    "appointment": _APPOINTMENT,
    "requeued": _REQUEUED,
    "aging": _AGING,
    "issue_order": _ISSUE_ORDER,
}


def ranker(now: datetime, policy: Policy) -> Callable[[Ticket], tuple[int, tuple[Any, ...]]]:
    """The sort key of `priority` at `now`. A queue's order is sorted for every call and
    after every change a phone may see, over every waiting ticket of the service: the
    rules are one loop over small codes, with the policy's per-lane numbers looked up
    once and the waited time computed once per ticket (not a function call per rule)."""
    chain = tuple(enumerate(_RULE_CODES[rule] for rule in policy.rules))
    last = len(chain)
    limit_s = {lane: minutes * 60 for lane, minutes in policy.max_wait_min.items()}
    weights = policy.lane_weights

    def key(t: Ticket) -> tuple[int, tuple[Any, ...]]:
        waited_s = (now - t.issued_at).total_seconds()
        for rank, code in chain:
            if code == _AGING:
                return rank, (-waited_s * weights[t.lane], t.seq)
            if code == _OVERDUE:
                if waited_s > limit_s[t.lane]:
                    return rank, (t.issued_at, t.seq)
            elif code == _APPOINTMENT:
                if t.slot_start and t.slot_end and t.slot_start <= now <= t.slot_end:
                    return rank, (t.slot_start, t.seq)
            elif code == _REQUEUED:
                if t.requeued:
                    return rank, (not t.front, t.issued_at, t.seq)
            else:
                return rank, (t.seq,)
        return last, (t.seq,)  # no rule applies: issue order, last

    return key


def priority(ticket: Ticket, now: datetime, policy: Policy) -> tuple[int, tuple[Any, ...]]:
    """The ticket's place under the policy: (index of the first rule that applies, its key)."""
    return ranker(now, policy)(ticket)


def rule_name(rank: int, policy: Policy) -> str:
    return policy.rules[rank] if rank < len(policy.rules) else "issue_order"


def queue_order(tickets: Iterable[Ticket], now: datetime, policy: Policy) -> list[Ticket]:
    """Tickets in the order the policy would call them, if nobody else arrived."""
    return sorted(tickets, key=ranker(now, policy))


def _run_chain(candidates: Sequence[Ticket], now: datetime, policy: Policy) -> Choice | None:
    if not candidates:
        return None
    key = ranker(now, policy)
    best = min(contenders(candidates, policy.lane_weights), key=key)
    return Choice(best, rule_name(key(best)[0], policy))


def contenders(tickets: Iterable[Ticket], weights: Mapping[Lane, float]) -> list[Ticket]:
    """The tickets that can come first under any chain of the rules, at any moment: each
    ticket with an appointment slot or requeued, and of the others, per lane, the one
    issued first (then lowest seq) and the one with the lowest seq. Call next ranks
    these few instead of a whole queue.

    Why the others cannot: take two plain tickets of one lane, A issued no later than B.
    A has waited at least as long, so the guarantee (overdue) applies to A whenever it
    applies to B, and then ranks A first (issue time, then seq); aging ranks A first too
    (the lane's weight is the same; ties go to seq), or with a weight of 0 ranks by seq
    alone. Issue order, and no rule at all, rank by seq alone: the lane's lowest seq
    comes first. A lane with a negative weight
    would prefer the youngest under aging, so its tickets are all kept. (The hall's
    configuration bounds every lane number, so weight × wait never overflows.)"""
    kept: list[Ticket] = []
    heads: dict[Lane, tuple[Ticket, Ticket]] = {}  # lane -> (issued first, lowest seq)
    for t in tickets:
        special = t.requeued or t.slot_start is not None or t.slot_end is not None
        if special or weights[t.lane] < 0:
            kept.append(t)
        elif (head := heads.get(t.lane)) is None:
            heads[t.lane] = (t, t)
        else:
            oldest, first = head
            if t.issued_at < oldest.issued_at or (
                t.issued_at == oldest.issued_at and t.seq < oldest.seq
            ):
                oldest = t
            if t.seq < first.seq:
                first = t
            heads[t.lane] = (oldest, first)
    for oldest, first in heads.values():
        kept.append(oldest)
        if first is not oldest:
            kept.append(first)
    return kept


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


def passed_over(
    window: WindowSkills, remote: Iterable[Ticket], choice: Choice, now: datetime, policy: Policy
) -> tuple[str, ...]:
    """The unconfirmed remote tickets that `choose_next` would have called before
    `choice` had they been confirmed, in issue order: they reached the front of the queue.

    A remote ticket of the window's assigned services is ahead when it ranks before the
    choice, or when the choice had to fall back to the other skills (the assigned
    services come first); one of the other skills is ahead only when the choice fell
    back and it ranks before it. The hall starts its grace period for them from this call.
    """
    key = ranker(now, policy)
    chosen = key(choice.ticket)
    fell_back = choice.rule.startswith("fallback:")
    ahead: list[Ticket] = []
    for t in remote:
        if t.target_window is not None and t.target_window != window.number:
            continue
        if t.service in window.services or t.target_window == window.number:
            if fell_back or key(t) < chosen:
                ahead.append(t)
        elif t.service in window.skills and fell_back and key(t) < chosen:
            ahead.append(t)
    return tuple(t.number for t in sorted(ahead, key=lambda t: t.seq))
