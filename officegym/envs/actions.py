"""Actions: typed data with one schema, parsed from model output and never executed as code.

Two modes share the vocabulary of the trajectory events. `computer` acts at pixels (what OS-level
capture records); `browser` acts on element ids from the observation's accessibility tree.

>>> parse_action("click(120, 48)", "computer")
Click(action='click', x=120.0, y=48.0, button='left')
>>> parse_action("fill('12', 'hello')", "browser")
Fill(action='fill', element='12', text='hello')

An action comes from a model the env does not trust: it is bounded before it is parsed (length,
nesting, tokens; string lengths; finite numbers, positions near the viewport: the `MAX_*` and
`VIEWPORT_MARGIN` constants, listed in docs/agents.md "Limits"), and whatever is wrong with it is
an `ActionError`, the step's `last_action_error`: never another exception, a hang or a huge
allocation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from gymnasium import spaces
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from officegym.envs._bounds import (
    MAX_ACTION_CHARS,
    MAX_COORD,
    MAX_DEPTH,
    MAX_HOTKEY_KEYS,
    MAX_OPERATORS,
    MAX_SCROLL,
    MAX_STRING_CHARS,
    MAX_TEXT_CHARS,
    MAX_TYPE_CHARS,
    MAX_VALUES,
    VIEWPORT_MARGIN,
    check_position,
    plain,
    read_call,
    read_json,
    short,
)
from officegym.errors import ActionError
from officegym.trajectory.keys import MODIFIERS

ActionMode = Literal["computer", "browser"]
# back and forward: a mouse's side buttons, which make the browser go back or forward.
Button = Literal["left", "middle", "right", "back", "forward"]

Coord = Annotated[float, Field(ge=-MAX_COORD, le=MAX_COORD, allow_inf_nan=False)]
Scroll = Annotated[float, Field(ge=-MAX_SCROLL, le=MAX_SCROLL, allow_inf_nan=False)]
Name = Annotated[str, Field(max_length=MAX_STRING_CHARS)]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_call(self) -> str:
        """The action as a call string that `parse_action` reads back."""
        args = ", ".join(repr(v) for k, v in self.model_dump().items() if k != "action")
        return f"{self.model_dump()['action']}({args})"


class Move(_Action):
    """Move the pointer to (x, y) in viewport pixels (within `VIEWPORT_MARGIN` of the viewport)."""

    action: Literal["move"] = "move"
    x: Coord
    y: Coord


class MouseDown(_Action):
    """Press a mouse button where the pointer is."""

    action: Literal["down"] = "down"
    button: Button = "left"


class MouseUp(_Action):
    """Release a mouse button where the pointer is."""

    action: Literal["up"] = "up"
    button: Button = "left"


class Click(_Action):
    """Click at (x, y)."""

    action: Literal["click"] = "click"
    x: Coord
    y: Coord
    button: Button = "left"


class DoubleClick(_Action):
    """Double-click at (x, y)."""

    action: Literal["double_click"] = "double_click"
    x: Coord
    y: Coord


class RightClick(_Action):
    """Right-click at (x, y)."""

    action: Literal["right_click"] = "right_click"
    x: Coord
    y: Coord


class Drag(_Action):
    """Press at (x1, y1), move to (x2, y2), release."""

    action: Literal["drag"] = "drag"
    x1: Coord
    y1: Coord
    x2: Coord
    y2: Coord


class Wheel(_Action):
    """Scroll by (dx, dy) pixels (at most `MAX_SCROLL` each) with the pointer at (x, y)."""

    action: Literal["wheel"] = "wheel"
    x: Coord
    y: Coord
    dx: Scroll = 0
    dy: Scroll


class Key(_Action):
    """Press and release one key: `key('Enter')`, `key('j')`, `key('#')`."""

    action: Literal["key"] = "key"
    key: Name


class Hotkey(_Action):
    """Press keys together, modifiers first: `hotkey('Control', 'a')` (`MAX_HOTKEY_KEYS` keys)."""

    action: Literal["hotkey"] = "hotkey"
    keys: list[Name] = Field(min_length=1, max_length=MAX_HOTKEY_KEYS)


class Type(_Action):
    """Type text into the focused element (at most `MAX_TYPE_CHARS` characters): a key for each
    character a US keyboard has (newline is Enter, tab is Tab), and any other character (é, 中,
    🙂) as an input method enters it (the browser's insertText)."""

    action: Literal["type"] = "type"
    text: Annotated[str, Field(max_length=MAX_TYPE_CHARS)]


class Wait(_Action):
    """Let the page run for `ms` milliseconds (at most 10 s)."""

    action: Literal["wait"] = "wait"
    ms: float = Field(default=500, ge=0, le=10_000, allow_inf_nan=False)


class Answer(_Action):
    """End the episode; `text` (at most `MAX_TEXT_CHARS`) is the answer when the task asks."""

    action: Literal["answer"] = "answer"
    text: Text = ""


class ClickElement(_Action):
    """Click the element with this id."""

    action: Literal["click"] = "click"
    element: Name


class Fill(_Action):
    """Replace the value of a text field with `text` (at most `MAX_TEXT_CHARS` characters)."""

    action: Literal["fill"] = "fill"
    element: Name
    text: Text


class Select(_Action):
    """Choose an option of a native `<select>` by its visible text."""

    action: Literal["select"] = "select"
    element: Name
    option: Name


class Hover(_Action):
    """Move the pointer over the element."""

    action: Literal["hover"] = "hover"
    element: Name


class Press(_Action):
    """Focus the element (if given) and press a key or combination: `press('4', 'Control+a')`."""

    action: Literal["press"] = "press"
    element: Name | None = None
    key: Name


class Goto(_Action):
    """Open a URL in the current tab."""

    action: Literal["goto"] = "goto"
    url: Name


class Back(_Action):
    """Go back in the tab's history."""

    action: Literal["back"] = "back"


class DragAndDrop(_Action):
    """Press on one element, move to another and release there: `drag_and_drop('12', '30')`."""

    action: Literal["drag_and_drop"] = "drag_and_drop"
    element: Name
    to: Name


class TabFocus(_Action):
    """Make tab `index` the active one (numbers as in the observation's `tabs`)."""

    action: Literal["tab_focus"] = "tab_focus"
    index: int = Field(ge=0)


class TabClose(_Action):
    """Close the active tab; the nearest open tab before it becomes active."""

    action: Literal["tab_close"] = "tab_close"


ComputerAction = Annotated[
    Move
    | MouseDown
    | MouseUp
    | Click
    | DoubleClick
    | RightClick
    | Drag
    | Wheel
    | Key
    | Hotkey
    | Type
    | Wait
    | TabFocus
    | TabClose
    | Answer,
    Field(discriminator="action"),
]
BrowserAction = Annotated[
    ClickElement
    | Fill
    | Select
    | Hover
    | Press
    | DragAndDrop
    | Goto
    | Back
    | TabFocus
    | TabClose
    | Wait
    | Answer,
    Field(discriminator="action"),
]
Action = (
    Move
    | MouseDown
    | MouseUp
    | Click
    | DoubleClick
    | RightClick
    | Drag
    | Wheel
    | Key
    | Hotkey
    | Type
    | Wait
    | Answer
    | ClickElement
    | Fill
    | Select
    | Hover
    | Press
    | Goto
    | Back
    | DragAndDrop
    | TabFocus
    | TabClose
)
_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "computer": TypeAdapter(ComputerAction),
    "browser": TypeAdapter(BrowserAction),
}


