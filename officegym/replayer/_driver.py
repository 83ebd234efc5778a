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

from PIL import Image
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from officegym.browser import JPEG_QUALITY, PageWatch, Stage
from officegym.errors import ActionError
from officegym.replayer._matching import (
    by_selector_only,
    describe,
    editing,
    frame_difference,
    same_field,
    same_target,
    selectors,
    typing,
)
from officegym.trajectory import (
    Answer,
    Check,
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
from officegym.trajectory.keys import MODIFIERS

# A frame matches when at most this share of its pixels differs by more than PIXEL_TOLERANCE
# (_matching.py): JPEG noise and anti-aliasing stay under it, a moved dialog or other text does not.
CHANGED_SHARE = 0.005
TAB_WAIT_S = 3.0  # how long a recorded tab.open waits for the replayed input to open the tab
# [scroll x, scroll y, whether two points (a = [x1, y1, x2, y2]) are over the same element]
SCROLL_AND_SAME_SPOT_JS = (
    "[visualViewport.pageLeft, visualViewport.pageTop, "
    "!!a && document.elementFromPoint(a[0], a[1]) === document.elementFromPoint(a[2], a[3])]"
)

# null when an element the selectors name holds the value a[1]; else what the field that took
# the input (the focused one) holds instead.
VALUE_TAKEN_JS = (
    "__og.countMatching(a[0], null, {value: a[1]}, null) ? null : "
    "String(document.activeElement && document.activeElement.value)"
)


class Divergence(Exception):
    """The replay found something other than what was recorded."""


class Unreplayable(Exception):
    """The recording holds something this replayer cannot reproduce."""


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
        # Imported recordings name elements by selectors another tool made, not by ours.
        self.imported = reader.meta.source.startswith("import:")
        # Regions a redaction blacked out, per frame: not compared (the replay shows them).
        self.masked: dict[str, list[list[int]]] = {}
        for item in reader.meta.privacy.redactions:
            if isinstance(item.get("frame"), str) and isinstance(item.get("box"), list):
                self.masked.setdefault(item["frame"], []).append(item["box"])

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
            Unreplayable: the event cannot be reproduced (masked keys, a missing frame).
        """
        if self.mode == "realtime":
            delay = event.t / 1000 - (time.perf_counter() - self.start)
            if delay > 0:
                await asyncio.sleep(delay)  # the recorded pace is the point of this mode
        if not isinstance(event, KeyDown | KeyUp | MouseMove | Screenshot):
            self.focus_checked = None
        if isinstance(event, MouseMove):
            self.pending_move = await self._where(event)
            if self.mode == "realtime":
                await self._move_now()
        elif isinstance(event, MouseDown | MouseUp | MouseWheel):
            self.pending_move = await self._where(event)
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
        elif isinstance(event, Check):
            await self._check(event)
        elif isinstance(event, Answer):
            self.answer = event.text
        elif isinstance(event, TabOpen):
            await self._tab_opened(event)
        elif isinstance(event, TabSwitch | TabClose):
            await self.settle()
            if isinstance(event, TabClose) and sum(not p.is_closed() for p in self.stage.tabs) == 1:
                return  # the person closed the window: the recording ends here, the page stays
            try:
                if isinstance(event, TabSwitch):
                    await self.stage.focus_tab(event.index)
                else:
                    await self.stage.close_tab(event.index)
            except ActionError as exc:
                raise Divergence(f"{event.type}: {exc}") from None

    async def _tab_opened(self, event: TabOpen) -> None:
        """A tab the replayed input opened (a link with a target) is the recorded one; else the
        person opened it from the browser (a new tab, a bookmark): open it the same way."""
        await self.settle()
        stage, deadline = self.stage, time.perf_counter() + TAB_WAIT_S
        while len(stage.tabs) <= stage.tabs_announced and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        if len(stage.tabs) > stage.tabs_announced:
            await stage.adopt(stage.tabs[stage.tabs_announced])
        else:
            page = await stage.context.new_page()
            stage.use_page(page)
            if event.url and event.url.startswith(("http://", "https://")):
                await page.goto(event.url, wait_until="load")
                await stage.painted()
        stage.tabs_announced += 1

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
        x, y = self.pending_move or self.pointer
        if self.imported and by_selector_only(event.target) and event.x is not None:
            assert event.target is not None
            # Imported: the recorded element is known by selector only; is the point over it?
            if not await self.settle(
                "__og.matchesAt(a[0], a[1], a[2])", [x, y, selectors(event.target)]
            ):
                found = await self.settle("__og.describe(a[0], a[1])", [x, y])
                raise Divergence(
                    f"mouse.down at ({x:g}, {y:g}): expected the element of "
                    f"{selectors(event.target)[0]!r}, found {describe(found)}"
                )
        elif event.target is not None and event.x is not None:
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
            if event.key not in MODIFIERS and not self.typing:
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
        if event.target is not None and event.target.selector and event.replace:
            # A field's new value (a form change, a pick in a <select>): a <select> takes the
            # option, any other field the focus and then the text.
            done = await self.settle(
                "__og.prepareText(a[0], a[1])", [selectors(event.target), event.text]
            )
            if done is None:
                raise Divergence(f"text.input: no element matches {selectors(event.target)}")
            if done["select"]:
                if "chosen" not in done:
                    raise Divergence(
                        f"text.input: the <select> {event.target.selector!r} has no option "
                        f"{event.text!r} (options: {done['options']})"
                    )
                self.dirty = True
                return
        if event.replace:
            await self.page.keyboard.press("Control+a")
        if event.text:
            await self.page.keyboard.insert_text(event.text)
        elif event.replace:
            await self.page.keyboard.press("Delete")
        self.dirty = True
        if event.target is not None and event.target.selector and event.replace:
            await self._took_value(event.target, event.text)

    async def _took_value(self, target: Target, text: str) -> None:
        """A field's new value (a Recorder `change`) must be its value once the page settles:
        typing into a field that takes no text (a colour or a date picker) changes nothing."""
        found = await self.settle(VALUE_TAKEN_JS, [selectors(target), text])
        if found is not None:
            raise Divergence(
                f"text.input: the field of {target.selector!r} holds {found[:200]!r}, not the "
                f"recorded {text[:200]!r}"
            )

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
        share = frame_difference(recorded, shot, self.masked.get(event.frame, ()))
        if share > CHANGED_SHARE:
            raise Divergence(
                f"the screen differs from {event.frame}: {share:.1%} of pixels changed"
            )

    async def _where(
        self, event: MouseMove | MouseDown | MouseUp | MouseWheel
    ) -> tuple[float, float]:
        """The recorded point, or (recorded by selector) the point on the element it names."""
        if event.x is not None and event.y is not None:
            return event.x, event.y
        if event.target is None:  # the event model does not allow this
            raise Unreplayable(f"{event.type} has neither a position nor a target")
        offset = [event.target.offset.x, event.target.offset.y] if event.target.offset else None
        found = await self.settle(
            "__og.resolve(a[0], a[1], a[2])", [selectors(event.target), offset, 5000]
        )
        if found is None:
            raise Divergence(
                f"{event.type}: no element matches {selectors(event.target)} within 5 s"
            )
        if isinstance(event, MouseDown) and found["covered"] is not None:
            raise Divergence(
                f"{event.type}: the element of {selectors(event.target)[0]!r} is covered by "
                f"{describe(found['covered'])} where it would be pressed"
            )
        return float(found["x"]), float(found["y"])

    async def _check(self, event: Check) -> None:
        """An assertion of the recording: it must hold within its timeout."""
        await self.settle()
        end = time.perf_counter() + event.timeout_ms / 1000
        while True:
            problem = await self._check_once(event)
            if problem is None:
                return
            if time.perf_counter() >= end:
                raise Divergence(f"check {event.kind}: {problem}")
            await asyncio.sleep(0.05)

    async def _check_once(self, event: Check) -> str | None:
        if event.kind == "navigation":
            title = await self.page.title()
            if event.url is not None and self.page.url != event.url:
                return f"expected the page {event.url}, found {self.page.url}"
            if event.title is not None and title != event.title:
                return f"expected the title {event.title!r}, found {title!r}"
            return None
        if event.kind == "expression":
            try:
                value = await self.page.evaluate(
                    "async (e) => !!(await (0, eval)(e))", event.expression
                )
            except PlaywrightError as exc:
                return f"{event.expression!r} failed: {str(exc).splitlines()[0]}"
            return None if value else f"{event.expression!r} is not true"
        assert event.target is not None  # the model requires it for element checks
        found = int(
            await self.page.evaluate(
                "a => __og.countMatching(a[0], a[1], a[2], a[3])",
                [selectors(event.target), event.visible, event.properties, event.attributes],
            )
        )
        holds = {">=": found >= event.count, "==": found == event.count, "<=": found <= event.count}
        if holds[event.operator]:
            return None
        return (
            f"expected {event.operator} {event.count} elements matching "
            f"{selectors(event.target)}, found {found}"
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
