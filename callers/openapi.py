"""The public HTTP contract as an OpenAPI 3.0.3 document.

Request schemas are generated from the same declarations that `callers.interface` parses
with, so a body the document allows is one the server parses (or refuses with a 4xx on
grounds a schema cannot say, such as a lone surrogate or a date before year 1 in UTC).
Each window action has a path of its own, so each has its exact body schema.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from callers.accounts import Role
from callers.fields import Field, Schema
from callers.interface import AFTER_DIGITS, ARRIVE, ISSUE, LOGIN, WINDOW, WINDOW_ACTIONS, Body
from callers.openapi_appointments import appointment_paths, appointment_schemas
from callers.openapi_guide import guide_paths, guide_schemas
from queue_core.vocabulary import Lane, TicketStatus

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]

ACTION_SUMMARIES = {
    "open": ("开窗", "open the window (services and staff optional)"),
    "pause": ("暂停", "pause the window"),
    "resume": ("恢复", "resume a paused window"),
    "close": ("关窗", "close the window (it must have no current ticket)"),
    "assign": ("分配业务", "assign the services this window calls for"),
    "call-next": ("叫下一位", "call the next ticket by the hall's call rules"),
    "call": ("指定叫号", "call a specific ticket"),
    "recall": ("重呼", "call the current ticket again"),
    "no-show": ("过号", "mark the current ticket as not shown up"),
    "reinstate": ("恢复过号", "put a no-show ticket back in its queue (once)"),
    "start": ("开始办理", "start serving the current ticket"),
    "finish": ("办结", "finish the current ticket, with an optional rating 1–5"),
    "transfer": ("转办", "transfer the current ticket to another service or window"),
    "park": ("容缺受理", "park the current ticket until missing materials arrive"),
    "return": ("退回队列", "return a called or parked ticket to its queue"),
}


def object_schema(fields: Mapping[str, Field], required: Sequence[str]) -> Schema:
    """A closed object: exactly these fields, the `required` ones always present."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {name: field.schema() for name, field in fields.items()},
    }


def body_schema(body: Body) -> Schema:
    return object_schema(body.fields(), body.required_names())


