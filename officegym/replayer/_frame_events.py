"""Events an rrweb import placed in a child frame, replayed there.

rrweb observes each same-origin iframe's document on its own: a press inside an iframe is
recorded at its point in the *iframe's* viewport, on a node of the iframe's document. The
importer keeps both as rrweb has them and names the frame in the event's `action` (`{"frame":
[0, 1]}`, the index path Chrome Recorder uses). Here, before the driver sees such an event, its
element is checked in that frame (the point is over it; the field takes the text) and its point
is moved by where the frame's viewport is now in the page (the <iframe>'s box, border and
padding: rrweb's own replayer adds the frame's box the same way, utils.ts `getBaseDimension`).
The driver then plays it as top-level input: Chromium routes a press to the frame under it, and
typing to the focused frame.
"""

from __future__ import annotations

from typing import Any

from officegym.replayer._driver import VALUE_TAKEN_JS, EventDriver
from officegym.replayer._frames_targets import StepPlace, frame_for, frame_origin
from officegym.replayer._matching import describe, selectors
from officegym.replayer._outcomes import Divergence
from officegym.trajectory import Event, MouseDown, MouseMove, MouseUp, MouseWheel, TextInput

RESOLVE_MS = 5000  # how long an element named by selector may take to appear in its frame
_VALUE_TAKEN_JS = f"a => {VALUE_TAKEN_JS}"  # the driver's check, in the step's frame
_FRAME_CENTRE_JS = "() => [innerWidth / 2, innerHeight / 2]"


def in_child_frame(event: Event) -> bool:
    """An event an import placed in a child frame (`action.frame`, not the top document)."""
    return bool(event.action and event.action.get("frame"))


class FrameEvents:
    """Makes an event in a child frame one the driver plays as top-level input."""

    def __init__(self, driver: EventDriver) -> None:
        self.driver = driver

    async def before(self, event: Event) -> Event | None:
        """The event for the driver (None: done here, as a <select>'s pick is).

        Raises:
            Divergence: the frame is not there, or its element is not where recorded.
        """
        place = StepPlace.of(event.action)
        where = f" in frame {list(place.frame)}"
        if not isinstance(event, MouseMove):  # a move presses nothing: it waits for no input
            await self.driver.settle()  # input in flight lands first; the layout is current
        frame = await frame_for(self.driver.page, place)
        names = selectors(event.target) if event.target is not None else []
        if isinstance(event, MouseMove | MouseDown | MouseUp | MouseWheel):
            x, y = event.x, event.y
            if x is None or y is None:  # a wheel on an element, or on the frame's document
                if names == ["html"]:
                    x, y = await frame.evaluate(_FRAME_CENTRE_JS)
                else:
                    found = await frame.evaluate(
                        "a => __og.resolve(a[0], null, a[1])", [names, RESOLVE_MS]
                    )
                    if found is None:
                        raise Divergence(f"{event.type}{where}: no element matches {names}")
                    x, y = float(found["x"]), float(found["y"])
            if isinstance(event, MouseDown) and names:
                await self._check_hit(frame, x, y, names, where)
            left, top = await frame_origin(frame)
            update: dict[str, Any] = {"x": x + left, "y": y + top, "target": None, "action": None}
            return event.model_copy(update=update)
        if isinstance(event, TextInput) and event.replace and names and not event.masked:
            done = await frame.evaluate("a => __og.prepareText(a[0], a[1])", [names, event.text])
            if done is None:
                raise Divergence(f"text.input{where}: no element matches {names}")
            if done["select"]:
                if "chosen" not in done:
                    raise Divergence(
                        f"text.input{where}: the <select> {names[0]!r} has no option "
                        f"{event.text!r} (options: {done['options']})"
                    )
                self.driver.dirty = True
                return None
            return event.model_copy(update={"target": None, "action": None})
        return event.model_copy(update={"action": None})

    async def after(self, event: Event) -> None:
        """A field's new value must be its value once the page settles (as the driver checks
        in the top document)."""
        if not (isinstance(event, TextInput) and event.replace and event.target is not None):
            return
        if event.masked:
            return
        place = StepPlace.of(event.action)
        await self.driver.settle()
        frame = await frame_for(self.driver.page, place)
        found = await frame.evaluate(_VALUE_TAKEN_JS, [selectors(event.target), event.text])
        if found is not None:
            raise Divergence(
                f"text.input in frame {list(place.frame)}: the field of "
                f"{event.target.selector!r} holds {found[:200]!r}, not the recorded "
                f"{event.text[:200]!r}"
            )

    @staticmethod
    async def _check_hit(frame: Any, x: float, y: float, names: list[str], where: str) -> None:
        """The point is over the element the selectors name, in the frame's own viewport."""
        if await frame.evaluate("a => __og.matchesAt(a[0], a[1], a[2])", [x, y, names]):
            return
        found = await frame.evaluate("a => __og.describe(a[0], a[1])", [x, y])
        raise Divergence(
            f"mouse.down at ({x:g}, {y:g}){where}: expected the element of {names[0]!r}, "
            f"found {describe(found)}"
        )
