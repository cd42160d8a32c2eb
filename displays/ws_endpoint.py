"""`GET /ws`: subscribe to channels, get snapshots and live messages, resume after a drop.

Wire format (public): the client sends `{"op": "subscribe", "channel": C, "token": T?,
"after": SEQ?}`; the server sends `{"channel": C, "seq": N, "type": T, "data": {...}}` and
`{"op": "error", "code": ..., "message": ...}` for a refused subscription.

Per connection, this handler reads, and one sender task writes: the only writer of the
socket, draining the client's bounded queue. A client whose queue overflows is closed
with code 4008 (its sender gives the close frame 0.2 s, then aborts the transport: a
peer that reads nothing would otherwise hold the close forever).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from collections.abc import Callable
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from callers.accounts import Role
from callers.appointments_api import read_booking_token
from displays.push import LAGGING, Subscriber, encode
from hallq.web import SERVICES, SOCKETS, Services
from projections.ticket_status import token_digest
from queue_core.errors import DomainError

ws_routes = web.RouteTableDef()


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def origin_allowed(request: web.Request, allowed: tuple[str, ...]) -> bool:
    """Browsers send Origin: accept our own host and configured origins; other clients
    (devices, load tests) send none and are judged by their tokens alone."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    same = origin.split("://", 1)[-1] == request.host
    return same or origin in allowed or "*" in allowed


@ws_routes.get("/ws")
async def websocket(request: web.Request) -> web.StreamResponse:
    svc: Services = request.app[SERVICES]
    if not origin_allowed(request, svc.settings.allowed_origins):
        raise web.HTTPForbidden()
    ws = web.WebSocketResponse(compress=False, max_msg_size=8192, heartbeat=None)
    await ws.prepare(request)
    request.app[SOCKETS].add(ws)
    subscriber = Subscriber(request.remote or "", svc.live.hub.queue_limit)
    subscriber.write_now = _direct_writer(request)
    sender = asyncio.create_task(_send(ws, request, subscriber))
    try:
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            reply = _handle(svc, subscriber, msg.data)
            if reply is not None:
                await ws.send_str(json.dumps(reply, ensure_ascii=False))
    finally:
        svc.live.hub.unsubscribe_all(subscriber)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
    return ws


DIRECT_WRITE_LIMIT = 16 * 1024  # bytes already waiting in the socket's buffer


def _direct_writer(request: web.Request) -> Callable[[bytes], bool]:
    """Write a ready frame to this client's transport when it is keeping up. The frames
    are whole WebSocket frames and only written while the client's sender task is idle,
    so they never interleave with aiohttp's own frames.

    With nothing waiting in the transport's buffer, the frame goes straight to the
    socket: the transport's `write` would make the same `send` after its own checks, and
    on the fan-out's hundreds of writes per call those came to 2 % of the server's CPU
    (`bench.push_ab`). A frame the socket takes only in part, and any error, are left to
    the transport."""

    transport = request.transport  # the connection's for its lifetime: looked up once
    sock = _socket_of(transport)

    def write_now(frame: bytes) -> bool:
        if transport is None or transport.is_closing():
            return False
        waiting = transport.get_write_buffer_size()
        if waiting == 0 and sock is not None:
            try:
                sent = sock.send(frame)
            except OSError:  # would block: buffered below; a reset peer: `write` meets it
                sent = 0
            if sent < len(frame):
                transport.write(memoryview(frame)[sent:])
            return True
        if waiting > DIRECT_WRITE_LIMIT:
            return False
        transport.write(frame)
        return True

    return write_now


def _socket_of(transport: asyncio.BaseTransport | None) -> Any:
    """The plain socket under an asyncio selector transport, or None (a TLS transport,
    another event loop's): then every frame goes through the transport's `write`."""
    sock = getattr(transport, "_sock", None)
    return sock if hasattr(sock, "send") else None


