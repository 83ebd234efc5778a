"""OS-level input for the xvfb backend: xdotool on the env's virtual display.

What a person's hand does reaches the page the way it does on a desktop: through the X server
and the browser window, not through the browser's driver. The page counts the trusted input it
receives (`__og.inputState()`), and each call here waits until the page has counted what it
sent, so the settle after an action sees its effects. Positions are viewport pixels; the
viewport's place on the screen is learnt from a pointer move (`calibrate`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from officegym.browser._watch import read_page
from officegym.errors import ActionError, BrowserUnavailableError

# xdotool's `type` swallows every argument after it, so characters go through `key` with their
# X keysym names, which keeps a chain of commands well defined.
KEYSYMS = {
    " ": "space", "-": "minus", "'": "apostrophe", ".": "period", ",": "comma", "!": "exclam",
    "?": "question", "#": "numbersign", "@": "at", ":": "colon", ";": "semicolon",
    "/": "slash", "(": "parenleft", ")": "parenright", '"': "quotedbl", "&": "ampersand",
    "_": "underscore", "+": "plus", "=": "equal", "$": "dollar", "%": "percent", "\n": "Return",
    "*": "asterisk", "<": "less", ">": "greater", "[": "bracketleft", "]": "bracketright",
    "\t": "Tab", "~": "asciitilde", "|": "bar", "\\": "backslash", "^": "asciicircum",
    "{": "braceleft", "}": "braceright", "`": "grave",
}  # fmt: skip
# Playwright key names (what tasks and actions say) to X keysyms.
KEY_NAMES = {
    "Enter": "Return", "Escape": "Escape", "Backspace": "BackSpace", "Tab": "Tab",
    "Delete": "Delete", "ArrowDown": "Down", "ArrowUp": "Up", "ArrowLeft": "Left",
    "ArrowRight": "Right", "Home": "Home", "End": "End", "PageDown": "Next", "PageUp": "Prior",
    "Control": "ctrl", "Shift": "shift", "Alt": "alt", "Meta": "super", " ": "space",
}  # fmt: skip
WHEEL_NOTCH = 120  # pixels Chromium scrolls per wheel click on X11


def keysym(key: str) -> str:
    """The X keysym for a Playwright key name or a single character.

    >>> keysym("Enter"), keysym("a"), keysym("#")
    ('Return', 'a', 'numbersign')
    """
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    if len(key) == 1:
        if key.isascii() and key.isalnum():
            return key
        if key in KEYSYMS:
            return KEYSYMS[key]
        return f"U{ord(key):04X}"  # xdotool maps any code point through a spare keycode
    return key


# X's button numbers; 4 to 7 are the wheel's, 8 and 9 a mouse's back and forward side buttons.
BUTTONS = {"left": "1", "middle": "2", "right": "3", "back": "8", "forward": "9"}
SEEN_TIMEOUT = 3.0  # seconds for the page to count input the X server has taken


class OsInput:
    """Mouse and keyboard through xdotool, with Playwright's `page.mouse` / `page.keyboard` calls.

    Args:
        display: the X display the browser window is on (``":0"``).

    Raises:
        BrowserUnavailableError: xdotool is not installed.
    """

    def __init__(self, display: str) -> None:
        if shutil.which("xdotool") is None:
            raise BrowserUnavailableError(
                "xdotool is not installed: run `apt-get install xdotool` (or `make install`)"
            )
        self.env = dict(os.environ, DISPLAY=display)
        self.page: Page | None = None
        self.offset: tuple[int, int] | None = None
        self._lock = asyncio.Lock()  # calls gathered together still reach the screen in order
        self.mouse = _Mouse(self)
        self.keyboard = _Keyboard(self)

    async def xdotool(self, *args: str) -> None:
        process = await asyncio.create_subprocess_exec(
            "xdotool", *args, env=self.env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await process.communicate()
        if process.returncode != 0:
            raise ActionError(f"xdotool {args[0]} failed: {err.decode().strip()}")

    async def _state(self) -> dict[str, Any]:
        """The page's input counters, and `document`: which document counted them (a new one
        after a navigation, whose counters start again)."""
        if self.page is None:
            raise ActionError("OS input has no page to send to")
        state: dict[str, Any] = await read_page(self.page, "window.__og.inputState()")
        return state

    async def _counted(self, before: dict[str, Any], count: int) -> bool:
        """Whether the page counted `count` inputs since `before`, or left the document it was
        then (a press that follows a link or submits a form: the input took effect)."""
        try:
            now = await self._state()
        except PlaywrightError as exc:
            if "context was destroyed" in str(exc) or "navigat" in str(exc):
                return True  # the document is going away under the input it received
            raise
        return bool(
            now["document"] != before["document"] or now["inputs"] >= before["inputs"] + count
        )

    async def calibrate(self, page: Page) -> None:
        """Learn where the page's viewport sits on the screen (a pointer move tells the page)."""
        self.page = page
        # Each episode's context is a window of its own (the last one's may still be closing):
        # this one goes on top, where the pointer and the keys reach it.
        await page.bring_to_front()
        for x, y in ((400, 300), (401, 301)):  # two points: a move to where it is sends nothing
            await self.xdotool("mousemove", "--sync", str(x), str(y))
        deadline = asyncio.get_running_loop().time() + SEEN_TIMEOUT
        while True:
            offset = (await self._state())["screenOffset"]
            if offset is not None:
                self.offset = (int(offset[0]), int(offset[1]))
                return
            if asyncio.get_running_loop().time() > deadline:
                raise ActionError("the page saw no pointer move: is its window on the display?")
            await asyncio.sleep(0.01)  # the page's counter has no event to wait on from here

    async def send(self, count: int, *args: str) -> None:
        """Run one xdotool command and wait until the page has counted `count` inputs."""
        async with self._lock:
            before = await self._state() if count else {}
            await self.xdotool(*args)
            deadline = asyncio.get_running_loop().time() + SEEN_TIMEOUT
            while count and not await self._counted(before, count):
                if asyncio.get_running_loop().time() > deadline:
                    raise ActionError(
                        f"the page did not receive xdotool {' '.join(args)} (outside its window?)"
                    )
                await asyncio.sleep(0.005)

    def screen(self, x: float, y: float) -> tuple[str, str]:
        if self.offset is None:
            raise ActionError("OS input is not calibrated: no page yet")
        return str(round(x + self.offset[0])), str(round(y + self.offset[1]))


