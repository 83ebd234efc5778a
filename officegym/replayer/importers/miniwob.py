"""MiniWoB++ human demonstrations (`.json` / `.json.gz` from its record.js) to trajectory v1.

A demonstration holds `taskName`, `utterance`, `reward` and `states`: each state has `time` (ms
since the episode started), the `action` that made it ({type, x, y} for the mouse at page
coordinates, {type, keyCode, charCode} for keys; `timing` is the DOM event phase) and the `dom`
with the acted-on element flagged `recordingTarget`. record.js listens in the capture and the
bubble phase, so each input appears twice: the bubble copy (phase 3) is dropped.

MiniWoB++ does not store the random instance of the episode, so an imported demonstration names
no task and no page: it is kept for training and audit, and does not replay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from officegym.replayer.importers._common import Conversion, ImportFormatError, expect, number
from officegym.trajectory.keys import MODIFIERS

VIEWPORT = {"width": 160, "height": 210}  # the task area record.js records in
BUBBLE = 3
KEY_CODES = {
    8: "Backspace", 9: "Tab", 13: "Enter", 16: "Shift", 17: "Control", 18: "Alt", 27: "Escape",
    32: " ", 33: "PageUp", 34: "PageDown", 35: "End", 36: "Home", 37: "ArrowLeft", 38: "ArrowUp",
    39: "ArrowRight", 40: "ArrowDown", 46: "Delete", 91: "Meta", 186: ";", 187: "=", 188: ",",
    189: "-", 190: ".", 191: "/", 192: "`", 219: "[", 220: "\\", 221: "]", 222: "'",
}  # fmt: skip


def _key_name(code: int, shift: bool) -> str | None:
    if 48 <= code <= 57:
        return chr(code)
    if 65 <= code <= 90:
        return chr(code) if shift else chr(code).lower()
    return KEY_CODES.get(code)


def _recording_target(dom: Any) -> dict[str, Any] | None:
    """The element record.js flagged, as a trajectory target (tag, text, box, id selector)."""
    stack = [dom]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("recordingTarget"):
            tag = str(node.get("tag", "")).lower().split("_")[0]  # INPUT_text: an input
            target: dict[str, Any] = {"tag": tag or None}
            if isinstance(node.get("id"), str) and node["id"]:
                target["selector"] = f"#{node['id']}"
            if isinstance(node.get("text"), str) and node["text"].strip():
                target["text"] = node["text"].strip()[:120]
            box = [number(node.get(k)) for k in ("left", "top", "width", "height")]
            if all(v is not None for v in box) and box[2] >= 0 and box[3] >= 0:  # type: ignore[operator]
                target["bbox"] = dict(zip(("x", "y", "width", "height"), box, strict=True))
            return {k: v for k, v in target.items() if v is not None}
        children = node.get("children")
        if isinstance(children, list):
            stack.extend(children)
    return None


def convert(data: Any, source: Path) -> Conversion:
    """Convert a decoded MiniWoB++ demonstration.

    Raises:
        ImportFormatError: not a demonstration (no `states` list), or no input in it.
    """
    return _Converter(data, source).run()


@dataclass(frozen=True)
class _Step:
    """One state's action, checked (an object with a type and a time) and not a duplicate."""

    index: int  # in `states`, for a handler that looks at the state after it
    position: str
    kind: str
    t: float
    action: dict[str, Any]
    state: dict[str, Any]


