"""Every error leaves as JSON `{error: {code, message_zh, message_en}}`; bad input never 500s."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from aiohttp import web

from queue_core.errors import DomainError

log = logging.getLogger("hallq.http")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTTP_ERRORS = {
    400: ("bad_request", "请求有误", "bad request"),
    401: ("unauthorized", "请先登录", "please log in"),
    403: ("forbidden", "无此权限", "not allowed"),
    404: ("not_found", "找不到该地址", "no such address"),
    405: ("method_not_allowed", "不支持此方法", "method not allowed"),
    413: ("too_large", "请求过大", "request too large"),
    429: ("too_many_requests", "操作太频繁，请稍后再试", "too many requests; try again shortly"),
}


def error_response(status: int, code: str, message_zh: str, message_en: str) -> web.Response:
    body = {"error": {"code": code, "message_zh": message_zh, "message_en": message_en}}
    return web.json_response(body, status=status, dumps=partial(json.dumps, ensure_ascii=False))


def domain_error_response(error: DomainError) -> web.Response:
    return error_response(error.http_status, error.code, error.message_zh, error.message_en)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as error:
        return domain_error_response(error)
    except web.HTTPException as http:
        if http.status < 400 or http.content_type == "application/json":
            raise
        code, zh, en = _HTTP_ERRORS.get(http.status, ("http_error", "请求失败", http.reason))
        return error_response(http.status, code, zh, en)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(
            500, "internal", "服务器内部错误，请稍后再试", "internal error; please try again"
        )