class _Mouse:
    def __init__(self, hand: OsInput) -> None:
        self.hand = hand

    async def move(self, x: float, y: float) -> None:
        await self.hand.send(0, "mousemove", "--sync", *self.hand.screen(x, y))

    async def down(self, button: str = "left", click_count: int = 1) -> None:
        await self.hand.send(1, "mousedown", BUTTONS[button])

    async def up(self, button: str = "left", click_count: int = 1) -> None:
        await self.hand.send(1, "mouseup", BUTTONS[button])

    async def wheel(self, dx: float, dy: float) -> None:
        for delta, minus, plus in ((dy, "4", "5"), (dx, "6", "7")):
            notches = round(abs(delta) / WHEEL_NOTCH)
            if notches:
                clicks = ["--repeat", str(notches), minus if delta < 0 else plus]
                await self.hand.send(notches, "click", *clicks)


class _Keyboard:
    def __init__(self, hand: OsInput) -> None:
        self.hand = hand

    async def press(self, combo: str) -> None:
        keys = combo.split("+") if combo != "+" else ["+"]
        await self.hand.send(2 * len(keys), "key", "+".join(keysym(k) for k in keys))

    async def insert_text(self, text: str) -> None:
        # A hand has no "insert": the text is typed, a key at a time.
        for char in text:
            await self.press(char)
