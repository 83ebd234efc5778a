"""Shared model base, the ``meta.json`` header model and pydantic error conversion."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from officegym.errors import TrajectoryFormatError

FORMAT: Final = "officegym.trajectory/1"
SUPPORTED_FORMATS: tuple[str, ...] = (FORMAT,)
MASK = "•"

JsonDict = dict[str, Any]


def _require(*names: str) -> Any:
    """Build a ``json_schema_extra`` hook marking defaulted fields as required in the schema.

    Fields such as ``type`` and ``format`` have defaults so Python code can omit them, but a
    file must always carry them, so the published schema lists them as required.
    """

    def hook(schema: JsonDict) -> None:
        required = schema.setdefault("required", [])
        required[:0] = [n for n in names if n not in required]

    return hook


class _Model(BaseModel):
    # Unknown keys are errors so typos in hand-written or imported files surface at once;
    # strict, so "12" is not silently taken for the number 12 (it is a bug in the producer);
    # NaN/Infinity are rejected because they are not valid JSON for other readers.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


# ---------------------------------------------------------------------------------------------
# meta.json
# ---------------------------------------------------------------------------------------------


class Recorder(_Model):
    """The program that produced the trajectory."""

    name: str
    version: str


class TaskRef(_Model):
    """The task instance the trajectory was recorded on."""

    id: str
    seed: int
    params: dict[str, Any] = Field(default_factory=dict)


class Viewport(_Model):
    """Browser viewport size in CSS pixels."""

    width: int = Field(gt=0)
    height: int = Field(gt=0)
    device_scale_factor: float = Field(default=1.0, gt=0)


class ScreenOffset(_Model):
    """Position of the viewport's top-left corner on the screen, in CSS pixels."""

    x: int
    y: int


class Outcome(_Model):
    """What the recorded agent or human claimed at the end."""

    claimed_success: bool | None = None
    answer: str | None = None


class Privacy(_Model):
    """Which inputs were masked or redacted while recording."""

    masked_fields: list[str] = Field(default_factory=list)
    redactions: list[dict[str, Any]] = Field(default_factory=list)


GapReason = Literal["excluded", "paused", "idle"]
MAX_GAPS: Final = 1000  # gaps kept in meta.json; past it, capture stays paused to the end


class CaptureGap(_Model):
    """A stretch of the recording in which nothing was captured, and why (a capture policy)."""

    start: float = Field(ge=0, description="Milliseconds since the start when capture stopped.")
    end: float = Field(ge=0, description="Milliseconds since the start when it went on again.")
    reason: GapReason = Field(
        description="`excluded`: a page the policy never captures was shown; `paused`: the "
        "person pressed the pause hotkey; `idle`: no input for the policy's idle limit."
    )
    rule: str | None = Field(
        default=None,
        description="For `excluded`: the policy rule that matched (`app:chat`, or the URL "
        "pattern), never the page's own URL.",
    )

    @model_validator(mode="after")
    def _ends_after_start(self) -> CaptureGap:
        if self.end < self.start:
            raise ValueError(f"a gap ends ({self.end}) before it starts ({self.start})")
        return self


class Capture(_Model):
    """Under which capture policy the recording was made, and where it captured nothing."""

    policy_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the policy (`CapturePolicy.digest`)."
    )
    gaps: list[CaptureGap] = Field(default_factory=list, max_length=MAX_GAPS)


Source = Literal[
    "human", "agent", "synthetic", "import:rrweb", "import:chrome-recorder", "import:miniwob"
]
ImportFormat = Literal["miniwob", "rrweb", "chrome-recorder"]


class SourceLabel(_Model):
    """The source's own verdict on the episode, kept as ground truth (MiniWoB++'s `reward`,
    with the time penalty, and `rawReward`, without)."""

    reward: float | None = None
    raw_reward: float | None = None


class ImportSkip(_Model):
    """A step of the source that has no event in the trajectory, and why."""

    position: str = Field(description="Where in the source: `states[16]`, `steps[3].selectors`.")
    step: str = Field(description="The step's kind in the source's own words.")
    reason: str
    acts: bool = Field(
        default=True,
        description="Whether the step changed the page (a click, a key, a change, a navigation, "
        "an assertion, a step of unknown effect) rather than being harmless to leave out (a "
        "pointer move, a scroll later steps make irrelevant). A replay judges a recording with "
        "a skipped acting step `incomplete`. Absent (an older import): counted as acting.",
    )


