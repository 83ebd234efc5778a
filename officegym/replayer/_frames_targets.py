"""Where an imported step runs: its tab (the Recorder's `target`) and its frame (`frame`).

@puppeteer/replay runs a step whose `target` is not "main" on the target whose URL is that
one, waiting for it up to the step's timeout: a page (a popup or a tab the recording opened)
or, as the Recorder names a step inside a cross-site (out-of-process) iframe, that iframe
(PuppeteerRunnerExtension.runStep: a target without a page falls back to the frame with the
URL). Here a tab with the URL wins; else the first frame with it, at any depth, in the current
tab, then the main one, then the others. Same-origin frames are looked at too: whether a frame
runs out of process depends on the browser's site isolation, not on the recording. From there
the step follows `frame`, an index path through each frame's child frames (in the order they
were attached, same-origin and out-of-process alike). Imported events carry these in their
`action` object: `{"page": URL, "frame": [0, 1], "timeout_ms": 8000}`, each only when it is not
the default (the main tab, the top frame, 5 s), and `step`, the step they came from.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from playwright.async_api import BrowserContext, Frame, Page

from officegym.replayer._outcomes import POLL_S, Divergence, Unreplayable
from officegym.replayer.importers.chrome_recorder import (
    DEFAULT_TIMEOUT_MS,
    MAX_FRAME_DEPTH,
    TIMEOUT_RANGE_MS,
)

MAX_TIMEOUT_MS = TIMEOUT_RANGE_MS[1]  # the largest timeout @puppeteer/replay accepts


@dataclass(frozen=True)
class StepPlace:
    """The tab, frame and timeout of one imported step (see the module's docstring)."""

    page: str | None = None
    frame: tuple[int, ...] = ()
    timeout_ms: float = DEFAULT_TIMEOUT_MS
    step: str | None = None  # the source step, `steps[3] (click)`, named when it diverges

    @classmethod
    def of(cls, action: dict[str, Any] | None) -> StepPlace:
        """Read an event's `action`; a malformed value is `Unreplayable`, naming it."""
        if not action:
            return cls()
        page, frame = action.get("page"), action.get("frame", [])
        timeout = action.get("timeout_ms", DEFAULT_TIMEOUT_MS)
        if page is not None and not (isinstance(page, str) and page):
            raise Unreplayable(f"action.page: expected the URL of a tab, got {page!r}")
        if not (
            isinstance(frame, list)
            and len(frame) <= MAX_FRAME_DEPTH
            and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in frame)
        ):
            raise Unreplayable(f"action.frame: expected child frame indexes, got {frame!r}")
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not (0 < timeout <= MAX_TIMEOUT_MS)
        ):
            raise Unreplayable(
                f"action.timeout_ms: expected 1 to {MAX_TIMEOUT_MS:g} ms, got {timeout!r}"
            )
        step = action.get("step")
        return cls(page, tuple(frame), float(timeout), str(step)[:200] if step else None)

    def describe(self) -> str:
        """` in frame [0, 1] of the tab or frame at https://…`, or nothing for the main tab's
        top frame."""
        frame = f" in frame {list(self.frame)}" if self.frame else ""
        return frame + (f" of the tab or frame at {self.page}" if self.page else "")


async def target_for(
    context: BrowserContext, main: Page, current: Page, place: StepPlace
) -> tuple[Page, Frame]:
    """The tab a step runs on and the frame its `frame` path starts from: the main tab's top
    frame; or the first open tab whose URL is the step's target; or else the first frame with
    that URL (see the module's docstring), each waited for up to the step's timeout (Puppeteer's
    `waitForTarget`)."""
    if place.page is None:
        return main, main.main_frame
    end = time.perf_counter() + place.timeout_ms / 1000
    while True:
        pages = [p for p in (current, main, *context.pages) if not p.is_closed()]
        for page in pages:
            if page.url == place.page:
                return page, page.main_frame
        for page in dict.fromkeys(pages):  # each tab once, the current one first
            for frame in page.frames:
                if frame.parent_frame is not None and frame.url == place.page:
                    return page, frame
        if time.perf_counter() >= end:
            open_urls = [p.url for p in context.pages if not p.is_closed()]
            raise Divergence(
                f"no tab or frame at {place.page} within {place.timeout_ms / 1000:g} s "
                f"(open tabs: {open_urls})"
            )
        await asyncio.sleep(POLL_S)


async def frame_for(root: Page | Frame, place: StepPlace) -> Frame:
    """The frame at the step's index path from `root` (a tab: its top frame), waited for
    (frames attach as the page loads)."""
    start = root.main_frame if isinstance(root, Page) else root
    end = time.perf_counter() + place.timeout_ms / 1000
    while True:
        if start.is_detached():
            raise Divergence(f"the frame at {start.url} was removed from its page")
        frame: Frame | None = start
        missing = place.frame
        for depth, index in enumerate(place.frame):
            assert frame is not None
            children = frame.child_frames
            frame = children[index] if index < len(children) else None
            if frame is None:
                missing = place.frame[: depth + 1]
                break
        if frame is not None:
            return frame
        if time.perf_counter() >= end:
            raise Divergence(f"the page has no frame {list(missing)} (path {list(place.frame)})")
        await asyncio.sleep(POLL_S)


async def frame_origin(frame: Frame) -> tuple[float, float]:
    """Where the frame's viewport starts in its page's viewport (0, 0 for the top frame)."""
    owner = await frame.frame_element() if frame.parent_frame is not None else None
    if owner is None:
        return 0.0, 0.0
    box = await owner.bounding_box()
    if box is None:
        raise Divergence("the frame's <iframe> is not displayed")
    inner = await owner.evaluate(
        "e => { const s = getComputedStyle(e); return [e.clientLeft + parseFloat(s.paddingLeft), "
        "e.clientTop + parseFloat(s.paddingTop)]; }"
    )
    return box["x"] + inner[0], box["y"] + inner[1]