def _models(mode: ActionMode) -> dict[str, type[_Action]]:
    union = ComputerAction if mode == "computer" else BrowserAction
    members = union.__origin__.__args__  # type: ignore[attr-defined]
    return {m.model_fields["action"].default: m for m in members}


_MODELS: dict[str, dict[str, type[_Action]]] = {
    "computer": _models("computer"),
    "browser": _models("browser"),
}


def action_names(mode: ActionMode) -> list[str]:
    """The action names valid in a mode."""
    return sorted(_MODELS[mode])


def parse_action(
    value: Any,
    mode: ActionMode,
    viewport: tuple[int, int] | None = None,
    margin: float = VIEWPORT_MARGIN,
) -> _Action:
    """Parse an action from a model, a dict, a JSON object string or a call string.

    Call strings are read with `ast` and only literal arguments are accepted: `click(10, 20)`,
    `fill('a3', "hi")`, `hotkey('Control', 'a')`, `answer(text='42')` (BrowserGym's style).
    Everything is bounded before it is parsed (the module's docstring lists the limits); a model
    is checked again, as one made with `model_construct` was never checked.

    Args:
        viewport: (width, height): positions must then lie within `margin` pixels of it.

    Raises:
        ActionError: the value is not a valid action of this mode, or is out of bounds; the
            message says why and lists the valid actions. Nothing else, whatever `value` is.
    """
    if mode not in _MODELS:
        raise ActionError(f"unknown action mode {mode!r}: use 'computer' or 'browser'")
    try:
        action = _parse(value, mode)
    except ActionError:
        raise
    except Exception as exc:  # the bounds leave nothing for this: it keeps the promise above
        raise ActionError(f"unreadable action ({type(exc).__name__})") from None
    if viewport is not None:
        check_position(action, viewport, margin)
    return action


