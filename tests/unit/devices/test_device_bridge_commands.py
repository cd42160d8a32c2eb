"""Device requests become the same commands as the window terminal's and the kiosk's."""

from __future__ import annotations

from callers.device_bridge import (
    accepted,
    command_request_id,
    issue_command,
    press_commands,
    refused,
)
from callers.device_messages import ButtonPress, KioskRequest
from queue_core.commands import CallNext, FinishService, IssueTicket, StartServing
from queue_core.errors import IllegalTransition
from queue_core.outcome import Outcome
from queue_core.vocabulary import Channel, Lane


def test_a_press_is_the_terminals_command_under_the_devices_request_id() -> None:
    press = ButtonPress("btn-5", "south-axis", 5, "call-next", "r1")
    assert press_commands(press, None) == [CallNext("~d:btn-5:r1", "south-axis", 5)]
    assert len(command_request_id("x" * 40, "y" * 48)) <= 100


def test_finish_on_a_ticket_only_called_starts_its_service_first() -> None:
    press = ButtonPress("btn-5", "south-axis", 5, "finish", "r2")
    assert press_commands(press, "called") == [
        StartServing("~d:btn-5:r2/start", "south-axis", 5),
        FinishService("~d:btn-5:r2", "south-axis", 5),
    ]
    assert press_commands(press, "serving") == [FinishService("~d:btn-5:r2", "south-axis", 5)]


def test_a_kiosk_request_is_a_kiosk_ticket_with_the_residents_token() -> None:
    request = KioskRequest("kiosk-1", "south-axis", "1", "id-card", "green", "k1")
    command = issue_command(request, "digest")
    assert command == IssueTicket(
        "~d:kiosk-1:k1", "south-axis", "id-card", Lane.GREEN, Channel.KIOSK, token_digest="digest"
    )
    plain = issue_command(KioskRequest("kiosk-1", "south-axis", "1", "id-card", None, "k2"), "d")
    assert plain.lane is Lane.BLUE


def test_answers_say_what_happened_or_why_not_in_both_languages() -> None:
    done = accepted("r1", Outcome("TicketCalled", "H001", 5, "issue_order", "call_next"))
    assert done == {
        "request_id": "r1", "ok": True, "event": "TicketCalled", "ticket": "H001", "window": 5,
        "replayed": False,
    }  # fmt: skip
    no = refused("r2", IllegalTransition("不能办结", "cannot finish"))
    assert no == {
        "request_id": "r2", "ok": False, "code": "illegal_transition",
        "message_zh": "不能办结", "message_en": "cannot finish",
    }  # fmt: skip
