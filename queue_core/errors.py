"""Named domain errors, each with a stable code and a message in Chinese and English.

Every refusal of the core is one of these, raised *before* any event is triggered, so a
refused command never writes anything. The web layer maps `http_status` straight to a
response; the code is part of the public API, so keep codes stable.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal; carries `code`, `message_zh`, `message_en`, `http_status`."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_en} / {message_zh}")
        self.message_zh = message_zh
        self.message_en = message_en

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}


class MalformedCommand(DomainError):
    code = "malformed_command"


class UnknownHall(DomainError):
    code = "unknown_hall"
    http_status = 404


class UnknownService(DomainError):
    code = "unknown_service"
    http_status = 404


class UnknownWindow(DomainError):
    code = "unknown_window"
    http_status = 404


class UnknownTicket(DomainError):
    code = "unknown_ticket"
    http_status = 404


class LaneNotAllowed(DomainError):
    code = "lane_not_allowed"


class IllegalTransition(DomainError):
    """A ticket action that the lifecycle table does not allow from the ticket's status."""

    code = "illegal_transition"
    http_status = 409


class WindowStateError(DomainError):
    """A window action that its current state does not allow (closed, paused, busy …)."""

    code = "window_state"
    http_status = 409


class SkillMismatch(DomainError):
    code = "skill_mismatch"
    http_status = 409


class TooSoon(DomainError):
    """A recall before the hall's minimum interval between calls of one ticket."""

    code = "too_soon"
    http_status = 409


class NothingToCall(DomainError):
    code = "nothing_to_call"
    http_status = 409


class RequestIdReused(DomainError):
    """A request id already used by a different kind of command."""

    code = "request_id_reused"
    http_status = 409


class InvalidConfiguration(DomainError):
    code = "invalid_configuration"


class NotServedNow(DomainError):
    """A remote ticket for a service that no open window serves: the hall is not open."""

    code = "not_served_now"
    http_status = 409


class NothingToLapse(DomainError):
    """No remote ticket is due to lapse: a periodic lapse run may ignore this."""

    code = "nothing_to_lapse"
    http_status = 409
