"""The service guide's pages: search (事项导航), one service, and its printable checklist.

Phone first and readable without JavaScript: the search is a GET form answered by the
server; `static/guide.js` only makes it answer as one types.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from displays.guide import GuideEntry
from displays.guide_search import MAX_QUERY, GuideIndex, Hit, search
from displays.guide_shelf import GUIDES
from hallq.web import SERVICES

guide_page_routes = web.RouteTableDef()


def processing_time(days: int) -> dict[str, str]:
    if days == 0:
        return {"zh": "当场办结", "en": "Done on the spot"}
    return {"zh": f"{days} 个工作日", "en": f"{days} working day{'s' if days > 1 else ''}"}


def fee(entry: GuideEntry) -> dict[str, str]:
    if entry.fee_yuan == 0:
        return {"zh": "免费", "en": "Free"}
    return {
        "zh": entry.fee_note_zh or f"{entry.fee_yuan:g} 元",
        "en": entry.fee_note_en or f"¥{entry.fee_yuan:g}",
    }


def _hall(index: GuideIndex) -> dict[str, Any]:
    guide = index.guide
    return {"id": guide.hall, "name_zh": guide.name_zh, "name_en": guide.name_en}


def _zones(index: GuideIndex, hits: list[Hit]) -> list[dict[str, Any]]:
    """Hits grouped by zone, in the hall's zone order (what an empty search shows)."""
    return [
        {"id": zid, "name_zh": zh, "name_en": en, "entries": [h.entry for h in hits if h.entry.zone == zid]}
        for zid, zh, en in index.guide.zones
    ]  # fmt: skip


def _entry_context(request: web.Request) -> dict[str, Any]:
    shelf = request.app[GUIDES]
    hall = request.match_info["hall"]
    entry = shelf.entry(hall, request.match_info["service"])  # 404 when unknown
    return {
        "hall": _hall(shelf.index(hall)),
        "entry": entry,
        "time": processing_time(entry.days),
        "fee": fee(entry),
    }


@guide_page_routes.get("/halls/{hall}/guide")
@aiohttp_jinja2.template("guide.html")
async def guide_home(request: web.Request) -> dict[str, Any]:
    """The search box; without JavaScript the form comes back here with `?q=`."""
    index = request.app[GUIDES].index(request.match_info["hall"])
    query = request.query.get("q", "")[:MAX_QUERY].strip()
    hits = search(index, query)
    return {"hall": _hall(index), "query": query, "hits": hits, "zones": _zones(index, hits)}


@guide_page_routes.get("/halls/{hall}/guide/{service}")
@aiohttp_jinja2.template("guide_service.html")
async def guide_service(request: web.Request) -> dict[str, Any]:
    """Everything about one service, with links to book it and to print its checklist."""
    return _entry_context(request)


@guide_page_routes.get("/halls/{hall}/guide/{service}/print")
@aiohttp_jinja2.template("guide_print.html")
async def guide_print(request: web.Request) -> dict[str, Any]:
    """The one-page checklist (一次性告知单), dated in the hall's own time zone."""
    context = _entry_context(request)
    day = request.app[SERVICES].live.app.day_of(context["hall"]["id"])
    return {**context, "day": day}
