"""Pydantic models of every event type in ``events.jsonl`` and the one-line parser."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from officegym.errors import TrajectoryFormatError

from ._models import MASK, JsonDict, _Model, _require, format_validation_error


class BBox(_Model):
    """A rectangle in the trajectory's coordinate space."""

    x: float
    y: float
    width: float = Field(ge=0)
    height: float = Field(ge=0)


class Offset(_Model):
    """A point relative to the top-left corner of a target element."""

    x: float
    y: float


class Target(_Model):
    """The element an event acted on, as far as the recorder could tell."""

    selector: str | None = None
    role: str | None = None
    name: str | None = None
    tag: str | None = None
    text: str | None = None
    bbox: BBox | None = None
    offset: Offset | None = None
    autocomplete: str | None = Field(
        default=None,
        description="A form field's autocomplete attribute (`cc-number`), as recorded for the "
        "focused field of a key event: what lets an audit check a capture policy's mask rules.",
    )
    alternatives: list[str] | None = Field(
        default=None,
        description="Other selectors of the same element, tried in order when selector matches "
        "nothing (imported recordings carry several).",
    )


class TokenCount(_Model):
    """The tokens of a model request, as its server counted them."""

    prompt: int = Field(ge=0)
    completion: int = Field(ge=0)


class AgentTurn(_Model):
    """The agent's own account of one step, as it gave it (`last_step`, docs/agents.md)."""

    reply: str = Field(default="", description="The model's reply text (cut, with a note).")
    action: str = Field(default="", description="The action the agent read from its reply.")
    request_s: float | None = Field(
        default=None, ge=0, description="Seconds its request(s) took, retries included."
    )
    tokens: TokenCount | None = None
    error: str | None = Field(default=None, description="What went wrong in the agent's step.")


class _Event(_Model):
    model_config = ConfigDict(json_schema_extra=_require("type"))

    t: float = Field(ge=0, description="Milliseconds since the trajectory started.")
    # Redeclared as a Literal in every subclass; declared here so it is serialised second.
    type: str
    target: Target | None = None
    action: dict[str, Any] | None = None
    tab: int | None = None
    agent: AgentTurn | None = Field(
        default=None,
        description="On the first event an agent's step wrote: the agent's account of the step.",
    )


def _move_schema(schema: JsonDict) -> None:
    _require("type")(schema)
    schema["anyOf"] = [
        {"required": ["x", "y"], "properties": {"x": {"type": "number"}, "y": {"type": "number"}}},
        {
            "required": ["target"],
            "properties": {
                "target": {
                    "type": "object",
                    "required": ["selector"],
                    "properties": {"selector": {"type": "string"}},
                }
            },
        },
    ]


def _check_position(event: Any) -> None:
    """x and y together, or neither when target.selector names the element to act on."""
    if (event.x is None) != (event.y is None):
        missing = "x" if event.x is None else "y"
        raise PydanticCustomError("xy_pair", "x and y must be given together", {"field": missing})
    if event.x is None and (event.target is None or event.target.selector is None):
        raise PydanticCustomError(
            "position_required",
            "x and y are required unless target.selector names the element to act on",
            {"field": "x"},
        )


class MouseMove(_Event):
    """The pointer moved; x and y may be omitted when target.selector names the element."""

    model_config = ConfigDict(json_schema_extra=_move_schema)

    type: Literal["mouse.move"] = "mouse.move"
    x: float | None = None
    y: float | None = None

    @model_validator(mode="after")
    def _position_or_selector(self) -> MouseMove:
        _check_position(self)
        return self


class _MouseButton(_Event):
    # Without x and y (sources that record where, not at what pixel), the position is the
    # element's named by target.selector, plus target.offset, resolved at replay.
    model_config = ConfigDict(json_schema_extra=_move_schema)

    x: float | None = None
    y: float | None = None
    # back and forward: a mouse's fourth and fifth buttons (Chromium goes back or forward).
    button: Literal["left", "middle", "right", "back", "forward"] = "left"
    click_count: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _position_or_selector(self) -> _MouseButton:
        _check_position(self)
        return self


class MouseDown(_MouseButton):
    """A mouse button was pressed."""

    type: Literal["mouse.down"] = "mouse.down"


class MouseUp(_MouseButton):
    """A mouse button was released."""

    type: Literal["mouse.up"] = "mouse.up"


class MouseWheel(_Event):
    """The wheel scrolled by dx/dy pixels with the pointer at x/y (or over target.selector)."""

    model_config = ConfigDict(json_schema_extra=_move_schema)

    type: Literal["mouse.wheel"] = "mouse.wheel"
    x: float | None = None
    y: float | None = None
    dx: float
    dy: float

    @model_validator(mode="after")
    def _position_or_selector(self) -> MouseWheel:
        _check_position(self)
        return self


Modifier = Literal["Alt", "Control", "Meta", "Shift"]


