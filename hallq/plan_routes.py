"""Supervisors' HTTP side of the scheduler: see the plans, ask for one, approve or reject.

Kept in the composition root because it joins the web layer (`callers`) with the
scheduler, which `callers` does not import.
"""

from __future__ import annotations

from aiohttp import web

from callers.accounts import Role
from callers.http_api import hall_spec, json_response, require, services
from queue_core.errors import DomainError
from scheduler.live_loop import PlanNotFound
from scheduler.planner import plan_to_dict

plan_routes = web.RouteTableDef()


class UnknownPlan(DomainError):
    code = "unknown_plan"
    http_status = 404


@plan_routes.get("/api/halls/{hall}/plans")
async def list_plans(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    require(request, Role.SUPERVISOR)
    plans = services(request).plans.plans(spec.id)
    return json_response({"hall": spec.id, "plans": [plan_to_dict(p) for p in plans]})


@plan_routes.post("/api/halls/{hall}/plans")
async def make_plan(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    require(request, Role.SUPERVISOR)
    proposed = await services(request).plans.propose_now(spec.id)
    return json_response(plan_to_dict(proposed), status=201)


@plan_routes.post("/api/halls/{hall}/plans/{plan}/{decision:approve|reject}")
async def decide_plan(request: web.Request) -> web.Response:
    spec = hall_spec(request)
    claims = require(request, Role.SUPERVISOR)
    plan_id = request.match_info["plan"]
    approve = request.match_info["decision"] == "approve"
    try:
        decided = await services(request).plans.decide(
            spec.id, plan_id, approve=approve, by=claims.username
        )
    except PlanNotFound:
        raise UnknownPlan(f"没有此方案：{plan_id}", f"unknown plan '{plan_id}'") from None
    return json_response(plan_to_dict(decided))
