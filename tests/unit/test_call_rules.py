"""The call-next policy chain, rule by rule, as a pure function over ticket snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hallq.bootstrap import load_hall_document
from hallq.settings import reference_hall_path
from queue_core.call_rules import RULES, WindowSkills, choose_next, contenders, queue_order
from queue_core.commands import CallNext, FinishService, IssueTicket, OpenWindow, StartServing
from queue_core.errors import InvalidConfiguration
from queue_core.hall_spec import hall_spec_from_mapping
from queue_core.ports import ManualClock
from queue_core.ticket import Ticket
from queue_core.vocabulary import Channel, Lane
from tests.unit.test_hall_day_properties import tiny_hall

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Policy:
    lane_weights: dict[Lane, float] = field(
        default_factory=lambda: {Lane.GREEN: 3.0, Lane.YELLOW: 2.0, Lane.BLUE: 1.0}
    )
    max_wait_min: dict[Lane, float] = field(
        default_factory=lambda: {Lane.GREEN: 20.0, Lane.YELLOW: 30.0, Lane.BLUE: 60.0}
    )
    rules: tuple[str, ...] = RULES
    fallback_to_skills: bool = True


WINDOW = WindowSkills(1, frozenset({"a"}), frozenset({"a", "b"}))


def ticket(
    seq: int, waited_min: float, lane: Lane = Lane.BLUE, service: str = "a", **kw: object
) -> Ticket:
    kw.setdefault("channel", Channel.KIOSK)
    return Ticket(
        number=f"A{seq:03d}",
        service=service,
        lane=lane,
        seq=seq,
        issued_at=NOW - timedelta(minutes=waited_min),
        **kw,  # type: ignore[arg-type]
    )


def chosen(
    tickets: list[Ticket], policy: Policy | None = None, window: WindowSkills = WINDOW
) -> tuple[str, str]:
    choice = choose_next(window, tickets, NOW, policy or Policy())
    assert choice is not None
    return choice.ticket.number, choice.rule


def test_nobody_waiting_means_no_choice() -> None:
    assert choose_next(WINDOW, [], NOW, Policy()) is None


def test_a_ticket_past_its_lanes_guarantee_comes_first_oldest_first() -> None:
    tickets = [ticket(1, 65), ticket(2, 61), ticket(3, 19, Lane.GREEN)]
    assert chosen(tickets) == ("A001", "overdue")


def test_a_checked_in_appointment_within_its_slot_beats_aging() -> None:
    slot = {"slot_start": NOW - timedelta(minutes=5), "slot_end": NOW + timedelta(minutes=10)}
    tickets = [ticket(1, 15, Lane.GREEN), ticket(2, 2, channel=Channel.APPOINTMENT, **slot)]
    assert chosen(tickets) == ("A002", "appointment")


def test_an_appointment_before_its_slot_waits_like_anyone_else() -> None:
    slot = {"slot_start": NOW + timedelta(minutes=5), "slot_end": NOW + timedelta(minutes=20)}
    tickets = [ticket(1, 10), ticket(2, 2, **slot)]
    assert chosen(tickets) == ("A001", "aging")


def test_transferred_and_returning_tickets_come_before_new_ones_front_first() -> None:
    tickets = [
        ticket(1, 15, Lane.GREEN),
        ticket(2, 3, requeued=True),
        ticket(3, 1, requeued=True, front=True),
    ]
    assert chosen(tickets) == ("A003", "requeued")


def test_aging_weighs_waiting_time_by_lane() -> None:
    # green waited 4 min x 3 = 12 beats blue 10 min x 1 = 10
    assert chosen([ticket(1, 10), ticket(2, 4, Lane.GREEN)]) == ("A002", "aging")
    assert chosen([ticket(1, 13), ticket(2, 4, Lane.GREEN)]) == ("A001", "aging")


def test_equal_scores_fall_back_to_issue_order() -> None:
    assert chosen([ticket(2, 5), ticket(1, 5)]) == ("A001", "aging")
    fifo = Policy(rules=("issue_order",))
    assert chosen([ticket(2, 50), ticket(1, 5)], fifo) == ("A001", "issue_order")


def test_assigned_services_come_before_the_windows_other_skills() -> None:
    tickets = [ticket(1, 50, service="b"), ticket(2, 1, service="a")]
    assert chosen(tickets) == ("A002", "aging")


def test_an_idle_window_serves_its_other_skills_rather_than_wait() -> None:
    assert chosen([ticket(1, 5, service="b")]) == ("A001", "fallback:aging")
    strict = Policy(fallback_to_skills=False)
    assert choose_next(WINDOW, [ticket(1, 5, service="b")], NOW, strict) is None


def test_a_window_never_calls_a_service_outside_its_skills() -> None:
    assert choose_next(WINDOW, [ticket(1, 500, service="c")], NOW, Policy()) is None


def test_a_ticket_sent_to_a_window_is_called_only_there() -> None:
    sent = ticket(1, 5, service="c", target_window=1)
    assert chosen([sent]) == ("A001", "aging")
    other = WindowSkills(2, frozenset({"a", "c"}), frozenset({"a", "c"}))
    assert choose_next(other, [sent], NOW, Policy()) is None


@pytest.mark.parametrize("seed", range(5))
def test_the_choice_does_not_depend_on_the_order_of_the_queue(seed: int) -> None:
    import random

    tickets = [
        ticket(i, random.Random(seed * 100 + i).uniform(0, 90), list(Lane)[i % 3])
        for i in range(1, 30)
    ]
    shuffled = tickets[:]
    random.Random(seed).shuffle(shuffled)
    assert chosen(tickets) == chosen(shuffled)


def blue_wait_under_green_stream(app, clock: ManualClock) -> tuple[float, str] | None:
    """Three green residents a minute, one window serving one a minute, a green queue
    already there: the oldest green's score (3 x two thirds of the time) always beats the
    blue one's, so aging alone never reaches it. Returns (minutes waited, rule) or None."""
    hall, window = "south-axis", 1
    app.execute(OpenWindow("open", hall, window))
    for k in range(5):
        app.execute(IssueTicket(f"early-{k}", hall, "social-security", Lane.GREEN))
    clock.advance(60)
    blue = app.execute(IssueTicket("blue", hall, "social-security", Lane.BLUE)).ticket
    issued_at = clock.now()
    for minute in range(120):
        clock.advance(60)
        for k in range(3):
            app.execute(IssueTicket(f"g{minute}-{k}", hall, "social-security", Lane.GREEN))
        called = app.execute(CallNext(f"c{minute}", hall, window))
        if called.ticket == blue:
            return (clock.now() - issued_at).total_seconds() / 60, called.rule
        app.execute(StartServing(f"s{minute}", hall, window))
        app.execute(FinishService(f"f{minute}", hall, window))
    return None


