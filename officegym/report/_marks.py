"""What a step did, as marks to draw on the screenshot the step started from.

A step's trajectory events become a few marks a person reads at a glance: a click where the
button went down, a drag as the path the pointer took, the text typed (from `text.input` events
and from the keys of `type()`, which the env presses one at a time), a key or shortcut named
once ("Control+A", not "Control+Control" for the modifier's own key press), a scroll, and
navigations, tab changes and answers as labels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from officegym.trajectory import MASK, MODIFIERS, is_typing

# Pointer travel between button down and up beyond which a press is a drag, not a click (a
# person's click wobbles by a pixel or two).
DRAG_MIN_PX = 6.0
# A drag's path keeps at most this many points: a person's drag is sampled at 60 per second.
MAX_PATH_POINTS = 64
# Wheel events closer than this to the previous one add to its scroll instead of starting one.
SCROLL_MERGE_PX = 40.0
# A step keeps at most this many marks (a recording's burst of input can hold hundreds of keys).
MAX_MARKS = 40
# Text shown in one label; typed text longer than this is cut with an ellipsis.
LABEL_CHARS = 80
# Keys named as words where a glyph would be unreadable on a screenshot.
KEY_NAMES = {" ": "Space"}
# Where a character key types text, as the recorder and the env name the focused element (a
# rich-text editor is a `textbox`); elsewhere a character key is a shortcut, as Gmail's "s".
TEXT_TAGS = frozenset({"input", "textarea"})
TEXT_ROLES = frozenset({"textbox", "searchbox", "combobox", "spinbutton"})


@dataclass
class Mark:
    """Something to draw on a screenshot, in the page's CSS pixels.

    `kind` is click | drag | type | key | scroll | move | nav | answer. Positions are None for marks
    that have none (keys, navigations) or whose events named an element but no pixel.
    """

    kind: str
    label: str
    x: float | None = None
    y: float | None = None
    width: float = 0.0
    height: float = 0.0
    path: list[tuple[float, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "label": self.label}
        if self.x is not None and self.y is not None:
            out["x"], out["y"] = round(self.x, 1), round(self.y, 1)
        if self.width or self.height:
            out["width"], out["height"] = round(self.width, 1), round(self.height, 1)
        if self.path:
            out["path"] = [[round(x, 1), round(y, 1)] for x, y in self.path]
        return out


def hotkey_name(key: str, modifiers: Iterable[str]) -> str:
    """A key press as people write shortcuts: the held modifiers in the format's order, then the
    key, a letter in capitals after a modifier; the modifier being pressed is not named twice.

    >>> hotkey_name("a", ["Control"])
    'Control+A'
    >>> hotkey_name("Control", ["Control"])
    'Control'
    >>> hotkey_name("Tab", ["Shift", "Alt"])
    'Alt+Shift+Tab'
    >>> hotkey_name("s", [])
    's'
    """
    held = [m for m in MODIFIERS if m in set(modifiers) and m != key]
    shown = KEY_NAMES.get(key, key.upper() if held and len(key) == 1 else key)
    return "+".join([*held, shown])


def types_text(event: Any) -> bool:
    """Whether a key press typed into a text field: a typing key (`is_typing`) pressed where
    text goes. With no target, nothing had the focus (the recorder and the env name the
    focused element on every key), so the key went to the page: a shortcut."""
    if not is_typing(event.key, event.modifiers) or event.key == "Delete":
        return False
    target = event.target
    if target is None:
        return False
    if target.tag is None and target.role is None:
        return True  # an element named by selector only: say what was typed
    return target.tag in TEXT_TAGS or target.role in TEXT_ROLES


def clip(text: str, limit: int = LABEL_CHARS) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _StepMarks:
    """Marks of one step, built event by event (see `step_marks`)."""

    def __init__(self, dx: float, dy: float) -> None:
        self.dx, self.dy = dx, dy
        self.marks: list[Mark] = []
        self.press: tuple[Any, list[tuple[float, float]]] | None = None  # button down, path
        self.typed: Mark | None = None  # the text being typed, until something else happens
        self.lone_modifier: str | None = None  # a modifier pressed with no key yet
        self.scroll: tuple[Mark, float] | None = None  # the scroll going on, and its total
        self.pointer: tuple[float, float] | None = None  # where the last move left the pointer

    def point(self, event: Any) -> tuple[float, float] | None:
        if event.x is not None and event.y is not None:
            return event.x - self.dx, event.y - self.dy
        box = event.target.bbox if event.target is not None else None
        if box is not None:  # an element named, not a pixel: its centre
            return box.x - self.dx + box.width / 2, box.y - self.dy + box.height / 2
        return None

    def add(self, mark: Mark) -> None:
        if len(self.marks) < MAX_MARKS:
            self.marks.append(mark)

    def end_typing(self) -> None:
        self.typed = None
        self.scroll = None

    def type_text(self, event: Any, text: str, replace: bool = False) -> None:
        self.scroll = None
        if self.typed is None:
            box = event.target.bbox if event.target is not None else None
            self.typed = Mark("type", "", 8.0, 8.0)
            if box is not None:
                self.typed.x, self.typed.y = box.x - self.dx, box.y - self.dy
                self.typed.width, self.typed.height = box.width, box.height
            self.add(self.typed)
        buffer = self.typed.label
        if replace:
            buffer = text
        elif text == "\b":
            buffer = buffer[:-1] if buffer else "⌫"
        else:
            buffer += text
        self.typed.label = buffer

    def key_down(self, event: Any) -> None:
        key, modifiers = event.key, event.modifiers
        if key in MODIFIERS:  # named with the key it modifies, or alone when released
            self.lone_modifier = key
            return
        self.lone_modifier = None
        if types_text(event):
            self.type_text(event, "\b" if key == "Backspace" else key)
            return
        self.end_typing()
        self.add(Mark("key", hotkey_name(key, modifiers)))

    def key_up(self, event: Any) -> None:
        if event.key in MODIFIERS and self.lone_modifier == event.key:
            self.end_typing()
            self.add(Mark("key", event.key))
        self.lone_modifier = None

    def button_down(self, event: Any) -> None:
        self.end_typing()
        self.finish_press()
        at = self.point(event)
        self.press = (event, [at] if at else [])

    def pointer_move(self, event: Any) -> None:
        at = self.point(event)
        if at is not None:
            self.pointer = at
            if self.press is not None and self.press[1]:
                self.press[1].append(at)

    def finish_press(self, up: Any = None) -> None:
        if self.press is None:
            return
        down, path = self.press
        self.press = None
        end = self.point(up) if up is not None else None
        if end is not None and path:
            path.append(end)
        name = _target_name(down)
        if path and math.dist(path[0], path[-1]) > DRAG_MIN_PX:
            label = clip(f"drag{name}")
            self.add(Mark("drag", label, *path[0], path=_thin(path)))
            return
        what = {2: "double-click", 3: "triple-click"}.get(down.click_count, "click")
        if down.button != "left":
            what = f"{down.button} {what}"
        x, y = path[0] if path else (None, None)
        self.add(Mark("click", clip(what + name), x, y))

    def wheel(self, event: Any) -> None:
        at = self.point(event)
        going = self.scroll
        self.end_typing()
        if going is not None and _near(going[0], at):
            total = going[1] + event.dy
            going[0].label = f"scroll {total:+.0f}"
            self.scroll = (going[0], total)
            return
        x, y = at or (None, None)
        mark = Mark("scroll", f"scroll {event.dy:+.0f}", x, y)
        self.add(mark)
        self.scroll = (mark, event.dy)

    def label(self, kind: str, text: str) -> None:
        self.end_typing()
        self.finish_press()
        self.add(Mark(kind, clip(text)))


def step_marks(events: Iterable[Any], offset: tuple[float, float] = (0.0, 0.0)) -> list[Mark]:
    """The marks of one step's events (trajectory event models), in the order they happened.

    Args:
        events: the step's events.
        offset: the page's top-left corner in the events' coordinates (a recording in screen
            coordinates); subtracted from every position.

    Returns:
        At most MAX_MARKS marks, in the page's coordinates.
    """
    build = _StepMarks(*offset)
    for event in events:
        kind = event.type
        if kind == "mouse.down":
            build.button_down(event)
        elif kind == "mouse.move":
            build.pointer_move(event)
        elif kind == "mouse.up":
            if build.press is not None:
                build.finish_press(event)
        elif kind == "mouse.wheel":
            build.wheel(event)
        elif kind == "key.down":
            build.key_down(event)
        elif kind == "key.up":
            build.key_up(event)
        elif kind == "text.input":
            build.type_text(event, event.text, replace=event.replace)
        else:
            text = _event_label(event)
            if text:
                build.label("answer" if kind == "answer" else "nav", text)
    build.finish_press()
    if not build.marks and build.pointer is not None:  # a step that only moved the pointer
        build.add(Mark("move", "pointer here", *build.pointer))
    for mark in build.marks:
        if mark.kind == "type":
            masked = bool(mark.label) and not mark.label.strip(MASK)
            mark.label = "typed (masked)" if masked else clip(f"typed “{mark.label}”")
    return build.marks


def _event_label(event: Any) -> str:
    """The label of an event that is no pointer or key input ("" for those not shown)."""
    kind: str = event.type
    if kind == "nav.goto":
        return f"go to {event.url}"
    if kind in ("nav.back", "nav.forward", "nav.reload"):
        return kind.removeprefix("nav.")
    if kind == "tab.open":
        return f"new tab {event.url or ''}".strip()
    if kind == "tab.switch":
        return f"switch to tab {event.index + 1}"
    if kind == "tab.close":
        return "close tab"
    if kind == "answer":
        return f"answer “{event.text}”"
    return ""


def _target_name(event: Any) -> str:
    """` on button “Send”`: what the pointer pressed, when the recording says."""
    target = event.target
    if target is None:
        return ""
    name = target.name or target.text or ""
    role = target.role or target.tag or ""
    if not (name or role):
        return ""
    return f" on {role} “{clip(name.strip(), 40)}”" if name else f" on {role}"


def _near(mark: Mark, at: tuple[float, float] | None) -> bool:
    if mark.x is None or mark.y is None or at is None:
        return mark.x is None and at is None
    return math.dist((mark.x, mark.y), at) < SCROLL_MERGE_PX


def _thin(path: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """At most MAX_PATH_POINTS of the path, evenly spaced, its ends kept."""
    if len(path) <= MAX_PATH_POINTS:
        return path
    step = (len(path) - 1) / (MAX_PATH_POINTS - 1)
    return [path[round(i * step)] for i in range(MAX_PATH_POINTS)]


def describe(marks: list[Mark]) -> str:
    """A step's marks as one line (for recordings, whose steps have no action text)."""
    return "; ".join(m.label for m in marks) or "(no input)"
