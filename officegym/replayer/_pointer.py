"""The audit's pointer findings: where a button or wheel event lands, and whether a click did
anything.

Positions are taken in the viewport's coordinates: `audit` moves events recorded in screen
coordinates there first (`to_viewport`), as the replayer does before it plays them.

A click is `redundant_action` only when the recording itself shows that it had no effect: the
same element at the same spot (its recorded target unchanged, so its own DOM as captured did
not change), nothing done in between, and the screen after it identical to the screen before
it (the frames' sha256). Without a frame on both sides nothing shows the effect, and nothing
is flagged. Controls that step through values (`+`, "previous month") never are: each click
is meant to do the same thing again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from officegym.trajectory import (
    DOUBLE_CLICK_MS,
    Event,
    MouseDown,
    MouseUp,
    MouseWheel,
    Target,
    TrajectoryMeta,
)

SAME_SPOT_PX = 8
# A click counts as on its target when within this many CSS pixels of the box: borders,
# outlines and sub-pixel rounding put a real click a pixel or two outside the reported box.
TARGET_SLACK_PX = 2
# Labels of controls that step: a click on one does the same thing again, not nothing.
_STEP_SYMBOLS = {"+", "-", "−", "–", "<", ">", "‹", "›", "«", "»", "◀", "▶", "▲", "▼", "◄",
                 "►", "↑", "↓", "←", "→", "⏴", "⏵", "⏶", "⏷"}  # fmt: skip
_STEP_WORDS = re.compile(
    r"\b(prev|previous|next|back|forward|up|down|more|less|older|newer|plus|minus|step"
    r"|increase|decrease|increment|decrement|inc|dec|zoom)\b",
    re.IGNORECASE,
)

# What the pointer checks report through: kind, event index, evidence, and the key that keeps
# one finding per subject.
Report = Callable[[str, int | None, str, str], None]


def to_viewport(event: Event, dx: float, dy: float) -> Event:
    """`event` with its position and its target's box moved by (-dx, -dy): from the screen
    into the viewport whose top-left corner is at (dx, dy)."""
    shift: dict[str, object] = {}
    x, y = getattr(event, "x", None), getattr(event, "y", None)
    if x is not None and y is not None:
        shift = {"x": x - dx, "y": y - dy}
    target = event.target
    if target is not None and target.bbox is not None:
        box = target.bbox.model_copy(update={"x": target.bbox.x - dx, "y": target.bbox.y - dy})
        shift["target"] = target.model_copy(update={"bbox": box})
    return event.model_copy(update=shift) if shift else event


def is_stepper(target: Target | None) -> bool:
    """A control that steps through values: a spin button, or one labelled `+`, `›`, "Next",
    "previous month" or the like (in its name, text or selector)."""
    if target is None:
        return False
    if target.role == "spinbutton":
        return True
    labels = [v.strip() for v in (target.name, target.text) if v]
    if any(label in _STEP_SYMBOLS for label in labels):
        return True
    words = " ".join([*labels, target.selector or ""]).replace("_", " ")
    return bool(_STEP_WORDS.search(words))


def _label(target: Target | None) -> str:
    if target is None:
        return "the same spot"
    return repr(target.name or target.selector or target.text or target.tag or "an element")


@dataclass
class _Click:
    index: int
    t: float
    x: float
    y: float
    target: Target | None


@dataclass
class _Suspect:
    """A click that looks like a repeat of the one before; redundant if the screen after it is
    the screen before it."""

    index: int
    target: Target | None
    before: str  # sha256 of the last frame between the two clicks
    after: str | None = None  # sha256 of the last frame after this click, before anything else


class PointerChecks:
    """Fed the pointer events, frames and other input of a recording in order.

    Args:
        meta: the recording's header (its viewport), if known.
        report: called for each finding.
    """

    def __init__(self, meta: TrajectoryMeta | None, report: Report) -> None:
        self.meta, self.report = meta, report
        self._last: _Click | None = None
        self._frame: str | None = None  # the last frame since the last click
        self._suspect: _Suspect | None = None

    def pointer(self, index: int, event: MouseDown | MouseUp | MouseWheel) -> None:
        """A button or wheel event: is it on the page, on its target, and did it do anything?"""
        if event.x is not None and event.y is not None:
            self._on_page(index, event, event.x, event.y)
            if isinstance(event, MouseDown):
                self._on_target(index, event, event.x, event.y)
        if isinstance(event, MouseWheel):
            self.acted()  # a scroll changes what is on screen
        elif isinstance(event, MouseDown):
            self._press(index, event)

    def acted(self) -> None:
        """Something other than a click acted on the page (keys, text, navigation, tabs)."""
        self._settle()
        self._last = None

    def frame(self, sha256: str) -> None:
        """A screenshot: the screen as it is now."""
        self._frame = sha256
        if self._suspect is not None:
            self._suspect.after = sha256

    def finish(self) -> None:
        """The recording ended."""
        self._settle()

    def _on_page(self, index: int, event: Event, x: float, y: float) -> None:
        if self.meta is None:
            return
        view = self.meta.viewport
        if not (0 <= x < view.width and 0 <= y < view.height):
            self.report(
                "outside_viewport",
                index,
                f"{event.type} at ({x:g}, {y:g}) is outside the {view.width}x{view.height} "
                "viewport",
                str(index),
            )

    def _on_target(self, index: int, event: MouseDown, x: float, y: float) -> None:
        box = event.target.bbox if event.target is not None else None
        if box is None:
            return
        slack = TARGET_SLACK_PX
        inside = (box.x - slack <= x <= box.x + box.width + slack) and (
            box.y - slack <= y <= box.y + box.height + slack
        )
        if not inside:
            self.report(
                "target_mismatch",
                index,
                f"{event.type} at ({x:g}, {y:g}) is outside its target {_label(event.target)} "
                f"at ({box.x:g}, {box.y:g}) size {box.width:g}x{box.height:g}",
                str(index),
            )

    def _press(self, index: int, event: MouseDown) -> None:
        self._settle()
        last = self._last
        click = _Click(index, event.t, event.x or 0, event.y or 0, event.target)
        self._last = click if event.click_count == 1 else None
        before, self._frame = self._frame, None
        if last is None or event.click_count != 1 or before is None:
            return  # no click just before, a multi-click, or no frame shows the screen between
        same_spot = math.hypot(click.x - last.x, click.y - last.y) <= SAME_SPOT_PX
        if (
            same_spot
            and click.target == last.target  # the target's DOM, as captured, did not change
            and click.t - last.t > DOUBLE_CLICK_MS
            and not is_stepper(click.target)
        ):
            self._suspect = _Suspect(index, click.target, before)

    def _settle(self) -> None:
        """Decide on the suspect click, now that nothing more can show its effect."""
        suspect, self._suspect = self._suspect, None
        if suspect is not None and suspect.after == suspect.before:
            self.report(
                "redundant_action",
                suspect.index,
                f"a second click on {_label(suspect.target)} with nothing done between, and "
                "the screen after it the same as before",
                str(suspect.index),
            )
