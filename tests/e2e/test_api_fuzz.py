"""Fuzz the real server with its own OpenAPI document (schemathesis): no input is a 500."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from bench.procs import die_with_parent
from callers.accounts import AccountStore, Role
from callers.openapi import openapi_document
from hallq.serve import free_port

schema = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`hallq serve` itself, in its own process, on a free port."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    AccountStore(folder / "accounts.json").add("fuzzer", "fuzz-pass-1", Role.ADMIN)
    port = free_port("127.0.0.1")
    env = os.environ | {
        "HALLQ_STORE": "sqlite",
        "HALLQ_DB": str(folder / "hallq.sqlite3"),
        "HALLQ_ACCOUNTS": str(folder / "accounts.json"),
        "HALLQ_SECRET_FILE": str(folder / "secret.key"),
        "HALLQ_ISSUE_BURST": "100000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "hallq", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=die_with_parent,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/openapi.json", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        server.stderr.read().decode() if server.stderr else "no server"
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        _, err = server.communicate(timeout=15)
        assert b"Traceback" not in err, err.decode()


@pytest.fixture(scope="module")
def auth(base_url: str) -> dict[str, str]:
    import json

    request = urllib.request.Request(
        f"{base_url}/api/login",
        data=json.dumps({"username": "fuzzer", "password": "fuzz-pass-1"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return {"Authorization": f"Bearer {json.load(response)['token']}"}


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_the_schema_allows_makes_the_server_fail(
    case, base_url: str, auth: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(base_url=base_url, headers=auth, checks=[not_a_server_error])
