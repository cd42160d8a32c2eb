"""The transport interface: every action's body becomes its command, and every malformed
body, whatever it holds, becomes one `MalformedCommand` naming what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callers.interface import (
    ACTIONS,
    WINDOW_ACTIONS,
    Credentials,
    error_body,
    parse_after,
    parse_issue,
    parse_login,
    parse_window_action,
)
from queue_core.commands import (
    AssignServices,
    CallNext,
    CallTicket,
    CloseWindow,
    Command,
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
from queue_core.errors import MalformedCommand, UnknownTicket
from queue_core.vocabulary import Channel, Lane, TransferPlacement

HALL = "south-axis"
R = {"request_id": "r1"}
SHANGHAI = timezone(timedelta(hours=8))

# action → (the smallest body, its command; a body with every field, its command)
EXAMPLES: dict[str, tuple[dict[str, Any], Command, dict[str, Any], Command]] = {
    "open": (
        R,
        OpenWindow("r1", HALL, 3),
        R | {"services": ["social-security", "tax"], "staff": "李四"},
        OpenWindow("r1", HALL, 3, ("social-security", "tax"), "李四"),
    ),
    "pause": (
        R,
        PauseWindow("r1", HALL, 3),
        R | {"reason": "lunch"},
        PauseWindow("r1", HALL, 3, "lunch"),
    ),
    "resume": (R, ResumeWindow("r1", HALL, 3), R, ResumeWindow("r1", HALL, 3)),
    "close": (R, CloseWindow("r1", HALL, 3), R, CloseWindow("r1", HALL, 3)),
    "assign": (
        R | {"services": []},
        AssignServices("r1", HALL, 3, ()),
        R | {"services": ["tax"], "reason": "queue"},
        AssignServices("r1", HALL, 3, ("tax",), "queue"),
    ),
    "call-next": (R, CallNext("r1", HALL, 3), R, CallNext("r1", HALL, 3)),
    "call": (
        R | {"ticket": "A012"},
        CallTicket("r1", HALL, 3, "A012"),
        R | {"ticket": "B1234", "reason": "elderly"},
        CallTicket("r1", HALL, 3, "B1234", "elderly"),
    ),
    "recall": (R, Recall("r1", HALL, 3), R, Recall("r1", HALL, 3)),
    "no-show": (R, MarkNoShow("r1", HALL, 3), R, MarkNoShow("r1", HALL, 3)),
    "reinstate": (
        R | {"ticket": "A012"},
        Reinstate("r1", HALL, "A012"),
        R | {"ticket": "A012"},
        Reinstate("r1", HALL, "A012"),
    ),
    "start": (R, StartServing("r1", HALL, 3), R, StartServing("r1", HALL, 3)),
    "finish": (
        R,
        FinishService("r1", HALL, 3),
        R | {"result": "referred", "rating": 5},
        FinishService("r1", HALL, 3, "referred", 5),
    ),
    "transfer": (
        R,
        Transfer("r1", HALL, 3),
        R | {"to_service": "tax", "to_window": 7, "placement": "front", "note": "n"},
        Transfer("r1", HALL, 3, "tax", 7, TransferPlacement.FRONT, "n"),
    ),
    "park": (
        R | {"missing": ["ID card"], "until": "2026-03-02T16:00:00+08:00"},
        Park("r1", HALL, 3, ("ID card",), datetime(2026, 3, 2, 16, tzinfo=SHANGHAI)),
        R | {"missing": ["ID card", "photo"], "until": "2026-03-02t08:00:00z"},
        Park("r1", HALL, 3, ("ID card", "photo"), datetime(2026, 3, 2, 8, tzinfo=UTC)),
    ),
    "return": (
        R | {"ticket": "A012"},
        ReturnToQueue("r1", HALL, "A012"),
        R | {"ticket": "A012"},
        ReturnToQueue("r1", HALL, "A012"),
    ),
}


def refusal(call: Any, *args: Any) -> MalformedCommand:
    with pytest.raises(MalformedCommand) as refused:
        call(*args)
    return refused.value


def test_there_is_an_example_for_every_action_in_contract_order() -> None:
    contract = "open pause resume close assign call-next call recall no-show reinstate "
    contract += "start finish transfer park return"
    assert tuple(contract.split(" ")) == ACTIONS
    assert set(EXAMPLES) == set(ACTIONS)


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_parses_its_smallest_and_its_fullest_body(action: str) -> None:
    small, small_command, full, full_command = EXAMPLES[action]
    assert parse_window_action(HALL, 3, action, small) == small_command
    assert parse_window_action(HALL, 3, action, full) == full_command


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_needs_a_request_id(action: str) -> None:
    small = {k: v for k, v in EXAMPLES[action][0].items() if k != "request_id"}
    error = refusal(parse_window_action, HALL, 3, action, small)
    assert "request_id" in error.message_zh and "request_id" in error.message_en


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_refuses_an_unknown_field(action: str) -> None:
    error = refusal(parse_window_action, HALL, 3, action, EXAMPLES[action][0] | {"colour": 1})
    assert "colour" in error.message_zh and "colour" in error.message_en


@pytest.mark.parametrize("body", [None, [], "r1", 3, True, [R]])
def test_a_body_that_is_not_an_object_is_refused(body: object) -> None:
    error = refusal(parse_window_action, HALL, 3, "call-next", body)
    assert "JSON 对象" in error.message_zh and "JSON object" in error.message_en


def test_an_unknown_action_is_refused_naming_it() -> None:
    error = refusal(parse_window_action, HALL, 3, "dance", R)
    assert "dance" in error.message_zh and "dance" in error.message_en
    assert error.http_status == 400


MALFORMED = [
    ("call", {"ticket": "A012"} | {"request_id": ""}, "request_id"),
    ("call", {"ticket": "A012"} | {"request_id": "x" * 101}, "request_id"),
    ("call", {"ticket": "A012"} | {"request_id": 7}, "request_id"),
    ("call", R | {"ticket": "a012"}, "ticket"),
    ("call", R | {"ticket": "A²"}, "ticket"),
    ("call", R | {"ticket": "A012\n"}, "ticket"),
    ("call", R | {"ticket": "A" + "1" * 5000}, "ticket"),
    ("call", R, "ticket"),
    ("reinstate", R | {"ticket": 12}, "ticket"),
    ("open", R | {"services": "tax"}, "services"),
    ("open", R | {"services": [1]}, "services[0]"),
    ("open", R | {"services": ["tax", ""]}, "services[1]"),
    ("open", R | {"staff": None}, "staff"),
    ("assign", R, "services"),
    ("assign", R | {"services": ["x"] * 51}, "services"),
    ("pause", R | {"reason": "r" * 501}, "reason"),
    ("finish", R | {"rating": True}, "rating"),
    ("finish", R | {"rating": 5.0}, "rating"),
    ("finish", R | {"rating": "5"}, "rating"),
    ("finish", R | {"rating": 0}, "rating"),
    ("finish", R | {"rating": 6}, "rating"),
    ("finish", R | {"result": ""}, "result"),
    ("transfer", R | {"to_window": False}, "to_window"),
    ("transfer", R | {"to_window": 10**30}, "to_window"),
    ("transfer", R | {"to_service": None}, "to_service"),
    ("transfer", R | {"placement": "back"}, "placement"),
    ("transfer", R | {"placement": "FRONT"}, "placement"),
    ("park", R | {"until": "2026-03-02T16:00:00+08:00"}, "missing"),
    ("park", R | {"missing": [], "until": "2026-03-02T16:00:00+08:00"}, "missing"),
    ("park", R | {"missing": ["ID"], "until": "2026-03-02T16:00:00"}, "until"),
    ("park", R | {"missing": ["ID"], "until": "tomorrow"}, "until"),
    ("park", R | {"missing": ["ID"], "until": 1772438400}, "until"),
    ("park", R | {"missing": ["ID"], "until": "0001-01-01T00:00:00+01:00"}, "until"),
    ("park", R | {"missing": ["ID"]}, "until"),
    ("pause", R | {"reason": "lunch \ud800"}, "reason"),
]


@pytest.mark.parametrize(("action", "body", "field"), MALFORMED)
def test_each_malformation_is_refused_naming_its_field(
    action: str, body: dict[str, Any], field: str
) -> None:
    error = refusal(parse_window_action, HALL, 3, action, body)
    assert field in error.message_zh and field in error.message_en
    assert error.code == "malformed_command" and error.http_status == 400


def test_a_ticket_is_issued_in_the_blue_lane_from_a_kiosk_unless_told_otherwise() -> None:
    assert parse_issue(HALL, {"service": "tax", "request_id": "k1"}) == IssueTicket(
        "k1", HALL, "tax", Lane.BLUE, Channel.KIOSK
    )
    body = {"service": "tax", "lane": "green", "channel": "mobile", "request_id": "m1"}
    assert parse_issue(HALL, body) == IssueTicket("m1", HALL, "tax", Lane.GREEN, Channel.MOBILE)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"request_id": "k1"}, "service"),
        ({"service": "", "request_id": "k1"}, "service"),
        ({"service": "tax"}, "request_id"),
        ({"service": "tax", "request_id": "k1", "lane": "red"}, "lane"),
        ({"service": "tax", "request_id": "k1", "lane": None}, "lane"),
        ({"service": "tax", "request_id": "k1", "channel": "fax"}, "channel"),
        ({"service": "tax", "request_id": "k1", "appointment_ref": "x"}, "appointment_ref"),
        ({"service": "tax", "request_id": "k1", "token_digest": "x"}, "token_digest"),
    ],
)
def test_a_malformed_ticket_request_is_refused_naming_its_field(
    body: dict[str, Any], field: str
) -> None:
    error = refusal(parse_issue, HALL, body)
    assert field in error.message_zh and field in error.message_en


def test_login_needs_exactly_a_username_and_a_password() -> None:
    assert parse_login({"username": "li", "password": "pw"}) == Credentials("li", "pw")
    assert "pw" not in repr(Credentials("li", "pw"))
    assert "password" in refusal(parse_login, {"username": "li"}).message_en
    assert "username" in refusal(parse_login, {"username": 1, "password": "pw"}).message_en
    assert "role" in refusal(parse_login, {"username": "li", "password": "p", "role": 1}).message_en


@pytest.mark.parametrize("text", ["-1", "1.5", "², ", "²", "١", " 1", "1" * 19, "", "x"])
def test_the_event_cursor_is_a_plain_whole_number(text: str) -> None:
    assert "after" in refusal(parse_after, text).message_en


def test_the_event_cursor_defaults_to_the_start() -> None:
    assert parse_after(None) == 0
    assert parse_after("0") == 0
    assert parse_after("123") == 123


def test_an_error_body_carries_the_code_and_both_messages() -> None:
    error = UnknownTicket("今天没有 A999 号", "no ticket A999 today")
    assert error_body(error) == {
        "error": {
            "code": "unknown_ticket",
            "message_zh": "今天没有 A999 号",
            "message_en": "no ticket A999 today",
        }
    }


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(
    action=st.sampled_from(ACTIONS) | st.text(max_size=10),
    body=JSON | st.dictionaries(st.sampled_from(["request_id", "ticket", "x"]), JSON),
)
def test_any_json_either_parses_or_is_refused_as_malformed(action: str, body: object) -> None:
    try:
        command = parse_window_action(HALL, 3, action, body)
    except MalformedCommand:
        return
    assert isinstance(command, WINDOW_ACTIONS[action].command)


@given(
    action=st.sampled_from(ACTIONS),
    field=st.sampled_from(sorted({name for b in WINDOW_ACTIONS.values() for name in b.fields()})),
    value=JSON,
)
def test_any_value_in_any_field_either_parses_or_is_refused_naming_the_field(
    action: str, field: str, value: object
) -> None:
    body = EXAMPLES[action][2] | {field: value}
    try:
        parse_window_action(HALL, 3, action, body)
    except MalformedCommand as error:
        assert field in error.message_en and field in error.message_zh


@given(body=JSON | st.dictionaries(st.sampled_from(["service", "lane", "channel"]), JSON))
def test_any_json_ticket_request_either_parses_or_is_refused_as_malformed(body: object) -> None:
    try:
        command = parse_issue(HALL, body)
    except MalformedCommand:
        return
    assert isinstance(command, IssueTicket)


NAIVE_OR_AWARE: st.SearchStrategy[datetime] = st.one_of(
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), timezones=st.sampled_from([UTC, SHANGHAI])),
)


@given(NAIVE_OR_AWARE)
def test_a_deadline_parses_exactly_when_it_has_an_offset(until: datetime) -> None:
    body = R | {"missing": ["ID"], "until": until.isoformat()}
    if until.tzinfo is None:
        refusal(parse_window_action, HALL, 3, "park", body)
    else:
        command = parse_window_action(HALL, 3, "park", body)
        assert isinstance(command, Park) and command.until == until
