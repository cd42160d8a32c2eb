"""The OpenAPI document: valid OpenAPI 3.0, a path for every action, and request schemas
that allow exactly the bodies the interface parses."""

from __future__ import annotations

import re
from datetime import timedelta, timezone
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from callers.fields import Choice, Field, Instant, Integer, Text, Texts
from callers.interface import (
    ACTIONS,
    ISSUE,
    LOGIN,
    WINDOW_ACTIONS,
    Body,
    Flag,
    parse_body,
    parse_login,
)
from callers.openapi import openapi_document
from queue_core.errors import MalformedCommand

DOC = openapi_document("http://127.0.0.1:8080")
SCHEMAS = DOC["components"]["schemas"]
OPERATIONS = [
    (path, method, op)
    for path, item in DOC["paths"].items()
    for method, op in item.items()
    if method in ("get", "post", "delete")
]


def resolve(ref: str) -> Any:
    node: Any = DOC
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def request_schema(path: str, method: str = "post") -> Any:
    body = DOC["paths"][path][method]["requestBody"]
    return resolve(body["content"]["application/json"]["schema"]["$ref"])


def test_the_document_is_valid_openapi_3_0() -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(DOC)


def test_the_document_is_openapi_3_0_3_served_from_the_given_url() -> None:
    assert DOC["openapi"] == "3.0.3"
    assert DOC["servers"] == [{"url": "http://127.0.0.1:8080"}]
    assert openapi_document()["servers"] == [{"url": "/"}]


def test_every_reference_resolves() -> None:
    for ref in refs(DOC):
        assert ref.startswith("#/components/")
        resolve(ref)


def test_the_contract_paths_are_all_there() -> None:
    expected = {
        "/api/login": {"post"},
        "/api/halls/{hall}/services": {"get"},
        "/api/halls/{hall}/tickets": {"post"},
        "/api/tickets/{token}": {"get", "delete"},
        "/api/halls/{hall}/board": {"get"},
        "/api/halls/{hall}/events": {"get"},
        "/api/halls/{hall}/statistics": {"get"},
        "/api/tickets/{token}/rating": {"post"},
        "/api/tickets/{token}/arrive": {"post"},  # remote tickets (远程取号)
        "/api/halls/{hall}/plans": {"get", "post"},
        "/api/halls/{hall}/plans/{plan}/{decision}": {"post"},
        "/api/halls/{hall}/guide": {"get"},  # the service guide (事项导航)
        "/api/halls/{hall}/guide/{service}": {"get"},
        "/api/halls/{hall}/appointments/slots": {"get"},  # appointments (预约)
        "/api/halls/{hall}/appointments": {"post"},
        "/api/halls/{hall}/appointments/mine": {"post"},
        "/api/halls/{hall}/appointments/capacity": {"post"},
        "/api/appointments/{token}": {"get", "delete"},
        "/api/appointments/{token}/reschedule": {"post"},
        "/api/appointments/{token}/check-in": {"post"},
    } | {f"/api/halls/{{hall}}/windows/{{window}}/{a}": {"post"} for a in ACTIONS}
    assert {path: set(item) for path, item in DOC["paths"].items()} == expected


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_has_its_path_with_staff_auth_and_its_own_closed_body(action: str) -> None:
    op = DOC["paths"][f"/api/halls/{{hall}}/windows/{{window}}/{action}"]["post"]
    assert op["security"] == [{"bearerAuth": []}]
    assert {"200", "400", "401", "403", "404", "409"} <= set(op["responses"])
    schema = request_schema(f"/api/halls/{{hall}}/windows/{{window}}/{action}")
    assert schema["additionalProperties"] is False
    assert schema["required"][0] == "request_id"
    assert set(schema["properties"]) == set(WINDOW_ACTIONS[action].fields())
    assert "oneOf" not in str(schema)


def test_only_window_actions_and_the_supervisors_pages_need_a_token() -> None:
    protected = {path for path, _, op in OPERATIONS if "security" in op}
    supervisors = ("/events", "/statistics", "/appointments/capacity")
    assert protected == {
        p for p in DOC["paths"] if "/windows/" in p or "/plans" in p or p.endswith(supervisors)
    }
    assert DOC["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_taking_a_ticket_answers_201_and_429_when_too_fast() -> None:
    responses = DOC["paths"]["/api/halls/{hall}/tickets"]["post"]["responses"]
    assert {"201", "400", "404", "429"} <= set(responses)
    created = resolve(responses["201"]["content"]["application/json"]["schema"]["$ref"])
    assert created["required"] == ["ticket", "token", "status_url"]


def test_every_error_response_has_the_error_schema() -> None:
    for _, _, op in OPERATIONS:
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                error = resolve(response["$ref"])["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/Error"}
    error = SCHEMAS["Error"]["properties"]["error"]
    assert error["required"] == ["code", "message_zh", "message_en"]


def test_operation_ids_are_unique() -> None:
    ids = [op["operationId"] for _, _, op in OPERATIONS]
    assert len(ids) == len(set(ids))


# ---- the schemas allow exactly what the interface parses ---------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
OFFSETS = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))


