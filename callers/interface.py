"""The transport interface: JSON request bodies in, domain commands out; errors back as JSON.

Each request body is declared once, as a `Body` of named fields (see `callers.fields`);
the parsers below and the OpenAPI document (`callers.openapi`) are both read from these
declarations. A body must be a JSON object with every required field, no unknown one,
and a `request_id` (1 to 100 characters) that makes a retry harmless.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from callers.accounts import MAX_USERNAME_LENGTH
from callers.fields import Choice, Field, Instant, Integer, Text, Texts, malformed, shown
from queue_core.commands import (
    AssignServices,
    CallNext,
    CallTicket,
    CloseWindow,
    Command,
    ConfirmArrival,
    FinishService,
    IssueTicket,
    MarkNoShow,
    OpenWindow,
    Park,
    PauseWindow,
    Recall,
    Reinstate,
    ResumeWindow,
    ReturnToQueue,
    StartServing,
    Transfer,
)
from queue_core.errors import DomainError, MalformedCommand
from queue_core.vocabulary import Channel, Lane, TransferPlacement

# Any text but a leading "~": that is kept for ids the server makes (commands.SERVER_MADE).
REQUEST_ID = Text(1, 100, r"[^~][\s\S]*", "不以 ~ 开头的文字", "text not starting with ~")
SERVICE = Text(1, 100)
SERVICES = Texts(SERVICE, 0, 50)
REASON = Text(0, 500)
TICKET = Text(2, 10, "[A-Z][0-9]{1,9}", "号码，如 A012", "a ticket number like A012")
WINDOW = Integer(1, 9999)


@dataclass(frozen=True)
class Flag:
    """A JSON boolean (kept here, beside its only user, the remote ticket request)."""

    def parse(self, name: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise malformed(name, "须为 true 或 false", "must be true or false")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Body:
    """The JSON body of one request: its fields besides `request_id`, and its command."""

    command: type[Command]
    required: Mapping[str, Field] = dataclasses.field(default_factory=dict)
    optional: Mapping[str, Field] = dataclasses.field(default_factory=dict)
    _fields: dict[str, Field] = dataclasses.field(init=False, repr=False, compare=False)
    _required: list[str] = dataclasses.field(init=False, repr=False, compare=False)
    _takes_window: bool = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Asked for every request: worked out once (read them, never change them).
        every = {"request_id": REQUEST_ID, **self.required, **self.optional}
        window = any(f.name == "window" for f in dataclasses.fields(self.command))
        object.__setattr__(self, "_fields", every)
        object.__setattr__(self, "_required", ["request_id", *self.required])
        object.__setattr__(self, "_takes_window", window)

    def fields(self) -> dict[str, Field]:
        """Every field, `request_id` first."""
        return self._fields

    def required_names(self) -> list[str]:
        return self._required

    def takes_window(self) -> bool:
        return self._takes_window


ISSUE = Body(
    IssueTicket,
    required={"service": SERVICE},
    optional={"lane": Choice(Lane), "channel": Choice(Channel), "remote": Flag()},
)
# POST /api/tickets/{token}/arrive: the kiosk that scanned the phone's QR names itself.
ARRIVE: Mapping[str, Field] = MappingProxyType({"kiosk": Text(1, 64)})

WINDOW_ACTIONS: Mapping[str, Body] = MappingProxyType(
    {
        "open": Body(OpenWindow, optional={"services": SERVICES, "staff": Text(0, 100)}),
        "pause": Body(PauseWindow, optional={"reason": REASON}),
        "resume": Body(ResumeWindow),
        "close": Body(CloseWindow),
        "assign": Body(AssignServices, {"services": SERVICES}, {"reason": REASON}),
        "call-next": Body(CallNext),
        "call": Body(CallTicket, {"ticket": TICKET}, {"reason": REASON}),
        "recall": Body(Recall),
        "no-show": Body(MarkNoShow),
        "reinstate": Body(Reinstate, {"ticket": TICKET}),
        "start": Body(StartServing),
        "finish": Body(FinishService, optional={"result": Text(1, 100), "rating": Integer(1, 5)}),
        "transfer": Body(
            Transfer,
            optional={
                "to_service": SERVICE,
                "to_window": WINDOW,
                "placement": Choice(TransferPlacement),
                "note": REASON,
            },
        ),
        "park": Body(Park, {"missing": Texts(Text(1, 200), 1, 50), "until": Instant()}),
        "return": Body(ReturnToQueue, {"ticket": TICKET}),
    }
)

ACTIONS: tuple[str, ...] = tuple(WINDOW_ACTIONS)

LOGIN: Mapping[str, Field] = MappingProxyType(
    {"username": Text(1, MAX_USERNAME_LENGTH), "password": Text(1, 1024)}
)
AFTER_DIGITS = 18  # below 2**63, so any store's integer column can hold it


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = dataclasses.field(repr=False)


def parse_issue(hall: str, body: object) -> IssueTicket:
    """The `IssueTicket` of a `POST /api/halls/{hall}/tickets` body (lane blue and channel
    kiosk unless given). The caller adds `token_digest` with `dataclasses.replace`."""
    command = parse_body(ISSUE, body, hall=hall)
    assert isinstance(command, IssueTicket)
    if command.remote and isinstance(body, dict) and "channel" not in body:
        command = dataclasses.replace(command, channel=Channel.MOBILE)  # 远程取号: from a phone
    return command


def parse_arrive(hall: str, number: str, request_id: str, body: object) -> ConfirmArrival:
    """The `ConfirmArrival` of a `POST /api/tickets/{token}/arrive` body `{kiosk}`."""
    values = parse_object(ARRIVE, ("kiosk",), body)
    return ConfirmArrival(request_id, hall, number, kiosk=values["kiosk"])


def parse_window_action(hall: str, window: int, action: str, body: object) -> Command:
    """The command of `POST /api/halls/{hall}/windows/{window}/{action}`. `reinstate` and
    `return` name their ticket, so their command does not carry the window."""
    spec = WINDOW_ACTIONS.get(action) if isinstance(action, str) else None
    if spec is None:
        raise MalformedCommand(
            f"未知操作 “{shown(action)}”，可选：{' '.join(ACTIONS)}",
            f"unknown action '{shown(action)}'; one of: {' '.join(ACTIONS)}",
        )
    fixed: dict[str, Any] = {"hall": hall}
    if spec.takes_window():
        fixed["window"] = window
    return parse_body(spec, body, **fixed)


def parse_login(body: object) -> Credentials:
    """The username and password of a `POST /api/login` body."""
    values = parse_object(LOGIN, ("username", "password"), body)
    return Credentials(values["username"], values["password"])


def parse_after(text: str | None) -> int:
    """The `after` query parameter of the event history: a whole number ≥ 0, default 0."""
    if text is None:
        return 0
    if not (text.isascii() and text.isdigit() and len(text) <= AFTER_DIGITS):
        raise MalformedCommand(
            "参数 “after” 须为非负整数", "the parameter 'after' must be a whole number ≥ 0"
        )
    return int(text)


def parse_body(spec: Body, body: object, **fixed: Any) -> Command:
    """`spec.command` built from `body` and the `fixed` values the path gave."""
    return spec.command(**fixed, **parse_object(spec.fields(), spec.required_names(), body))


def parse_object(
    fields: Mapping[str, Field], required: Sequence[str], body: object
) -> dict[str, Any]:
    """The parsed value of each field present in `body`, after checking that `body` is an
    object with every `required` field and no field outside `fields`."""
    if not isinstance(body, dict):
        raise MalformedCommand("请求体须为 JSON 对象", "the request body must be a JSON object")
    unknown = sorted(shown(key) for key in body if key not in fields)
    if unknown:
        names = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise MalformedCommand(f"未知字段：{names}", f"unknown field(s): {names}")
    for name in required:
        if name not in body:
            raise MalformedCommand(f"缺少字段 “{name}”", f"missing field '{name}'")
    return {name: field.parse(name, body[name]) for name, field in fields.items() if name in body}


def error_body(error: DomainError) -> dict[str, dict[str, str]]:
    """The JSON body of an error response: `{"error": {code, message_zh, message_en}}`."""
    return {"error": error.as_dict()}
