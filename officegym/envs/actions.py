"""Actions: typed data with one schema, parsed from model output and never executed as code.

Two modes share the vocabulary of the trajectory events. `computer` acts at pixels (what OS-level
capture records); `browser` acts on element ids from the observation's accessibility tree.

>>> parse_action("click(120, 48)", "computer")
Click(action='click', x=120.0, y=48.0, button='left')
>>> parse_action("fill('12', 'hello')", "browser")
Fill(action='fill', element='12', text='hello')
"""

from __future__ import annotations

import ast
import json
from typing import Annotated, Any, Literal

from gymnasium import spaces
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from officegym.errors import ActionError
from officegym.trajectory.keys import MODIFIERS

ActionMode = Literal["computer", "browser"]
Button = Literal["left", "middle", "right"]


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_call(self) -> str:
        """The action as a call string that `parse_action` reads back."""
        args = ", ".join(repr(v) for k, v in self.model_dump().items() if k != "action")
        return f"{self.model_dump()['action']}({args})"


class Move(_Action):
    """Move the pointer to (x, y) in viewport pixels."""

    action: Literal["move"] = "move"
    x: float
    y: float


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
    x: float
    y: float
    button: Button = "left"


class DoubleClick(_Action):
    """Double-click at (x, y)."""

    action: Literal["double_click"] = "double_click"
    x: float
    y: float


class RightClick(_Action):
    """Right-click at (x, y)."""

    action: Literal["right_click"] = "right_click"
    x: float
    y: float


class Drag(_Action):
    """Press at (x1, y1), move to (x2, y2), release."""

    action: Literal["drag"] = "drag"
    x1: float
    y1: float
    x2: float
    y2: float


class Wheel(_Action):
    """Scroll by (dx, dy) pixels with the pointer at (x, y)."""

    action: Literal["wheel"] = "wheel"
    x: float
    y: float
    dx: float = 0
    dy: float


class Key(_Action):
    """Press and release one key: `key('Enter')`, `key('j')`, `key('#')`."""

    action: Literal["key"] = "key"
    key: str


class Hotkey(_Action):
    """Press keys together, modifiers first: `hotkey('Control', 'a')`."""

    action: Literal["hotkey"] = "hotkey"
    keys: list[str] = Field(min_length=1)


class Type(_Action):
    """Type text into the focused element, key by key."""

    action: Literal["type"] = "type"
    text: str


class Wait(_Action):
    """Let the page run for `ms` milliseconds (at most 10 s)."""

    action: Literal["wait"] = "wait"
    ms: float = Field(default=500, ge=0, le=10_000)


class Answer(_Action):
    """End the episode; `text` is the answer when the task asks a question."""

    action: Literal["answer"] = "answer"
    text: str = ""


class ClickElement(_Action):
    """Click the element with this id."""

    action: Literal["click"] = "click"
    element: str


class Fill(_Action):
    """Replace the value of a text field with `text`."""

    action: Literal["fill"] = "fill"
    element: str
    text: str


class Select(_Action):
    """Choose an option of a native `<select>` by its visible text."""

    action: Literal["select"] = "select"
    element: str
    option: str


class Hover(_Action):
    """Move the pointer over the element."""

    action: Literal["hover"] = "hover"
    element: str


class Press(_Action):
    """Focus the element (if given) and press a key or combination: `press('4', 'Control+a')`."""

    action: Literal["press"] = "press"
    element: str | None = None
    key: str


class Goto(_Action):
    """Open a URL in the current tab."""

    action: Literal["goto"] = "goto"
    url: str


class Back(_Action):
    """Go back in the tab's history."""

    action: Literal["back"] = "back"


class DragAndDrop(_Action):
    """Press on one element, move to another and release there: `drag_and_drop('12', '30')`."""

    action: Literal["drag_and_drop"] = "drag_and_drop"
    element: str
    to: str


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


