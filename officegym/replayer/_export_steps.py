"""A recording cut into steps for `officegym export`: what was on the screen, and one action.

Two kinds of recording, two ways to cut:

- an agent's (`source: agent`) has an `observe` (and its screenshot) after reset and after every
  step: step i is the events between observations i and i+1, seen on observation i, and its
  action is the one the env recorded on those events (in the env's action mode), as the
  report's timeline cuts it (a final observation with nothing after it is no step);
- anyone else's (a person, the synthetic recorder, an import) has no steps, so each act is one:
  a press of a button (with its release: a click, a double click, a drag), a key that is not
  typing (with the modifiers held: a hotkey), a run of typed characters or pasted text, a burst
  of scrolling, a field set in one go, a navigation, a tab change, an answer. A run of typing
  ends at Backspace or Delete, which are steps of their own, so every run is one `type`; a run
  of typing or scrolling also ends at a pause longer than RUN_GAP_MS, and a burst of scrolling
  where the pointer moved (a wheel action scrolls at one place).

Each step's action is given in both action modes where the events say enough (`envs.actions`):
computer mode as a call string `parse_action` reads back (`click(640.0, 360.0, 'left')`), in
viewport pixels; browser mode as an object naming the element by its recorded `target`
(selector, role, name: a recording keeps no element ids), e.g. `{"action": "fill", "target":
{...}, "text": "hi"}`. What the events do not say is null: masked input, a key with no target,
a press at a selector without a position.

The events are streamed: a step keeps only what its actions are made from, never its events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from officegym.envs.actions import MAX_TYPE_CHARS, parse_action
from officegym.errors import ActionError
from officegym.trajectory import (
    MODIFIERS,
    TEXT_EDIT_KEYS,
    Event,
    Target,
    TrajectoryMeta,
    TrajectoryReader,
    is_typing,
)
from officegym.trajectory.step_log import iter_step_log, step_number

# A press released farther than this (CSS pixels) from where it went down is a drag.
DRAG_PIXELS = 4.0
# A pause longer than this (ms) between two typed characters or two wheel events ends the run:
# what follows is another step, seen on the screen as it was then.
RUN_GAP_MS = 1_000.0
# Events that are no act: they only say what the screen showed, or check it.
_QUIET = frozenset({"mouse.move", "mouse.up", "key.up", "screenshot", "observe", "check", "done"})
_NAV = {"nav.goto": "goto", "nav.back": "back"}
MAX_TREES_AHEAD = 64  # step-log lines kept that come before their step is asked for


@dataclass
class Act:
    """One act of a recording, as much of it as its actions are made from."""

    kind: str  # press, key, type, wheel, fill, the event type of the rest
    t: float
    last_t: float = 0.0  # the time of its last event (a run ends at a long pause)
    target: dict[str, Any] | None = None
    x: float | None = None
    y: float | None = None
    end: tuple[float, float] | None = None  # where a press was released, when recorded
    button: str = "left"
    clicks: int = 1
    keys: list[str] = field(default_factory=list)  # modifiers held, then the key
    text: str = ""
    dx: float = 0.0
    dy: float = 0.0
    value: Any = None  # a url, a tab index
    masked: bool = False

    def computer(self) -> str | None:
        """The act as a computer-mode call string, or None when the events do not say."""
        if self.masked:
            return None
        action: dict[str, Any] | None = None
        if self.kind == "press" and self.x is not None and self.y is not None:
            action = self._press()
        elif self.kind == "key" and len(self.keys) > 1:
            action = {"action": "hotkey", "keys": self.keys}
        elif self.kind == "key":
            action = {"action": "key", "key": self.keys[-1]}
        elif self.kind == "type" and self.text:
            action = {"action": "type", "text": self.text}
        elif self.kind == "wheel" and self.x is not None and self.y is not None:
            action = {"action": "wheel", "x": self.x, "y": self.y, "dx": self.dx, "dy": self.dy}
        else:
            action = self._either_mode()
        return _call(action)

    def _press(self) -> dict[str, Any]:
        at = {"x": self.x, "y": self.y}
        if self.end is not None and self.button == "left" and self.moved:
            x2, y2 = self.end
            return {"action": "drag", "x1": self.x, "y1": self.y, "x2": x2, "y2": y2}
        if self.button == "right":
            return {"action": "right_click", **at}
        if self.clicks >= 2 and self.button == "left":
            return {"action": "double_click", **at}
        return {"action": "click", **at, "button": self.button}

    def browser(self) -> dict[str, Any] | None:
        """The act in browser mode, its element named by the recorded target; None when the
        events do not say (typing appends to a field: browser mode only replaces one)."""
        if self.masked:
            return None
        one_click = self.button == "left" and self.clicks == 1 and not self.moved
        if self.kind == "press" and self.target and one_click:  # browser mode: no double click
            return {"action": "click", "target": self.target}
        if self.kind == "key" and self.target:
            return {"action": "press", "target": self.target, "key": "+".join(self.keys)}
        if self.kind == "fill" and self.target:
            return {"action": "fill", "target": self.target, "text": self.text}
        if self.kind in _NAV:
            return {"action": _NAV[self.kind], **({"url": self.value} if self.value else {})}
        return self._either_mode()

    @property
    def moved(self) -> bool:
        """A press released more than DRAG_PIXELS from where it went down (False when either
        place is not recorded)."""
        if self.end is None or self.x is None or self.y is None:
            return False
        return max(abs(self.end[0] - self.x), abs(self.end[1] - self.y)) > DRAG_PIXELS

    def _either_mode(self) -> dict[str, Any] | None:
        """Acts both modes have: answer, and tab changes."""
        if self.kind == "answer":
            return {"action": "answer", "text": self.text}
        if self.kind == "tab.switch":
            return {"action": "tab_focus", "index": self.value}
        if self.kind == "tab.close":
            return {"action": "tab_close"}
        return None


def _call(action: dict[str, Any] | None) -> str | None:
    """A computer-mode action checked as the env checks one, as its call string."""
    if action is None:
        return None
    try:
        return parse_action(action, "computer").to_call()
    except ActionError:
        return None  # out of the env's bounds (a scroll of 50,000 pixels): not an action it takes


class ActCutter:
    """Cuts a stream of events into acts; `feed` returns the act an event ended, if any.

    Args:
        offset: the screen offset to take off positions (screen-coordinate recordings).
    """

    def __init__(self, offset: tuple[int, int] = (0, 0)) -> None:
        self.offset = offset
        self.current: Act | None = None
        self.modifiers: list[str] = []  # modifier keys held, in the order pressed

    def feed(self, event: Event) -> Act | None:
        """Take one event; returns the act it ended (a new act starts with it)."""
        return self._feed(event)

    def _feed(self, event: Any) -> Act | None:
        kind = event.type
        if kind in ("key.down", "key.up") and event.key in MODIFIERS:
            self._modifier(event)
            return None
        if kind == "mouse.up" and self.current is not None and self.current.kind == "press":
            self.current.end = self._xy(event)
            return None
        if kind in _QUIET:
            return None
        if self._continues(event):
            self._extend(event)
            return None
        ended, self.current = self.current, self._start(event)
        return ended

    def finish(self) -> Act | None:
        """The last act, once the events are done."""
        ended, self.current = self.current, None
        return ended

    def _modifier(self, event: Any) -> None:
        if event.type == "key.down" and event.key not in self.modifiers:
            self.modifiers.append(event.key)
        elif event.type == "key.up" and event.key in self.modifiers:
            self.modifiers.remove(event.key)

    def _xy(self, event: Any) -> tuple[float, float] | None:
        """The event's position in viewport pixels, or None when it names only a selector."""
        if event.x is None or event.y is None:
            return None
        return float(event.x) - self.offset[0], float(event.y) - self.offset[1]

    def _target(self, target: Target | None) -> dict[str, Any] | None:
        if target is None:
            return None
        data = target.model_dump(exclude_none=True, include={"selector", "role", "name", "tag"})
        if target.bbox is not None:
            box = target.bbox
            data["bbox"] = [box.x - self.offset[0], box.y - self.offset[1], box.width, box.height]
        return data or None

    def _continues(self, event: Any) -> bool:
        act = self.current
        if act is None:
            return False
        if event.type == "mouse.down":
            # The second press of a double click is the same act.
            return act.kind == "press" and event.click_count >= 2 and act.clicks < event.click_count
        if event.t - act.last_t > RUN_GAP_MS:
            return False
        if event.type == "mouse.wheel":
            return act.kind == "wheel" and (self._xy(event) or (None, None)) == (act.x, act.y)
        if act.kind != "type" or act.masked != bool(getattr(event, "masked", False)):
            return False
        if len(act.text) >= MAX_TYPE_CHARS:
            return False  # the env types at most this much at once: the next `type` goes on
        if event.type == "text.input":
            return not event.replace
        return event.type == "key.down" and self._types(event)

    def _types(self, event: Any) -> bool:
        """A key that adds a character (a run of typing is one `type` of its characters)."""
        held = set(self.modifiers) | set(event.modifiers)
        return is_typing(event.key, held) and event.key not in TEXT_EDIT_KEYS

    def _extend(self, event: Any) -> None:
        act = self.current
        assert act is not None
        act.last_t = event.t
        if event.type == "mouse.down":
            act.clicks = event.click_count
        elif event.type == "mouse.wheel":
            act.dx += event.dx
            act.dy += event.dy
        else:
            act.text += event.text if event.type == "text.input" else event.key

    def _start(self, event: Any) -> Act:
        act = Act(kind=event.type, t=event.t, last_t=event.t, target=self._target(event.target))
        kind = event.type
        if kind == "mouse.down":
            act.kind, act.button, act.clicks = "press", event.button, max(event.click_count, 1)
            act.x, act.y = self._xy(event) or (None, None)
        elif kind == "mouse.wheel":
            act.kind, act.dx, act.dy = "wheel", event.dx, event.dy
            act.x, act.y = self._xy(event) or (None, None)
        elif kind == "key.down":
            act.masked = event.masked
            if self._types(event):
                act.kind, act.text = "type", event.key
            else:
                held = [m for m in MODIFIERS if m in set(self.modifiers) | set(event.modifiers)]
                act.kind, act.keys = "key", [*held, event.key]
        elif kind == "text.input":
            act.kind = "fill" if event.replace else "type"
            act.text, act.masked = event.text, event.masked
        elif kind in ("nav.goto", "tab.open"):
            act.value = event.url
        elif kind in ("tab.switch", "tab.close"):
            act.value = event.index
        elif kind == "answer":
            act.text = event.text
        return act


