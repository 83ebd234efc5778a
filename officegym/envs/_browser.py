"""One Chromium and one app server per process, driven from an event-loop thread.

Every env of a process shares them: an env is a browser context (its cookies, storage and pages)
plus a world on the app server (its app state). Running Playwright's async API on a thread of its
own lets the next episode's context be prepared while the current episode runs, which is what makes
reset fast.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import shutil
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from officegym.errors import BrowserUnavailableError
from officegym.tasks.apps._server import DOMAIN, WORLD_HEADER, AppServer

T = TypeVar("T")
PAGE_SCRIPT = (Path(__file__).parent / "page.js").read_text()
# Without these, Chromium keeps dialling out (updates, sync, QUIC probes) and failing.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--font-render-hinting=none",
    "--hide-scrollbars",
    # Wheel input scrolls in one step, not an animation: the same input, the same page.
    "--disable-smooth-scrolling",
]
# Everything that is not an office app goes to a closed loopback port and fails at once;
# `<-loopback>` removes Chromium's implicit bypass, so 127.0.0.1 and localhost are blocked too.
DEAD_PROXY = {"server": "http://127.0.0.1:9", "bypass": f"*.{DOMAIN};<-loopback>"}


def chromium_executable() -> str | None:
    """The system Chromium (Debian's /usr/bin/chromium) if there is one, else Playwright's own."""
    explicit = os.environ.get("OFFICEGYM_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserHost:
    """The process's browser and app server. Get it with `BrowserHost.acquire()`.

    Raises:
        BrowserUnavailableError: Chromium could not be launched (the message says how to install).
    """

    _shared: BrowserHost | None = None
    _users = 0
    _guard = threading.Lock()

    def __init__(self, headless: bool = True) -> None:
        self.headless = headless
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="officegym-browser", daemon=True
        )
        self._thread.start()
        self.server = AppServer()
        self._background: set[concurrent.futures.Future[Any]] = set()
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None
        try:
            self.run(self._start(), timeout=60)
        except Exception:
            self.close()
            raise

    @classmethod
    def acquire(cls) -> BrowserHost:
        """Return the shared host, starting it on first use; pair with `release()`."""
        with cls._guard:
            if cls._shared is None or cls._shared.browser is None:
                cls._shared = BrowserHost()
            cls._users += 1
            return cls._shared

    def release(self) -> None:
        """Drop one user; the browser stays up for the next env of this process until exit."""
        with BrowserHost._guard:
            BrowserHost._users = max(0, BrowserHost._users - 1)

    async def _start(self) -> None:
        port = await self.server.start()
        self.playwright = await async_playwright().start()
        args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP *.{DOMAIN} 127.0.0.1:{port}"]
        try:
            self.browser = await self.playwright.chromium.launch(
                executable_path=chromium_executable(),
                headless=self.headless,
                args=args,
                proxy=DEAD_PROXY,  # type: ignore[arg-type]
            )
        except Exception as exc:
            raise BrowserUnavailableError(
                f"could not launch Chromium ({str(exc).splitlines()[0]}). Install it with "
                "`apt-get install chromium` (or `playwright install chromium` where downloads "
                "work), or point OFFICEGYM_CHROMIUM at a Chromium binary."
            ) from exc

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 120) -> T:
        """Run a coroutine on the host's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start a coroutine on the host's loop without waiting (keep the future to wait)."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        # The loop holds tasks weakly: keep fire-and-forget work alive until it is done.
        self._background.add(future)
        future.add_done_callback(self._background.discard)
        return future

    async def new_context(self, world_id: str, width: int, height: int) -> BrowserContext:
        """A fresh context whose requests carry the world header, with the page script."""
        if self.browser is None:
            raise BrowserUnavailableError("the browser host is closed")
        context = await self.browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            extra_http_headers={WORLD_HEADER: world_id},
            accept_downloads=False,
            locale="en-US",
            timezone_id="UTC",
            service_workers="block",
        )
        await context.add_init_script(PAGE_SCRIPT)
        await context.new_page()
        return context

    def close(self) -> None:
        """Stop browser, app server and loop (idempotent)."""
        if not self.loop.is_running():
            return

        async def stop() -> None:
            if self.browser is not None:
                await self.browser.close()
                self.browser = None
            if self.playwright is not None:
                await self.playwright.stop()
                self.playwright = None
            await self.server.stop()

        with contextlib.suppress(Exception):
            self.run(stop(), timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


@atexit.register
def _close_shared() -> None:
    if BrowserHost._shared is not None:
        BrowserHost._shared.close()
        BrowserHost._shared = None
