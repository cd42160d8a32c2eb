"""Device messages → domain commands, and the answers a device gets back.

The mapping from a button's action to a command is the HTTP API's own
(`callers.interface.WINDOW_ACTIONS`): a button press is the window terminal's request
with nothing but a request id. The command's request id is the device's, prefixed with
the device id, so a retried press (MQTT QoS 1 may deliver twice) is answered from the
day's memory without a second event, and no device can reuse another caller's id.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from callers.device_messages import ButtonPress, KioskRequest
from callers.interface import parse_issue, parse_window_action
from queue_core.commands import Command, IssueTicket, server_request_id
from queue_core.errors import DomainError
from queue_core.outcome import Outcome
from queue_core.vocabulary import Channel


def command_request_id(device: str, request_id: str) -> str:
    """At most 2 + 40 + 1 + 48 = 91 characters: within the API's 100."""
    return server_request_id(f"d:{device}:{request_id}")


def press_commands(press: ButtonPress, current_status: str | None) -> list[Command]:
    """The commands a button press asks for, given the status of the ticket now at its
    window (`called`, `serving` or None). `finish` on a ticket that was only called
    starts its service first: a four-key box has no start key, and the lifecycle
    finishes only a ticket being served. Both request ids derive from the press's, so a
    retry after either step carries out only what is left."""
    request_id = command_request_id(press.device, press.request_id)
    steps = [("start", f"{request_id}/start")] if press.action == "finish" and current_status == "called" else []  # fmt: skip
    steps.append((press.action, request_id))
    # Parsed as a terminal's request would be, then given the device's server-made id
    # (which no HTTP client may send).
    return [
        replace(parse_window_action(press.hall, press.window, action, {"request_id": "x"}), request_id=rid)
        for action, rid in steps
    ]  # fmt: skip


def issue_command(request: KioskRequest, token_digest: str) -> IssueTicket:
    """The ticket a kiosk asks for; `token_digest` is that of the resident's token (see
    `callers.http_api.ticket_token`), so the printed QR opens the ticket's page."""
    body: dict[str, Any] = {
        "request_id": "x",  # replaced below by the device's server-made id
        "service": request.service,
        "channel": Channel.KIOSK.value,
    }
    if request.lane is not None:
        body["lane"] = request.lane
    request_id = command_request_id(request.device, request.request_id)
    return replace(
        parse_issue(request.hall, body), request_id=request_id, token_digest=token_digest
    )


def accepted(request_id: str, outcome: Outcome) -> dict[str, Any]:
    """The answer to a request the hall carried out (or had carried out: `replayed`)."""
    return {
        "request_id": request_id,
        "ok": True,
        "event": outcome.event,
        "ticket": outcome.ticket,
        "window": outcome.window,
        "replayed": outcome.replayed,
    }


def refused(request_id: str, error: DomainError) -> dict[str, Any]:
    """The answer to a request the hall refused: the error's code and zh/en message."""
    return {"request_id": request_id, "ok": False, **error.as_dict()}
