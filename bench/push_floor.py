"""The push benchmark's HTTP floor: a bare aiohttp app answering the window drivers.

`python -m bench.push_floor PORT`. It takes the very requests `bench.push_hall.drive`
sends to hallq (the same paths, bodies and `Authorization` header, over the same
keep-alive client session, at the same pace) and answers each with a window view of the
same shape, built without a store, read models, pushes or checks. Its CPU per call is
what the three HTTP requests of a call cost in aiohttp itself, on this machine and in
this run: the part of hallq's command cost that no change inside hallq can remove while
window terminals speak HTTP through aiohttp.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any

import orjson
from aiohttp import web

from bench.procs import HOST

ACTIONS = ("call-next", "start", "finish")


def view(window: int, number: str | None) -> dict[str, Any]:
    """A window view shaped like `projections.window_view.WindowView.view`'s answer."""
    current = None
    if number is not None:
        current = {
            "number": number,
            "service": "social-security",
            "lane": "green",
            "status": "called",
            "called_at": "2026-11-23T09:30:00+08:00",
            "waited_min": 12.5,
            "history": [{"at": "2026-11-23T09:30:00+08:00", "what": "called", "window": window}],
        }
    return {
        "window": window,
        "status": "open",
        "services": ["social-security", "medical-insurance"],
        "skills": ["social-security", "medical-insurance"],
        "staff": f"window{window}",
        "pause_reason": None,
        "last_rule": "lane-weights",
        "current": current,
        "waiting": {
            s: {"green": 3, "blue": 40, "yellow": 1}
            for s in ("social-security", "medical-insurance")
        },
    }


def create_app() -> web.Application:
    calls: Counter[int] = Counter()

    async def openapi(request: web.Request) -> web.Response:
        return web.json_response({"openapi": "3.1.0"})

    async def window_action(request: web.Request) -> web.Response:
        json.loads(await request.read() or b"null")  # as hallq parses every body
        window = int(request.match_info["window"])
        action = request.match_info["action"]
        if action not in ACTIONS:
            raise web.HTTPNotFound()
        if action == "call-next":
            calls[window] += 1
        number = None if action == "finish" else f"W{window}-{calls[window]:04d}"
        body = orjson.dumps(view(window, number))
        return web.Response(body=body, content_type="application/json", charset="utf-8")

    app = web.Application()
    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_post("/api/halls/{hall}/windows/{window}/{action}", window_action)
    return app


def main() -> None:
    web.run_app(create_app(), host=HOST, port=int(sys.argv[1]), print=None)  # as hallq serve


if __name__ == "__main__":
    main()
