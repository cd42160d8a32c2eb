"""The pages people use, server-rendered (aiohttp-jinja2) with small hand-written JavaScript.

Each page gets what it needs to draw itself at once (the hall's configuration, plus
whatever the read models say now), then `static/hallq.js` keeps it live over /ws and
resumes after a drop. Text is zh-CN with English beside it, switched by one toggle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from hallq.web import SERVICES
from projections.ticket_status import token_digest
from queue_core.hall_spec import HallSpec

page_routes = web.RouteTableDef()
STATIC = Path(__file__).parent / "static"
LANES = (
    {"id": "green", "zh": "绿色通道", "en": "Green lane", "hint_zh": "老年人、残疾人、病人、孕妇", "hint_en": "elderly, disabled, sick, pregnant"},
    {"id": "yellow", "zh": "黄色通道", "en": "Business lane", "hint_zh": "企业、商事办理", "hint_en": "businesses and start-ups"},
    {"id": "blue", "zh": "普通", "en": "Regular", "hint_zh": "其他所有业务", "hint_en": "everyone else"},
)  # fmt: skip


def setup_pages(app: web.Application) -> None:
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("displays", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    env = aiohttp_jinja2.get_env(app)
    env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False)
    app.add_routes(page_routes)
    app.router.add_static("/static/", STATIC, name="static", append_version=True)


def hall_context(request: web.Request) -> dict[str, Any]:
    """What every page of a hall starts from: the hall's configuration, as plain values."""
    live = request.app[SERVICES].live
    spec: HallSpec = live.spec(request.match_info["hall"])
    return {
        "hall": {
            "id": spec.id,
            "name_zh": spec.name_zh,
            "name_en": spec.name_en,
            "zones": [{"id": z.id, "name_zh": z.name_zh, "name_en": z.name_en} for z in spec.zones],
            "services": [
                {
                    "id": s.id,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "prefix": s.prefix,
                    "zone": s.zone,
                    "materials": list(s.materials),
                    "lanes": [lane.value for lane in s.lanes],
                    "keywords": list(s.keywords),
                    "mean_handling_min": s.mean_handling_min,
                }
                for s in spec.services
            ],
            "windows": [
                {"number": w.number, "zone": w.zone, "skills": list(w.skills)} for w in spec.windows
            ],
        },
        "lanes": LANES,
        "day": live.app.day_of(spec.id),
    }


@page_routes.get("/")
@aiohttp_jinja2.template("index.html")
async def index(request: web.Request) -> dict[str, Any]:
    live = request.app[SERVICES].live
    halls = [live.app.hall_spec(h) for h in live.app.hall_ids()]
    return {
        "halls": [
            {
                "id": h.id,
                "name_zh": h.name_zh,
                "name_en": h.name_en,
                "windows": [w.number for w in h.windows],
            }
            for h in halls
        ]
    }


@page_routes.get(r"/halls/{hall}/windows/{window:\d{1,6}}")
@aiohttp_jinja2.template("terminal.html")
async def window_terminal(request: web.Request) -> dict[str, Any]:
    """A window's terminal: staff log in, then call and serve over the window channel."""
    context = hall_context(request)
    spec = request.app[SERVICES].live.app.hall_spec(context["hall"]["id"])
    window = spec.window(int(request.match_info["window"]))  # UnknownWindow: a 404
    return {**context, "window": window.number}


@page_routes.get("/halls/{hall}/kiosk")
@aiohttp_jinja2.template("kiosk.html")
async def kiosk(request: web.Request) -> dict[str, Any]:
    """The self-service kiosk: zone, service (search), materials, lane, ticket with QR."""
    return hall_context(request)


@page_routes.get("/halls/{hall}/screen")
@aiohttp_jinja2.template("screen.html")
async def hall_screen(request: web.Request) -> dict[str, Any]:
    """The hall's big screen (1920×1080, no input): calls, last calls, waiting counts, voice."""
    context = hall_context(request)
    live = request.app[SERVICES].live
    spec = live.app.hall_spec(context["hall"]["id"])
    screen = {
        "hall": spec.id,
        "timezone": spec.timezone,
        "services": {s["id"]: {"zh": s["name_zh"], "en": s["name_en"]} for s in context["hall"]["services"]},
        "board": live.models.board.board(spec.id, context["day"]),
    }  # fmt: skip
    return {**context, "screen": screen}


@page_routes.get("/t/{token}")
async def resident_ticket(request: web.Request) -> web.StreamResponse:
    """A resident's phone: one ticket, live; an unknown token is a bilingual 404 page."""
    live = request.app[SERVICES].live
    token = request.match_info["token"]
    found = live.models.tickets.find(token_digest(token))
    status = live.models.tickets.status(*found, live.app.clock.now()) if found else None
    if found is None or status is None:
        return aiohttp_jinja2.render_template("phone.html", request, {"ticket": None}, status=404)
    spec = live.app.hall_spec(found[0])
    service = spec.service(status["service"])
    context = {
        "token": token,
        "ticket": status,
        "hall": {"id": spec.id, "name_zh": spec.name_zh, "name_en": spec.name_en},
        "service": {"name_zh": service.name_zh, "name_en": service.name_en, "materials": list(service.materials)},
    }  # fmt: skip
    return aiohttp_jinja2.render_template("phone.html", request, context)
