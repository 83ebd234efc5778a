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
    where = str(source)
    top = expect(data, dict, where, "(top level)")
    states = expect(top.get("states"), list, where, "states")
    reward = number(top.get("reward"))
    extra = {
        "miniwob_task": top.get("taskName"),
        "utterance": top.get("utterance"),
        "reward": reward,
        "raw_reward": number(top.get("rawReward")),
    }
    out = Conversion.of(
        "miniwob",
        source,
        "MiniWoB++ record.js",
        "1970-01-01T00:00:00Z",  # demonstrations keep no wall-clock time
        VIEWPORT,
        extra={k: v for k, v in extra.items() if v is not None},
        outcome={"claimed_success": reward > 0 if reward is not None else None},
    )
    held: list[str] = []
    last: tuple[Any, ...] | None = None
    clicks, inputs = 0, 0
    for i, state in enumerate(states):
        position = f"states[{i}]"
        if not isinstance(state, dict):
            out.skip(position, "?", "a state must be an object")
            continue
        action = state.get("action")
        if action is None:
            continue  # the initial state: no input
        t = number(state.get("time"))
        if not isinstance(action, dict) or not isinstance(action.get("type"), str) or t is None:
            out.skip(position, "?", "expected time (a number) and action {type, …}")
            continue
        kind = action["type"]
        if action.get("timing") == BUBBLE:
            continue  # the same input again, seen on the way back up
        key = (kind, action.get("x"), action.get("y"), action.get("keyCode"), t)
        if key == last:
            continue  # an input on the document itself is seen twice at phase 2
        last = key
        t = max(0.0, t)
        if kind in ("mousedown", "mouseup"):
            x, y = number(action.get("x")), number(action.get("y"))
            if x is None or y is None:
                out.skip(position, kind, "x/y: expected the page coordinates")
                continue
            if kind == "mousedown":
                clicks = (
                    clicks + 1
                    if out.events
                    and out.events[-1][1]["type"] == "mouse.up"
                    and t - out.events[-1][1]["t"] < 500
                    else 1
                )
            event: dict[str, Any] = {"t": t, "type": "mouse." + kind[5:], "x": x, "y": y,
                                     "click_count": max(clicks, 1)}  # fmt: skip
            target = _recording_target(state.get("dom"))
            if target:
                event["target"] = target
            out.events.append((position, event))
            inputs += 1
        elif kind in ("keydown", "keyup"):
            code = number(action.get("keyCode"))
            name = _key_name(int(code), "Shift" in held) if code is not None else None
            if name is None:
                out.skip(position, kind, f"keyCode {action.get('keyCode')!r} has no key name")
                continue
            if kind == "keydown" and len(name) == 1:
                # The character comes with the keypress that follows (case, layout).
                nxt = (
                    states[i + 1] if i + 1 < len(states) and isinstance(states[i + 1], dict) else {}
                )
                press = nxt.get("action")
                press = press if isinstance(press, dict) else {}
                char = number(press.get("charCode")) if press.get("type") == "keypress" else None
                if char and 32 <= char < 0x110000:
                    name = chr(int(char))
            if name in MODIFIERS and kind == "keydown" and name not in held:
                held.append(name)
            modifiers = sorted(m for m in held if m != name)
            if name in MODIFIERS and kind == "keyup" and name in held:
                held.remove(name)
            out.events.append((position, {"t": t, "type": "key." + kind[3:], "key": name,
                                          "modifiers": modifiers}))  # fmt: skip
            inputs += 1
        elif kind in ("click", "dblclick", "keypress"):
            continue  # what the press and release (or keydown) already stand for
        elif kind == "scroll":
            out.skip(position, kind, "record.js stores a scroll without its amount")
        else:
            out.skip(position, kind, f"unknown action type {kind!r}")
    if not inputs:
        raise ImportFormatError(where, None, "states", "no mouse or key input in any state")
    return out
