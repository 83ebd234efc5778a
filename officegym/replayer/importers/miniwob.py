"""MiniWoB++ human demonstrations (`.json` / `.json.gz` from its record.js) to trajectory v1.

A demonstration holds `taskName`, `utterance`, `reward`, `rawReward` and `states`: each state
has `time` (ms since the episode started, by the wall clock), the `action` that made it
({type, x, y} for the mouse at page coordinates, {type, keyCode, charCode} for keys; `timing`
is the DOM event phase) and the `dom` as `core.getDOMInfo` gives it: the BODY and its visible
elements, each with its `getBoundingClientRect` box, the acted-on one flagged
`recordingTarget`. record.js listens in the capture and the bubble phase, so each input appears
twice: the bubble copy (phase 3) is dropped.

Nothing is lost on the way:

- Every key code maps to a key (`_keycodes.py`): the keypad, F-keys, media keys, Caps Lock. A
  key the input method handles (code 229) is the character its keypress or the field's new
  value shows; a code no keyboard is known to send is kept as key `Unidentified` and listed in
  `meta.imported.unknown_keys` with the code.
- The clock may jump (record.js reads the wall clock): a step back in time, or forward by more
  than `MAX_GAP_MS`, shifts the events after it so time runs forward, and is listed in
  `meta.imported.clock_jumps`; no event is dropped.
- The viewport is the page's: the BODY's and its elements' boxes in the first snapshot, together,
  and never smaller than the task area. Events keep record.js's page coordinates, and a
  target's box (a viewport box in the snapshot) is moved into them by the page's scroll: how
  far the BODY moved up since the first snapshot (taken at the top of the page).
- A press is half of a double click when record.js recorded the `dblclick` the browser fires
  after it; modifiers a typed character's keydown shows held (AltGr is Control and Alt on
  Windows, an Alt whose release went to another window) do not make it a shortcut.

The demonstration is read a state at a time (`JsonStream`; one of at most 1 MiB, decoded in one
go) and its events are written as they are converted (`Conversion.stream`), so a 100 MB one is
never in memory whole. MiniWoB++ does not store the random instance of the episode, so an
imported demonstration names no task and no page: it is kept for training and audit, and does
not replay.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from officegym.replayer.importers._common import Conversion, ImportFormatError, expect, number
from officegym.replayer.importers._keycodes import (
    CAPS_LOCK,
    IME,
    UNIDENTIFIED,
    key_code,
    key_name,
    typed_char,
)
from officegym.replayer.importers._source import JsonStream
from officegym.trajectory.keys import COMMAND_MODIFIERS, MODIFIERS

# The task area. record.js records a mouse event only inside it: its handlers return early
# when `event.pageX >= 160 || event.pageY >= 210`, so every recorded point lies within.
VIEWPORT = {"width": 160, "height": 210}
MAX_PAGE_PX = 1e6  # a box reaching further is not the page's layout: it sizes no viewport
BUBBLE = 3
# A forward step longer than any episode is a clock jump: MiniWoB++ ends an episode at its time
# limit, 10 s by default and 1,000 s in the versions that allow the most.
MAX_GAP_MS = 20 * 60 * 1000
LOOKAHEAD = 64  # states held to find a keydown's keypress; more and the keydown goes without
DECISIVE = frozenset({"keydown", "keyup", "mousedown", "mouseup"})  # ends a keydown's lookahead
Pieces = Iterable[tuple[str | None, int | None, Any]]


def convert(data: Any, source: Path) -> Conversion:
    """Convert a decoded MiniWoB++ demonstration.

    Raises:
        ImportFormatError: not a demonstration (no `states` list), or no input in it.
    """
    if not isinstance(data, dict):
        return _Converter(source).run([(None, None, data)])
    return _Converter(source).run((key, None, value) for key, value in data.items())


def convert_file(source: Path) -> Conversion:
    """Convert a demonstration file, reading it a state at a time as its events are written.

    Raises:
        ImportFormatError: unreadable or not JSON (see `JsonStream`), not a demonstration, or
            no input in it.
    """
    return _Converter(source).run(JsonStream(source).pieces("states"))


def _flagged(dom: Any) -> dict[str, Any] | None:
    """The element record.js flagged `recordingTarget` in a snapshot."""
    stack = [dom]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("recordingTarget"):
            return node
        children = node.get("children")
        if isinstance(children, list):
            stack.extend(children)
    return None


def _box(node: Any) -> tuple[float, float, float, float] | None:
    box = [number(node.get(k)) for k in ("left", "top", "width", "height")]
    left, top, width, height = box
    if left is None or top is None or width is None or height is None:
        return None
    return (left, top, width, height) if width >= 0 and height >= 0 else None


def _target(dom: Any, origin: tuple[float, float]) -> dict[str, Any] | None:
    """The flagged element as a trajectory target: tag, text, id selector, and its box in page
    coordinates. The snapshot's boxes are the viewport's: a page scrolled by s shows the BODY
    s higher than the first snapshot did (`origin`, its left and top: the BODY's margin, 8 px
    by default), so s is added back."""
    node = _flagged(dom)
    if node is None:
        return None
    target: dict[str, Any] = {"tag": str(node.get("tag", "")).lower().split("_")[0] or None}
    if isinstance(node.get("id"), str) and node["id"]:
        target["selector"] = f"#{node['id']}"
    if isinstance(node.get("text"), str) and node["text"].strip():
        target["text"] = node["text"].strip()[:120]
    box, page = _box(node), _box(dom) if isinstance(dom, dict) else None
    if box is not None:
        scroll_x, scroll_y = (
            (max(0.0, origin[0] - page[0]), max(0.0, origin[1] - page[1])) if page else (0, 0)
        )
        target["bbox"] = {"x": box[0] + scroll_x, "y": box[1] + scroll_y,
                          "width": box[2], "height": box[3]}  # fmt: skip
    return {k: v for k, v in target.items() if v is not None}


def _field_value(dom: Any) -> tuple[Any, str] | None:
    """The flagged element's `ref` and text value, if it is a text field."""
    node = _flagged(dom)
    if node is None or not isinstance(node.get("value"), str):
        return None
    return node.get("ref"), node["value"]