class ClockJump(_Model):
    """A place where the source's clock jumped (back, or far forward): the events from `event`
    on were shifted by `-seconds` so that time runs forward, and none was dropped."""

    event: int = Field(ge=0, description="Index in events.jsonl of the first event after it.")
    seconds: float = Field(description="Its size as recorded; negative when the clock went back.")


class UnknownKey(_Model):
    """A key event whose key code has no known key: stored as key `Unidentified`."""

    event: int = Field(ge=0, description="Index in events.jsonl of the event.")
    code: int = Field(description="The key code as the source recorded it.")


class Imported(_Model):
    """Where an imported trajectory came from, and what its import changed or left out. The
    importers list at most 1,000 entries of each kind (import-report.jsonl has every skip)."""

    path: str = Field(description="The source file, as given to `officegym import`.")
    format: ImportFormat
    label: SourceLabel | None = Field(
        default=None, description="The source's own success label; null if it has none."
    )
    skipped: list[ImportSkip] = Field(default_factory=list)
    clock_jumps: list[ClockJump] = Field(default_factory=list)
    unknown_keys: list[UnknownKey] = Field(default_factory=list)


def _meta_schema(schema: JsonDict) -> None:
    _require("format")(schema)
    schema["if"] = {
        "required": ["coordinate_space"],
        "properties": {"coordinate_space": {"const": "screen"}},
    }
    schema["then"] = {
        "required": ["screen_offset"],
        "properties": {"screen_offset": {"type": "object"}},
    }


class TrajectoryMeta(_Model):
    """The header of a trajectory, stored as meta.json."""

    model_config = ConfigDict(json_schema_extra=_meta_schema, title="TrajectoryMeta")

    format: Literal["officegym.trajectory/1"] = FORMAT
    id: str = Field(min_length=1)
    source: Source
    recorder: Recorder
    task: TaskRef | None = None
    start_url: str | None = None
    viewport: Viewport
    coordinate_space: Literal["viewport", "screen"] = "viewport"
    screen_offset: ScreenOffset | None = None
    user_agent: str | None = None
    locale: str | None = None
    timezone: str | None = None
    started_at: str
    outcome: Outcome = Field(default_factory=Outcome)
    privacy: Privacy = Field(default_factory=Privacy)
    capture: Capture | None = Field(
        default=None, description="Set by a recorder given a capture policy (`--policy`)."
    )
    agent: str | None = None
    imported: Imported | None = Field(
        default=None, description="Set by `officegym import`: the source and what changed."
    )
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("started_at")
    @classmethod
    def _iso_8601(cls, value: str) -> str:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"expected an ISO 8601 timestamp like '2024-05-01T12:00:00Z', got {value!r}"
            ) from None
        return value

    @model_validator(mode="after")
    def _screen_needs_offset(self) -> TrajectoryMeta:
        if self.coordinate_space == "screen" and self.screen_offset is None:
            raise PydanticCustomError(
                "screen_offset_required",
                "is required when coordinate_space is 'screen' (where the viewport sits on screen)",
                {"field": "screen_offset"},
            )
        return self


# ---------------------------------------------------------------------------------------------
# turning pydantic errors into TrajectoryFormatError
# ---------------------------------------------------------------------------------------------


def _dotted(loc: tuple[int | str, ...]) -> str | None:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or None


def format_validation_error(
    exc: ValidationError, path: str, line: int | None, *, skip: int = 0
) -> TrajectoryFormatError:
    """Convert a pydantic error into a `TrajectoryFormatError` naming the first bad field.

    Args:
        exc: the pydantic error.
        path: file to name in the message.
        line: line to name in the message, if any.
        skip: leading location parts to drop (1 for a tagged union, whose locations start
            with the tag).

    Returns:
        The error to raise.
    """
    errors = exc.errors(include_url=False)
    err: ErrorDetails = errors[0]
    loc = tuple(err["loc"])
    loc = loc[skip:]
    field = _dotted(loc)
    ctx = err.get("ctx") or {}
    if field is None and isinstance(ctx.get("field"), str):
        field = ctx["field"]
    problem = err["msg"].removeprefix("Value error, ")
    # Our own cross-field errors already say what is wrong; echo the input only for pydantic's.
    if "field" not in ctx and err["type"] not in ("missing", "extra_forbidden"):
        shown = json.dumps(err["input"], default=str, ensure_ascii=False)
        problem += f" (got {shown[:80] + '…' if len(shown) > 80 else shown})"
    if len(errors) > 1:
        problem += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    return TrajectoryFormatError(path, line, field, problem)
