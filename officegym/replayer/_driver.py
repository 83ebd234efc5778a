"""Feed recorded input events to a page, checking on the way that the replay matches.

Fast mode keeps the order of events, drops the idle time between them, and coalesces mouse moves
(only the last position before a button, key or wheel event is sent). Realtime mode waits until
each event's recorded time and sends every move.
"""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import numpy as np
from PIL import Image
from playwright.async_api import Page

from officegym.envs._executor import MODIFIER_KEYS, PageWatch
from officegym.envs._stage import Stage
from officegym.trajectory import (
    Answer,
    Event,
    KeyDown,
    KeyUp,
    MouseDown,
    MouseMove,
    MouseUp,
    MouseWheel,
    NavBack,
    NavForward,
    NavGoto,
    NavReload,
    Observe,
    Screenshot,
    TabClose,
    TabOpen,
    TabSwitch,
    Target,
    TextInput,
    TrajectoryReader,
)

# A frame matches when at most this share of its pixels differs by more than PIXEL_TOLERANCE
# (0–255): JPEG noise and anti-aliasing stay under it, a moved dialog or other text does not.
PIXEL_TOLERANCE = 48
CHANGED_SHARE = 0.005


class Divergence(Exception):
    """The replay found something other than what was recorded."""


class Unreplayable(Exception):
    """The recording holds something this replayer cannot reproduce."""


def same_target(recorded: Target, found: dict[str, Any] | None) -> bool:
    """The same element: same CSS path, or same role, accessible name and tag."""
    if found is None:
        return False
    if recorded.selector and recorded.selector == found.get("selector"):
        return True
    return (recorded.role, recorded.name, recorded.tag) == (
        found.get("role"),
        found.get("name"),
        found.get("tag"),
    )


def describe(target: Target | dict[str, Any] | None) -> str:
    if target is None:
        return "nothing"
    t = target.model_dump() if isinstance(target, Target) else target
    name = f" {t.get('name')!r}" if t.get("name") else ""
    return f"{t.get('role') or t.get('tag')}{name} ({t.get('selector')})"


def frame_difference(recorded: bytes, replayed: bytes) -> float:
    """Share of pixels that differ by more than PIXEL_TOLERANCE in any channel."""
    a = np.asarray(Image.open(io.BytesIO(recorded)).convert("RGB"), dtype=np.int16)
    b = np.asarray(Image.open(io.BytesIO(replayed)).convert("RGB"), dtype=np.int16)
    if a.shape != b.shape:
        return 1.0
    return float((np.abs(a - b).max(axis=2) > PIXEL_TOLERANCE).mean())


