"""The assertions of imported recordings (`check` events), as @puppeteer/replay makes them.

- `element` (the Recorder's waitForElement): the elements of the first selector that matches
  anything are counted and compared with `count` by `operator`; with `attributes` and
  `properties`, every one of them must have those values (properties compared deeply, so
  `{"dataset": {"state": "open"}}` works). `visible: false` inverts the whole condition, as
  PuppeteerRunnerExtension's `result === visible` does: it waits until it no longer holds.
- `expression` (waitForExpression): the JavaScript is truthy (a promise is awaited).
- `navigation` (assertedEvents): the frame's URL and the page's title are the recorded ones.

Each is polled until it holds or its timeout (the step's own, else the recording's) runs out.
"""

from __future__ import annotations

import asyncio
import time

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame

from officegym.replayer._matching import selectors
from officegym.replayer._outcomes import POLL_S, Divergence
from officegym.replayer._selectors import SelectorEngine, shown_names
from officegym.replayer.importers.chrome_recorder import OPERATORS
from officegym.trajectory import Check


async def wait_check(engine: SelectorEngine, frame: Frame, event: Check) -> None:
    """Return once the check holds; Divergence (saying what was found) after its timeout."""
    end = time.perf_counter() + event.timeout_ms / 1000
    while True:
        problem = await check_once(engine, frame, event)
        if problem is None:
            return
        if time.perf_counter() >= end:
            raise Divergence(f"check {event.kind}: {problem}")
        await asyncio.sleep(POLL_S)


async def check_once(engine: SelectorEngine, frame: Frame, event: Check) -> str | None:
    """None when the check holds now, else what was found instead."""
    if event.kind == "navigation":
        title = await frame.page.title() if frame.parent_frame is None else await frame.title()
        if event.url is not None and frame.url != event.url:
            return f"expected the page {event.url}, found {frame.url}"
        if event.title is not None and title != event.title:
            return f"expected the title {event.title!r}, found {title!r}"
        return None
    if event.kind == "expression":
        try:
            value = await frame.evaluate("async (e) => !!(await (0, eval)(e))", event.expression)
        except PlaywrightError as exc:
            return f"{event.expression!r} failed: {str(exc).splitlines()[0]}"
        return None if value else f"{event.expression!r} is not true"
    return await _element_problem(engine, frame, event)


async def _element_problem(engine: SelectorEngine, frame: Frame, event: Check) -> str | None:
    assert event.target is not None  # the model requires it for element checks
    names = selectors(event.target)
    first = await engine.first(frame, names)
    count = first[2] if first else 0
    result = OPERATORS[event.operator](count, event.count)
    mismatch = ""
    if first is not None:
        if result and (event.properties or event.attributes):
            result = bool(
                await engine.run(
                    frame,
                    {"op": "holds", "elements": first[1], "properties": event.properties,
                     "attributes": event.attributes},
                )
            )  # fmt: skip
            if not result:
                mismatch = ", not all with the recorded attributes and properties"
        await first[1].dispose()
    wanted = event.visible is not False  # Puppeteer's `visible`, true unless said otherwise
    if result == wanted:
        return None
    condition = f"{event.operator} {event.count} elements matching {shown_names(names)}"
    if event.properties or event.attributes:
        condition += " with the recorded attributes and properties"
    if not wanted:
        return f"expected NOT {condition} (visible: false), and it still holds"
    return f"expected {condition}, found {count}{mismatch}"
