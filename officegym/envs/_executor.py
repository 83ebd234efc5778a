"""Carry out one action on a page and say, as trajectory events, what input it was.

Browser-mode actions are resolved to the same pointer and key input a person would give (click at
the element's centre, keys into the focused field), so agent trajectories replay like human ones.
`HANDLERS` says which method carries out each action type; the tab actions are not in it, the env
carries those out on its stage.
"""

from __future__ import annotations

import asyncio
import itertools
import weakref
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from officegym import trajectory as T
from officegym.browser import DOMAIN, SIDE_BUTTONS, OsInput, PageMouse, PageWatch
from officegym.envs import actions as A
from officegym.errors import ActionError
from officegym.tasks.apps import hosts_of
from officegym.trajectory import MASK, MODIFIERS, Event

Clock = Callable[[], float]  # the episode's time in ms, for event stamps
# What `type` presses a key for: the characters of the US layout, the only one Playwright's
# keyboard has (newline and tab as the Enter and Tab keys, as a person types them). Any other
# character (é, 中, 🙂) comes in as an input method commits it: the browser's insertText, recorded
# as `text.input`, which the replayer replays the same way.
KEY_FOR = {"\n": "Enter", "\r": "Enter", "\t": "Tab"}
KEYED = frozenset(map(chr, range(0x20, 0x7F))) | KEY_FOR.keys()