def _parse(value: Any, mode: ActionMode) -> _Action:
    if isinstance(value, _Action):
        if type(value) not in _MODELS[mode].values():
            raise ActionError(
                f"{short(value.to_call())} is not a {mode} action; "
                f"valid: {', '.join(action_names(mode))}"
            )
        value = value.model_dump()
    elif isinstance(value, str):
        text = str.strip(value)  # a str subclass's own strip is not run
        value = read_json(text) if text.startswith("{") else read_call(text, _MODELS[mode], mode)
    if not isinstance(value, dict):
        raise ActionError(
            f"an action must be a call string or an object, got {type(value).__name__}"
        )
    value = plain(value)
    try:
        return _ADAPTERS[mode].validate_python(value)  # type: ignore[no-any-return]
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"][1:])
        name = value.get("action")
        if name not in _MODELS[mode]:
            raise ActionError(
                f"unknown {mode} action {short(name)}; valid: {', '.join(action_names(mode))}"
            ) from None
        raise ActionError(f"{name}: {where[:80]}: {err['msg']}") from None


class ActionSpace(spaces.Space[Any]):
    """The action space of an env: any valid action of its mode (model, dict or string).

    `sample()` draws a random action with the space's seeded generator (the random agent uses it).
    """

    def __init__(self, mode: ActionMode, width: int, height: int, seed: int | None = None) -> None:
        super().__init__(shape=None, dtype=None, seed=seed)
        self.mode, self.width, self.height = mode, width, height
        self.element_ids: list[str] = []  # the env keeps this current so samples can name elements

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def contains(self, x: Any) -> bool:
        try:
            parse_action(x, self.mode, viewport=(self.width, self.height))
        except ActionError:
            return False
        return True

    def sample(self, mask: Any = None, probability: Any = None) -> _Action:
        rng = self.np_random
        if self.mode == "computer":
            x, y = float(rng.integers(0, self.width)), float(rng.integers(0, self.height))
            choice = rng.choice(["click", "click", "click", "move", "wheel", "key", "type"])
            if choice == "move":
                return Move(x=x, y=y)
            if choice == "wheel":
                return Wheel(x=x, y=y, dy=float(rng.choice([-300, 300])))
            if choice == "key":
                return Key(key=str(rng.choice(["Enter", "Escape", "Tab", "j", "k", "e", "s", "c"])))
            if choice == "type":
                return Type(text=str(rng.choice(["hello", "ok", "test"])))
            return Click(x=x, y=y)
        ids = self.element_ids or ["1"]
        element = str(rng.choice(ids))
        choice = rng.choice(["click", "click", "click", "fill", "press", "hover"])
        if choice == "fill":
            return Fill(element=element, text=str(rng.choice(["hello", "ok", "test"])))
        if choice == "press":
            return Press(element=element, key=str(rng.choice(["Enter", "Escape", "Tab"])))
        if choice == "hover":
            return Hover(element=element)
        return ClickElement(element=element)

    def __repr__(self) -> str:
        return f"ActionSpace({self.mode!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ActionSpace) and other.mode == self.mode


__all__ = [
    "MAX_ACTION_CHARS",
    "MAX_COORD",
    "MAX_DEPTH",
    "MAX_HOTKEY_KEYS",
    "MAX_OPERATORS",
    "MAX_SCROLL",
    "MAX_STRING_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_TYPE_CHARS",
    "MAX_VALUES",
    "MODIFIERS",
    "VIEWPORT_MARGIN",
    "Action",
    "ActionMode",
    "ActionSpace",
    "Answer",
    "Back",
    "BrowserAction",
    "Click",
    "ClickElement",
    "ComputerAction",
    "DoubleClick",
    "Drag",
    "DragAndDrop",
    "Fill",
    "Goto",
    "Hotkey",
    "Hover",
    "Key",
    "MouseDown",
    "MouseUp",
    "Move",
    "Press",
    "RightClick",
    "Select",
    "TabClose",
    "TabFocus",
    "Type",
    "Wait",
    "Wheel",
    "action_names",
    "parse_action",
]
