"""The service guide's part of the OpenAPI document (事项导航: search and one entry).

Kept apart from `callers/openapi.py` so the guide's contract reads in one place; that
module merges `guide_paths()` and `guide_schemas()` into the whole document.
"""

from __future__ import annotations

from typing import Any

from callers.openapi_parts import ok, ref

MAX_QUERY = 50  # the same limit as displays.guide_search.MAX_QUERY (a test says so)
_TEXT = {"type": "string"}


def _strings(*names: str) -> dict[str, Any]:
    return {name: _TEXT for name in names}


def guide_paths() -> dict[str, Any]:
    hall = ref("parameters", "Hall")
    query = {
        "name": "q",
        "in": "query",
        "required": False,
        "description": "中文、拼音首字母或英文 · Chinese, pinyin initials or English; empty: every service by zone",
        "schema": {"type": "string", "maxLength": MAX_QUERY},
    }
    service = {
        "name": "service",
        "in": "path",
        "required": True,
        "description": "service id, e.g. senior-card",
        "schema": {"type": "string", "minLength": 1, "maxLength": 64},
    }
    return {
        "/api/halls/{hall}/guide": {
            "get": {
                "operationId": "searchGuide",
                "summary": "事项导航搜索 · find services by Chinese, pinyin initials or English, best first",
                "tags": ["resident"],
                "parameters": [hall, query],
                "responses": {
                    "200": ok("matching services, best first", "GuideSearch"),
                    "400": ref("responses", "BadRequest"),
                    "404": ref("responses", "NotFound"),
                },
            }
        },
        "/api/halls/{hall}/guide/{service}": {
            "get": {
                "operationId": "guideEntry",
                "summary": "事项详情 · conditions, materials, time, fee, windows and questions of one service",
                "tags": ["resident"],
                "parameters": [hall, service],
                "responses": {
                    "200": ok("the service's guide entry", "GuideEntry"),
                    "404": ref("responses", "NotFound"),
                },
            }
        },
    }


def guide_schemas() -> dict[str, Any]:
    material = {"type": "object", "required": ["zh", "en"], "properties": _strings("zh", "en")}
    faq_fields = ("q_zh", "a_zh", "q_en", "a_en")
    faq = {"type": "object", "required": list(faq_fields), "properties": _strings(*faq_fields)}
    hit_fields = ("service", "name_zh", "name_en", "zone")
    entry_text = ("service", "name_zh", "name_en", "zone", "zone_zh", "zone_en", "who_zh", "who_en", "fee_note_zh", "fee_note_en")  # fmt: skip
    return {
        "GuideSearch": {
            "type": "object",
            "required": ["query", "results"],
            "properties": {
                "query": _TEXT,
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": [*hit_fields, "score"],
                        "properties": {**_strings(*hit_fields), "score": {"type": "integer"}},
                    },
                },
            },
        },
        "GuideEntry": {
            "type": "object",
            "required": [
                *entry_text,
                "windows",
                "required",
                "optional",
                "days",
                "fee_yuan",
                "faq",
                "aliases",
            ],
            "properties": {
                **_strings(*entry_text),
                "windows": {"type": "array", "items": {"type": "integer"}},
                "required": {"type": "array", "items": material},
                "optional": {"type": "array", "items": material},
                "days": {"type": "integer", "minimum": 0, "description": "0: done on the spot"},
                "fee_yuan": {"type": "number", "minimum": 0, "description": "0: free"},
                "faq": {"type": "array", "items": faq},
                "aliases": {"type": "array", "items": _TEXT},
            },
        },
    }