def openapi_document(server_url: str = "/") -> dict[str, Any]:
    """The whole contract; `server_url` is where the API is served from."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "hallq",
            "version": "1",
            "description": "大厅排队叫号与窗口调度 · hall queueing and window scheduling. "
            "Errors are `{error: {code, message_zh, message_en}}`.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            **_public_paths(),
            **guide_paths(),
            **appointment_paths(),
            **_window_paths(),
        },
        "components": {
            "schemas": {**_schemas(), **guide_schemas(), **appointment_schemas()},
            "responses": _error_responses(),
            "parameters": _parameters(),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def _action_operation_id(action: str) -> str:
    """`call-next` → `windowCallNext`."""
    return "window" + "".join(part.title() for part in action.split("-"))


def _action_schema_name(action: str) -> str:
    """`call-next` → `WindowCallNextRequest`."""
    return "Window" + "".join(part.title() for part in action.split("-")) + "Request"


def _window_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for action in WINDOW_ACTIONS:
        zh, en = ACTION_SUMMARIES[action]
        paths[f"/api/halls/{{hall}}/windows/{{window}}/{action}"] = {
            "post": {
                "operationId": _action_operation_id(action),
                "summary": f"{zh} · {en}",
                "tags": ["window"],
                "security": BEARER,
                "parameters": [_ref("parameters", "Hall"), _ref("parameters", "Window")],
                "requestBody": _json_body(_action_schema_name(action)),
                "responses": {
                    "200": _json("the window after the action (its view)", _ref("WindowView")),
                    **_errors(400, 401, 403, 404, 409),
                },
            }
        }
    return paths


def _public_paths() -> dict[str, Any]:
    hall = [_ref("parameters", "Hall")]
    token = [_ref("parameters", "TicketToken")]
    return {
        "/api/login": {
            "post": {
                "operationId": "login",
                "summary": "登录 · sign in as staff, supervisor or admin",
                "tags": ["auth"],
                "requestBody": _json_body("LoginRequest"),
                "responses": {
                    "200": _json("a session token and the account's role", _ref("LoginResult")),
                    **_errors(400, 401, 429),
                },
            }
        },
        "/api/halls/{hall}/services": {
            "get": {
                "operationId": "serviceGuide",
                "summary": "办事指南 · the hall's services: names, zone, materials, lanes",
                "tags": ["resident"],
                "parameters": hall,
                "responses": {
                    "200": _json("the service guide", _ref("ServiceGuide")),
                    **_errors(404),
                },
            }
        },
        "/api/halls/{hall}/tickets": {
            "post": {
                "operationId": "issueTicket",
                "summary": "取号 · take a ticket",
                "tags": ["resident"],
                "parameters": hall,
                "requestBody": _json_body("IssueTicketRequest"),
                "responses": {
                    "201": _json("the new ticket and its private token", _ref("TicketIssued")),
                    "200": _json(
                        "a retry of an earlier request id: that same ticket", _ref("TicketIssued")
                    ),
                    **_errors(400, 404, 409, 429),
                },
            }
        },
        "/api/tickets/{token}": {
            "get": {
                "operationId": "ticketStatus",
                "summary": "查询 · a ticket's status, place in the queue and expected wait",
                "tags": ["resident"],
                "parameters": token,
                "responses": {
                    "200": _json("the ticket's status", _ref("TicketStatus")),
                    **_errors(400, 404),
                },
            },
            "delete": {
                "operationId": "cancelTicket",
                "summary": "取消 · cancel a waiting ticket",
                "tags": ["resident"],
                "parameters": token,
                "responses": {
                    "200": _json("the cancelled ticket's status", _ref("TicketStatus")),
                    **_errors(400, 404, 409),
                },
            },
        },
        "/api/halls/{hall}/board": {
            "get": {
                "operationId": "hallBoard",
                "summary": "大厅屏 · the hall board: windows, their current tickets, queues",
                "tags": ["displays"],
                "parameters": hall,
                "responses": {"200": _json("the hall board", _ref("Board")), **_errors(404)},
            }
        },
        "/api/halls/{hall}/events": {
            "get": {
                "operationId": "hallEvents",
                "summary": "事件记录 · the hall's event history, in order (supervisors)",
                "tags": ["supervisor"],
                "security": BEARER,
                "parameters": [*hall, _ref("parameters", "After")],
                "responses": {
                    "200": _json("events after the given position", _ref("EventPage")),
                    **_errors(400, 401, 403, 404),
                },
            }
        },
        "/api/tickets/{token}/rating": {
            "post": {
                "operationId": "rateTicket",
                "summary": "评价 · the resident rates a finished visit (once)",
                "tags": ["residents"],
                "parameters": token,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["rating"],
                                "properties": {
                                    "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                                    "comment": {"type": "string", "maxLength": 500},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json("the rating was recorded", {"type": "object"}),
                    **_errors(400, 404, 409),
                },
            }
        },
        # ---- remote tickets (远程取号) ----
        "/api/tickets/{token}/arrive": {
            "post": {
                "operationId": "confirmArrival",
                "summary": "确认到达 · a kiosk confirms a remote ticket's arrival (QR scan)",
                "description": "The kiosk posts the token it read from the phone's QR. The "
                "remote ticket becomes an ordinary waiting ticket and keeps its place; until "
                "then call next skips it. A repeated scan gets the first answer.",
                "tags": ["resident"],
                "parameters": token,
                "requestBody": _json_body("ArrivalRequest"),
                "responses": {
                    "200": _json("the ticket's status, now waiting", _ref("TicketStatus")),
                    **_errors(400, 404, 409),
                },
            }
        },
        "/api/halls/{hall}/plans": {
            "get": {
                "operationId": "listPlans",
                "summary": "调度方案 · the scheduler's recent plans, newest first (supervisors)",
                "tags": ["supervisor"],
                "security": BEARER,
                "parameters": hall,
                "responses": {
                    "200": _json("recent plans", {"type": "object"}),
                    **_errors(401, 403, 404),
                },
            },
            "post": {
                "operationId": "makePlan",
                "summary": "立即排班 · plan the windows now (supervisors)",
                "tags": ["supervisor"],
                "security": BEARER,
                "parameters": hall,
                "responses": {
                    "201": _json("the new plan, with each change's reason", {"type": "object"}),
                    **_errors(401, 403, 404),
                },
            },
        },
        "/api/halls/{hall}/plans/{plan}/{decision}": {
            "post": {
                "operationId": "decidePlan",
                "summary": "批准/驳回 · approve (apply) or reject a pending plan (supervisors)",
                "tags": ["supervisor"],
                "security": BEARER,
                "parameters": [
                    *hall,
                    _path_param("plan", {"type": "string", "maxLength": 64}, "the plan's id"),
                    _path_param(
                        "decision", {"type": "string", "enum": ["approve", "reject"]}, "what to do"
                    ),
                ],
                "responses": {
                    "200": _json("the plan after the decision", {"type": "object"}),
                    **_errors(401, 403, 404),
                },
            }
        },
        "/api/halls/{hall}/statistics": {
            "get": {
                "operationId": "hallStatistics",
                "summary": "统计 · today's statistics: a summary and 15-minute cells (supervisors)",
                "tags": ["supervisor"],
                "security": BEARER,
                "parameters": hall,
                "responses": {
                    "200": _json("today's summary and cells", {"type": "object"}),
                    **_errors(401, 403, 404),
                },
            }
        },
    }


def _schemas() -> dict[str, Schema]:
    nullable_int: Schema = {"type": "integer", "nullable": True}
    schemas: dict[str, Schema] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message_zh", "message_en"],
                    "properties": {
                        "code": {"type": "string"},
                        "message_zh": {"type": "string"},
                        "message_en": {"type": "string"},
                    },
                }
            },
        },
        "LoginRequest": object_schema(LOGIN, ["username", "password"]),
        "LoginResult": {
            "type": "object",
            "required": ["token", "role"],
            "properties": {
                "token": {"type": "string"},
                "role": {"type": "string", "enum": [r.value for r in Role]},
            },
        },
        "IssueTicketRequest": body_schema(ISSUE),
        "TicketSummary": {
            "type": "object",
            "required": ["number", "service", "lane", "status"],
            "properties": {
                "number": {"type": "string"},
                "service": {"type": "string"},
                "lane": {"type": "string", "enum": [lane.value for lane in Lane]},
                "status": {"type": "string", "enum": [s.value for s in TicketStatus]},
            },
        },
        "TicketIssued": {
            "type": "object",
            "required": ["ticket", "token", "status_url"],
            "properties": {
                "ticket": _ref("TicketSummary"),
                "token": {"type": "string"},
                "status_url": {"type": "string"},
            },
        },
        "TicketStatus": {
            "allOf": [_ref("TicketSummary")],
            "properties": {
                "position": nullable_int,
                "people_ahead": nullable_int,
                "window": nullable_int,
                "eta": {
                    "type": "object",
                    "nullable": True,
                    "required": ["p50_min", "p90_min"],
                    "properties": {
                        "p50_min": {"type": "number"},
                        "p90_min": {"type": "number"},
                    },
                },
                # remote tickets (远程取号)
                "remote": {"type": "boolean", "description": "taken from a phone"},
                "arrived": {"type": "boolean", "description": "false until a kiosk confirms"},
                "come_now": {
                    "type": "boolean",
                    "description": "a remote ticket's resident should come to the hall now",
                },
                "lapse_at": {
                    "type": "string",
                    "format": "date-time",
                    "nullable": True,
                    "description": "an unconfirmed remote ticket lapses at this moment",
                },
            },
        },
        "ArrivalRequest": object_schema(ARRIVE, ["kiosk"]),
        "ServiceGuide": {
            "type": "object",
            "required": ["services"],
            "properties": {
                "services": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "name_zh", "name_en", "zone", "materials", "lanes"],
                        "properties": {
                            "id": {"type": "string"},
                            "name_zh": {"type": "string"},
                            "name_en": {"type": "string"},
                            "zone": {"type": "string"},
                            "materials": {"type": "array", "items": {"type": "string"}},
                            "lanes": {
                                "type": "array",
                                "items": {"type": "string", "enum": [la.value for la in Lane]},
                            },
                        },
                    },
                }
            },
        },
        "Board": {"type": "object", "description": "the hall board, as hall screens show it"},
        "WindowView": {"type": "object", "description": "one window as its terminal shows it"},
        "EventPage": {
            "type": "object",
            "required": ["events"],
            "properties": {"events": {"type": "array", "items": {"type": "object"}}},
        },
    }
    for action, body in WINDOW_ACTIONS.items():
        schemas[_action_schema_name(action)] = body_schema(body)
    return schemas


def _parameters() -> dict[str, Any]:
    return {
        "Hall": _path_param("hall", {"type": "string", "minLength": 1}, "hall id, e.g. south-axis"),
        "Window": _path_param("window", WINDOW.schema(), "window number"),
        "TicketToken": _path_param(
            "token", {"type": "string", "minLength": 1}, "the ticket's private token"
        ),
        "After": {
            "name": "after",
            "in": "query",
            "required": False,
            "description": "return events after this position (0: from the start)",
            "schema": {
                "type": "integer",
                "minimum": 0,
                "maximum": 10**AFTER_DIGITS - 1,
                "default": 0,
            },
        },
    }


_ERRORS = {
    400: ("BadRequest", "malformed request: bad JSON, a missing, unknown or wrong field"),
    401: ("Unauthorized", "no valid bearer token"),
    403: ("Forbidden", "the account's role may not do this"),
    404: ("NotFound", "unknown hall, service, window or ticket"),
    409: ("Conflict", "not allowed in the current state (illegal transition)"),
    429: ("TooManyRequests", "too many requests from this client; try again shortly"),
}


def _error_responses() -> dict[str, Any]:
    return {name: _json(text, _ref("Error")) for name, text in _ERRORS.values()}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): _ref("responses", _ERRORS[status][0]) for status in statuses}


def _path_param(name: str, schema: Schema, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


def _json(description: str, schema: Schema) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _json_body(schema_name: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": _ref(schema_name)}},
    }


def _ref(kind_or_name: str, name: str | None = None) -> dict[str, str]:
    """`_ref("Error")` → a schema reference; `_ref("parameters", "Hall")` → another kind."""
    kind, target = ("schemas", kind_or_name) if name is None else (kind_or_name, name)
    return {"$ref": f"#/components/{kind}/{target}"}
