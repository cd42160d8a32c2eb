"""The service guide's wiring and its JSON API (documented in `callers/openapi.py`).

`setup_guide` loads every served hall's guide once the live hall is up (a wrong guide file
stops the start with the entry named) and adds the guide's API and page routes.
"""

from __future__ import annotations

from aiohttp import web

from callers.http_api import json_response
from displays.guide_pages import guide_page_routes
from displays.guide_pinyin import syllables
from displays.guide_search import MAX_QUERY, search
from displays.guide_shelf import GUIDES, load_shelf
from hallq.settings import Settings, reference_hall_path
from hallq.web import SERVICES
from queue_core.errors import MalformedCommand

guide_routes = web.RouteTableDef()


def setup_guide(app: web.Application, settings: Settings) -> None:
    async def load(app: web.Application) -> None:
        live = app[SERVICES].live
        specs = [live.spec(hall) for hall in sorted(live.halls)]
        # Beside each hall file first, then the packaged guides (a hall file written
        # elsewhere, e.g. the demo's, still finds its hall's guide by the hall's id).
        where = (*settings.hall_files, reference_hall_path())
        app[GUIDES] = load_shelf(specs, where, syllables)

    app.on_startup.append(load)  # after the cleanup contexts' start: the live hall is there
    app.add_routes(guide_routes)
    app.add_routes(guide_page_routes)


def guide_query(request: web.Request) -> str:
    """`?q=`, or a 400 when it is longer than anyone types into a search box."""
    query = request.query.get("q", "")
    if len(query) > MAX_QUERY:
        raise MalformedCommand(
            f"搜索词不能超过 {MAX_QUERY} 个字", f"the query is longer than {MAX_QUERY} characters"
        )
    return query


@guide_routes.get("/api/halls/{hall}/guide")
async def guide_search(request: web.Request) -> web.Response:
    index = request.app[GUIDES].index(request.match_info["hall"])
    query = guide_query(request)
    hits = search(index, query)
    return json_response({"query": query, "results": [hit.as_json() for hit in hits]})


@guide_routes.get("/api/halls/{hall}/guide/{service}")
async def guide_entry(request: web.Request) -> web.Response:
    entry = request.app[GUIDES].entry(request.match_info["hall"], request.match_info["service"])
    return json_response(entry.as_json())