class EventDriver:
    """Replays one trajectory's events on a stage's page."""

    def __init__(self, stage: Stage, mode: str, reader: TrajectoryReader) -> None:
        self.stage, self.mode, self.reader = stage, mode, reader
        self.pending_move: tuple[float, float] | None = None
        self.dirty = False
        self.scrolled = False
        self.answer: str | None = None
        self.start = time.perf_counter()

    @property
    def page(self) -> Page:
        return self.stage.page

    @property
    def watch(self) -> PageWatch:
        return self.stage.watch

    async def settle(self) -> None:
        if self.dirty:
            await self.watch.settle(scrolled=self.scrolled)
            self.dirty = self.scrolled = False

    async def play(self, event: Event) -> None:
        """Replay one event.

        Raises:
            Divergence: the page does not match the recording at this event.
            Unreplayable: the event cannot be reproduced (masked keys, tabs).
        """
        if self.mode == "realtime":
            delay = event.t / 1000 - (time.perf_counter() - self.start)
            if delay > 0:
                await asyncio.sleep(delay)  # the recorded pace is the point of this mode
        if isinstance(event, MouseMove):
            if event.x is None or event.y is None:
                raise Unreplayable("mouse.move names a selector, not a position: not supported")
            self.pending_move = (event.x, event.y)
            if self.mode == "realtime":
                await self._flush_move()
        elif isinstance(event, MouseDown | MouseUp | MouseWheel):
            self.pending_move = (event.x, event.y)
            await self._flush_move()
            await self._pointer(event)
        elif isinstance(event, KeyDown | KeyUp):
            await self._key(event)
        elif isinstance(event, TextInput):
            if event.masked:
                raise Unreplayable("masked text: the recording does not hold what was typed")
            if event.replace:
                await self.page.keyboard.press("Control+a")
            if event.text:
                await self.page.keyboard.insert_text(event.text)
            elif event.replace:
                await self.page.keyboard.press("Delete")
            self.dirty = True
        elif isinstance(event, NavGoto):
            await self.page.goto(event.url, wait_until="load")
        elif isinstance(event, NavBack | NavForward | NavReload):
            go = {
                NavBack: self.page.go_back,
                NavForward: self.page.go_forward,
                NavReload: self.page.reload,
            }[type(event)]
            await go(wait_until="load")
        elif isinstance(event, Observe):
            await self.settle()
            if self.page.url != event.url:
                raise Divergence(f"expected the page {event.url}, found {self.page.url}")
        elif isinstance(event, Screenshot):
            await self._compare_frame(event)
        elif isinstance(event, Answer):
            self.answer = event.text
        elif isinstance(event, TabOpen | TabSwitch | TabClose):
            raise Unreplayable(
                f"{event.type}: recordings that use several tabs cannot be replayed yet"
            )

    async def _pointer(self, event: MouseDown | MouseUp | MouseWheel) -> None:
        if isinstance(event, MouseWheel):
            await self.page.mouse.wheel(event.dx, event.dy)
            self.dirty = self.scrolled = True
            return
        if isinstance(event, MouseUp):
            await self.page.mouse.up(button=event.button, click_count=event.click_count)
            self.dirty = True
            await self.settle()  # each click finishes before the next input, whatever the pace
            return
        await self.settle()
        if event.target is not None:
            found = await self.page.evaluate(
                "([x, y]) => window.__og && __og.describe(x, y)", [event.x, event.y]
            )
            if not same_target(event.target, found):
                raise Divergence(
                    f"mouse.down at ({event.x:g}, {event.y:g}): expected "
                    f"{describe(event.target)}, found {describe(found)}"
                )
        await self.page.mouse.down(button=event.button, click_count=event.click_count)

    async def _key(self, event: KeyDown | KeyUp) -> None:
        if event.masked:
            raise Unreplayable("masked key: the recording does not hold what was typed")
        if isinstance(event, KeyUp):
            await self.page.keyboard.up(event.key)
            if event.key not in MODIFIER_KEYS:
                self.dirty = True
                await self.settle()  # each key finishes before the next one
            return
        if event.target is not None:
            await self.settle()
            found = await self.page.evaluate("() => window.__og && __og.focused()")
            if not same_target(event.target, found):
                raise Divergence(
                    f"key {event.key!r}: expected focus on "
                    f"{describe(event.target)}, found {describe(found)}"
                )
        await self.page.keyboard.down(event.key)

    async def _compare_frame(self, event: Screenshot) -> None:
        if not self.reader.frame_exists(event.frame):
            raise Unreplayable(
                f"{event.frame} is missing from {self.reader.path}: the screen cannot be checked"
            )
        await self.settle()
        fmt = "png" if event.frame.endswith(".png") else "jpeg"
        shot = await self.stage.observe(fmt)
        share = frame_difference(self.reader.read_frame(event.frame), shot["image"])
        if share > CHANGED_SHARE:
            raise Divergence(
                f"the screen differs from {event.frame}: {share:.1%} of pixels changed"
            )

    async def _flush_move(self) -> None:
        if self.pending_move is not None:
            await self.page.mouse.move(*self.pending_move)
            self.pending_move = None
            self.dirty = True
