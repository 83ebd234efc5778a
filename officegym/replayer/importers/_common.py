"""What every importer shares: the error, the conversion, the report's line, field checks.

An importer turns one source file into a `Conversion`: meta fields, events (each with the place
in the source it came from) and the steps it could not convert, with the reason. It never
guesses: what has no faithful counterpart in the trajectory format is listed, not invented.
Reading the source is `_source.py`'s part, writing the trajectory `_output.py`'s.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from officegym.errors import TrajectoryFormatError

# A larger file is not a recording of one session (a long rrweb session with its page snapshots
# is tens of MB; a demonstration or a Recorder file, kilobytes). It bounds the text of a source,
# as stored or as it decompresses.
MAX_SOURCE_BYTES = 512 * 1024 * 1024
DEFAULT_VIEWPORT = {"width": 1280, "height": 720}
# Entries of each list in meta.imported (skips, clock jumps, unknown keys): meta.json stays a
# few hundred kB whatever the source holds; import-report.jsonl lists every skip.
MAX_NOTES = 1000


class ImportFormatError(TrajectoryFormatError):
    """A source file that cannot be imported at all: names the file, the position in it
    (a line, a byte, or a path such as ``steps[3].selectors``) and the reason."""

    @property
    def position(self) -> str:
        """Where in the file: `line 4`, `byte 812`, `steps[3].selectors` or `whole file`."""
        if self.line is not None:
            return f"line {self.line}"
        return self.field or "whole file"


@dataclass
class Skipped:
    """A step of the source that has no event in the trajectory, and why.

    `acts` says whether the step changed the page (a click, a key, a change, a navigation, an
    assertion, a step of unknown effect) or is harmless to leave out (a pure pointer move, a
    scroll that later steps make irrelevant): a recording with a skipped acting step cannot be
    judged `valid` by a replay, since the replay does not do what the person did.
    """

    position: str
    step: str
    reason: str
    acts: bool


@dataclass
class Conversion:
    """An importer's output for one source file.

    `clock_jumps` and `unknown_keys` name events by their index in `events`; the writer turns
    them into indexes in events.jsonl (an event the format refuses is not written). A converter
    that reads its source a piece at a time gives its events as `stream` instead, and fills
    `meta`, `label` and the notes as it goes: they are complete once `stream` is exhausted, and
    a note names an event before the stream gives that event.
    """

    meta: dict[str, Any]
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (position, event)
    stream: Iterator[tuple[str, dict[str, Any]]] | None = None  # instead of `events`
    skipped: list[Skipped] = field(default_factory=list)
    label: dict[str, float | None] | None = None  # the source's own success label, if it has one
    clock_jumps: list[tuple[int, float]] = field(default_factory=list)  # (first event after, s)
    unknown_keys: list[tuple[int, int]] = field(default_factory=list)  # (event, key code)

    @classmethod
    def of(
        cls,
        fmt: str,
        source: Path,
        recorder: str,
        started_at: str,
        viewport: dict[str, int] | None = None,
        **meta: Any,
    ) -> Conversion:
        """An empty conversion with the header every import has: id, source, recorder."""
        return cls(
            {
                "id": f"{fmt}:{source.stem}",
                "source": f"import:{fmt}",
                "recorder": {"name": recorder, "version": "unknown"},
                "viewport": dict(viewport or DEFAULT_VIEWPORT),
                "started_at": started_at,
                **meta,
            }
        )

    def skip(self, position: str, step: str, reason: str, *, acts: bool) -> None:
        """Note a step with no event; each importer decides `acts` by its format's semantics."""
        self.skipped.append(Skipped(position, step, reason, acts))


@dataclass
class ImportResult:
    """One line of import-report.jsonl."""

    source: str
    outcome: str  # imported (everything), partial (some steps skipped), rejected (nothing)
    trajectory: str | None = None
    events: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    reason: str = ""
    position: str = ""  # of a rejection: where in the source the reason applies

    def to_json(self) -> dict[str, Any]:
        """The line's fields in their order (what `dataclasses.asdict` gives, without its deep
        copy: a line is written for each of thousands of files)."""
        return dict(vars(self), skipped=[dict(vars(s)) for s in self.skipped])


def expect(value: Any, kind: type | tuple[type, ...], where: str, position: str) -> Any:
    """`value` if it is of `kind`, else an ImportFormatError naming the position."""
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        value = None  # JSON true is not a number
    if not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        got = type(value).__name__ if value is not None else "nothing"
        raise ImportFormatError(where, None, position, f"expected {names}, got {got}")
    return value


def number(value: Any) -> float | None:
    """A JSON number as a finite float; None for anything else (booleans, and numbers such as
    1e400 or a 400-digit integer that no float holds, included)."""
    kind = type(value)  # the usual cases first, for speed: a float or int (not bool) of JSON
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is int:
        try:
            return float(value)  # finite once converted
        except OverflowError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def iso_time(ms: float | None, fallback: Path) -> str:
    """An ISO 8601 time for milliseconds since the epoch, or the source file's mtime."""
    seconds = ms / 1000 if ms is not None else fallback.stat().st_mtime
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return datetime.fromtimestamp(fallback.stat().st_mtime, UTC).isoformat()
