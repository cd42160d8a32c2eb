"""Tickets and windows as rows of JSON primitives, for compact, fast snapshots.

A busy day's snapshot is loaded on every cold start, so it avoids the generic transcoder's
per-object hooks: a ticket is one flat list, and its enums and datetimes are decoded with
table look-ups and `datetime.fromisoformat`. The column order is the stored format:
append new columns at the end and give them defaults when reading older rows.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from typing import Any

from queue_core.ticket import Ticket
from queue_core.vocabulary import Channel, Lane, TicketStatus, WindowStatus
from queue_core.window import Window

_LANES = {lane.value: lane for lane in Lane}
_CHANNELS = {c.value: c for c in Channel}
_STATUSES = {s.value: s for s in TicketStatus}
_WINDOW_STATUSES = {s.value: s for s in WindowStatus}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def ticket_to_row(t: Ticket) -> list[Any]:
    return [
        t.number, t.service, t.lane.value, t.channel.value, t.seq, t.issued_at.isoformat(),
        t.status.value, t.window, _iso(t.called_at), t.recalls, t.reinstated, t.requeued,
        t.front, t.target_window, t.appointment_ref, _iso(t.slot_start), _iso(t.slot_end),
        _iso(t.parked_until), list(t.missing), t.remote, _iso(t.passed_at),
    ]  # fmt: skip


def ticket_from_row(r: list[Any]) -> Ticket:
    return Ticket(
        r[0], r[1], _LANES[r[2]], _CHANNELS[r[3]], r[4], datetime.fromisoformat(r[5]),
        _STATUSES[r[6]], r[7], _dt(r[8]), r[9], r[10], r[11], r[12], r[13], r[14],
        _dt(r[15]), _dt(r[16]), _dt(r[17]), tuple(r[18]),
        *_remote_columns(r),
    )  # fmt: skip


def _remote_columns(r: list[Any]) -> tuple[bool, datetime | None]:
    """`remote` and `passed_at`: absent from rows written before remote tickets."""
    return (r[19], _dt(r[20])) if len(r) > 19 else (False, None)


def window_to_row(w: Window) -> list[Any]:
    return [
        w.number, list(w.skills), list(w.services), w.status.value, w.current,
        w.pause_reason, w.staff, w.last_rule,
    ]  # fmt: skip


def window_from_row(r: list[Any]) -> Window:
    return Window(r[0], tuple(r[1]), tuple(r[2]), _WINDOW_STATUSES[r[3]], r[4], r[5], r[6], r[7])


compact_json = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


class TicketRowTexts:
    """Each ticket's row as JSON text, kept while its ticket is unchanged: a busy day's
    snapshot turned two thousand tickets into rows and text every 200 events, in the
    writer thread, though most of them had not changed since the last one. Tickets are
    immutable (a change is a new object), so "unchanged" is "the same object"."""

    def __init__(self) -> None:
        self._texts: dict[str, tuple[Ticket, str]] = {}  # number -> (ticket, its row's text)

    def json_array(self, tickets: dict[str, Ticket]) -> str:
        """`compact_json([ticket_to_row(t) for t in tickets.values()])`, from the kept texts."""
        texts = self._texts
        parts = []
        for number, ticket in tickets.items():
            kept = texts.get(number)
            if kept is None or kept[0] is not ticket:
                kept = texts[number] = (ticket, compact_json(ticket_to_row(ticket)))
            parts.append(kept[1])
        if len(texts) > 2 * len(tickets) + 64:  # closed tickets' texts: let them go
            self._texts = {n: texts[n] for n in tickets if n in texts}
        return "[" + ",".join(parts) + "]"
