"""Feed recorded input events to a page, checking on the way that the replay matches.

Fast mode keeps the order of events, drops the idle time between them, and coalesces mouse moves
(only the last position before a button, key or wheel event is sent). It also coalesces the checks
that a later check covers: a frame followed at once by another frame, or taken before or while
keys edit a text field, is not compared (the frame after the edit is), and the focus is checked
once per run of typed characters, not at every character. Realtime mode waits until each event's
recorded time, sends every move and checks every frame.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Coroutine
from typing import Any

import numpy as np
from PIL import Image
from playwright.async_api import Page

from officegym.envs._executor import MODIFIER_KEYS, PageWatch
from officegym.envs._stage import JPEG_QUALITY, Stage
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
# [scroll x, scroll y, whether two points (a = [x1, y1, x2, y2]) are over the same element]
SCROLL_AND_SAME_SPOT_JS = (
    "[visualViewport.pageLeft, visualViewport.pageTop, "
    "!!a && document.elementFromPoint(a[0], a[1]) === document.elementFromPoint(a[2], a[3])]"
)


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


def same_field(a: Target, b: Target | None) -> bool:
    return b is not None and (a.selector == b.selector if a.selector else a == b)


EDITABLE_ROLES = {"textbox", "searchbox", "combobox"}
TEXT_KEYS = {"Shift", "Backspace", "Delete"}
# Keys that may act beyond the field's text: submit, pick a suggestion, move focus.
ACTING_KEYS = {"Enter", "Tab", "Escape", "ArrowUp", "ArrowDown", "PageUp", "PageDown"}


def in_text_field(target: Target | None) -> bool:
    return target is not None and (
        target.role in EDITABLE_ROLES or target.tag in ("input", "textarea")
    )


def editing(event: Event | None) -> bool:
    """A key.down that edits the focused field's text (Control+A and the like included): the
    frame after the edit shows its outcome."""
    return (
        isinstance(event, KeyDown) and event.key not in ACTING_KEYS and in_text_field(event.target)
    )


def typing(event: Event | None) -> bool:
    """A key.down that edits the text of a text field: a character, Shift, Backspace or Delete,
    with no Control, Alt or Meta held."""
    return (
        isinstance(event, KeyDown)
        and (len(event.key) == 1 or event.key in TEXT_KEYS)
        and not {"Control", "Alt", "Meta"} & set(event.modifiers)
        and in_text_field(event.target)
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
    """Replays one trajectory's events on a stage's page.

    Input that needs no check before the next event (typed characters, the move before a click,
    the press and release of a click) is pipelined: sent without waiting for Chromium to
    acknowledge it, in order, and waited for before the next check. Chromium handles input in
    the order it arrives, so the page sees what it would have seen one event at a time.
    """

    def __init__(self, stage: Stage, mode: str, reader: TrajectoryReader) -> None:
        self.stage, self.mode, self.reader = stage, mode, reader
        self.pending_move: tuple[float, float] | None = None
        self.pointer: tuple[float, float] = (0.0, 0.0)  # where the replay's pointer is
        self.dirty = False
        self.scrolled = False
        self.answer: str | None = None
        self.start = time.perf_counter()
        self.focus_checked: Target | None = None  # focus known to be here, while typing
        self.typing = False  # the last key.down typed a character into a text field
        self.inflight: list[asyncio.Future[Any]] = []
        self.buttons_held = 0  # while a button is down, pointer input is not pipelined (drags)
        self.frames_compared = self.frames_skipped = 0

    @property
    def page(self) -> Page:
        return self.stage.page

    @property
    def watch(self) -> PageWatch:
        return self.stage.watch

    def _send(self, input_call: Coroutine[Any, Any, Any]) -> None:
        """Send input now; its acknowledgement is waited for by the next `_drain`."""
        self.inflight.append(asyncio.ensure_future(input_call))
        self.dirty = True

    async def _drain(self) -> None:
        inflight, self.inflight = self.inflight, []
        if inflight:
            await asyncio.gather(*inflight)

    async def abandon(self) -> None:
        """Wait for input still in flight, ignoring its errors (the replay has ended)."""
        inflight, self.inflight = self.inflight, []
        await asyncio.gather(*inflight, return_exceptions=True)

    async def settle(self, probe: str = "null", arg: Any = None) -> Any:
        """Wait for sent input and the page's reaction; return `probe`'s value (see PageWatch)."""
        await self._drain()
        if self.dirty or probe != "null":
            result = await self.watch.settle(scrolled=self.scrolled, probe=probe, arg=arg)
            self.dirty = self.scrolled = False
            return result
        return None

    async def play(self, event: Event, upcoming: Event | None = None) -> None:
        """Replay one event (`upcoming` is the next one that is not a mouse move, if any).

        Raises:
            Divergence: the page does not match the recording at this event.
            Unreplayable: the event cannot be reproduced (masked keys, tabs).
        """
        if self.mode == "realtime":
            delay = event.t / 1000 - (time.perf_counter() - self.start)
            if delay > 0:
                await asyncio.sleep(delay)  # the recorded pace is the point of this mode
        if not isinstance(event, KeyDown | KeyUp | MouseMove | Screenshot):
            self.focus_checked = None
        if isinstance(event, MouseMove):
            if event.x is None or event.y is None:
                raise Unreplayable("mouse.move names a selector, not a position: not supported")
            self.pending_move = (event.x, event.y)
            if self.mode == "realtime":
                await self._move_now()
        elif isinstance(event, MouseDown | MouseUp | MouseWheel):
            self.pending_move = (event.x, event.y)
            await self._pointer(event)
        elif isinstance(event, KeyDown | KeyUp):
            await self._key(event)
        elif isinstance(event, TextInput):
            await self._text(event)
        elif isinstance(event, NavGoto | NavBack | NavForward | NavReload):
            await self._drain()
            if isinstance(event, NavGoto):
                await self.page.goto(event.url, wait_until="load")
            else:
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
            if not self.reader.frame_exists(event.frame):  # checked also for skipped frames
                raise Unreplayable(
                    f"{event.frame} is missing from {self.reader.path}: the screen cannot be "
                    "checked"
                )
            if self.mode == "fast" and (isinstance(upcoming, Screenshot) or editing(upcoming)):
                self.frames_skipped += 1  # a later frame shows this state and more
            else:
                await self._compare_frame(event)
        elif isinstance(event, Answer):
            self.answer = event.text
        elif isinstance(event, TabOpen | TabSwitch | TabClose):
            raise Unreplayable(
                f"{event.type}: recordings that use several tabs cannot be replayed yet"
            )

    async def _pointer(self, event: MouseDown | MouseUp | MouseWheel) -> None:
        if isinstance(event, MouseWheel):
            self._flush_move()
            self._send(self.page.mouse.wheel(event.dx, event.dy))
            self.scrolled = True
            await self._drain()
            return
        if isinstance(event, MouseUp):
            self._flush_move()
            # Playwright may reorder a move made with a button held and the release after it.
            await self._drain()
            self._send(self.page.mouse.up(button=event.button, click_count=event.click_count))
            self.buttons_held = max(0, self.buttons_held - 1)
            await self.settle()  # each click finishes before the next input, whatever the pace
            return
        if event.target is not None:
            # The page as it is before the pointer gets there: what the person saw.
            found = await self.settle(
                "window.__og ? __og.describe(a[0], a[1]) : null", [event.x, event.y]
            )
            if not same_target(event.target, found):
                raise Divergence(
                    f"mouse.down at ({event.x:g}, {event.y:g}): expected "
                    f"{describe(event.target)}, found {describe(found)}"
                )
        else:
            await self.settle()
        self._flush_move()
        self._send(self.page.mouse.down(button=event.button, click_count=event.click_count))
        self.buttons_held += 1

    async def _key(self, event: KeyDown | KeyUp) -> None:
        if event.masked:
            raise Unreplayable("masked key: the recording does not hold what was typed")
        if isinstance(event, KeyUp):
            self._send(self.page.keyboard.up(event.key))
            if event.key not in MODIFIER_KEYS and not self.typing:
                await self.settle()  # a shortcut or command key finishes before the next input
            return
        self.typing = typing(event)
        if event.target is not None and not (
            self.mode == "fast" and self.typing and same_field(event.target, self.focus_checked)
        ):
            found = await self.settle("window.__og ? __og.focused() : null")
            if not same_target(event.target, found):
                raise Divergence(
                    f"key {event.key!r}: expected focus on "
                    f"{describe(event.target)}, found {describe(found)}"
                )
        # Typing a character into the checked field keeps the focus there; any other key may not.
        self.focus_checked = event.target if self.typing else None
        self._send(self.page.keyboard.down(event.key))
        if not self.typing:
            await self._drain()

    async def _text(self, event: TextInput) -> None:
        if event.masked:
            raise Unreplayable("masked text: the recording does not hold what was typed")
        await self._drain()
        if event.replace:
            await self.page.keyboard.press("Control+a")
        if event.text:
            await self.page.keyboard.insert_text(event.text)
        elif event.replace:
            await self.page.keyboard.press("Delete")
        self.dirty = True

    async def _compare_frame(self, event: Screenshot) -> None:
        recorded = self.reader.read_frame(event.frame)
        # The pointer must be over what it was over when the frame was taken (hover styles).
        # Moving it costs a frame; when it would stay over the same element, it waits for the
        # next pointer event instead. One round trip settles the page and answers both.
        moved = [*self.pending_move, *self.pointer] if self.pending_move else None
        scroll = await self.settle(SCROLL_AND_SAME_SPOT_JS, moved)
        if moved and not (scroll and scroll[2]):
            self._flush_move()
            await self.settle()
        # Frames may be stored scaled down: capture the replay at the same scale and in the same
        # format and quality, so both carry the same compression noise. (A small JPEG is also
        # the cheapest capture Chromium makes: PNG encoding costs ~20 ms more.)
        width = Image.open(io.BytesIO(recorded)).size[0]
        viewport = self.page.viewport_size or {"width": width}
        fmt = "png" if event.frame.endswith(".png") else "jpeg"
        quality = int(self.reader.meta.extra.get("frame_quality", JPEG_QUALITY))
        shot = await self.stage.screenshot(
            fmt,
            scale=width / viewport["width"],
            quality=quality,
            scroll=scroll[:2] if scroll else None,
        )
        self.frames_compared += 1
        share = frame_difference(recorded, shot)
        if share > CHANGED_SHARE:
            raise Divergence(
                f"the screen differs from {event.frame}: {share:.1%} of pixels changed"
            )

    def _flush_move(self) -> None:
        if self.pending_move is not None:
            self._send(self.page.mouse.move(*self.pending_move))
            self.pointer, self.pending_move = self.pending_move, None

    async def _move_now(self) -> None:
        """Moves in realtime mode: awaited one by one while dragging (see MouseUp)."""
        self._flush_move()
        if self.buttons_held:
            await self._drain()