def valid(field: Field) -> st.SearchStrategy[object]:
    """Values that `field` should accept."""
    if isinstance(field, Text):
        if field.pattern:
            return st.from_regex(field.pattern, fullmatch=True).filter(
                lambda t: field.min_length <= len(t) <= field.max_length
            )
        return st.text(min_size=field.min_length, max_size=field.max_length)
    if isinstance(field, Integer):
        return st.integers(field.minimum, field.maximum)
    if isinstance(field, Choice):
        return st.sampled_from(field.values())
    if isinstance(field, Texts):
        items = min(field.max_items, field.min_items + 2)
        return st.lists(valid(field.item), min_size=field.min_items, max_size=items)
    if isinstance(field, Flag):
        return st.booleans()
    assert isinstance(field, Instant)
    return st.datetimes(timezones=OFFSETS).map(lambda d: d.isoformat())


def near(field: Field) -> st.SearchStrategy[object]:
    """Mostly valid values for `field`, then values on both sides of its limits, then any
    JSON. Strings are never lone surrogates, a pattern's never end in a newline (`$`
    differs in Python's re and in ECMA's), and a date-time's are real date-times: the
    schema validator here checks no formats."""
    if isinstance(field, Text):
        edge = st.text(max_size=field.max_length + 2)
        if field.pattern:
            edge = edge.filter(lambda t: not t.endswith("\n"))
        other: st.SearchStrategy[object] = edge | JSON
    elif isinstance(field, Integer):
        other = st.integers(field.minimum - 2, field.maximum + 2) | st.booleans() | JSON
    elif isinstance(field, Texts):
        other = st.lists(near(field.item), max_size=field.max_items + 1) | JSON
    elif isinstance(field, Instant):
        other = JSON.filter(lambda v: not isinstance(v, str))
    else:
        other = JSON
    return st.one_of(valid(field), valid(field), valid(field), other)


@st.composite
def bodies(draw: st.DrawFn, fields: dict[str, Field]) -> dict[str, object]:
    body = {name: draw(near(f)) for name, f in fields.items() if draw(st.integers(0, 9))}
    if draw(st.integers(0, 9)) == 0:
        body[draw(st.text(max_size=8))] = draw(JSON)
    return body


def schema_allows(schema: dict[str, Any], body: object) -> bool:
    validators = pytest.importorskip("openapi_schema_validator")
    return bool(validators.OAS30Validator(schema).is_valid(body))


def parses(body_spec: Body, body: object) -> bool:
    try:
        fixed = {"hall": "h", "window": 1} if body_spec.takes_window() else {"hall": "h"}
        parse_body(body_spec, body, **fixed)
    except MalformedCommand:
        return False
    return True


@pytest.mark.parametrize("action", ACTIONS)
@settings(deadline=None)  # the first example imports the validator and builds the document
@given(data=st.data())
def test_a_window_action_body_parses_exactly_when_its_schema_allows_it(
    action: str, data: st.DataObject
) -> None:
    spec = WINDOW_ACTIONS[action]
    body = data.draw(bodies(spec.fields()))
    assume(not outside_utc(body))
    schema = request_schema(f"/api/halls/{{hall}}/windows/{{window}}/{action}")
    assert parses(spec, body) == schema_allows(schema, body), body


def outside_utc(body: object) -> bool:
    """The one known gap: RFC 3339 allows `0001-01-01T00:00:00+00:01`, which has no UTC
    time. The schema cannot say so; the parser refuses it with a 400 (never a 500)."""
    values = body.values() if isinstance(body, dict) else ()
    return any(isinstance(v, str) and v.startswith("0001-01-01") for v in values)


@given(data=st.data())
def test_a_ticket_request_parses_exactly_when_its_schema_allows_it(data: st.DataObject) -> None:
    body = data.draw(bodies(ISSUE.fields()))
    schema = request_schema("/api/halls/{hall}/tickets")
    assert parses(ISSUE, body) == schema_allows(schema, body), body


@given(data=st.data())
def test_a_login_parses_exactly_when_its_schema_allows_it(data: st.DataObject) -> None:
    body = data.draw(bodies(dict(LOGIN)))
    try:
        parse_login(body)
        parsed = True
    except MalformedCommand:
        parsed = False
    assert parsed == schema_allows(request_schema("/api/login"), body), body


def test_the_ticket_pattern_is_anchored_for_ecma_regexes() -> None:
    pattern = SCHEMAS["WindowCallRequest"]["properties"]["ticket"]["pattern"]
    assert pattern.startswith("^") and pattern.endswith("$")
    assert re.search(pattern, "A012") and not re.search(pattern, "xA012")
