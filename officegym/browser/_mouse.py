"""A mouse's side buttons (back, forward), which Playwright's mouse has no name for.

Chromium takes them through CDP (`Input.dispatchMouseEvent` with button `back` or `forward`)
and, on the release, goes back or forward in the tab's history, as a real mouse's fourth and
fifth buttons make it. The env's executor (`PageMouse`) and the replayer (`press_side_button`)
both send them this way; through the window system (xdotool) they are X buttons 8 and 9
(_osinput.py).
"""

from __future__ import annotations

import asyncio
from typing import Literal, cast

from playwright.async_api import CDPSession, Page

# The bit each button sets in CDP's `buttons` (the DOM's MouseEvent.buttons) while held.
SIDE_BUTTONS = {"back": 8, "forward": 16}
PlaywrightButton = Literal["left", "middle", "right"]  # the buttons Playwright's mouse names


async def press_side_button(
    session: CDPSession, pressed: bool, x: float, y: float, button: str, click_count: int = 1
) -> None:
    """Press (or release) the back or forward button at (x, y) in the page's viewport.

    Raises:
        ValueError: `button` is not a side button.
    """
    if button not in SIDE_BUTTONS:
        raise ValueError(f"not a side button: {button!r} (use {sorted(SIDE_BUTTONS)})")
    await session.send(
        "Input.dispatchMouseEvent",
        {"type": "mousePressed" if pressed else "mouseReleased", "x": x, "y": y,
         "button": button, "clickCount": click_count,
         "buttons": SIDE_BUTTONS[button] if pressed else 0},
    )  # fmt: skip


class PageMouse:
    """A page's Playwright mouse (`move`, `down`, `up`, `wheel`) that also has the side buttons.

    The side buttons go through a CDP session of the page's own, not Playwright's input
    channel: a caller that pipelines mouse calls must wait for the ones before a side button's
    (and a side button's press before its release), or Chromium may take them out of order.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.position = (0.0, 0.0)  # where `move` last put the pointer
        self._session: CDPSession | None = None
        self._opening = asyncio.Lock()

    async def move(self, x: float, y: float) -> None:
        await self.page.mouse.move(x, y)
        self.position = (x, y)

    async def down(self, button: str = "left", click_count: int = 1) -> None:
        if button in SIDE_BUTTONS:
            await press_side_button(await self.session(), True, *self.position, button, click_count)
        else:
            await self.page.mouse.down(
                button=cast(PlaywrightButton, button), click_count=click_count
            )

    async def up(self, button: str = "left", click_count: int = 1) -> None:
        if button in SIDE_BUTTONS:
            await press_side_button(
                await self.session(), False, *self.position, button, click_count
            )
        else:
            await self.page.mouse.up(button=cast(PlaywrightButton, button), click_count=click_count)

    async def wheel(self, dx: float, dy: float) -> None:
        await self.page.mouse.wheel(dx, dy)

    async def session(self) -> CDPSession:
        """The page's CDP session, opened on first use."""
        async with self._opening:
            if self._session is None:
                self._session = await self.page.context.new_cdp_session(self.page)
            return self._session