class Executor:
    """Runs actions on the active page of an episode and returns the events they produced."""

    def __init__(self, allowed_apps: tuple[str, ...], os_input: OsInput | None = None) -> None:
        self.allowed_hosts = {f"{h}.{DOMAIN}" for app in allowed_apps for h in hosts_of(app)}
        self.pointer = (0.0, 0.0)
        self.watch: PageWatch | None = None  # the active page's, set for each action
        self.os_input = os_input  # xdotool on the display instead of the driver's input
        # The events of the action under way, as far as it got (`type` adds each key as it goes),
        # and, once it was cut short (the step's time ran out, or it failed half-way), those
        # events as recorded: the step keeps them, so the trajectory holds what was typed.
        self.partial: list[Event] = []
        self.cut_short: list[Event] = []
        # Each page's mouse, with the back and forward buttons (Playwright's has neither).
        self._page_mice: weakref.WeakKeyDictionary[Page, PageMouse] = weakref.WeakKeyDictionary()

    def _mouse(self, page: Page) -> Any:
        if self.os_input:
            return self.os_input.mouse
        mouse = self._page_mice.get(page)
        if mouse is None:
            mouse = self._page_mice[page] = PageMouse(page)
        return mouse

    def _keyboard(self, page: Page) -> Any:
        return self.os_input.keyboard if self.os_input else page.keyboard

    async def run(self, page: Page, action: A._Action, clock: Clock) -> list[Event]:
        """Perform `action`; `clock()` gives the episode time in ms for event stamps.

        Raises:
            ActionError: the action cannot be carried out here (message says why).
            TypeError: no handler for this action type (tab actions are the env's).
        """
        handler = HANDLERS.get(type(action))
        if handler is None:
            raise TypeError(f"the executor does not carry out {type(action).__name__} actions")
        self.partial, self.cut_short = [], []
        if self.os_input is not None and self.os_input.page is not page:
            await self.os_input.calibrate(page)  # the pointer moved: it is somewhere new
            self.pointer = (-1.0, -1.0)
        try:
            events = await handler(self, page, action, clock)
        except (asyncio.CancelledError, ActionError, PlaywrightError):  # nothing more is sent
            self.cut_short = _stamped(action, self.partial)
            raise
        return _stamped(action, events)

    # ---- pointer --------------------------------------------------------------------------------
    async def _target_at(self, page: Page, x: float, y: float) -> T.Target | None:
        try:
            info = await page.evaluate("([x, y]) => window.__og && __og.describe(x, y)", [x, y])
        except PlaywrightError:
            return None
        return _target(info)

    async def _click(
        self,
        page: Page,
        x: float,
        y: float,
        clock: Clock,
        button: A.Button = "left",
        count: int = 1,
    ) -> list[Event]:
        # The target is read before the input is sent: a page that changes on mousedown (a
        # MiniWoB++ page ends its episode and covers itself) would otherwise be read after it.
        # The inputs themselves are pipelined; Chromium handles them in order.
        target = await self._target_at(page, x, y)
        mouse = self._mouse(page)
        calls: list[Any] = []
        moved_at: float | None = None
        if (x, y) != self.pointer:
            calls.append(mouse.move(x, y))
            moved_at = clock()
        self.pointer = (x, y)
        presses: list[tuple[int, float, float]] = []  # (click count, t down, t up)
        for n in range(1, count + 1):
            calls.append(mouse.down(button=button, click_count=n))
            down_at = clock()
            calls.append(mouse.up(button=button, click_count=n))
            presses.append((n, down_at, clock()))
        if button in SIDE_BUTTONS:  # sent through CDP: in order only if each waits its turn
            for call in calls:
                await call
        else:
            await asyncio.gather(*calls)
        # The events are made once the input went through: a position Chromium refuses (NaN)
        # is then that input's error, as for every other action, not an invalid event.
        events: list[Event] = [] if moved_at is None else [T.MouseMove(t=moved_at, x=x, y=y)]
        for n, down_at, up_at in presses:
            events.append(
                T.MouseDown(t=down_at, x=x, y=y, button=button, click_count=n, target=target)
            )
            events.append(T.MouseUp(t=up_at, x=x, y=y, button=button, click_count=n))
        return events

    async def _do_click(self, page: Page, a: A.Click, clock: Clock) -> list[Event]:
        return await self._click(page, a.x, a.y, clock, a.button)

    async def _do_double_click(self, page: Page, a: A.DoubleClick, clock: Clock) -> list[Event]:
        return await self._click(page, a.x, a.y, clock, count=2)

    async def _do_right_click(self, page: Page, a: A.RightClick, clock: Clock) -> list[Event]:
        return await self._click(page, a.x, a.y, clock, "right")

    async def _do_move(self, page: Page, a: A.Move, clock: Clock) -> list[Event]:
        await self._mouse(page).move(a.x, a.y)
        self.pointer = (a.x, a.y)
        return [T.MouseMove(t=clock(), x=a.x, y=a.y)]

    async def _do_mouse_down(self, page: Page, a: A.MouseDown, clock: Clock) -> list[Event]:
        x, y = self.pointer
        target = await self._target_at(page, x, y)
        await self._mouse(page).down(button=a.button)
        return [T.MouseDown(t=clock(), x=x, y=y, button=a.button, target=target)]

    async def _do_mouse_up(self, page: Page, a: A.MouseUp, clock: Clock) -> list[Event]:
        await self._mouse(page).up(button=a.button)
        x, y = self.pointer
        return [T.MouseUp(t=clock(), x=x, y=y, button=a.button)]

    async def _do_drag(self, page: Page, a: A.Drag, clock: Clock) -> list[Event]:
        events = await self._do_move(page, A.Move(x=a.x1, y=a.y1), clock)
        events += await self._do_mouse_down(page, A.MouseDown(), clock)
        for i in range(1, 6):  # intermediate moves: drag-and-drop code listens for them
            x, y = a.x1 + (a.x2 - a.x1) * i / 5, a.y1 + (a.y2 - a.y1) * i / 5
            events += await self._do_move(page, A.Move(x=x, y=y), clock)
        return events + await self._do_mouse_up(page, A.MouseUp(), clock)

    async def _do_wheel(self, page: Page, a: A.Wheel, clock: Clock) -> list[Event]:
        events = (
            []
            if (a.x, a.y) == self.pointer
            else await self._do_move(page, A.Move(x=a.x, y=a.y), clock)
        )
        await self._mouse(page).wheel(a.dx, a.dy)
        return [*events, T.MouseWheel(t=clock(), x=a.x, y=a.y, dx=a.dx, dy=a.dy)]

    # ---- keyboard -------------------------------------------------------------------------------
    async def _focused(self, page: Page) -> dict[str, Any] | None:
        try:
            return await page.evaluate("() => window.__og && __og.focused()")  # type: ignore[no-any-return]
        except PlaywrightError:
            return None

    async def _keys(self, page: Page, keys: list[str], clock: Clock) -> list[Event]:
        info = await self._focused(page)
        masked = bool(info and info.get("password"))
        target = _target(info)
        mods: list[Any] = [k for k in keys if k in MODIFIERS]  # the format's modifier names
        if self.os_input is not None:
            await self.os_input.keyboard.press("+".join(keys))
        else:  # downs, then ups in reverse, pipelined as one round trip; Chromium keeps the order
            keyboard = page.keyboard
            await asyncio.gather(
                *(keyboard.down(k) for k in keys), *(keyboard.up(k) for k in reversed(keys))
            )
        shown = [(MASK if masked and k not in MODIFIERS else k) for k in keys]
        events: list[Event] = []
        for k in shown:
            events.append(
                T.KeyDown(
                    t=clock(), key=k, modifiers=mods, masked=masked and k == MASK, target=target
                )
            )
        for k in reversed(shown):
            events.append(T.KeyUp(t=clock(), key=k, modifiers=mods, masked=masked and k == MASK))
        return events

    async def _do_key(self, page: Page, a: A.Key, clock: Clock) -> list[Event]:
        return await self._keys(page, [a.key], clock)

    async def _do_hotkey(self, page: Page, a: A.Hotkey, clock: Clock) -> list[Event]:
        return await self._keys(page, a.keys, clock)

    async def _do_type(self, page: Page, a: A.Type, clock: Clock) -> list[Event]:
        events = self.partial  # filled as it goes: a step cut off keeps what was typed
        for keyed, run in _runs(a.text.replace("\r\n", "\n")):
            if not keyed:
                events.append(await self._insert(page, run, clock))
                continue
            for char in run:
                typed = await self._keys(page, [KEY_FOR.get(char, char)], clock)
                events += typed
                target = typed[0].target if typed else None
                if not (target and target.tag in ("input", "textarea")) and self.watch:
                    # Keys outside a text field are shortcuts: let each one finish, as a
                    # person would see it finish, so the outcome does not depend on timing.
                    await self.watch.settle()
        return events

    async def _insert(self, page: Page, text: str, clock: Clock) -> T.TextInput:
        """Enter characters no key types, as an input method commits them: the browser's
        insertText, on either input path (xdotool types them through keycodes it remaps on the
        fly, and Chromium misses some: of 'José 🙂 中文 ä' the 🙂 and the 中 never arrived)."""
        info = await self._focused(page)
        masked = bool(info and info.get("password"))
        await page.keyboard.insert_text(text)
        shown = MASK * len(text) if masked else text
        return T.TextInput(t=clock(), text=shown, masked=masked, target=_target(info))

    async def _put_text(self, page: Page, text: str) -> None:
        """Put `text` at the cursor at once (fill): through the hand, a key at a time, for the
        characters it has keys for; the browser's insertText for the rest (see `_insert`)."""
        if self.os_input is None:
            await page.keyboard.insert_text(text)
            return
        for keyed, run in _runs(text):
            keyboard = self.os_input.keyboard if keyed else page.keyboard
            await keyboard.insert_text(run)

    async def _do_wait(self, page: Page, a: A.Wait, clock: Clock) -> list[Event]:
        await asyncio.sleep(a.ms / 1000)  # the agent asked for time to pass
        return []

    async def _do_answer(self, page: Page, a: A.Answer, clock: Clock) -> list[Event]:
        return [T.Answer(t=clock(), text=a.text), T.Done(t=clock())]

    # ---- elements -------------------------------------------------------------------------------
    async def _element(self, page: Page, element: str) -> dict[str, Any]:
        info = await page.evaluate("id => window.__og && __og.element(id)", element)
        if not info:
            raise ActionError(
                f"no element with id {element!r} on the page; use an id from the "
                "current accessibility tree"
            )
        if not info["visible"]:
            raise ActionError(f"element {element!r} ({info['role']} {info['name']!r}) is hidden")
        return info  # type: ignore[no-any-return]

    async def _click_element(self, page: Page, element: str, clock: Clock) -> list[Event]:
        info = await self._element(page, element)
        box = info["bbox"]
        return await self._click(
            page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, clock
        )

    async def _do_click_element(self, page: Page, a: A.ClickElement, clock: Clock) -> list[Event]:
        return await self._click_element(page, a.element, clock)

    async def _do_hover(self, page: Page, a: A.Hover, clock: Clock) -> list[Event]:
        box = (await self._element(page, a.element))["bbox"]
        move = A.Move(x=box["x"] + box["width"] / 2, y=box["y"] + box["height"] / 2)
        return await self._do_move(page, move, clock)

    async def _do_drag_and_drop(self, page: Page, a: A.DragAndDrop, clock: Clock) -> list[Event]:
        start = (await self._element(page, a.element))["bbox"]
        end = (await self._element(page, a.to))["bbox"]  # scrolled into view after the start
        start = (await self._element(page, a.element))["bbox"]  # which may have moved it
        drag = A.Drag(
            x1=start["x"] + start["width"] / 2,
            y1=start["y"] + start["height"] / 2,
            x2=end["x"] + end["width"] / 2,
            y2=end["y"] + end["height"] / 2,
        )
        return await self._do_drag(page, drag, clock)

    async def _do_fill(self, page: Page, a: A.Fill, clock: Clock) -> list[Event]:
        info = await self._element(page, a.element)
        if not info["editable"]:
            raise ActionError(
                f"element {a.element!r} ({info['role']} {info['name']!r}) is not a "
                "text field; click it instead"
            )
        events = await self._click_element(page, a.element, clock)
        await self._keyboard(page).press("Control+a")
        if a.text:
            await self._put_text(page, a.text)
        else:
            await self._keyboard(page).press("Delete")
        masked = bool(info.get("password"))
        text = MASK * len(a.text) if masked else a.text
        events.append(
            T.TextInput(t=clock(), replace=True, masked=masked, text=text, target=_target(info))
        )
        return events

    async def _do_select(self, page: Page, a: A.Select, clock: Clock) -> list[Event]:
        info = await self._element(page, a.element)
        if not info["isSelect"]:
            raise ActionError(
                f"element {a.element!r} is a {info['role']}, not a <select>: click it "
                "to open its menu, then click the option"
            )
        if a.option not in info["options"]:
            raise ActionError(
                f"no option {a.option!r} in element {a.element!r}; options: {info['options']}"
            )
        await page.select_option(f'[data-og-id="{a.element}"]', label=a.option)
        return [T.TextInput(t=clock(), replace=True, text=a.option, target=_target(info))]

    async def _do_press(self, page: Page, a: A.Press, clock: Clock) -> list[Event]:
        events = await self._click_element(page, a.element, clock) if a.element else []
        return events + await self._keys(page, a.key.split("+"), clock)

    async def _do_goto(self, page: Page, a: A.Goto, clock: Clock) -> list[Event]:
        self.check_url(a.url)
        try:
            await page.goto(a.url, wait_until="load")
        except PlaywrightError as exc:
            raise ActionError(f"could not open {a.url}: {str(exc).splitlines()[0]}") from None
        return [T.NavGoto(t=clock(), url=a.url)]

    async def _do_back(self, page: Page, a: A.Back, clock: Clock) -> list[Event]:
        await page.go_back(wait_until="load")
        return [T.NavBack(t=clock())]

    def check_url(self, url: str) -> None:
        """Refuse anything but the task's own apps, with the reason.

        Raises:
            ActionError: the URL is outside the task's apps.
        """
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError as exc:  # an unclosed IPv6 bracket, say
            raise ActionError(f"{url[:80]!r} is not a URL: {exc}") from None
        if parts.scheme not in ("http", "https") or host not in self.allowed_hosts:
            raise ActionError(
                f"blocked: {url} is outside this task's apps "
                f"({', '.join(sorted(self.allowed_hosts))}); episodes have no other "
                "network or file access"
            )


