"""One Chromium and one app server per process and backend, driven from an event-loop thread.

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
from typing import Any, ClassVar, TypeVar

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from officegym.browser._display import VirtualDisplay
from officegym.errors import BrowserUnavailableError
from officegym.tasks.apps import DOMAIN, WORLD_HEADER
from officegym.tasks.apps.server import AppServer

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
    # WebRTC does not use the proxy: a page's STUN/TURN requests, mDNS announcements and the
    # DNS lookups of ICE server names would leave over UDP. Allow it only proxied traffic (so,
    # none: the proxy is closed). Chromium 156 measured: the headless shell honours only the
    # `force-` switch, the full chromium only the other (tests/security/test_browser.py).
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
]
# Playwright passes a --disable-features list of its own, and Chromium keeps only the last such
# switch: ours repeats Playwright's (as of 1.5x; tests/envs/test_browser_flags.py fails when a
# Playwright upgrade adds one) and adds what we turn off.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin", "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
    "PreconnectToSearch", "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
)  # fmt: skip
# The address bar's two suggestion popups are WebUI pages that every new window (a context's
# first page) loads in a renderer of its own, headless too: about 0.6 s of CPU and 20 MiB per
# context (benchmarks/RESULTS.md, 2026-12-04). Without them the address bar uses its native popup.
OWN_DISABLED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
CHROMIUM_ARGS.append(
    "--disable-features=" + ",".join((*PLAYWRIGHT_DISABLED_FEATURES, *OWN_DISABLED_FEATURES))
)
# Everything that is not an office app goes to a closed loopback port and fails at once;
# `<-loopback>` removes Chromium's implicit bypass, so 127.0.0.1 and localhost are blocked too.
DEAD_PROXY = {"server": "http://127.0.0.1:9", "bypass": f"*.{DOMAIN};<-loopback>"}
# headless: Chromium's headless mode. xvfb: headed Chromium on a virtual display of its own.
# display: headed Chromium on the user's display ($DISPLAY), for recording a person.
BACKENDS = ("headless", "xvfb", "display")


def chromium_executable(headless: bool = False) -> str | None:
    """The system Chromium if there is one (None: Playwright's own); OFFICEGYM_CHROMIUM wins.

    Headless, Chromium's headless shell comes first (Debian's chromium-headless-shell), as in
    Playwright's own default: it has no browser UI to run, so the first env takes about 145 MiB
    less and a context starts with less CPU (benchmarks/RESULTS.md, 2026-12-04 later).
    """
    explicit = os.environ.get("OFFICEGYM_CHROMIUM")
    if explicit:
        return explicit
    names = ["chromium", "chromium-browser", "google-chrome"]
    if headless:
        names.insert(0, "chromium-headless-shell")
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserHost:
    """The process's browser and app server for one backend. Get it with `acquire()`.

    Args:
        backend: ``"headless"``, ``"xvfb"`` (headed on a virtual display the host starts) or
            ``"display"`` (headed on ``$DISPLAY``).

    Raises:
        BrowserUnavailableError: Chromium (or Xvfb) could not be started; the message says how
            to install it.
    """

    _shared: ClassVar[dict[str, BrowserHost]] = {}
    _guard = threading.Lock()

    def __init__(self, backend: str = "headless") -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; available: {', '.join(BACKENDS)}")
        self.backend = backend
        self.display: VirtualDisplay | None = None
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
            if backend == "xvfb":
                self.display = VirtualDisplay()
            self.run(self._start(), timeout=60)
        except Exception:
            self.close()
            raise

    @property
    def display_name(self) -> str | None:
        """The X display the browser windows are on (None when headless)."""
        if self.display is not None:
            return self.display.name
        return os.environ.get("DISPLAY") if self.backend == "display" else None

    @classmethod
    def acquire(cls, backend: str = "headless") -> BrowserHost:
        """The process's host for this backend, started on first use; it closes at exit."""
        with cls._guard:
            host = cls._shared.get(backend)
            if host is None or host.browser is None:
                host = cls._shared[backend] = BrowserHost(backend)
            return host

    async def _start(self) -> None:
        port = await self.server.start()
        self.playwright = await async_playwright().start()
        args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP *.{DOMAIN} 127.0.0.1:{port}"]
        env: dict[str, str | float | bool] | None = None
        if self.backend != "headless":
            if not self.display_name:
                raise BrowserUnavailableError(
                    "the 'display' backend needs an X display: set DISPLAY, or use 'xvfb'"
                )
            # Windows open at the top-left corner, so the screen offset of the page is stable.
            args.append("--window-position=0,0")
            env = {**os.environ, "DISPLAY": self.display_name}
        try:
            self.browser = await self.playwright.chromium.launch(
                executable_path=chromium_executable(headless=self.backend == "headless"),
                headless=self.backend == "headless",
                args=args,
                env=env,
                proxy=DEAD_PROXY,  # type: ignore[arg-type]
            )
        except Exception as exc:
            raise BrowserUnavailableError(
                f"could not launch Chromium ({str(exc).splitlines()[0]}). Install it with "
                "`apt-get install chromium chromium-headless-shell` (or `playwright install "
                "chromium` where downloads work), or point OFFICEGYM_CHROMIUM at a Chromium binary."
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

    async def new_context(
        self,
        world_id: str,
        width: int,
        height: int,
        scale: float = 1.0,
        color_scheme: str | None = None,
        init_scripts: tuple[str, ...] = (),
    ) -> BrowserContext:
        """A fresh context whose requests carry the world header, with the page script.

        `scale` (device scale factor), `color_scheme` and `init_scripts` (run after the page
        script in every document) are a variant's (`officegym.tasks.variants`).
        """
        if self.browser is None:
            raise BrowserUnavailableError("the browser host is closed")
        context = await self.browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=scale,
            color_scheme=color_scheme,  # type: ignore[arg-type]  # None: Chromium's own (light)
            extra_http_headers={WORLD_HEADER: world_id},
            accept_downloads=False,
            locale="en-US",
            timezone_id="UTC",
            service_workers="block",
        )
        await context.add_init_script(PAGE_SCRIPT)
        for script in init_scripts:
            await context.add_init_script(script)
        await context.new_page()
        return context

    def close(self) -> None:
        """Stop browser, app server, loop and display (idempotent)."""
        try:
            self._stop_loop()
        finally:
            if self.display is not None:
                self.display.stop()
                self.display = None

    def _stop_loop(self) -> None:
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


def _forget_shared_in_child() -> None:
    # A forked child (an AsyncVectorEnv worker, say) inherits the parent's hosts without the
    # threads that drive them: using one would hang until its timeout, and closing one would
    # stop the parent's browser. The child starts its own on first use.
    BrowserHost._shared = {}
    BrowserHost._guard = threading.Lock()


os.register_at_fork(after_in_child=_forget_shared_in_child)


@atexit.register
def _close_shared() -> None:
    for host in BrowserHost._shared.values():
        host.close()
    BrowserHost._shared.clear()