def _masked_key_schema(schema: JsonDict) -> None:
    _require("type")(schema)
    schema["if"] = {"required": ["masked"], "properties": {"masked": {"const": True}}}
    schema["then"] = {"properties": {"key": {"const": MASK}, "code": {"type": "null"}}}


class _Key(_Event):
    model_config = ConfigDict(json_schema_extra=_masked_key_schema)

    key: str
    code: str | None = None
    modifiers: list[Modifier] = Field(default_factory=list)
    masked: bool = False

    @model_validator(mode="after")
    def _never_store_secrets(self) -> _Key:
        if self.masked and self.key != MASK:
            raise PydanticCustomError(
                "masked_key",
                "a masked key event must store key '•', not the real key",
                {"field": "key"},
            )
        if self.masked and self.code is not None:
            raise PydanticCustomError(
                "masked_code",
                "a masked key event must not store the physical key code",
                {"field": "code"},
            )
        return self


class KeyDown(_Key):
    """A key was pressed."""

    type: Literal["key.down"] = "key.down"


class KeyUp(_Key):
    """A key was released."""

    type: Literal["key.up"] = "key.up"


def _masked_text_schema(schema: JsonDict) -> None:
    _require("type")(schema)
    schema["if"] = {"required": ["masked"], "properties": {"masked": {"const": True}}}
    schema["then"] = {"properties": {"text": {"pattern": f"^{MASK}*$"}}}


class TextInput(_Event):
    """Text typed; with replace=true, the new value of the whole field."""

    model_config = ConfigDict(json_schema_extra=_masked_text_schema)

    type: Literal["text.input"] = "text.input"
    text: str
    replace: bool = False
    masked: bool = False

    @model_validator(mode="after")
    def _never_store_secrets(self) -> TextInput:
        if self.masked and self.text.strip(MASK):
            raise PydanticCustomError(
                "masked_text",
                "masked text must consist of '•' characters only",
                {"field": "text"},
            )
        return self


class NavGoto(_Event):
    """The active tab navigated to url."""

    type: Literal["nav.goto"] = "nav.goto"
    url: str


class NavBack(_Event):
    """History back."""

    type: Literal["nav.back"] = "nav.back"


class NavForward(_Event):
    """History forward."""

    type: Literal["nav.forward"] = "nav.forward"


class NavReload(_Event):
    """The page was reloaded."""

    type: Literal["nav.reload"] = "nav.reload"


class TabOpen(_Event):
    """A new tab was opened (and became active)."""

    type: Literal["tab.open"] = "tab.open"
    url: str | None = None


class TabSwitch(_Event):
    """The tab at index (0-based, in opening order) became active."""

    type: Literal["tab.switch"] = "tab.switch"
    index: int = Field(ge=0)


class TabClose(_Event):
    """The tab at index (the active tab when index is null) was closed."""

    type: Literal["tab.close"] = "tab.close"
    index: int | None = Field(default=None, ge=0)


_FRAME_PATTERN = r"^(?!/)(?!.*(^|/)\.\.(/|$))[^\\:]+$"


class Screenshot(_Event):
    """A screenshot stored under frames/, with the SHA-256 of its bytes."""

    type: Literal["screenshot"] = "screenshot"
    frame: str = Field(
        description="Path of the image relative to the trajectory root, e.g. frames/000003.png.",
        json_schema_extra={"pattern": _FRAME_PATTERN},
    )
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @field_validator("frame")
    @classmethod
    def _relative_path(cls, value: str) -> str:
        # Frames must stay inside the trajectory so a crafted file cannot read arbitrary paths.
        if not re.fullmatch(_FRAME_PATTERN, value):
            raise ValueError(
                "must be a relative path inside the trajectory using '/', without '..', "
                "like 'frames/000003.png'"
            )
        return value


class Observe(_Event):
    """The page state the agent saw: URL and title."""

    type: Literal["observe"] = "observe"
    url: str
    title: str | None = None


def _check_schema(schema: JsonDict) -> None:
    _require("type")(schema)


class Check(_Event):
    """An assertion the recording makes about the page, checked at replay (imported recordings:
    Chrome Recorder's waitForElement, waitForExpression and asserted navigations).

    - ``element``: the count of elements matching target.selector (else the first of its
      alternatives that matches anything) compares to ``count`` by ``operator``; with
      ``properties`` or ``attributes``, every one of them must have those values too; and
      ``visible: false`` inverts the whole condition (it must stop holding), as
      @puppeteer/replay's waitForElement does.
    - ``expression``: the JavaScript ``expression`` is truthy in the page.
    - ``navigation``: the page's URL is ``url`` and/or its title is ``title``.

    Each holds within ``timeout_ms`` or the replay diverges here.
    """

    model_config = ConfigDict(json_schema_extra=_check_schema)

    type: Literal["check"] = "check"
    kind: Literal["element", "expression", "navigation"]
    operator: Literal[">=", "==", "<="] = ">="
    count: int = Field(default=1, ge=0)
    visible: bool | None = None
    properties: dict[str, Any] | None = None
    attributes: dict[str, str] | None = None
    expression: str | None = None
    url: str | None = None
    title: str | None = None
    timeout_ms: float = Field(default=5000, ge=0)

    @model_validator(mode="after")
    def _what_to_check(self) -> Check:
        if self.kind == "element" and (self.target is None or self.target.selector is None):
            raise PydanticCustomError(
                "check_selector", "an element check needs target.selector", {"field": "target"}
            )
        if self.kind == "expression" and not self.expression:
            raise PydanticCustomError(
                "check_expression", "an expression check needs expression", {"field": "expression"}
            )
        if self.kind == "navigation" and self.url is None and self.title is None:
            raise PydanticCustomError(
                "check_navigation", "a navigation check needs url or title", {"field": "url"}
            )
        return self


