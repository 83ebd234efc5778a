"""Chrome DevTools Recorder (and @puppeteer/replay) JSON to trajectory v1.

The Recorder stores steps, not times, and names elements by selectors (aria/, text/, xpath/,
pierce/ or CSS, several per element), so events get evenly spaced times (meta.extra.timing is
"synthesized") and a `target` with `selector`, `alternatives` and `offset` instead of x and y:
the replayer finds the element at replay time. A selector chain (a list: each part searched
inside the previous match's shadow root) is its parts joined by CHAIN, as @puppeteer/replay
joins them for Puppeteer. A `change` step is the field's new value (`text.input` with
`replace`), not keystrokes. Waits and asserted events become `check` events. Each event's
`action` names its step (`"step": "steps[3] (click)"`, for the replay's messages) and, when
not the default, the step's tab (`target`, when not "main"), `frame` and own `timeout`:
`{"page": URL, "frame": [0], "timeout_ms": 8000}` (replayer/_frames_targets.py).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

from officegym.replayer.importers._common import (
    Conversion,
    ImportFormatError,
    expect,
    iso_time,
    number,
)
from officegym.trajectory.keys import MODIFIERS

STEP_MS = 100.0  # the synthesized time between two steps
CHAIN = " >>>> "  # between a chain's parts: Puppeteer's combinator for "inside its shadow root"
BUTTONS = {
    "primary": "left", "auxiliary": "middle", "secondary": "right",
    "back": "back", "forward": "forward",
}  # fmt: skip
DEFAULT_TIMEOUT_MS = 5000.0  # @puppeteer/replay's, when neither the step nor the file sets one
TIMEOUT_RANGE_MS = (1.0, 30000.0)  # what @puppeteer/replay accepts (SchemaUtils.validTimeout)
MAX_FRAME_DEPTH = 32  # deeper than any page nests frames; bounds a hostile path
MAX_SELECTOR_CHARS = 4096  # of one selector or chain: longer is no selector a Recorder writes
# waitForElement's `operator`: how the count found compares with the step's `count`.
OPERATORS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge, "==": operator.eq, "<=": operator.le,
}  # fmt: skip
# Step types whose leaving-out cannot make the page end elsewhere (@puppeteer/replay's StepType):
# `setViewport`: the replay opens the page at the recording's viewport (meta.viewport), and its
# steps find elements by selector, so a different size moves where an element is, not which;
# `scroll`: Puppeteer scrolls every element it acts on into view, so no later step depends on
# the scroll position (and an assertion that does still checks it at replay).
# Every other type acts: click, doubleClick, hover (opens hover menus), change, keyDown and keyUp
# (keys type, submit, and release modifiers), navigate, close, waitForElement and
# waitForExpression (assertions), customStep and unknown types (their effect is not known).
HARMLESS_STEPS = {"setViewport", "scroll"}


def step_acts(kind: str, step: Any) -> bool:
    """Whether leaving out a Recorder step of this type can change where the page ends."""
    if kind == "emulateNetworkConditions" and isinstance(step, dict):
        # Throttling changes only how fast pages load, and the replay waits on conditions; no
        # bandwidth at all (the Recorder's "Offline") makes requests fail, which pages show.
        return number(step.get("download")) == 0 or number(step.get("upload")) == 0
    return kind not in HARMLESS_STEPS


class _Skip(Exception):
    """This step cannot be converted; the message says why."""


def _target(step: dict[str, Any]) -> dict[str, Any]:
    raw = step.get("selectors")
    if not isinstance(raw, list) or not raw:
        raise _Skip("selectors: expected a non-empty list of selectors")
    usable = []
    for item in raw:
        chain = [item] if isinstance(item, str) else item
        if (
            isinstance(chain, list)
            and chain
            and all(isinstance(part, str) and part.strip() and CHAIN not in part for part in chain)
        ):
            usable.append(CHAIN.join(chain))
    if not usable:
        raise _Skip(
            "selectors: expected selectors or chains of them (lists of non-empty text), got "
            f"{str(raw)[:120]}"
        )
    longest = max(usable, key=len)
    if len(longest) > MAX_SELECTOR_CHARS:
        raise _Skip(
            f"selectors: one is {len(longest)} characters long, more than {MAX_SELECTOR_CHARS} "
            f"({longest[:60]!r}…)"
        )
    target: dict[str, Any] = {"selector": usable[0]}
    if len(usable) > 1:
        target["alternatives"] = usable[1:]
    return target


def _offset(step: dict[str, Any], target: dict[str, Any]) -> None:
    if "offsetX" not in step and "offsetY" not in step:
        return
    x, y = number(step.get("offsetX")), number(step.get("offsetY"))
    if x is None or y is None:
        raise _Skip("offsetX/offsetY: expected two numbers")
    target["offset"] = {"x": x, "y": y}


class _Converter:
    def __init__(self, data: Any, source: Path) -> None:
        self.where = str(source)
        top = expect(data, dict, self.where, "(top level)")
        self.steps = expect(top.get("steps"), list, self.where, "steps")
        timeout = number(top.get("timeout"))
        low, high = TIMEOUT_RANGE_MS
        if top.get("timeout") is not None and (timeout is None or not low <= timeout <= high):
            raise ImportFormatError(
                self.where, None, "timeout", f"expected {low:g} to {high:g} milliseconds"
            )
        self.timeout = timeout or DEFAULT_TIMEOUT_MS
        self.out = Conversion.of(
            "chrome-recorder",
            source,
            "Chrome DevTools Recorder",
            iso_time(None, source),
            extra={"timing": "synthesized", "title": str(top.get("title", ""))},
        )
        self.t = 0.0
        self.action: dict[str, Any] | None = None  # the current step's tab, frame and timeout
        self.held: list[str] = []
        self.scroll: dict[str, tuple[float, float]] = {}
        self.started = False  # an input event or a navigation after the first one was seen

    def event(self, position: str, **fields: Any) -> None:
        if self.action:
            fields["action"] = self.action
        self.out.events.append((position, {"t": self.t, **fields}))
        self.t += 10.0

    def run(self) -> Conversion:
        for i, step in enumerate(self.steps):
            position = f"steps[{i}]"
            self.t = max(self.t, i * STEP_MS)
            if not isinstance(step, dict) or not isinstance(step.get("type"), str):
                self.out.skip(
                    position, "?", "a step must be an object with a string `type`", acts=True
                )
                continue
            kind = step["type"]
            try:
                self.step(position, kind, step)
            except _Skip as why:
                self.out.skip(position, kind, str(why), acts=step_acts(kind, step))
        if not self.started and self.out.meta.get("start_url") is None:
            skipped = "; ".join(f"{s.position} ({s.step})" for s in self.out.skipped[:10])
            raise ImportFormatError(
                self.where,
                None,
                "steps",
                "no step opens a page (a `navigate`) or acts on one"
                + (f"; the steps that could not be converted: {skipped}" if skipped else ""),
            )
        return self.out

    def step(self, position: str, kind: str, step: dict[str, Any]) -> None:
        handler = getattr(self, "on_" + kind, None)
        if handler is None:
            raise _Skip(f"unknown step type {kind!r}: its effect is not known")
        self.action = self._place(position, step)
        try:
            handler(position, step)
            self.asserted(position, step)  # in the step's tab and frame
        finally:
            self.action = None

    def _place(self, position: str, step: dict[str, Any]) -> dict[str, Any]:
        """The step's position, tab, frame and timeout, for its events' `action`."""
        place: dict[str, Any] = {"step": f"{position} ({step['type']})"}
        target = step.get("target", "main")
        if not isinstance(target, str) or not target:
            raise _Skip("target: expected 'main' or the URL of the tab the step runs in")
        if target != "main":
            place["page"] = target
        frame = step.get("frame", [])
        if not (
            isinstance(frame, list)
            and len(frame) <= MAX_FRAME_DEPTH
            and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in frame)
        ):
            raise _Skip("frame: expected a list of child frame indexes such as [0, 1]")
        if frame:
            place["frame"] = frame
        timeout = self._timeout(step)
        if timeout != DEFAULT_TIMEOUT_MS:
            place["timeout_ms"] = timeout
        return place

    def on_setViewport(self, position: str, step: dict[str, Any]) -> None:
        width, height = number(step.get("width")), number(step.get("height"))
        if width is None or height is None or width < 1 or height < 1:
            raise _Skip("width/height: expected two positive numbers")
        if self.started:
            raise _Skip("the viewport changes mid-recording; a trajectory has one viewport")
        if self.action and "page" in self.action:
            raise _Skip("the viewport of another tab: a trajectory has one viewport")
        scale = number(step.get("deviceScaleFactor")) or 1.0
        self.out.meta["viewport"] = {
            "width": int(width),
            "height": int(height),
            "device_scale_factor": scale if scale > 0 else 1.0,
        }

    def on_navigate(self, position: str, step: dict[str, Any]) -> None:
        url = step.get("url")
        if not isinstance(url, str) or not url:
            raise _Skip("url: expected the address to open")
        if self.action and "frame" in self.action:
            raise _Skip("frame: a navigation inside a frame is not replayed (only a tab's)")
        opening = self.action is None or "page" not in self.action
        if opening and not self.started and self.out.meta.get("start_url") is None:
            self.out.meta["start_url"] = url
            return
        self.started = True
        self.event(position, type="nav.goto", url=url)

    def _click(self, position: str, step: dict[str, Any], clicks: int) -> None:
        target = _target(step)
        _offset(step, target)
        raw_button = step.get("button", "primary")
        button = BUTTONS.get(raw_button) if isinstance(raw_button, str) else None
        if button is None:
            raise _Skip(f"button {step.get('button')!r}: expected one of {', '.join(BUTTONS)}")
        duration = number(step.get("duration")) or 0.0
        self.started = True
        self.event(position, type="mouse.move", target=target)
        for count in range(1, clicks + 1):
            self.event(position, type="mouse.down", target=target, button=button,
                       click_count=count)  # fmt: skip
            self.t += duration
            self.event(position, type="mouse.up", target=target, button=button, click_count=count)

    def on_click(self, position: str, step: dict[str, Any]) -> None:
        self._click(position, step, 1)

    def on_doubleClick(self, position: str, step: dict[str, Any]) -> None:
        self._click(position, step, 2)

    def on_hover(self, position: str, step: dict[str, Any]) -> None:
        target = _target(step)
        self.started = True
        self.event(position, type="mouse.move", target=target)

    def on_change(self, position: str, step: dict[str, Any]) -> None:
        value = step.get("value")
        if not isinstance(value, str):
            raise _Skip("value: expected the field's new text")
        self.started = True
        self.event(position, type="text.input", text=value, replace=True, target=_target(step))

    def _key(self, position: str, step: dict[str, Any], down: bool) -> None:
        key = step.get("key")
        if not isinstance(key, str) or not key:
            raise _Skip("key: expected a key name such as 'Enter' or 'a'")
        self.started = True
        if key in MODIFIERS and down and key not in self.held:
            self.held.append(key)
        modifiers = [m for m in self.held if m != key]
        if key in MODIFIERS and not down and key in self.held:
            self.held.remove(key)
        kind = "key.down" if down else "key.up"
        self.event(position, type=kind, key=key, modifiers=sorted(modifiers))

    def on_keyDown(self, position: str, step: dict[str, Any]) -> None:
        self._key(position, step, True)

    def on_keyUp(self, position: str, step: dict[str, Any]) -> None:
        self._key(position, step, False)

    def on_scroll(self, position: str, step: dict[str, Any]) -> None:
        x, y = number(step.get("x", 0)), number(step.get("y", 0))
        if x is None or y is None:
            raise _Skip("x/y: expected the scroll position as numbers")
        self.started = True
        if "selectors" in step:
            target = _target(step)
            last = self.scroll.get(target["selector"], (0.0, 0.0))
            self.scroll[target["selector"]] = (x, y)
            self.event(position, type="mouse.wheel", target=target, dx=x - last[0], dy=y - last[1])
            return
        if self.action and "frame" in self.action:
            raise _Skip("scrolling a frame's window is not replayed: each later step scrolls "
                        "its element into view")  # fmt: skip
        last = self.scroll.get("", (0.0, 0.0))
        self.scroll[""] = (x, y)
        view = self.out.meta["viewport"]
        self.event(position, type="mouse.wheel", x=view["width"] / 2, y=view["height"] / 2,
                   dx=x - last[0], dy=y - last[1])  # fmt: skip

    def _timeout(self, step: dict[str, Any]) -> float:
        """`step.timeout || flow.timeout || 5000`, as PuppeteerRunnerExtension takes it."""
        if step.get("timeout") in (None, 0):
            return self.timeout
        value, (low, high) = number(step.get("timeout")), TIMEOUT_RANGE_MS
        if value is None or not low <= value <= high:
            raise _Skip(f"timeout: expected {low:g} to {high:g} milliseconds")
        return value

    def on_waitForElement(self, position: str, step: dict[str, Any]) -> None:
        compare = step.get("operator", ">=")
        if not isinstance(compare, str) or compare not in OPERATORS:
            raise _Skip(f"operator {compare!r}: expected one of {', '.join(OPERATORS)}")
        count = step.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise _Skip("count: expected a whole number")
        check: dict[str, Any] = {"type": "check", "kind": "element", "target": _target(step),
                                 "operator": compare, "count": count,
                                 "timeout_ms": self._timeout(step)}  # fmt: skip
        for name, kind in (("visible", bool), ("properties", dict), ("attributes", dict)):
            if name in step:
                if not isinstance(step[name], kind):
                    raise _Skip(f"{name}: expected {kind.__name__}")
                check[name] = step[name]
        if "attributes" in check and not all(
            isinstance(v, str) for v in check["attributes"].values()
        ):
            raise _Skip("attributes: expected text values")
        self.started = True
        self.event(position, **check)

    def on_waitForExpression(self, position: str, step: dict[str, Any]) -> None:
        expression = step.get("expression")
        if not isinstance(expression, str) or not expression.strip():
            raise _Skip("expression: expected JavaScript to evaluate")
        self.started = True
        self.event(position, type="check", kind="expression", expression=expression,
                   timeout_ms=self._timeout(step))  # fmt: skip

    def on_close(self, position: str, step: dict[str, Any]) -> None:
        if self.action and "page" in self.action:  # a popup or another tab: close that one
            self.started = True
            self.event(position, type="tab.close")
            return
        self.event(position, type="done")

    def on_emulateNetworkConditions(self, position: str, step: dict[str, Any]) -> None:
        raise _Skip("network emulation is not replayed: the pages are served locally")

    def on_customStep(self, position: str, step: dict[str, Any]) -> None:
        raise _Skip(
            f"custom step {step.get('name')!r} runs the recording tool's own code, which a "
            "replay does not have (@puppeteer/replay runs it only with an extension that knows it)"
        )

    def asserted(self, position: str, step: dict[str, Any]) -> None:
        asserted = step.get("assertedEvents")
        if asserted is None:
            return
        if not isinstance(asserted, list):
            self.out.skip(
                position + ".assertedEvents", "assertedEvents", "expected a list", acts=True
            )
            return
        for j, item in enumerate(asserted):
            where = f"{position}.assertedEvents[{j}]"
            if not isinstance(item, dict) or item.get("type") != "navigation":
                self.out.skip(
                    where, "assertedEvents", "only navigation events can be asserted", acts=True
                )
                continue
            check = {k: item[k] for k in ("url", "title") if isinstance(item.get(k), str)}
            if not check:
                self.out.skip(where, "assertedEvents", "a navigation needs url or title", acts=True)
                continue
            self.event(where, type="check", kind="navigation", timeout_ms=self._timeout(step),
                       **check)  # fmt: skip


def convert(data: Any, source: Path) -> Conversion:
    """Convert a decoded Recorder JSON file.

    Raises:
        ImportFormatError: not a Recorder file (no `steps` list), or nothing to replay.
    """
    return _Converter(data, source).run()
