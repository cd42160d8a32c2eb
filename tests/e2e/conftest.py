"""A real server on a free port (aiohttp's test server), real clients (aiohttp, websockets)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import websockets
from aiohttp.test_utils import TestClient, TestServer

from callers.accounts import AccountStore, Role
from hallq.settings import Settings
from hallq.web import create_app
from queue_core.ports import ManualClock

STAFF = ("window1", "staff-pass-1")
SUPERVISOR = ("boss", "super-pass-1")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    accounts = AccountStore(tmp_path / "accounts.json")
    accounts.add(*STAFF, Role.STAFF)
    accounts.add(*SUPERVISOR, Role.SUPERVISOR)
    return Settings(
        store="sqlite",
        db_path=tmp_path / "hallq.sqlite3",
        accounts_path=tmp_path / "accounts.json",
        secret_path=tmp_path / "secret.key",
        issue_burst=10_000,  # one test client issues many tickets; the 429 test lowers it
    )


@pytest.fixture
async def server(settings: Settings, clock: ManualClock) -> AsyncIterator[TestServer]:
    async with TestServer(create_app(settings, clock), host="127.0.0.1", port=0) as srv:
        yield srv


@pytest.fixture
async def client(server: TestServer) -> AsyncIterator[TestClient]:
    async with TestClient(server) as c:
        yield c


async def login(client: TestClient, who: tuple[str, str]) -> str:
    response = await client.post("/api/login", json={"username": who[0], "password": who[1]})
    assert response.status == 200, await response.text()
    return str((await response.json())["token"])


@pytest.fixture
def ws_url(server: TestServer) -> str:
    return f"ws://127.0.0.1:{server.port}/ws"


Connect = Callable[..., Awaitable[Any]]


async def subscribe(ws: Any, channel: str, **extra: Any) -> dict[str, Any]:
    """Subscribe and return the first message (a snapshot, or an error)."""
    await ws.send(json.dumps({"op": "subscribe", "channel": channel, **extra}))
    return json.loads(await ws.recv())


async def next_of(ws: Any, kind: str, timeout: float = 5.0) -> dict[str, Any]:
    """The next message of `kind`, skipping others (boards, heartbeats)."""
    import asyncio

    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message.get("type") == kind or message.get("op") == kind:
                return message


def connect(url: str) -> Any:
    return websockets.connect(url, compression=None, open_timeout=5)


# ---- a served hall and a real browser, for the pages ---------------------------------

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from collections.abc import Iterator, Mapping, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from bench.procs import die_with_parent  # noqa: E402
from hallq.serve import free_port  # noqa: E402
from tests.conftest import in_ci  # noqa: E402

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip


@dataclass
class ServedApi:
    """A served hallq's HTTP API, called the way a script would (urllib, JSON)."""

    url: str

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def login(self, who: tuple[str, str]) -> str:
        return str(
            self.api("POST", "/api/login", {"username": who[0], "password": who[1]})["token"]
        )


@dataclass
class LiveServer(ServedApi):
    """`hallq serve` in a process of its own (see `start_server`)."""

    folder: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str] = field(default_factory=dict)


def start_server(
    folder: Path, args: Sequence[str] = (), env: Mapping[str, str] | None = None
) -> LiveServer:
    """`hallq serve` itself, in its own process, on a free port, with two staff accounts;
    `args` and `env` add to its command line and environment."""
    accounts = AccountStore(folder / "accounts.json")
    accounts.add(*STAFF, Role.STAFF)
    accounts.add(*SUPERVISOR, Role.SUPERVISOR)
    port = free_port("127.0.0.1")
    env = (
        os.environ
        | {
            "HALLQ_STORE": "sqlite",
            "HALLQ_DB": str(folder / "hallq.sqlite3"),
            "HALLQ_ACCOUNTS": str(folder / "accounts.json"),
            "HALLQ_SECRET_FILE": str(folder / "secret.key"),
            "HALLQ_ISSUE_BURST": "100000",
        }
        | dict(env or {})
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "hallq", "serve", "--port", str(port), *args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=die_with_parent,
    )  # fmt: skip
    server = LiveServer(f"http://127.0.0.1:{port}", folder, process, env)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{server.url}/api/openapi.json", timeout=1).close()
            return server
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    process.stderr.read().decode() if process.stderr else "no server"
                ) from None
            time.sleep(0.2)


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    _, err = server.process.communicate(timeout=20)
    assert b"Traceback" not in err, err.decode()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (Playwright's own browser download cannot
    work on these machines). Per module: Playwright's sync API keeps an event loop in
    the main thread while it runs, which later `asyncio.run()` calls must not meet."""
    if not Path(CHROMIUM).exists():
        message = "Chromium is not installed (apt-get install -y chromium)"
        if in_ci():
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class OpenedPage:
    page: Any
    console_errors: list[str]
    name: str

    def screenshot(self, suffix: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}{suffix}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def assert_no_horizontal_scroll(self) -> None:
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{self.name}: {overflow}px of horizontal scrolling"

    def assert_no_console_errors(self) -> None:
        assert not self.console_errors, self.console_errors


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., OpenedPage]]:
    """Open a URL at a viewport size in a fresh context; console errors are collected."""
    contexts: list[Any] = []

    def opener(url: str, name: str, width: int, height: int, **context: Any) -> OpenedPage:
        ctx = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", **context
        )
        contexts.append(ctx)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        return OpenedPage(page, errors, name)

    yield opener
    for ctx in contexts:
        ctx.close()
