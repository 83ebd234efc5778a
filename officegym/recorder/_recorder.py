"""Record a person doing a task in a headed Chromium, as a v1 trajectory.

The recorder opens the task's start page in a browser window (on the user's display, or on a
virtual one), and a script in the page sends every trusted input event to it: sampled mouse moves,
buttons, wheel, keys with the focused element, URL changes. Navigations the page did not ask for
(typed URLs, back and forward) and tab changes come from the browser. Screenshots are taken after
each burst of input and at least every 2 s, once the page has been quiet for a moment, so that a
replay reaching the same point sees the same screen.

With a capture policy (recorder/_capture.py), nothing of a page it excludes is written, nothing
while the person paused capture or was idle too long, and the fields it masks are painted over
in frames and their keys are '•' (the page script masks them, as in password fields).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from playwright.async_api import CDPSession, Page
from playwright.async_api import Error as PlaywrightError

import officegym
from officegym.browser import BrowserHost, Stage, prepare_stage
from officegym.errors import TrajectoryFormatError
from officegym.recorder._capture import (
    CaptureGate,
    GatedCapture,
    check_mask_selectors,
    page_script,
)
from officegym.tasks import Apps, Evaluation, get_task
from officegym.trajectory import (
    CapturePolicy,
    Source,
    TrajectoryWriter,
)

RECORDER_BACKENDS = ("display", "xvfb")
SHOT_PERIOD_MS = 2000  # a screenshot at least this often, once input pauses for QUIET_MS
QUIET_MS = 150
BURST_PAUSE_MS = 400  # and one when a burst of input ends: no input for this long
FRAME_SCALE = 0.25  # a quarter of the width and height: ~6 KB a frame, still checkable
FRAME_QUALITY = 50
INPUT_TYPES = ("mouse.down", "mouse.up", "mouse.wheel", "key.down", "key.up")


class Recorder(GatedCapture):
    """Records one episode of a task in a headed browser window.

    Args:
        task_id: the task to record.
        seed: the task's seed (its data and parameters).
        out: the trajectory folder to write.
        backend: ``"display"`` (a window on $DISPLAY, for a person) or ``"xvfb"`` (a virtual
            display, for tests and synthetic recordings).
        source: what `meta.source` says made the input (``human`` or ``synthetic``).
        policy: the capture policy to follow (pages never captured, fields masked, the
            pause hotkey, the idle limit); None captures everything but password fields.

    Use `start()`, then `finish(answer)` or `wait()` for the window to be closed.
    """

    def __init__(
        self,
        task_id: str,
        seed: int,
        out: str | Path,
        *,
        backend: str = "display",
        viewport: tuple[int, int] = (1280, 720),
        source: Source = "human",
        overwrite: bool = False,
        policy: CapturePolicy | None = None,
    ) -> None:
        if backend not in RECORDER_BACKENDS:
            raise ValueError(
                f"unknown recording backend {backend!r}; use 'display' (your screen) or "
                "'xvfb' (a virtual screen)"
            )
        self.task = get_task(task_id)
        self.seed, self.out, self.backend = seed, Path(out), backend
        self.viewport, self.source, self.overwrite = viewport, source, overwrite
        self.host: BrowserHost | None = None
        self.stage: Stage | None = None
        self.writer: TrajectoryWriter | None = None
        self.screen_offset: tuple[int, int] | None = None
        self.evaluation: Evaluation | None = None
        self.answer: str | None = None
        self.problems: list[str] = []  # events the page sent that did not validate
        self.counts: Counter[str] = Counter()  # events received (and frames taken), by type
        self.finished = threading.Event()
        self.gate = CaptureGate(policy)
        self._gaps_saved = 0
        self._ending = False
        self._t0 = 0.0  # epoch milliseconds of t = 0
        self._last_t = 0.0
        self._inputs = 0
        self._last_input = 0.0
        self._last_shot = -float(SHOT_PERIOD_MS)
        self._burst = True  # the first screen is worth a frame
        # sha256 -> frame path: an unchanged screen is stored once
        self._frames: dict[str, str] = {}
        self._masked: set[str] = set()
        self._pages: list[Page] = []
        self._active = 0
        # When the active tab became so (epoch ms, the clock of the pages' event times): input
        # a page sent before that is the tail of what happened there, not a switch back.
        self._active_since = 0.0
        self._cdp: CDPSession | None = None
        self._asked_navigation = False  # the page asked for a navigation not yet committed
        self._asked_for_document = False  # ... and the document now loading is that one
        self._main_frame = ""
        self._history: tuple[int, list[str]] = (0, [])  # main tab: current index, entry URLs
        self._previous = self._history
        self._held: dict[str, dict[str, Any]] = {}  # key -> its key.down, until it goes up
        self._is_start = True
        self._index_of_page_event: int | None = None
        self._shooter: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Future[None]] = set()

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Open the window on the task's start page and begin recording.

        Raises:
            BrowserUnavailableError: no Chromium, no Xvfb, or no display.
            FileExistsError: `out` holds a trajectory and `overwrite` is False.
        """
        self.host = BrowserHost.acquire(self.backend)
        self.host.run(self._start(self.host))

    @property
    def display(self) -> str | None:
        """The X display the window is on."""
        return self.host.display_name if self.host else None

    @property
    def goal(self) -> str:
        return self.task.goal(self.stage.params) if self.stage else ""

    def finish(self, answer: str | None = None) -> Evaluation:
        """End the recording (with the person's answer), score it, close the window."""
        if self.host is None:
            raise RuntimeError("the recorder was not started")
        self.host.run(self._finish(answer))
        if self.evaluation is None:
            raise RuntimeError("the recording ended before the task could be scored")
        return self.evaluation

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the recording ends (finish() or the window closed); False on timeout."""
        return self.finished.wait(timeout)

    def observe(self) -> dict[str, Any]:
        """The page as an agent sees it (AX tree with element centres, URL), for the synthesizer."""
        if self.host is None or self.stage is None:
            raise RuntimeError("the recorder was not started")
        stage = self.stage

        async def quiet_observe() -> dict[str, Any]:
            await stage.watch.settle()
            return await stage.observe(None)

        return self.host.run(quiet_observe())

    # ---- on the browser loop -----------------------------------------------------------------
    async def _start(self, host: BrowserHost) -> None:
        stage = await prepare_stage(host, self.task, self.seed, self.viewport, None)
        self.stage = stage
        context, page = stage.context, stage.page
        await context.expose_binding("__ogRecord", self._on_page_event)
        await check_mask_selectors(page, self.gate.policy)
        script = page_script(self.gate.policy)
        await context.add_init_script(script)
        context.on("page", self._on_new_tab)
        self._pages = [page]
        page.on("close", self._on_tab_closed)
        self._cdp = await context.new_cdp_session(page)
        self._cdp.on("Page.frameRequestedNavigation", self._on_asked_navigation)
        self._cdp.on("Page.frameNavigated", self._on_navigated)
        self._cdp.on("Page.navigatedWithinDocument", self._on_navigated)
        await self._cdp.send("Page.enable")
        tree = await self._cdp.send("Page.getFrameTree")
        self._main_frame = tree["frameTree"]["frame"]["id"]
        await self._refresh_history()
        self._t0 = time.time() * 1000
        self.writer = TrajectoryWriter(self.out, self._meta(stage), overwrite=self.overwrite)
        await page.evaluate(script)  # the start page loaded before the script was added
        self._shooter = asyncio.ensure_future(self._shoot_when_due())

    def _meta(self, stage: Stage) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "id": f"{self.task.id}-s{self.seed}-{time.time_ns() % 10**8:08d}",
            "source": self.source,
            "recorder": {"name": "officegym.record", "version": officegym.__version__},
            "task": {"id": self.task.id, "seed": self.seed, "params": dict(stage.params)},
            "start_url": self.task.start_url,
            "viewport": {"width": self.viewport[0], "height": self.viewport[1]},
            "coordinate_space": "viewport",
            "locale": "en-US",
            "timezone": "UTC",
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "extra": {
                "backend": self.backend,
                "frame_scale": FRAME_SCALE,
                "frame_quality": FRAME_QUALITY,  # the replay captures at the same quality
            },
        }
        if self.gate.policy is not None:
            meta["capture"] = self.gate.capture()
        return meta

    async def _finish(self, answer: str | None) -> None:
        if self._ending or self.writer is None or self.stage is None:
            return
        self._ending = True
        try:
            await self._end(self.writer, self.stage, answer)
        finally:
            self.finished.set()  # whatever happened, nobody waits for this recording any more

    async def _end(self, writer: TrajectoryWriter, stage: Stage, answer: str | None) -> None:
        if self._shooter is not None:
            self._shooter.cancel()
        if not stage.page.is_closed():
            await self._shoot(force=True)  # the screen the person answered on
        if answer is not None:
            self._write({"type": "answer", "text": answer})
        self._write({"type": "done"})
        self.answer = answer
        self.evaluation = self.task.score(Apps(stage.stores), stage.params, answer)
        fields: dict[str, Any] = {
            "privacy": {"masked_fields": sorted(self._masked)},
            "outcome": {"claimed_success": None, "answer": answer},
        }
        if self.gate.policy is not None:
            fields["capture"] = self.gate.finish(self._last_t)
        if self.screen_offset is not None:
            fields["screen_offset"] = {"x": self.screen_offset[0], "y": self.screen_offset[1]}
        writer.update_meta(**fields)
        writer.close()
        assert self.host is not None
        await stage.close(self.host)

    def _clock(self, epoch_ms: float | None = None) -> float:
        t = (time.time() * 1000 if epoch_ms is None else epoch_ms) - self._t0
        return round(max(t, self._last_t), 1)

    def _write(
        self, event: dict[str, Any], epoch_ms: float | None = None, page_url: str | None = None
    ) -> bool:
        """Write the event unless the capture policy withholds it; True if written.

        Args:
            page_url: where the page that sent it was (None: not sent by a page).
        """
        if self.writer is None or self.writer.closed:
            return False
        t = self._clock(epoch_ms)
        return self._gate_lets_through(event, t, page_url) and self._put(event, t)

    def _put(self, event: dict[str, Any], t: float) -> bool:
        assert self.writer is not None
        event["t"] = t
        try:
            self.writer.write(event)
        except TrajectoryFormatError as exc:  # a page quirk must not end the recording
            self.problems.append(str(exc))
            return False
        self._last_t = event["t"]
        return True

    def _active_url(self) -> str | None:
        page = self._pages[self._active] if self._active < len(self._pages) else None
        return page.url if page is not None else None

    def _on_page_event(self, source: dict[str, Any], data: dict[str, Any]) -> None:
        page, frame = source.get("page"), source.get("frame")
        if page is None or (frame is not None and frame is not page.main_frame):
            self.counts["dropped"] += 1  # the page script runs in the top frame only
            return
        kind, epoch_ms = data.pop("type"), data.pop("ts")
        # The browser's URL of the page, or the page's own at sending if that one is excluded.
        claimed = data.pop("page_url", None)
        page_url = claimed if self.gate.excludes(claimed) else page.url
        self.counts[kind] += 1
        index = self._index_of_page_event = self._index(page)
        if kind == "pause":
            if self.gate.policy is not None:
                self.toggle_pause(epoch_ms)
            return
        if kind in ("load", "history"):
            how = data.get("how", "traverse")
            self._browser_navigation(kind, how, data["url"], epoch_ms)
            return
        if kind == "blur":
            self._release_keys(epoch_ms)
            return
        if kind == "visible" or kind in INPUT_TYPES:
            # A tab shown (where the page learns of it), or input from a tab other than the
            # one recorded as active: the person switched tabs, with the tab strip or a
            # shortcut the page never sees (Ctrl+1…9, Ctrl+Tab). Only the shown tab gets input.
            if kind == "visible" or epoch_ms >= self._active_since:
                self._switch_to(index, epoch_ms)
            if kind == "visible":
                return
        screen = data.pop("screen", None)
        if screen is not None and self.screen_offset is None:
            self.screen_offset = (int(screen[0]), int(screen[1]))
        if kind in INPUT_TYPES:
            self._inputs += 1
            self._last_input = self._clock(epoch_ms)
            self._burst = self._burst or kind in ("mouse.up", "key.up")
        if data.get("code") is None:
            data.pop("code", None)
        key = str(data.get("key"))
        if kind == "key.up" and key in self.gate.gap_keys and key not in self._held:
            self.gate.gap_keys.discard(key)  # it went down in a gap: its release goes too
            return
        written = self._write({"type": kind, **data}, epoch_ms, page_url)
        if kind == "key.down" and not written:
            self.gate.gap_keys.add(key)
        if not written:
            return
        if data.get("masked") and data.get("target", {}).get("selector"):
            self._masked.add(data["target"]["selector"])
        if kind == "key.down":
            self._held[key] = {k: v for k, v in data.items() if k != "target"}
        elif kind == "key.up":
            self._held.pop(key, None)

    def _index(self, page: Page | None) -> int | None:
        return self._pages.index(page) if page in self._pages else None

    def _switch_to(self, index: int | None, epoch_ms: float) -> None:
        if index is None or index == self._active or self._pages[index].is_closed():
            return  # (an event from a tab that has closed since it was sent)
        self._activate(index, epoch_ms)
        self._write({"type": "tab.switch", "index": index}, epoch_ms)

    def _activate(self, index: int, since_ms: float | None = None) -> None:
        """Make tab `index` the recording's active one, from `since_ms` (default: now) on;
        frames and observations follow it."""
        self._active = index
        self._active_since = time.time() * 1000 if since_ms is None else since_ms
        if self.stage is not None:
            self.stage.use_page(self._pages[index])

    # ---- tabs and navigation -------------------------------------------------------------------
    def _on_new_tab(self, page: Page) -> None:
        self._pages.append(page)
        # From now: the click that opened it may still be on its way from the opener (mouse.up).
        self._activate(len(self._pages) - 1)
        page.on("close", self._on_tab_closed)
        self._write({"type": "tab.open", "url": page.url or None})

    def _on_tab_closed(self, page: Page) -> None:
        index = self._index(page)
        if index is None or self._ending:
            return
        self._write({"type": "tab.close", "index": index})
        still_open = [i for i, p in enumerate(self._pages) if not p.is_closed()]
        if not still_open:  # the window is gone: the recording ends
            self._tasks.add(asyncio.ensure_future(self._finish(None)))
        elif index == self._active and self.stage is not None:
            # Chromium shows the tab before the closed one (or after it): so does the recording.
            before = [i for i in still_open if i < index]
            self._activate(before[-1] if before else still_open[0])

    def _on_asked_navigation(self, params: dict[str, Any]) -> None:
        # The page asked for it (a link, a form, a script): replaying the input repeats it.
        if params.get("frameId") == self._main_frame and params.get("disposition") == "currentTab":
            self._asked_navigation = True

    def _on_navigated(self, params: dict[str, Any]) -> None:
        frame = params.get("frame", {}).get("id") or params.get("frameId")
        if frame != self._main_frame:
            return  # an iframe's navigation is part of the page
        if "frame" in params:  # a new document: was it the page's own request?
            self._asked_for_document, self._asked_navigation = self._asked_navigation, False
        task = asyncio.ensure_future(self._refresh_history())
        self._tasks.add(task)  # the loop holds tasks weakly
        task.add_done_callback(self._tasks.discard)

    async def _refresh_history(self) -> None:
        if self._cdp is None:
            return
        with contextlib.suppress(PlaywrightError):
            history = await self._cdp.send("Page.getNavigationHistory")
            self._previous, self._history = (
                self._history,
                (
                    int(history["currentIndex"]),
                    [str(e["url"]) for e in history["entries"]],
                ),
            )

    def _browser_navigation(self, kind: str, how: str, url: str, epoch_ms: float) -> None:
        """A new document (`load`) or an in-document history step (`history`) that the page
        did not ask for: the URL bar, back, forward or reload, which a replay must repeat."""
        asked, self._asked_for_document = self._asked_for_document, False
        if self._index_of_page_event is not None and self._index_of_page_event != 0:
            return  # only the first tab's navigations are followed
        if kind == "load" and self._is_start:
            self._is_start = False  # the start page, loaded before the recording began
            return
        if kind == "load" and asked:
            return
        step = self._history_step(url) if how in ("back_forward", "traverse") else 0
        if how == "reload":
            event: dict[str, Any] = {"type": "nav.reload"}
        elif step:
            event = {"type": "nav.back" if step < 0 else "nav.forward"}
        elif kind == "history":
            return  # an in-document step that matches no neighbouring entry
        else:
            event = {"type": "nav.goto", "url": url}
        self._release_keys(epoch_ms)
        self._write(event, epoch_ms, url)

    def _history_step(self, url: str) -> int:
        """-1 for a step back to `url`, 1 for a step forward, 0 when it is neither."""
        index, urls = self._history
        if index < len(urls) and urls[index] == url and index != self._previous[0]:
            return 1 if index > self._previous[0] else -1  # the history already moved
        if 0 < index <= len(urls) and urls[index - 1] == url:
            return -1
        return 1 if index + 1 < len(urls) and urls[index + 1] == url else 0

    def _release_keys(self, epoch_ms: float | None, at: float | None = None) -> None:
        """Keys the page saw go down but not up (focus went to the browser, or capture is
        going off): let them go, at `epoch_ms`, or at recording time `at` past the gate."""
        held, self._held = list(self._held.values()), {}
        for key in held:
            if at is None:
                self._write({**key, "type": "key.up"}, epoch_ms)
            else:
                self._put({**key, "type": "key.up"}, at)

    # ---- screenshots -----------------------------------------------------------------------------
    async def _shoot_when_due(self) -> None:
        while not self.finished.is_set():
            await asyncio.sleep(0.05)
            now = self._clock()
            quiet = now - self._last_input
            if (self._burst and quiet >= BURST_PAUSE_MS) or (
                now - self._last_shot >= SHOT_PERIOD_MS and quiet >= QUIET_MS
            ):
                await self._shoot()
            elif self.gate.policy is not None:
                self._follow_gate(now, activity=False)  # an idle pause starts on time

    async def _shoot(self, force: bool = False) -> None:
        """Take a frame of the settled page, unless input arrived meanwhile (then try later)."""
        stage = self.stage
        if stage is None or self.writer is None:
            return
        inputs, page = self._inputs, stage.page
        url = page.url
        if not self._may_capture(url):
            self.counts["frame.withheld"] += 1
            self._burst, self._last_shot = False, self._clock()
            return
        try:
            # Bounded: a hidden window or a tab in the background may never produce a frame.
            await asyncio.wait_for(stage.watch.settle(timeout_ms=1000), 3)
            await stage.painted()  # a tab just opened can still be blank
            shot = partial(stage.screenshot, "jpeg", scale=FRAME_SCALE, quality=FRAME_QUALITY)
            image = await self._masked_frame(page, shot, FRAME_QUALITY)
        except (PlaywrightError, TimeoutError):
            return  # navigating, closed or hidden: the next round tries again
        if stage.page is not page:  # the person changed tabs meanwhile: the frame is of neither
            return
        if page.url != url or not self._may_capture(url):
            return  # it navigated, or capture went off, while the frame was taken
        if inputs != self._inputs and not force:
            return
        digest = hashlib.sha256(image).hexdigest()
        frame = self._frames.get(digest)
        if frame is None:
            frame, _ = self.writer.add_frame(image, "jpg")
            self._frames[digest] = frame
        self._write({"type": "screenshot", "frame": frame, "sha256": digest})
        self.counts["screenshot"] += 1
        self._burst, self._last_shot = False, self._last_t

    def close(self) -> None:
        """End the recording if it is still going (no answer)."""
        if self.host is not None and not self.finished.is_set():
            with contextlib.suppress(Exception):
                self.host.run(self._finish(None), timeout=30)
