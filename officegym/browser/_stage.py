"""A stage: one episode's browser side, prepared before the episode asks for it.

A stage owns a world on the app server (the episode's app state, restored from the task's seeded
snapshot), a browser context whose requests name that world, the page already opened at the task's
start URL, and the first observation. Preparing the next episode's stage while the current one
runs is what makes `reset` cost a context swap instead of a page load.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from officegym.browser._host import BrowserHost
from officegym.browser._watch import PageWatch, page_session, read_page
from officegym.errors import ActionError
from officegym.tasks import Task
from officegym.tasks.apps import StateStore
from officegym.tasks.variants import EpisodeVariant, VariantSet
from officegym.trajectory import TabOpen

JPEG_QUALITY = 90
# Chromium aborts the loads in flight when the machine's network interfaces change (a Docker
# container starting or stopping adds or removes one): the start page is loaded again.
NETWORK_CHANGED = "net::ERR_NETWORK_CHANGED"
START_PAGE_TRIES = 3
TAB_LOAD_MS = 5000  # how long a new tab may take to appear and load its first document
POPUPS_PROBE = "window.__og ? __og.takePopups() : 0"
SCROLL_JS = (
    "window.__og ? __og.scrollPosition() : [visualViewport.pageLeft, visualViewport.pageTop]"
)
# page.js's frames cannot be stopped by the page's script (it may replace requestAnimationFrame).
TWO_FRAMES_JS = (
    "() => window.__og ? __og.frames(2)"
    " : new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
)
# A document is on the screen once it has loaded (styles, images), its fonts are ready and it
# has drawn two frames since. Before that a capture of a new tab can be blank, and a blank frame
# never matches the painted one a replay or a second recording takes.
PAINTED_JS = f"""async () => {{
  if (document.readyState !== "complete")
    await new Promise(r => addEventListener("load", r, {{once: true}}));
  await document.fonts.ready;
  await ({TWO_FRAMES_JS})();
}}"""
PAINT_WAIT_S = 1.0  # a tab in a window's background draws no frames: then go on without them
# A document that has just replaced the last one has no frame to capture until it draws one:
# Chromium answers "Unable to capture screenshot" (measured right after a navigation commits:
# 3 in 4 tries on the headless shell, 1 in 5 on chromium; never after two frames).
# Under load the page can also be between documents: "Not attached to an active page".
NO_FRAME_YET = ("Unable to capture screenshot", "Not attached to an active page")
# A capture asked for just as the page begins a navigation can go unanswered for ever (seen each
# time after a script set location.href); the next one is answered at once. A capture takes
# 20-40 ms here, so a few seconds without an answer means it was lost.
CAPTURE_TIMEOUT_S = 3.0
CAPTURE_TRIES = 3
# Renumbering makes a restarted episode's element ids those of a freshly loaded page.
RESTART_JS = (
    "(seed) => {{ const extra = ({setup})(seed); window.__og && __og.renumber(); return extra; }}"
)
SNAPSHOT_JS = (
    "window.__og ? __og.snapshot() : {text: '', title: document.title, url: location.href}"
)


@dataclass
class Stage:
    """The browser side of one episode."""

    seed: int
    world_id: str
    stores: dict[str, StateStore]
    params: Mapping[str, Any]
    context: BrowserContext
    page: Page
    watch: PageWatch
    first_obs: dict[str, Any] = field(default_factory=dict)
    # Every tab in opening order; a closed tab keeps its number, so numbers never change.
    tabs: list[Page] = field(default_factory=list)
    tabs_announced: int = 1  # tabs the trajectory has a tab.open for (the first needs none)
    # The variant the episode plays under (None: as the apps are).
    variant: EpisodeVariant | None = None
    # Each tab's navigation watch, kept while switching between tabs.
    _per_tab: dict[Page, PageWatch] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.tabs.append(self.page)

    def on_new_page(self, page: Page) -> None:
        """The browser opened a tab; it becomes active at the next `adopt_tabs`."""
        if page not in self.tabs:
            self.tabs.append(page)

    async def adopt(self, page: Page) -> None:
        """Make a newly opened tab the active one once its first document is on the screen."""
        with contextlib.suppress(PlaywrightError):
            await page.wait_for_load_state("load", timeout=TAB_LOAD_MS)
        self.use_page(page)
        await self.painted()

    async def painted(self) -> None:
        """Wait (at most `PAINT_WAIT_S`) until the active tab's document is on the screen."""
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(read_page(self.page, f"({PAINTED_JS})()"), PAINT_WAIT_S)

    async def adopt_tabs(self, opened: int, clock: Callable[[], float]) -> list[TabOpen]:
        """Wait for the `opened` tabs the last input asked for (a link with a target), make the
        newest new tab active, as a person follows a link; a `tab.open` for each new tab."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TAB_LOAD_MS / 1000
        while len(self.tabs) < self.tabs_announced + opened and loop.time() < deadline:
            await asyncio.sleep(0.02)
        new = self.tabs[self.tabs_announced :]
        self.tabs_announced = len(self.tabs)
        if new:
            await self.adopt(new[-1])
        return [TabOpen(t=clock(), url=p.url if p.url != "about:blank" else None) for p in new]

    def use_page(self, page: Page) -> None:
        """Make `page` the active tab (a link opened a new tab: follow it, as a person would)."""
        if page is self.page:
            return
        if page not in self.tabs:
            self.tabs.append(page)
        self._per_tab[self.page] = self.watch
        self.watch = self._per_tab.get(page) or PageWatch(page)
        self.page = page

    def tab_list(self) -> str:
        """The open tabs, one per line: `number: URL`, the active one marked."""
        return "\n".join(
            f"{i}: {p.url}{' (active)' if p is self.page else ''}"
            for i, p in enumerate(self.tabs)
            if not p.is_closed()
        )

    async def focus_tab(self, index: int) -> None:
        """Make tab `index` the active one.

        Raises:
            ActionError: there is no open tab with that number.
        """
        if not 0 <= index < len(self.tabs) or self.tabs[index].is_closed():
            raise ActionError(f"no open tab {index}; the open tabs are:\n{self.tab_list()}")
        self.use_page(self.tabs[index])
        await self.page.bring_to_front()

    async def close_tab(self, index: int | None = None) -> int:
        """Close tab `index` (the active one if None) and return its number. When the active tab
        closes, the nearest open tab before it (else after it) becomes active, as in Chromium.

        Raises:
            ActionError: no such open tab, or it is the last one (answer to end the episode).
        """
        index = self.tabs.index(self.page) if index is None else index
        open_tabs = [i for i, p in enumerate(self.tabs) if not p.is_closed()]
        if index not in open_tabs:
            raise ActionError(f"no open tab {index}; the open tabs are:\n{self.tab_list()}")
        if len(open_tabs) == 1:
            raise ActionError("the last tab cannot be closed; answer to end the episode")
        closing = self.tabs[index]
        await closing.close()
        if closing is self.page:
            before = [i for i in open_tabs if i < index]
            await self.focus_tab(before[-1] if before else next(i for i in open_tabs if i > index))
        return index

    async def after_step(self, step: int) -> None:
        """Run what the variant does after step `step` (a popup opening) in the active tab."""
        scripts = self.variant.after_step.get(step, ()) if self.variant else ()
        for script in scripts:
            with contextlib.suppress(PlaywrightError):  # the page went away: nothing to open on
                await self.page.evaluate(script)
        if scripts:
            await self.painted()

    async def observe(self, screenshot_format: str | None) -> dict[str, Any]:
        """The raw observation: AX tree text, URL, title, tabs, and encoded screenshot bytes.

        The AX tree and the screenshot are asked for at once; Chromium works on both together.
        """
        page = self.page

        async def snapshot() -> dict[str, Any]:
            try:
                snap = await read_page(page, SNAPSHOT_JS)
            except PlaywrightError:  # an error page, or a document being replaced
                snap = None
            return snap if isinstance(snap, dict) else {"text": "", "title": "", "url": page.url}

        async def shot() -> bytes | None:
            if screenshot_format is None:
                return None
            if self.variant is not None and self.variant.scale != 1.0:
                # A zoomed page is captured as drawn, in screen pixels. Chromium's own capture
                # gives CSS pixels here, and with a clip's scale it drops the device scale
                # (measured); Playwright's keeps it.
                if screenshot_format == "jpeg":
                    return await page.screenshot(type="jpeg", quality=JPEG_QUALITY, caret="initial")
                return await page.screenshot(type="png", caret="initial")
            return await self.screenshot(screenshot_format)

        snap, image = await asyncio.gather(snapshot(), shot())
        tabs = self.tab_list()
        return {
            "url": page.url,
            "axtree": snap["text"],
            "title": snap.get("title") or "",
            "tabs": tabs,
            "image": image,
        }

    async def screenshot(
        self,
        fmt: str = "jpeg",
        scale: float = 1.0,
        quality: int = JPEG_QUALITY,
        scroll: list[float] | None = None,
    ) -> bytes:
        """The viewport as PNG or JPEG bytes, scaled by `scale` (0.5: half the width and height).

        `scroll` is where the viewport is scrolled to, if the caller knows (saves a round trip).

        Raises:
            playwright.async_api.Error: the page is gone or navigating.
        """
        # The tab it started with, even if another becomes active meanwhile (a recorder's tab
        # switch): the scroll, the size and the capture then all come from the same page.
        page = self.page
        cdp = await page_session(page)
        params: dict[str, Any] = {"format": fmt, "optimizeForSpeed": True}
        if fmt == "jpeg":
            params["quality"] = quality
        if scale != 1.0:
            # A clip is in document coordinates: start it where the viewport is scrolled to.
            left, top = scroll or await read_page(page, SCROLL_JS)
            size = page.viewport_size or {"width": 1280, "height": 720}
            params["clip"] = {"x": left, "y": top, **size, "scale": scale}
        for attempt in range(1, CAPTURE_TRIES + 1):
            try:
                capture = cdp.send("Page.captureScreenshot", params)
                data = await asyncio.wait_for(capture, CAPTURE_TIMEOUT_S)
                return base64.b64decode(data["data"])
            except TimeoutError:
                if attempt == CAPTURE_TRIES:
                    raise TimeoutError(
                        f"no screenshot of {page.url}: Chromium left {CAPTURE_TRIES} "
                        f"captures unanswered for {CAPTURE_TIMEOUT_S:g} s each"
                    ) from None
                continue  # a capture asked for as a navigation began is lost; ask again
            except PlaywrightError as exc:
                if attempt == CAPTURE_TRIES or not any(r in str(exc) for r in NO_FRAME_YET):
                    raise
            # A hidden or closing page may never draw: wait a second at most, then try again.
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(read_page(page, f"({TWO_FRAMES_JS})()"), 1.0)
        raise AssertionError("unreachable: the last try returns or raises")

    async def close(self, host: BrowserHost) -> None:
        """Close the context and drop the world (idempotent, never raises)."""
        with contextlib.suppress(PlaywrightError):
            await self.context.close()
        host.server.drop_world(self.world_id)


async def prepare_stage(
    host: BrowserHost,
    task: Task,
    seed: int,
    viewport: tuple[int, int],
    screenshot_format: str | None,
    variant: VariantSet | None = None,
) -> Stage:
    """Build a stage: seeded state, context, page at the start URL, first observation.

    `viewport` is the window in screen pixels; under a `variant` that zooms, the page's CSS
    viewport is that divided by its scale.
    """
    loop = asyncio.get_running_loop()
    # Generating a seed's data is CPU work; keep it off the loop that also serves the apps.
    init = await loop.run_in_executor(None, task.initial_state, seed, variant)
    world_id = uuid.uuid4().hex
    world = host.server.world(world_id)
    stores = {}
    for app, snapshot in init.snapshots.items():
        stores[app] = StateStore()
        stores[app].restore(snapshot)
        world.stores[app] = stores[app]
    # Shielded: if this preparation is cancelled (the env was reset with another seed) while
    # the context is being made, the context still gets closed once it exists.
    played = variant.for_episode(task.id, seed) if variant is not None else None
    if played is not None:
        world.latency = played.latency  # only this episode's requests are slow (`slow`)
    if played is None:
        making = asyncio.ensure_future(host.new_context(world_id, *viewport))
    else:
        making = asyncio.ensure_future(
            host.new_context(
                world_id,
                *played.page_viewport(viewport),
                played.scale,
                played.color_scheme,
                played.init_scripts,
            )
        )
    try:
        context = await asyncio.shield(making)
    except asyncio.CancelledError:
        making.add_done_callback(lambda f: _close_made(host, f, world_id))
        raise
    page = context.pages[0]
    stage = Stage(seed, world_id, stores, init.params, context, page, PageWatch(page))
    stage.variant = played
    context.on("page", stage.on_new_page)
    try:
        await goto_start(page, task.start_url)
        if task.page_setup is not None:  # the page holds the episode's state: start it seeded
            extra = await page.evaluate(task.page_setup, seed)
            stage.params = MappingProxyType({**init.params, **(extra or {})})
        await stage.watch.settle()
        stage.first_obs = await stage.observe(screenshot_format)
    except BaseException:
        await stage.close(host)
        raise
    return stage


async def goto_start(page: Page, url: str) -> None:
    """Load an episode's start page, again when Chromium gave up on it because the network
    interfaces changed (`NETWORK_CHANGED`), at most `START_PAGE_TRIES` times in all.

    Raises:
        PlaywrightError: any other failure, or the interfaces kept changing.
    """
    for attempt in range(1, START_PAGE_TRIES + 1):
        try:
            await page.goto(url, wait_until="load")
            return
        except PlaywrightError as exc:
            if NETWORK_CHANGED not in str(exc) or attempt == START_PAGE_TRIES:
                raise


async def restart_stage(stage: Stage, task: Task, seed: int, screenshot_format: str | None) -> bool:
    """Start the episode of `seed` in the page the stage is on, as MiniWoB++ itself does between
    episodes (for tasks with `restart_in_page`): no new context, no page load.

    Returns:
        False when the page is not as the task starts (another URL, another tab open, closed):
        the caller then prepares a stage from scratch.
    """
    if task.page_setup is None or stage.page.is_closed():
        return False
    if stage.page.url != task.start_url or len(stage.context.pages) != 1:
        return False
    loop = asyncio.get_running_loop()
    init = await loop.run_in_executor(None, task.initial_state, seed)
    try:
        extra = await stage.page.evaluate(RESTART_JS.format(setup=task.page_setup), seed)
        stage.seed = seed
        stage.params = MappingProxyType({**init.params, **(extra or {})})
        await stage.watch.settle()
        stage.first_obs = await stage.observe(screenshot_format)
    except PlaywrightError:
        return False
    return True


def page_state_js(probe: str) -> str:
    """A JS expression: `{value: probe()}`, or `{error}` when the page cannot say (another page,
    a broken one), so a step reports it instead of failing the action it followed."""
    return (
        f"(() => {{ try {{ return {{value: ({probe})()}}; }} "
        "catch (e) { return {error: String(e)}; } })()"
    )


def _close_made(host: BrowserHost, made: asyncio.Future[BrowserContext], world_id: str) -> None:
    host.server.drop_world(world_id)
    if not made.cancelled() and made.exception() is None:
        host.submit(made.result().close())
