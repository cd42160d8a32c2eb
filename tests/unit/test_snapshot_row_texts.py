"""Snapshot rows kept as text between snapshots: always the text built afresh."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from queue_core.snapshot_rows import TicketRowTexts, compact_json, ticket_to_row
from queue_core.ticket import Ticket
from queue_core.vocabulary import TicketStatus
from tests.unit.test_call_rules import ticket

# Each step: (ticket seq 1..30, what happens to it): issued or changed anew, or closed.
steps = st.lists(st.tuples(st.integers(1, 30), st.sampled_from(["put", "recall", "close"])))


def fresh(tickets: dict[str, Ticket]) -> str:
    return compact_json([ticket_to_row(t) for t in tickets.values()])


@given(st.lists(steps, min_size=1, max_size=8))
def test_kept_texts_equal_fresh_ones_after_any_changes(
    snapshots: list[list[tuple[int, str]]],
) -> None:
    texts, tickets = TicketRowTexts(), {}
    for changes in snapshots:
        for seq, change in changes:
            number = f"A{seq:03d}"
            if change == "close":
                tickets.pop(number, None)
            elif change == "recall" and number in tickets:
                old = tickets[number]
                tickets[number] = old.updated(status=TicketStatus.CALLED, recalls=old.recalls + 1)
            else:
                tickets[number] = ticket(seq, waited_min=seq, missing=("id card 身份证",))
        assert texts.json_array(tickets) == fresh(tickets)


def test_closed_tickets_texts_are_let_go() -> None:
    texts = TicketRowTexts()
    tickets = {t.number: t for t in (ticket(seq, 1.0) for seq in range(1, 201))}
    texts.json_array(tickets)
    for number in list(tickets)[:190]:  # most of the day's tickets are done
        del tickets[number]
    assert texts.json_array(tickets) == fresh(tickets)
    assert len(texts._texts) == 10