def test_a_blue_ticket_is_called_within_its_guarantee_under_a_steady_stream_of_green(
    app, clock: ManualClock
) -> None:
    result = blue_wait_under_green_stream(app, clock)
    assert result is not None, "the blue ticket was never called"
    waited, rule = result
    assert rule == "overdue"
    assert waited <= 60 + 1  # the guarantee, plus the minute between two calls


def test_without_the_guarantee_rule_the_same_stream_starves_the_blue_ticket(
    app, clock: ManualClock
) -> None:
    document = load_hall_document(reference_hall_path())
    document["policy"]["rules"] = ["aging", "issue_order"]
    app.configure_hall(document)
    assert blue_wait_under_green_stream(app, clock) is None


TicketSpec = tuple[float, Lane, bool, bool, int | None]  # waited min, lane, requeued, front, slot


# One waiting ticket: minutes waited (some exactly at a lane's guarantee), lane, requeued,
# at the front, appointment slot start (minutes from now) or none.
TICKET_SPEC = st.tuples(
    st.one_of(st.floats(0, 120), st.sampled_from([20.0, 30.0, 60.0])),
    st.sampled_from(list(Lane)),
    st.booleans(),
    st.booleans(),
    st.one_of(st.none(), st.integers(-30, 30)),
)


def ticket_specs(max_size: int) -> st.SearchStrategy[list[TicketSpec]]:
    """Waiting tickets of one service: some exactly at a lane's guarantee, some requeued
    (at the front or not), some with an appointment slot around now."""
    return st.lists(TICKET_SPEC, max_size=max_size)


def tickets_of(specs: list[TicketSpec]) -> list[Ticket]:
    tickets = []
    for seq, (waited, lane, requeued, front, slot) in enumerate(specs, start=1):
        extra: dict[str, object] = {"requeued": requeued, "front": front}
        if slot is not None:
            extra |= {
                "slot_start": NOW + timedelta(minutes=slot),
                "slot_end": NOW + timedelta(minutes=slot + 15),
            }
        tickets.append(ticket(seq, waited, lane, **extra))
    return tickets


ONLY_A = WindowSkills(1, frozenset({"a"}), frozenset({"a"}))


@given(ticket_specs(max_size=25))
def test_calling_one_by_one_follows_the_queue_order(specs: list[TicketSpec]) -> None:
    """`queue_order` (used for people-ahead) is exactly what repeated calls would do."""
    tickets = tickets_of(specs)
    called, left = [], list(tickets)
    while (choice := choose_next(ONLY_A, left, NOW, Policy())) is not None:
        called.append(choice.ticket)
        left.remove(choice.ticket)
    assert called == queue_order(tickets, NOW, Policy())