@dataclass
class Step:
    """One exported step: when, what the screen showed, and what was done."""

    index: int
    t: float
    frame: tuple[str, str, float] | None  # (path in the recording, sha256, time) or None
    url: str | None
    events: int = 0
    action: dict[str, Any] | None = None  # as an agent's env recorded it
    computer: str | None = None
    browser: dict[str, Any] | None = None
    masked: bool = False

    def browser_json(self) -> str | None:
        """The browser-mode action as JSON text (None when unknown)."""
        return None if self.browser is None else json.dumps(self.browser, ensure_ascii=False)

    def action_json(self) -> str | None:
        """The recorded action as JSON text (None when the recording has none)."""
        return None if self.action is None else json.dumps(self.action, ensure_ascii=False)


class _Screen:
    """What the screen showed as the events went by: the last frame and the page's URL."""

    def __init__(self, meta: TrajectoryMeta) -> None:
        self.frame: tuple[str, str, float] | None = None
        self.url = meta.start_url

    def see(self, event: Any) -> None:
        if event.type == "screenshot":
            self.frame = (event.frame, event.sha256, event.t)
        elif event.type in ("observe", "nav.goto") or (event.type == "tab.open" and event.url):
            self.url = event.url


def iter_steps(reader: TrajectoryReader) -> Iterator[Step]:
    """The steps of a recording, as the module's docstring cuts them, streamed.

    Raises:
        TrajectoryFormatError: the recording cannot be read (from the reader).
    """
    meta = reader.meta
    offset = meta.screen_offset if meta.coordinate_space == "screen" else None
    shift = (offset.x, offset.y) if offset is not None else (0, 0)
    if meta.source == "agent":
        mode = meta.extra.get("action_mode")
        yield from _agent_steps(reader, mode if mode in ("computer", "browser") else None, shift)
    else:
        yield from _person_steps(reader, shift)


