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
    spec: HallSpec = live.app.hall_spec(request.match_info["hall"])
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