# What carries out each action type (the action is the handler's third argument). An action type
# missing here fails tests/envs/test_executor.py, not an agent's episode.
Handler = Callable[[Executor, Page, Any, Clock], Awaitable[list[Event]]]
HANDLERS: dict[type[A._Action], Handler] = {
    A.Move: Executor._do_move,
    A.MouseDown: Executor._do_mouse_down,
    A.MouseUp: Executor._do_mouse_up,
    A.Click: Executor._do_click,
    A.DoubleClick: Executor._do_double_click,
    A.RightClick: Executor._do_right_click,
    A.Drag: Executor._do_drag,
    A.Wheel: Executor._do_wheel,
    A.Key: Executor._do_key,
    A.Hotkey: Executor._do_hotkey,
    A.Type: Executor._do_type,
    A.Wait: Executor._do_wait,
    A.Answer: Executor._do_answer,
    A.ClickElement: Executor._do_click_element,
    A.Fill: Executor._do_fill,
    A.Select: Executor._do_select,
    A.Hover: Executor._do_hover,
    A.Press: Executor._do_press,
    A.Goto: Executor._do_goto,
    A.Back: Executor._do_back,
    A.DragAndDrop: Executor._do_drag_and_drop,
}


def _runs(text: str) -> Iterator[tuple[bool, str]]:
    """`text` in runs of characters that have a key (True) and that have none (False)."""
    for keyed, chars in itertools.groupby(text, key=KEYED.__contains__):
        yield keyed, "".join(chars)


def _stamped(action: A._Action, events: list[Event]) -> list[Event]:
    """The events, each naming the action they carried out (its text masked where it went into
    a password field)."""
    dumped = action.model_dump()
    if "text" in dumped and any(_masked(e) for e in events):
        dumped["text"] = MASK * len(dumped["text"])
    return [e.model_copy(update={"action": dumped}) for e in events]


def _masked(event: Event) -> bool:
    return isinstance(event, T.KeyDown | T.KeyUp | T.TextInput) and event.masked


def _target(info: dict[str, Any] | None) -> T.Target | None:
    if not info:
        return None
    keep = ("selector", "role", "name", "tag", "text", "bbox")
    return T.Target(**{k: info[k] for k in keep if info.get(k) is not None})