class Answer(_Event):
    """The agent's final textual answer."""

    type: Literal["answer"] = "answer"
    text: str


class Done(_Event):
    """The episode ended (after an `answer`, or for the `reason` given)."""

    type: Literal["done"] = "done"
    reason: Literal["max_steps", "page_done"] | None = Field(
        default=None,
        description="Why the episode ended without an answer, when the writer knows: "
        "`max_steps` (the task's step limit cut it off: truncated, yet a whole recording), "
        "`page_done` (the task's page ended it, as MiniWoB++ pages do).",
    )


Event = Annotated[
    MouseMove
    | MouseDown
    | MouseUp
    | MouseWheel
    | KeyDown
    | KeyUp
    | TextInput
    | NavGoto
    | NavBack
    | NavForward
    | NavReload
    | TabOpen
    | TabSwitch
    | TabClose
    | Screenshot
    | Observe
    | Check
    | Answer
    | Done,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_CLASSES: tuple[type[_Event], ...] = (
    MouseMove, MouseDown, MouseUp, MouseWheel, KeyDown, KeyUp, TextInput,
    NavGoto, NavBack, NavForward, NavReload, TabOpen, TabSwitch, TabClose,
    Screenshot, Observe, Check, Answer, Done,
)  # fmt: skip
EVENT_TYPES: tuple[str, ...] = tuple(c.model_fields["type"].default for c in EVENT_CLASSES)


def parse_event(
    data: str | bytes | Mapping[str, Any], *, path: str = "<event>", line: int | None = None
) -> Event:
    """Parse one event from a JSON line or an already decoded mapping.

    Args:
        data: one line of ``events.jsonl`` or a dict.
        path: file name to report in errors.
        line: line number to report in errors.

    Returns:
        The event model matching the ``type`` field.

    Raises:
        TrajectoryFormatError: invalid JSON, unknown ``type`` or a bad field.

    >>> parse_event('{"t": 5, "type": "mouse.move", "x": 10, "y": 20}')  # doctest: +ELLIPSIS
    MouseMove(t=5.0, type='mouse.move', target=None, ..., x=10.0, y=20.0)
    >>> parse_event({"t": 5, "type": "jump"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    officegym.errors.TrajectoryFormatError: <event>: type: unknown event type 'jump'; ...
    """
    if isinstance(data, str | bytes):
        # pydantic's own JSON parser is the fast path; the stdlib parser runs only after a
        # failure, to word JSON errors the familiar way ("Expecting ',' delimiter").
        try:
            return EVENT_ADAPTER.validate_json(data)
        except ValidationError as exc:
            error = exc
        try:
            decoded = json.loads(data)
        except json.JSONDecodeError as exc:
            problem = f"invalid JSON: {exc.msg} at column {exc.colno}"
            raise TrajectoryFormatError(path, line, None, problem) from None
        except RecursionError:
            raise TrajectoryFormatError(path, line, None, "nested too deeply to read") from None
        _check_object(decoded, path, line)
        raise _to_format_error(error, path, line) from None
    _check_object(data, path, line)
    try:
        return EVENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise _to_format_error(exc, path, line) from None


def _check_object(data: object, path: str, line: int | None) -> None:
    if not isinstance(data, Mapping):
        problem = f"expected a JSON object, got {type(data).__name__}"
        raise TrajectoryFormatError(path, line, None, problem)


def _to_format_error(exc: ValidationError, path: str, line: int | None) -> TrajectoryFormatError:
    first = exc.errors(include_url=False)[0]
    if first["type"] == "union_tag_invalid":
        got = str(first.get("ctx", {}).get("tag"))
        close = difflib.get_close_matches(got, EVENT_TYPES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problem = f"unknown event type {got!r}{hint}; known types: {', '.join(EVENT_TYPES)}"
        return TrajectoryFormatError(path, line, "type", problem)
    if first["type"] == "union_tag_not_found":
        problem = f"missing event type; known types: {', '.join(EVENT_TYPES)}"
        return TrajectoryFormatError(path, line, "type", problem)
    return format_validation_error(exc, path, line, skip=1)