def _person_steps(reader: TrajectoryReader, shift: tuple[int, int]) -> Iterator[Step]:
    screen, cutter = _Screen(reader.meta), ActCutter(shift)
    step: Step | None = None
    count = 0
    for _, event in reader.iter_events():
        ended = cutter.feed(event)
        if ended is not None and step is not None:
            yield _finish(step, [ended])
            count += 1
            step = None
        if step is None and cutter.current is not None:
            step = Step(count, event.t, screen.frame, screen.url)
        if step is not None:
            step.events += 1
        screen.see(event)
    last = cutter.finish()
    if step is not None and last is not None:
        yield _finish(step, [last])


def _agent_steps(
    reader: TrajectoryReader, mode: str | None, shift: tuple[int, int]
) -> Iterator[Step]:
    screen = _Screen(reader.meta)
    step: Step | None = None
    acts: list[Act] = []
    cutter = ActCutter(shift)
    for _, event in reader.iter_events():
        screen.see(event)
        if event.type == "observe":
            if step is not None:
                yield _finish(step, [*acts, *filter(None, [cutter.finish()])], mode)
            index = 0 if step is None else step.index + 1
            step, acts, cutter = Step(index, event.t, None, screen.url), [], ActCutter(shift)
            continue
        if step is None:
            continue  # before the first observation: no step yet (as the metrics count)
        if event.type == "screenshot" and step.events == 0:
            step.frame = screen.frame  # the observation's own screenshot
            continue
        step.events += 1
        if step.action is None and event.action:
            step.action = event.action
        ended = cutter.feed(event)
        if ended is not None:
            acts.append(ended)
    acts += filter(None, [cutter.finish()])
    if step is not None and (acts or step.action is not None):  # not the final page alone
        yield _finish(step, acts, mode)