async def _send(ws: web.WebSocketResponse, request: web.Request, subscriber: Subscriber) -> None:
    while True:
        text = await subscriber.queue.get()
        if text is None:  # overflowed: this client is too slow
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    ws.close(code=LAGGING, message=b"lagging: resume with your last seq"), 0.2
                )
            if not ws.closed and request.transport is not None:
                request.transport.abort()
            return
        subscriber.sending = True
        try:
            await ws.send_frame(text, WSMsgType.TEXT)  # UTF-8 JSON bytes, see push.encode
        except (ConnectionError, RuntimeError):
            return
        finally:
            subscriber.sending = False


def _handle(svc: Services, subscriber: Subscriber, raw: str) -> dict[str, Any] | None:
    try:
        message = json.loads(raw)
        if not isinstance(message, dict) or message.get("op") != "subscribe":
            raise Refused("bad_request", 'send {"op": "subscribe", "channel": ...}')
        channel = message.get("channel")
        after = message.get("after")
        if not isinstance(channel, str) or (
            after is not None and (not isinstance(after, int) or isinstance(after, bool))
        ):
            raise Refused("bad_request", "channel must be a string and after a whole number")
        _subscribe(svc, subscriber, channel, message.get("token"), after)
    except Refused as refused:
        return {"op": "error", "code": refused.code, "message": refused.message}
    except DomainError as error:
        return {
            "op": "error",
            "code": error.code,
            "message": f"{error.message_en} / {error.message_zh}",
        }
    except ValueError:
        return {"op": "error", "code": "bad_request", "message": "not JSON"}
    return None


def _subscribe(
    svc: Services, subscriber: Subscriber, channel: str, token: Any, after: int | None
) -> None:
    kind, _, rest = channel.partition(":")
    live = svc.live
    now = live.app.clock.now()
    if kind == "booking":
        hall, booking = read_booking_token(svc.secret, rest)  # UnknownBooking: refused
        internal = f"booking:{hall}:{booking}"
        snapshot: dict[str, Any] | None = {"booking": booking}
        missed = None
    elif kind == "ticket":
        found = live.models.tickets.find(token_digest(rest))
        if not rest or found is None:
            raise Refused("unknown_ticket", "no ticket with this token")
        internal = f"ticket:{token_digest(rest)}"
        live.publisher.forget_ticket(token_digest(rest))
        snapshot = live.models.tickets.status(*found, now)
        missed = None
    else:
        hall, _, window = rest.partition(":")
        live.spec(hall)  # UnknownHall for a hall that does not exist
        day = live.app.day_of(hall)
        if kind == "display" and not window:
            snapshot = live.models.board.board(hall, day)
        elif kind == "window" and window.isdigit():
            _authorise(svc, token, Role.STAFF)
            number = live.spec(hall).window(int(window)).number
            snapshot = live.models.windows.view(hall, day, number, now)
        elif kind == "slots" and not window:
            slots = live.models.slots
            upcoming = [d for d in slots.days(hall) if d >= day]
            snapshot = {"days": [slots.day_message(hall, d) for d in upcoming]}
        elif kind == "cockpit" and not window:
            _authorise(svc, token, Role.SUPERVISOR)
            snapshot = live.publisher.cockpit(hall, day)
        else:
            raise Refused("unknown_channel", f"no such channel: {channel}")
        internal = channel
        missed = live.hub.missed(channel, after) if after is not None else None
    live.hub.subscribe(subscriber, internal, wire_name=channel)
    seq = live.follower.position
    if missed is not None:
        live.hub.send_to(subscriber, missed, internal)
    else:
        kind_of_snapshot = "ticket" if kind == "ticket" else "snapshot"
        live.hub.send_to(
            subscriber, [encode(channel, seq, kind_of_snapshot, snapshot or {})], internal
        )


def _authorise(svc: Services, token: Any, role: Role) -> None:
    claims = svc.tokens.verify(token, svc.live.app.clock.now()) if isinstance(token, str) else None
    if claims is None:
        raise Refused("unauthorized", "a valid staff token is needed for this channel")
    if not claims.role.allows(role):
        raise Refused("forbidden", f"this channel needs the {role.value} role")


async def close_sockets(app: web.Application) -> None:
    """On shutdown: tell every client we are going away (1001), so it reconnects."""
    sockets: weakref.WeakSet[web.WebSocketResponse] = app[SOCKETS]
    for ws in list(sockets):
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown"), 1.0
            )