@dataclass
class _Step:
    """One state's input, checked (an object with a type and a time) and not a duplicate."""

    position: str
    kind: str
    t: float  # ms, with the clock jumps before it taken out
    action: dict[str, Any]
    dom: Any
    jumps: list[float] = field(default_factory=list)  # seconds: clock jumps just before it


class _Clock:
    """record.js's times made to run forward: each jump is taken out of the times after it."""

    def __init__(self) -> None:
        self.last = 0.0  # the episode starts at 0 (record.js's ept0)
        self.offset = 0.0
        self.jumps: list[float] = []  # seconds, not yet given to a step

    def time(self, t: float) -> float:
        gap = t - self.last
        if gap < 0 or gap > MAX_GAP_MS:
            self.offset -= gap
            self.jumps.append(gap / 1000)
        self.last = t
        return t + self.offset

    def take(self) -> list[float]:
        jumps, self.jumps = self.jumps, []
        return jumps


class _Converter:
    """One pass over `states`: `read` drops what holds no new input; a step waits in `window`
    until the states after it that its handler looks at (a keydown's keypress, a press's
    dblclick) are read, then the handler for its action type (`_HANDLERS`) turns it into
    events or a skip. The events go out (`stream`) after each state."""

    def __init__(self, source: Path) -> None:
        self.source, self.where = source, str(source)
        self.out = Conversion({})
        self.top: dict[str, Any] = {}  # the demonstration's other members: taskName, reward, …
        self.viewport: dict[str, int] | None = None
        self.origin = (0.0, 0.0)  # the BODY's left and top in the first snapshot
        self.ready: list[tuple[str, dict[str, Any]]] = []  # events converted, not yet given
        self.count = 0  # events given
        self.has_states = False
        self.window: deque[_Step] = deque()
        self.clock = _Clock()
        self.held: list[str] = []  # modifier keys down, in the order they were pressed
        self.pressed: dict[int, str] = {}  # key code → the key its keydown was named
        self.caps = False
        self.typed: dict[str, Any] | None = None  # an input method's change, after its key
        self.last: tuple[Any, ...] | None = None
        self.clicks = 0
        self.inputs = 0

    def run(self, pieces: Pieces) -> Conversion:
        """The conversion, its events to come from `stream` (meta and label once it ends)."""
        self.out.stream = self.events(pieces)
        return self.out

    def events(self, pieces: Pieces) -> Iterator[tuple[str, dict[str, Any]]]:
        for key, index, value in pieces:
            if key is None:
                expect(value, dict, self.where, "(top level)")
            elif key == "states" and index is not None:
                self.state(index, value)
            elif key == "states":
                for i, state in enumerate(expect(value, list, self.where, "states")):
                    self.state(i, state)
                self.has_states = True
            else:
                self.top[key] = value
            yield from self.give()
        if not self.has_states:
            expect(None, list, self.where, "states")
        self.handle_window(final=True)
        yield from self.give()
        self.out.clock_jumps += [(self.count, s) for s in self.clock.take()]
        if not self.inputs:
            raise ImportFormatError(
                self.where, None, "states", "no mouse or key input in any state"
            )
        self.out.meta, self.out.label = _header(self.top, self.source, self.viewport)

    def give(self) -> Iterator[tuple[str, dict[str, Any]]]:
        ready, self.ready = self.ready, []
        self.count += len(ready)
        yield from ready

    def state(self, i: int, state: Any) -> None:
        self.has_states = True
        step = self.read(i, state)
        if step is not None:
            self.window.append(step)
            self.handle_window(final=False)

    def read(self, i: int, state: Any) -> _Step | None:
        """The state's input, or None for a state that holds none (or one already seen)."""
        if not isinstance(state, dict):
            self.out.skip(f"states[{i}]", "?", "a state must be an object", acts=True)
            return None
        if self.viewport is None and isinstance(state.get("dom"), dict):
            self.viewport = _page_size(state["dom"])
            box = _box(state["dom"])
            self.origin = (box[0], box[1]) if box is not None else self.origin
        action, t = state.get("action"), number(state.get("time"))
        t = self.clock.time(t) if t is not None else None
        if action is None:
            return None  # the initial state: no input
        if not isinstance(action, dict) or not isinstance(action.get("type"), str) or t is None:
            problem = "expected time (a number) and action {type, …}"
            self.out.skip(f"states[{i}]", "?", problem, acts=True)
            return None
        kind = action["type"]
        if action.get("timing") == BUBBLE:
            return None  # the same input again, seen on the way back up
        key = (kind, action.get("x"), action.get("y"), action.get("keyCode"), t)
        if key == self.last:
            return None  # an input on the document itself is seen twice at phase 2
        self.last = key
        return _Step(f"states[{i}]", kind, t, action, state.get("dom"), self.clock.take())

    def handle_window(self, final: bool) -> None:
        """Handle each waiting step whose lookahead is complete (or all, at the end or when
        too many wait)."""
        window = self.window
        while window and (final or len(window) > LOOKAHEAD or not self.waits(window[0])):
            step = window.popleft()
            self.out.clock_jumps += [(self.count + len(self.ready), s) for s in step.jumps]
            handler = _HANDLERS.get(step.kind)
            if handler is None:
                self.out.skip(  # record.js records input only: an unknown one may act
                    step.position, step.kind, f"unknown action type {step.kind!r}", acts=True
                )
            else:
                handler(self, step)

    def waits(self, step: _Step) -> bool:
        """Whether a step needs states not read yet: a keydown its keypress (until a decisive
        step follows); a press the dblclick the browser fires after the release of a double
        click's second press (until the next press, or a key after the release)."""
        if step.kind not in ("keydown", "mousedown"):
            return False
        released = False
        for later in islice(self.window, 1, None):
            if step.kind == "keydown" and later.kind in DECISIVE:
                return False
            if step.kind == "mousedown":
                if later.kind in ("mousedown", "dblclick"):
                    return False
                released = released or later.kind == "mouseup"
                if released and later.kind in ("keydown", "keyup"):
                    return False
        return True

    def emit(self, position: str, event: dict[str, Any]) -> None:
        self.ready.append((position, event))
        self.inputs += 1

    def mouse(self, step: _Step) -> None:
        x, y = number(step.action.get("x")), number(step.action.get("y"))
        if x is None or y is None:
            self.out.skip(step.position, step.kind, "x/y: expected the page coordinates", acts=True)
            return
        if step.kind == "mousedown":
            self.clicks = 2 if self.double_clicked() else 1
        event: dict[str, Any] = {
            "t": step.t,
            "type": "mouse." + step.kind[5:],
            "x": x,
            "y": y,
            "click_count": max(self.clicks, 1),
        }
        target = _target(step.dom, self.origin)
        if target:
            event["target"] = target
        self.emit(step.position, event)

    def double_clicked(self) -> bool:
        """Whether the press just taken from the window is a double click's second: record.js
        recorded a `dblclick` before the next press. It records no triple click."""
        for later in self.window:
            if later.kind in ("dblclick", "mousedown"):
                return later.kind == "dblclick"
        return False

    def key(self, step: _Step) -> None:
        raw = step.action.get("keyCode")
        code = number(raw)
        if code is None or code != int(code):
            self.out.skip(
                step.position, step.kind, f"keyCode {raw!r}: expected a key code", acts=True
            )
            return
        code, down = int(code), step.kind == "keydown"
        name, typed = self.key_down(step, code) if down else (self.key_up(code), False)
        if typed:
            # A keypress means the key typed: browsers send none for a Control, Alt or Meta
            # shortcut. So the command keys held are not acting: AltGr (Windows sends Control
            # and Alt for it: "@" on a German layout), or one whose release went elsewhere
            # (Alt+Tab away from the page) and that would make every later key a shortcut.
            self.held = [m for m in self.held if m not in COMMAND_MODIFIERS]
        if name is None:
            name = UNIDENTIFIED
            self.out.unknown_keys.append((self.count + len(self.ready), code))
        if name in MODIFIERS and down and name not in self.held:
            self.held.append(name)
        modifiers = sorted(m for m in self.held if m != name)
        if name in MODIFIERS and not down and name in self.held:
            self.held.remove(name)
        event = {"t": step.t, "type": "key." + step.kind[3:], "key": name, "modifiers": modifiers}
        if physical := key_code(code):
            event["code"] = physical
        self.emit(step.position, event)
        if self.typed:
            self.emit(step.position, self.typed)
            self.typed = None

    def key_down(self, step: _Step, code: int) -> tuple[str | None, bool]:
        """The key pressed: the character its keypress typed (it has the case and the layout),
        else the key code's name; for the input method's 229, what it typed in the field. And
        whether a keypress typed it."""
        char, ended_by = self.lookahead()
        typed = char is not None
        if code == IME and char is None:
            char = self.composed(step, ended_by)
        if code == CAPS_LOCK:
            self.caps = not self.caps
        name = char or key_name(code, shift="Shift" in self.held, caps=self.caps)
        if name is not None:
            self.pressed[code] = name
        return name, typed

    def key_up(self, code: int) -> str | None:
        """The key released, named as its press was (an input method's press was 229, while
        its release may carry the key's own code)."""
        if code not in self.pressed and IME in self.pressed:
            return self.pressed.pop(IME)
        return self.pressed.pop(code, None) or key_name(
            code, shift="Shift" in self.held, caps=self.caps
        )

    def lookahead(self) -> tuple[str | None, _Step | None]:
        """The character of the keypress among the next states, and the decisive step after."""
        for later in self.window:
            if later.kind == "keypress":
                return typed_char(later.action.get("charCode")), None
            if later.kind in DECISIVE:
                return None, later
        return None, None

    def composed(self, step: _Step, after: _Step | None) -> str | None:
        """What an input method typed with one key: the text field's value before the key
        (its snapshot) against after (the next input's). One character added is that key;
        another change (a composition replacing text) is kept as the field's new value, a
        `text.input` after the key, which is then named `Process`."""
        before = _field_value(step.dom)
        now = _field_value(after.dom) if after is not None else None
        if before is None or now is None or before[0] != now[0] or before[1] == now[1]:
            return None
        old, new = before[1], now[1]
        start = 0
        while start < min(len(old), len(new)) and old[start] == new[start]:
            start += 1
        end = 0
        while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
            end += 1
        if len(old) - start - end == 0 and len(new) - start - end == 1:
            return new[start]
        target = _target(step.dom, self.origin) or {}
        target.pop("text", None)  # the field's value changes: its text is not what finds it
        self.typed = {"t": step.t, "type": "text.input", "text": new, "replace": True}
        if target:
            self.typed["target"] = target
        return None

    def already_seen(self, step: _Step) -> None:
        """click, dblclick, keypress: what the press and release (or keydown) already stand
        for."""

    def scroll(self, step: _Step) -> None:
        # Only an element's scroll is ever recorded: for the page's, the event's target is the
        # document, which has no `dataset`, and record.js's addState throws before it stores
        # the state. An element's scroll offset is in no snapshot, so there is no amount.
        # Harmless: it only changes what the element shows; every later press carries the
        # element it hit (from its snapshot), which a replay checks at that press.
        self.out.skip(
            step.position, step.kind, "record.js stores a scroll without its amount", acts=False
        )


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


