"""Browser fixtures: the real app under uvicorn on 127.0.0.1 and Debian's Chromium via Playwright.

The dataset is built once per session from the real data (``shared_data``: skipped locally
without ../shared/data, fails on CI). Without /usr/bin/chromium the browser tests skip, unless
``CI`` is set, then they fail. Screenshots go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--enable-unsafe-swiftshader",
]
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def e2e_dataset(tmp_path_factory, shared_data) -> Path:
    from wijkradar.panel.build import build

    return build(shared_data, tmp_path_factory.mktemp("e2e") / "ds").path


@pytest.fixture(scope="session")
def live_server(e2e_dataset) -> str:
    """Base URL of the wijkradar app served by uvicorn in a thread (clusters off: no numba)."""
    import uvicorn

    from wijkradar.settings import Settings
    from wijkradar.web.app import create_app

    app = create_app(Settings(dataset=e2e_dataset, warm_clusters=False))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian Chromium driven by Playwright (no `playwright install`)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing on CI; the browser tests must run there")
        pytest.skip("/usr/bin/chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """``new_page(viewport=LAPTOP)`` → a page whose requests outside the server are recorded."""
    contexts = []

    def make(viewport=LAPTOP, **kw):
        ctx = chromium.new_context(viewport=viewport, accept_downloads=True, **kw)
        contexts.append(ctx)
        page = ctx.new_page()
        page.external_requests = []
        page.errors = []
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((live_server, "data:", "blob:"))
                else page.external_requests.append(r.url)
            ),
        )
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
