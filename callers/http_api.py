"""The public HTTP API (see `callers/openapi.py` for the contract, served at /api/openapi.json).

Handlers stay thin: parse with `callers.interface`, authorise, run the command through the
live hall (which waits until the read models show it), answer from the read models.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from dataclasses import replace
from typing import Any

import orjson
from aiohttp import web

from callers.accounts import Role
from callers.interface import parse_after, parse_arrive, parse_issue, parse_window_action
from callers.middlewares import error_response
from callers.openapi import openapi_document
from callers.tokens import Claims
from hallq.web import SERVICES, Services
from projections.follower import SKIPPED
from projections.ticket_status import token_digest
from queue_core.commands import CancelTicket, RateTicket
from queue_core.errors import MalformedCommand, UnknownTicket
from queue_core.hall_spec import HallSpec

routes = web.RouteTableDef()


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON as UTF-8 bytes from orjson: Chinese stays readable in curl and in logs (the
    default would escape every character), in a fraction of json.dumps's time, and the
    text is not decoded to `str` only for aiohttp to encode it back."""
    body = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    return web.Response(body=body, status=status, content_type="application/json", charset="utf-8")


def services(request: web.Request) -> Services:
    return request.app[SERVICES]


async def json_body(request: web.Request) -> Any:
    try:
        return json.loads(await request.read() or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedCommand(
            "请求体不是有效的 JSON", "the request body is not valid JSON"
        ) from None


def hall_spec(request: web.Request) -> HallSpec:
    return services(request).live.spec(request.match_info["hall"])


def require(request: web.Request, role: Role) -> Claims:
    """The caller's claims, or a 401 (no/bad/expired token) or 403 (role too low)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    claims = services(request).tokens.verify(token, services(request).live.app.clock.now())
    if scheme.lower() != "bearer" or claims is None:
        raise web.HTTPUnauthorized()
    if not claims.role.allows(role):
        raise web.HTTPForbidden()
    return claims


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return json_response(openapi_document())


@routes.post("/api/login")
async def login(request: web.Request) -> web.Response:
    body = await json_body(request)
    if (
        not isinstance(body, dict)
        or set(body) != {"username", "password"}
        or not all(isinstance(v, str) for v in body.values())
    ):
        raise MalformedCommand("需要 username 和 password", "send exactly username and password")
    svc = services(request)
    account = await asyncio.to_thread(svc.accounts.verify, body["username"], body["password"])
    if account is None:
        return error_response(
            401, "bad_credentials", "用户名或密码错误", "wrong username or password"
        )
    token = svc.tokens.issue(account.username, account.role, svc.live.app.clock.now())
    return json_response({"token": token, "role": account.role.value})


@routes.get("/api/halls/{hall}/services")
async def service_guide(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    zones = {z.id: z for z in spec.zones}
    return json_response(
        {
            "hall": spec.id,
            "name_zh": spec.name_zh,
            "name_en": spec.name_en,
            "services": [
                {
                    "id": s.id,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "prefix": s.prefix,
                    "zone": s.zone,
                    "zone_zh": zones[s.zone].name_zh,
                    "zone_en": zones[s.zone].name_en,
                    "materials": list(s.materials),
                    "lanes": [lane.value for lane in s.lanes],
                    "mean_handling_min": s.mean_handling_min,
                    "keywords": list(s.keywords),
                }
                for s in spec.services
            ],
        }
    )


@routes.post("/api/halls/{hall}/tickets")
async def issue_ticket(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    svc = services(request)
    if not svc.issue_limit.allow(request.remote or "?", time.monotonic()):
        return error_response(
            429,
            "too_many_requests",
            "取号太频繁，请稍后再试",
            "tickets issued too fast; try again shortly",
        )
    command = parse_issue(spec.id, await json_body(request))
    token = ticket_token(svc.secret, spec.id, command.request_id)
    outcome = await svc.live.execute(replace(command, token_digest=token_digest(token)))
    live = svc.live
    status = live.models.tickets.status(
        spec.id, live.app.day_of(spec.id), outcome.ticket or "", live.app.clock.now()
    )
    return json_response(
        {"ticket": _ticket_summary(status), "token": token, "status_url": f"/api/tickets/{token}"},
        status=200 if outcome.replayed else 201,
    )


def ticket_token(secret: bytes, hall: str, request_id: str) -> str:
    """The resident's only handle on a ticket: 192 bits, unguessable without the server's
    secret, and the same for a retried request, so a lost answer can be asked for again."""
    mac = hmac.new(secret, f"ticket-token/{hall}/{request_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode()


def _ticket_summary(status: dict[str, Any] | None) -> dict[str, Any]:
    assert status is not None
    return {k: status[k] for k in ("number", "service", "lane", "status")}


def _find_ticket(request: web.Request) -> tuple[str, str, str]:
    found = services(request).live.models.tickets.find(token_digest(request.match_info["token"]))
    if found is None:
        raise UnknownTicket("找不到这张号票", "no ticket with this token")
    return found


@routes.get("/api/tickets/{token}")
async def ticket_status(request: web.Request) -> web.Response:
    hall, day, number = _find_ticket(request)
    live = services(request).live
    return json_response(live.models.tickets.status(hall, day, number, live.app.clock.now()))


@routes.delete("/api/tickets/{token}")
async def cancel_ticket(request: web.Request) -> web.Response:
    hall, day, number = _find_ticket(request)
    live = services(request).live
    # One ticket is cancelled at most once, so its digest makes a natural request id:
    # a retried DELETE gets the first answer.
    request_id = "cancel-" + token_digest(request.match_info["token"])[:32]
    await live.execute(CancelTicket(request_id, hall, number, by="resident"))
    return json_response(live.models.tickets.status(hall, day, number, live.app.clock.now()))


@routes.post("/api/tickets/{token}/rating")
async def rate_ticket(request: web.Request) -> web.Response:
    hall, _day, number = _find_ticket(request)
    body = await json_body(request)
    if not isinstance(body, dict) or not set(body) <= {"rating", "comment"} or "rating" not in body:
        raise MalformedCommand(
            "需要 rating（1–5），可附 comment", "send rating (1–5) and, if you like, comment"
        )
    rating, comment = body["rating"], body.get("comment", "")
    if isinstance(rating, bool) or not isinstance(rating, int) or not isinstance(comment, str):
        raise MalformedCommand(
            "rating 须为整数，comment 须为文字", "rating is a whole number, comment is text"
        )
    live = services(request).live
    # One rating per ticket, so its digest makes a natural request id: a retry is harmless.
    request_id = "rate-" + token_digest(request.match_info["token"])[:32]
    await live.execute(RateTicket(request_id, hall, number, rating, comment))
    return json_response({"number": number, "rating": rating})


# ---- remote tickets (远程取号) ------------------------------------------------------------


@routes.post("/api/tickets/{token}/arrive")
async def confirm_arrival(request: web.Request) -> web.Response:
    """A kiosk scanned the QR a remote ticket's phone shows: the resident is in the hall.

    No staff login: the token in the QR is the resident's own secret, and the kiosk page
    posts it with its kiosk id (recorded in the event, for the record). A resident could
    post it from home too; then they are called like anyone in the hall, and a no-show is
    theirs. One confirmation per ticket, so its digest makes the request id: a repeated
    scan gets the first answer."""
    hall, day, number = _find_ticket(request)
    request_id = "arrive-" + token_digest(request.match_info["token"])[:32]
    command = parse_arrive(hall, number, request_id, await json_body(request))
    live = services(request).live
    await live.execute(command)
    return json_response(live.models.tickets.status(hall, day, number, live.app.clock.now()))


# ---- windows ----------------------------------------------------------------------------


@routes.post("/api/halls/{hall}/windows/{window}/{action}")
async def window_action(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    claims = require(request, Role.STAFF)
    window = _window_number(request, spec)
    command = parse_window_action(
        spec.id, window, request.match_info["action"], await json_body(request)
    )
    if getattr(command, "staff", None) == "":
        command = replace(command, staff=claims.username)  # type: ignore[call-arg]
    live = services(request).live
    await live.execute(command)
    return json_response(
        live.models.windows.view(spec.id, live.app.day_of(spec.id), window, live.app.clock.now())
    )


def _window_number(request: web.Request, spec: HallSpec) -> int:
    raw = request.match_info["window"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        raise MalformedCommand(
            f"窗口号须为数字：{raw}", f"a window number is a whole number, not {raw!r}"
        )
    return spec.window(int(raw)).number


@routes.get("/api/halls/{hall}/board")
async def board(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    live = services(request).live
    return json_response(live.models.board.board(spec.id, live.app.day_of(spec.id)))


@routes.get("/api/halls/{hall}/events")
async def events(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    require(request, Role.SUPERVISOR)
    after = parse_after(request.query.get("after"))
    live = services(request).live
    batch = await asyncio.to_thread(live.follower.read, after, 500)
    history = [
        _event_json(event, seq)
        for event, seq in batch
        if event is not SKIPPED and live.publisher.hall_of(event) == spec.id
    ]
    last = batch[-1][1] if batch else after
    return json_response({"hall": spec.id, "events": history, "next_after": last})


@routes.get("/api/halls/{hall}/statistics")
async def statistics(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    require(request, Role.SUPERVISOR)
    live = services(request).live
    day = live.app.day_of(spec.id)
    stats = live.models.stats
    return json_response(
        {
            "hall": spec.id,
            "day": day,
            "summary": stats.summary(spec.id, day),
            "cells": stats.rows(spec.id, day),
        }
    )


def _event_json(event: Any, seq: int) -> dict[str, Any]:
    data = {
        k: _plain(v)
        for k, v in vars(event).items()
        if k not in ("originator_id", "originator_version", "timestamp")
    }
    return {
        "seq": seq,
        "type": type(event).__name__,
        "version": event.originator_version,
        "recorded_at": event.timestamp.isoformat(),
        "data": data,
    }


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (int, float, str)):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value
