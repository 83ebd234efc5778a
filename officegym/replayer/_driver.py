"""Feed recorded input events to a page, checking on the way that the replay matches.

Fast mode keeps the order of events, drops the idle time between them, and coalesces mouse moves
(only the last position before a button, key or wheel event is sent). It also coalesces the checks
that a later check covers: a frame followed at once by another frame, or taken before or while
keys edit a text field, is not compared (the frame after the edit is), and the focus is checked
once per run of typed characters, not at every character. Realtime mode waits until each event's
recorded time, sends every move and checks every frame.

Chrome Recorder imports play as @puppeteer/replay plays their steps: each event runs in the tab
and frame its `action` names (_frames_targets.py), finds its element by Puppeteer's selectors
(_selectors.py), waits up to the step's timeout, and a hover moves the pointer in fast mode too.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Coroutine
from typing import Any, cast

from PIL import Image
from playwright.async_api import ElementHandle, Frame, Page

from officegym.browser import (
    JPEG_QUALITY,
    SIDE_BUTTONS,
    PageWatch,
    PlaywrightButton,
    Stage,
    press_side_button,
)
from officegym.errors import ActionError
from officegym.replayer._change import fill, value_problem
from officegym.replayer._frames_targets import StepPlace, frame_for, frame_origin, target_for
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
from officegym.replayer._outcomes import Divergence, Unreplayable
from officegym.replayer._selectors import SelectorEngine, shown_names
from officegym.replayer._waits import wait_check
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
__all__ = ["Divergence", "EventDriver", "Unreplayable"]


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
        # Chrome Recorder steps run where their `action` says, with their own timeouts.
        self.puppeteer = reader.meta.source == "import:chrome-recorder"
        self.main_page = self.step_page = stage.page
        # The frame the step's `frame` path starts from: its tab's top frame, or the iframe its
        # target names (a cross-site iframe is a target of its own to the Recorder).
        self.step_root: Frame = stage.page.main_frame
        self.place = StepPlace()
        self.upcoming: Event | None = None
        # The point a step's events act at, found at its first: ((step, selectors, offset), xy).
        self.step_point: tuple[Any, tuple[float, float]] = (None, (0.0, 0.0))
        self.engine = SelectorEngine(stage.context)
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
        await self.engine.close()

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
            Divergence: the page does not match the recording at this event (an imported
                step's message starts with the step: `steps[3] (click): …`).
            Unreplayable: the event cannot be reproduced (masked keys, a missing frame).
        """
        if not self.puppeteer:
            await self._play(event, upcoming)
            return
        place = StepPlace.of(event.action)
        same_step = place.step is not None and place.step == self.place.step
        self.place = place
        try:
            if not same_step:  # a step's events (and its asserted navigation) stay in its tab
                self.step_page, self.step_root = await target_for(
                    self.stage.context, self.main_page, self.stage.page, place
                )
            if self.step_page is not self.stage.page and not self.step_page.is_closed():
                await self._drain()  # (a popup the step opened became the active tab)
                self.stage.use_page(self.step_page)
            await self._play(event, upcoming)
        except Divergence as exc:
            raise Divergence(f"{self.place.step}: {exc}" if self.place.step else str(exc)) from None

    async def _play(self, event: Event, upcoming: Event | None) -> None:
        self.upcoming = upcoming
        if self.mode == "realtime":
            delay = event.t / 1000 - (time.perf_counter() - self.start)
            if delay > 0:
                await asyncio.sleep(delay)  # the recorded pace is the point of this mode
        if not isinstance(event, KeyDown | KeyUp | MouseMove | Screenshot):
            self.focus_checked = None
        if isinstance(event, MouseMove):
            self.pending_move = await self._where(event)
            if self.mode == "realtime" or self.puppeteer:  # a Recorder hover is a step
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
                response = await self.page.goto(event.url, wait_until="load")
                # The recorded page loaded: an error page in its place is not where it went.
                if response is not None and response.status >= 400:
                    raise Divergence(f"{event.url} answered HTTP {response.status}")
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
        if not isinstance(event, MouseWheel) and event.button in SIDE_BUTTONS:
            await self._side_button(event)
            return
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
            button = cast(PlaywrightButton, event.button)  # back and forward went to CDP
            self._send(self.page.mouse.up(button=button, click_count=event.click_count))
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
        button = cast(PlaywrightButton, event.button)
        self._send(self.page.mouse.down(button=button, click_count=event.click_count))
        self.buttons_held += 1

    async def _side_button(self, event: MouseDown | MouseUp) -> None:
        """Press or release the back or forward button (Chromium goes back or forward)."""
        self._flush_move()
        await self._drain()
        session = (await self.engine.session(self.page.main_frame))[0]
        pressed = isinstance(event, MouseDown)
        await press_side_button(session, pressed, *self.pointer, event.button, event.click_count)
        self.dirty = True
        await self.settle()

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
        if self.puppeteer and event.target is not None and event.target.selector and event.replace:
            await self._change(event.target, event.text)
            return
        if event.target is not None and event.target.selector and event.replace:
            # A field's new value (a form change, a pick in a <select>): a <select> takes the
            # option, any other field the focus and then the text.
            done = await self.settle(
                "__og.prepareText(a[0], a[1])", [selectors(event.target), event.text]
            )
            if done is None:
                raise Divergence(
                    f"text.input: no element matches {shown_names(selectors(event.target))}"
                )
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

    async def _change(self, target: Target, text: str) -> None:
        """A Recorder `change`: Puppeteer's fill, then the element must hold the value."""
        element = (await self._locate(target, None, pressing=False))[0]
        if element is None:  # pragma: no cover - an array of elements holds elements
            raise Divergence(f"change: {target.selector!r} names no element")
        await fill(self.page, element, text)
        self.dirty = True
        await self.settle()
        problem = await value_problem(element, text)
        if problem is not None:
            where = self.place.describe()
            raise Divergence(f"change{where}: the field of {target.selector!r} {problem}")

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
        # A step's move, presses and releases act at the point found once, as Puppeteer's
        # click does; the press is checked when it is found (at the move before it).
        key = (self.place.step, selectors(event.target), offset)
        if self.place.step is not None and self.step_point[0] == key:
            return self.step_point[1]
        upcoming = self.upcoming
        pressing = isinstance(event, MouseDown) or (
            isinstance(upcoming, MouseDown) and upcoming.target == event.target
        )
        await self.settle()
        _, spot, frame = await self._locate(event.target, offset, pressing)
        origin = await frame_origin(frame)
        point = origin[0] + float(spot["x"]), origin[1] + float(spot["y"])
        self.step_point = (key, point)
        return point

    async def _locate(
        self, target: Target, offset: list[float] | None, pressing: bool
    ) -> tuple[ElementHandle | None, dict[str, Any], Frame]:
        """The element the target names in the step's frame, once it can be acted on, and the
        point to act at (see SelectorEngine.actionable); a press must reach the element."""
        frame = await frame_for(self._root(), self.place)
        element, spot, name = await self.engine.actionable(
            frame, selectors(target), offset, self.place.timeout_ms, self.place.describe()
        )
        if pressing and spot["covered"] is not None:
            raise Divergence(
                f"mouse.down{self.place.describe()}: the element of {name!r} is covered by "
                f"{describe(spot['covered'])} where it would be pressed"
            )
        return element, spot, frame

    async def _check(self, event: Check) -> None:
        """An assertion of the recording: it must hold within its timeout."""
        await self.settle()
        frame = await frame_for(self._root(), self.place)
        try:
            await wait_check(self.engine, frame, event)
        except Divergence as exc:
            raise Divergence(f"{exc}{self.place.describe()}") from None

    def _root(self) -> Page | Frame:
        """Where the step's `frame` path starts: its target's frame, or the active tab."""
        return self.step_root if self.step_root.page is self.page else self.page

    def _flush_move(self) -> None:
        if self.pending_move is not None:
            self._send(self.page.mouse.move(*self.pending_move))
            self.pointer, self.pending_move = self.pending_move, None

    async def _move_now(self) -> None:
        """Moves in realtime mode: awaited one by one while dragging (see MouseUp)."""
        self._flush_move()
        if self.buttons_held:
            await self._drain()