class _Converter:
    """One pass over `states`: `read` drops what holds no new input, then the handler for the
    action type (`_HANDLERS`) turns it into events or a skip."""

    def __init__(self, data: Any, source: Path) -> None:
        self.where = str(source)
        top = expect(data, dict, self.where, "(top level)")
        self.states = expect(top.get("states"), list, self.where, "states")
        self.out = _header(top, source)
        self.held: list[str] = []  # modifier keys down, in the order they were pressed
        self.last: tuple[Any, ...] | None = None
        self.clicks = 0
        self.inputs = 0

    def run(self) -> Conversion:
        for i, state in enumerate(self.states):
            step = self.read(i, state)
            if step is None:
                continue
            handler = _HANDLERS.get(step.kind)
            if handler is None:
                self.out.skip(step.position, step.kind, f"unknown action type {step.kind!r}")
            else:
                handler(self, step)
        if not self.inputs:
            raise ImportFormatError(
                self.where, None, "states", "no mouse or key input in any state"
            )
        return self.out

    def read(self, i: int, state: Any) -> _Step | None:
        """The state's input, or None for a state that holds none (or one already seen)."""
        position = f"states[{i}]"
        if not isinstance(state, dict):
            self.out.skip(position, "?", "a state must be an object")
            return None
        action = state.get("action")
        if action is None:
            return None  # the initial state: no input
        t = number(state.get("time"))
        if not isinstance(action, dict) or not isinstance(action.get("type"), str) or t is None:
            self.out.skip(position, "?", "expected time (a number) and action {type, …}")
            return None
        kind = action["type"]
        if action.get("timing") == BUBBLE:
            return None  # the same input again, seen on the way back up
        key = (kind, action.get("x"), action.get("y"), action.get("keyCode"), t)
        if key == self.last:
            return None  # an input on the document itself is seen twice at phase 2
        self.last = key
        return _Step(i, position, kind, max(0.0, t), action, state)

    def emit(self, position: str, event: dict[str, Any]) -> None:
        self.out.events.append((position, event))
        self.inputs += 1

    def mouse(self, step: _Step) -> None:
        x, y = number(step.action.get("x")), number(step.action.get("y"))
        if x is None or y is None:
            self.out.skip(step.position, step.kind, "x/y: expected the page coordinates")
            return
        if step.kind == "mousedown":
            self.clicks = self.clicks + 1 if self.follows_release(step.t) else 1
        event: dict[str, Any] = {
            "t": step.t,
            "type": "mouse." + step.kind[5:],
            "x": x,
            "y": y,
            "click_count": max(self.clicks, 1),
        }
        target = _recording_target(step.state.get("dom"))
        if target:
            event["target"] = target
        self.emit(step.position, event)

    def follows_release(self, t: float) -> bool:
        """Whether a press at `t` continues a multi-click: the last event a release < 500 ms ago."""
        events = self.out.events
        return bool(events) and events[-1][1]["type"] == "mouse.up" and t - events[-1][1]["t"] < 500

    def key(self, step: _Step) -> None:
        code = number(step.action.get("keyCode"))
        name = _key_name(int(code), "Shift" in self.held) if code is not None else None
        if name is None:
            self.out.skip(
                step.position, step.kind, f"keyCode {step.action.get('keyCode')!r} has no key name"
            )
            return
        if step.kind == "keydown" and len(name) == 1:
            name = self.pressed_char(step.index) or name
        down = step.kind == "keydown"
        if name in MODIFIERS and down and name not in self.held:
            self.held.append(name)
        modifiers = sorted(m for m in self.held if m != name)
        if name in MODIFIERS and not down and name in self.held:
            self.held.remove(name)
        event = {"t": step.t, "type": "key." + step.kind[3:], "key": name, "modifiers": modifiers}
        self.emit(step.position, event)

    def pressed_char(self, i: int) -> str | None:
        """The character of the keypress after state `i`: it, not the keyCode, has the case and
        the keyboard layout."""
        states = self.states
        nxt = states[i + 1] if i + 1 < len(states) and isinstance(states[i + 1], dict) else {}
        press = nxt.get("action")
        press = press if isinstance(press, dict) else {}
        char = number(press.get("charCode")) if press.get("type") == "keypress" else None
        return chr(int(char)) if char and 32 <= char < 0x110000 else None

    def already_seen(self, step: _Step) -> None:
        """click, dblclick, keypress: what the press and release (or keydown) already stand
        for."""

    def scroll(self, step: _Step) -> None:
        self.out.skip(step.position, step.kind, "record.js stores a scroll without its amount")


_HANDLERS: dict[str, Callable[[_Converter, _Step], None]] = {
    "mousedown": _Converter.mouse,
    "mouseup": _Converter.mouse,
    "keydown": _Converter.key,
    "keyup": _Converter.key,
    "click": _Converter.already_seen,
    "dblclick": _Converter.already_seen,
    "keypress": _Converter.already_seen,
    "scroll": _Converter.scroll,
}  # by record.js action type; any other type is skipped as unknown


def _header(top: dict[str, Any], source: Path) -> Conversion:
    """An empty conversion with the demonstration's task, utterance and reward."""
    reward = number(top.get("reward"))
    extra = {
        "miniwob_task": top.get("taskName"),
        "utterance": top.get("utterance"),
        "reward": reward,
        "raw_reward": number(top.get("rawReward")),
    }
    return Conversion.of(
        "miniwob",
        source,
        "MiniWoB++ record.js",
        "1970-01-01T00:00:00Z",  # demonstrations keep no wall-clock time
        VIEWPORT,
        extra={k: v for k, v in extra.items() if v is not None},
        outcome={"claimed_success": reward > 0 if reward is not None else None},
    )