def _finish(step: Step, acts: list[Act], mode: str | None = None) -> Step:
    """Fill in the step's actions: from its one act (an agent step of several acts, as a
    `type` that ends with Enter, has none derived) and from the env's recorded action."""
    step.masked = any(act.masked for act in acts)
    if len(acts) == 1:
        step.computer, step.browser = acts[0].computer(), acts[0].browser()
    recorded = step.action
    if recorded is not None and mode == "computer":
        step.computer = _call(recorded)
    elif recorded is not None and mode == "browser":
        target = next((act.target for act in acts if act.target), None)
        step.browser = {**recorded, **({"target": target} if target else {})}
    return step


class StepTrees:
    """The accessibility tree of each step of an agent's episode, from the run's step log
    beside its trajectory, matched by the line's `step` (from 1: line `step` n+1 is exported
    step n), not its place: nothing for a recording of anyone else (`log` None)."""

    def __init__(self, log: Path | None) -> None:
        self.lines = iter_step_log(log) if log is not None else iter(())
        self.ahead: dict[int, str | None] = {}  # lines read before their step was asked for

    def tree(self, step: int) -> str | None:
        wanted = step + 1
        if wanted in self.ahead:
            return self.ahead.pop(wanted)
        for line in self.lines:
            number, tree = step_number(line), line.get("axtree")
            tree = tree if isinstance(tree, str) else None
            if number == wanted:
                return tree
            if number is not None and number > wanted and len(self.ahead) < MAX_TREES_AHEAD:
                self.ahead[number] = tree
        return None

    def close(self) -> None:
        close = getattr(self.lines, "close", None)
        if close is not None:
            close()
