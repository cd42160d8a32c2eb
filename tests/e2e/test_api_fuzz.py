"""Fuzz the real server with its own OpenAPI document (schemathesis): no input is a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from callers.openapi import openapi_document
from tests.e2e.conftest import SUPERVISOR, LiveServer, start_server, stop_server

schema = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`hallq serve` itself, in its own process (stop_server also fails on a traceback)."""
    live = start_server(tmp_path_factory.mktemp("fuzz"))
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def auth(server: LiveServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.login(SUPERVISOR)}"}  # may do everything staff may


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_the_schema_allows_makes_the_server_fail(
    case: Any, server: LiveServer, auth: dict[str, str]
) -> None:
    case.call_and_validate(base_url=server.url, headers=auth, checks=[not_a_server_error])