def _page_size(dom: dict[str, Any]) -> dict[str, int]:
    """The page's size: what the BODY's and its elements' boxes in the first snapshot cover
    together (an absolutely placed element may reach past the BODY), never less than the task
    area. That snapshot is the page at its top: `core.startEpisodeReal` sets `scrollTop = 0`
    before record.js's `startRecording` stores it, so its boxes are the page's."""
    right, bottom = float(VIEWPORT["width"]), float(VIEWPORT["height"])
    stack: list[Any] = [dom]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        box = _box(node)
        if box is not None and max(box[0] + box[2], box[1] + box[3]) <= MAX_PAGE_PX:
            right, bottom = max(right, box[0] + box[2]), max(bottom, box[1] + box[3])
        children = node.get("children")
        if isinstance(children, list):
            stack.extend(children)
    return {"width": math.ceil(right), "height": math.ceil(bottom)}


def _header(
    top: dict[str, Any], source: Path, viewport: dict[str, int] | None
) -> tuple[dict[str, Any], dict[str, float | None] | None]:
    """The demonstration's meta (task name, utterance and the utterance's `fields` in `extra`)
    and its reward label. Success is `rawReward` > 0 where there is one: `reward` has the time
    taken subtracted (core.js's time_proportional) and says how fast, not whether."""
    reward, raw_reward = number(top.get("reward")), number(top.get("rawReward"))
    extra = {
        "miniwob_task": top.get("taskName"),
        "utterance": top.get("utterance"),
        "fields": top.get("fields"),  # record.js: a structured utterance's fields
    }
    judged = raw_reward if raw_reward is not None else reward
    meta = Conversion.of(
        "miniwob",
        source,
        "MiniWoB++ record.js",
        "1970-01-01T00:00:00Z",  # demonstrations keep no wall-clock time
        viewport or VIEWPORT,
        extra={k: v for k, v in extra.items() if v is not None},
        outcome={"claimed_success": judged > 0 if judged is not None else None},
    ).meta
    has_label = reward is not None or raw_reward is not None
    return meta, {"reward": reward, "raw_reward": raw_reward} if has_label else None