def parse_action(value: Any, mode: ActionMode) -> _Action:
    """Parse an action from a model, a dict, a JSON object string or a call string.

    Call strings are read with `ast` and only literal arguments are accepted: `click(10, 20)`,
    `fill('a3', "hi")`, `hotkey('Control', 'a')`, `answer(text='42')` (BrowserGym's style).

    Raises:
        ActionError: the value is not a valid action of this mode; the message says why and
            lists the valid actions.
    """
    if mode not in _MODELS:
        raise ActionError(f"unknown action mode {mode!r}: use 'computer' or 'browser'")
    if isinstance(value, _Action):
        if type(value) not in _MODELS[mode].values():
            raise ActionError(
                f"{value.to_call()} is not a {mode} action; valid: {', '.join(action_names(mode))}"
            )
        return value
    if isinstance(value, str):
        text = value.strip()
        value = _parse_json(text) if text.startswith("{") else _parse_call(text, mode)
    if not isinstance(value, dict):
        raise ActionError(
            f"an action must be a call string or an object, got {type(value).__name__}"
        )
    try:
        return _ADAPTERS[mode].validate_python(value)  # type: ignore[no-any-return]
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"][1:])
        name = value.get("action")
        if name not in _MODELS[mode]:
            raise ActionError(
                f"unknown {mode} action {name!r}; valid: {', '.join(action_names(mode))}"
            ) from None
        raise ActionError(f"{name}: {where}: {err['msg']}") from None


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ActionError(f"invalid JSON action: {exc.msg} at column {exc.colno}") from None


def _parse_call(text: str, mode: ActionMode) -> dict[str, Any]:
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        example = "click(100, 200)" if mode == "computer" else "click('12')"
        raise ActionError(
            f"cannot parse action {text[:80]!r}: {exc.msg} (write e.g. {example})"
        ) from None
    if not isinstance(tree, ast.Call) or not isinstance(tree.func, ast.Name):
        raise ActionError(f"an action is one call like click(...), got {text[:80]!r}")
    name = tree.func.id
    model = _MODELS[mode].get(name)
    if model is None:
        raise ActionError(f"unknown {mode} action {name!r}; valid: {', '.join(action_names(mode))}")
    fields = [f for f in model.model_fields if f != "action"]
    try:
        args = [ast.literal_eval(a) for a in tree.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in tree.keywords if k.arg}
    except ValueError:
        raise ActionError(f"{name}: arguments must be literals (numbers, strings)") from None
    if name == "hotkey" and args:  # hotkey('Control', 'a'), hotkey('Control+a'), hotkey([...])
        if len(args) == 1:
            keys = args[0] if isinstance(args[0], list) else str(args[0]).split("+")
        else:
            keys = args
        return {"action": name, "keys": keys, **kwargs}
    if name == "press" and len(args) == 1:  # press('Enter') presses on the focused element
        return {"action": name, "key": args[0], **kwargs}
    if len(args) > len(fields):
        raise ActionError(f"{name} takes at most {len(fields)} arguments ({', '.join(fields)})")
    data = dict(zip(fields, args, strict=False))
    data.update(kwargs)
    for key in ("element", "to"):  # click(12) means element "12"
        if key in data and isinstance(data[key], int):
            data[key] = str(data[key])
    return {"action": name, **data}


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
            parse_action(x, self.mode)
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


class TextSpace(spaces.Space[str]):
    """Any Unicode string up to `max_length` (gymnasium's Text space only takes a fixed charset)."""

    def __init__(self, max_length: int = 1_000_000, seed: int | None = None) -> None:
        super().__init__(shape=None, dtype=None, seed=seed)
        self.max_length = max_length

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and len(x) <= self.max_length

    def sample(self, mask: Any = None, probability: Any = None) -> str:
        n = int(self.np_random.integers(0, 16))
        return "".join(chr(int(c)) for c in self.np_random.integers(32, 127, size=n))

    def __repr__(self) -> str:
        return f"TextSpace({self.max_length})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextSpace) and other.max_length == self.max_length


__all__ = [
    "MODIFIERS",
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
    "TextSpace",
    "Type",
    "Wait",
    "Wheel",
    "action_names",
    "parse_action",
]