def plain_chain(tickets: list[Ticket], now: datetime, policy: Policy) -> Ticket | None:
    """The chain as the policy document reads: the first rule that applies to anyone
    picks, by its own order; no rule applies: issue order."""

    def waited_s(t: Ticket) -> float:
        return (now - t.issued_at).total_seconds()

    rules = {
        "overdue": (
            lambda t: waited_s(t) > policy.max_wait_min[t.lane] * 60,
            lambda t: (t.issued_at, t.seq),
        ),
        "appointment": (
            lambda t: bool(t.slot_start and t.slot_end and t.slot_start <= now <= t.slot_end),
            lambda t: (t.slot_start, t.seq),
        ),
        "requeued": (lambda t: t.requeued, lambda t: (not t.front, t.issued_at, t.seq)),
        "aging": (lambda t: True, lambda t: (-waited_s(t) * policy.lane_weights[t.lane], t.seq)),
        "issue_order": (lambda t: True, lambda t: (t.seq,)),
    }
    for name in policy.rules:
        applies, order = rules[name]
        picked = [t for t in tickets if applies(t)]
        if picked:
            return min(picked, key=order)  # type: ignore[arg-type, return-value]
    return min(tickets, key=lambda t: t.seq, default=None)


@given(
    ticket_specs(max_size=20),
    st.permutations(RULES).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda n: tuple(order[:n]))
    ),
)
def test_the_ranked_choice_is_the_plain_chain_for_any_order_of_rules(
    specs: list[TicketSpec], rules: tuple[str, ...]
) -> None:
    """Call next ranks every ticket with one sort key; it picks what the chain, read rule
    by rule, picks, whatever rules the hall lists and in whatever order."""
    tickets = tickets_of(specs)
    policy = Policy(rules=rules)
    choice = choose_next(ONLY_A, tickets, NOW, policy)
    assert (choice.ticket if choice else None) == plain_chain(tickets, NOW, policy)


@given(
    st.lists(  # half the tickets plain: neither requeued nor booked
        TICKET_SPEC.map(lambda spec: spec if spec[2] else (spec[0], spec[1], False, False, None)),
        max_size=20,
    ),
    st.permutations(RULES).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda n: tuple(order[:n]))
    ),
    st.lists(st.sampled_from([-1.0, 0.0, 0.5, 1.0, 3.0]), min_size=3, max_size=3),
)
# Where a wrong pruning shows: issue order picks a plain ticket issued after another of its
# lane (the clock was set back); aging with a negative weight picks the youngest; equal
# issue times fall to seq.
@example([(5.0, Lane.BLUE, False, False, None), (10.0, Lane.BLUE, False, False, None)],
         ("issue_order",), [1.0, 1.0, 1.0])  # fmt: skip
@example([(10.0, Lane.BLUE, False, False, None), (5.0, Lane.BLUE, False, False, None)],
         ("aging",), [-1.0, -1.0, -1.0])  # fmt: skip
@example([(7.0, Lane.BLUE, False, False, None), (7.0, Lane.BLUE, False, False, None)],
         ("aging",), [1.0, 1.0, 1.0])  # fmt: skip
@settings(max_examples=500)  # cheap examples; a rare mix of lanes and rules breaks a bad cut
def test_ranking_only_the_contenders_picks_what_ranking_everyone_picks(
    specs: list[TicketSpec], rules: tuple[str, ...], weights: list[float]
) -> None:
    """Call next ranks only each lane's first-issued and lowest-seq plain tickets, with
    every requeued or booked one (`contenders`): for any rules, any lane weights (zero
    and negative too) and issue times out of seq order (a clock set back), it picks
    what the chain read over every ticket picks. Half the tickets are plain, so that
    lanes hold several of them."""
    tickets = tickets_of(specs)
    policy = Policy(rules=rules, lane_weights=dict(zip(Lane, weights, strict=True)))
    choice = choose_next(ONLY_A, tickets, NOW, policy)
    assert (choice.ticket if choice else None) == plain_chain(tickets, NOW, policy)
    assert len(contenders(tickets, policy.lane_weights)) <= len(tickets)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), 1e308, -1e200])
@pytest.mark.parametrize("table", ["lane_weights", "max_wait_min"])
def test_a_lane_number_that_would_break_the_ranking_is_refused(table: str, value: float) -> None:
    """Aging ranks by weight × wait: an infinite, NaN or astronomical number would make
    it overflow or compare as nothing (and `contenders` rests on it being a number)."""
    raw = tiny_hall()
    raw["policy"][table] = {**raw["policy"][table], "green": value}
    with pytest.raises(InvalidConfiguration) as bad:
        hall_spec_from_mapping(raw)
    assert f"policy.{table}" in bad.value.message_en and "green" in bad.value.message_zh
