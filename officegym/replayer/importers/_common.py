"""What every importer shares: reading the source, writing trajectory v1, and the report.

An importer turns one source file into a `Conversion`: meta fields, events (each with the place
in the source it came from) and the steps it could not convert, with the reason. It never
guesses: what has no faithful counterpart in the trajectory format is listed, not invented.
"""

from __future__ import annotations

import gzip
import json
import shutil
import zlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from officegym.errors import TrajectoryFormatError
from officegym.trajectory import TrajectoryWriter, too_deep_line

MAX_SOURCE_BYTES = 512 * 1024 * 1024  # a larger file is not a recording of one session
DEFAULT_VIEWPORT = {"width": 1280, "height": 720}


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
    """A step of the source that has no event in the trajectory, and why."""

    position: str
    step: str
    reason: str


@dataclass
class Conversion:
    """An importer's output for one source file."""

    meta: dict[str, Any]
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (position, event)
    skipped: list[Skipped] = field(default_factory=list)

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

    def skip(self, position: str, step: str, reason: str) -> None:
        self.skipped.append(Skipped(position, step, reason))


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
        return asdict(self)


def read_source(path: Path) -> Any:
    """The decoded JSON of a source file (gzip-compressed or not, JSON or JSON Lines).

    Raises:
        ImportFormatError: unreadable, too large, not UTF-8 or not JSON (with line and column).
    """
    where = str(path)
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            problem = "larger than 512 MiB: not one recording"
            raise ImportFormatError(where, None, f"byte {MAX_SOURCE_BYTES}", problem)
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(where, None, None, f"cannot be read: {exc.strerror}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
            at = f"byte {gzip_break(raw)} of the gzip data"
            raise ImportFormatError(where, None, at, f"broken gzip data: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = "not UTF-8 text: is this the exported JSON file?"
        raise ImportFormatError(where, None, f"byte {exc.start}", problem) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        if first.msg == "Extra data" and one_value(lines[0][1]):  # JSON Lines
            return [json_line(line, where, n) for n, line in lines]
        problem = f"not JSON: {first.msg} at column {first.colno}"
        raise ImportFormatError(where, first.lineno, None, problem) from None
    except RecursionError:
        problem = "nested too deeply to read"
        raise ImportFormatError(where, too_deep_line(text), None, problem) from None


def one_value(line: str) -> bool:
    """Whether a line is a JSON value by itself (the first line of JSON Lines is)."""
    try:
        json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def json_line(line: str, where: str, number: int) -> Any:
    """One line of JSON Lines, decoded; errors name the line."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        problem = f"not JSON: {exc.msg} at column {exc.colno}"
        raise ImportFormatError(where, number, None, problem) from None
    except RecursionError:
        raise ImportFormatError(where, number, None, "nested too deeply to read") from None


def gzip_break(raw: bytes) -> int:
    """The offset in gzip data where decompressing it fails: the first bad byte, the start of
    a bad member after the first, or the end when the data stops early."""
    stream = zlib.decompressobj(wbits=31)  # with gzip's header and trailer
    size = 4096
    for start in range(0, len(raw), size):
        chunk, before = raw[start : start + size], stream.copy()
        try:
            stream.decompress(chunk)
        except zlib.error:  # find the byte: feed the chunk again one byte at a time
            for i in range(len(chunk)):
                try:
                    before.decompress(chunk[i : i + 1])
                except zlib.error:
                    return start + i
            return start
        if stream.eof:
            return start + len(chunk) - len(stream.unused_data)
    return len(raw)


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
    """A JSON number as float, None for anything else (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def iso_time(ms: float | None, fallback: Path) -> str:
    """An ISO 8601 time for milliseconds since the epoch, or the source file's mtime."""
    seconds = ms / 1000 if ms is not None else fallback.stat().st_mtime
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return datetime.fromtimestamp(fallback.stat().st_mtime, UTC).isoformat()


def write_conversion(conversion: Conversion, out: Path, where: str) -> tuple[int, list[Skipped]]:
    """Write the trajectory; an event the format refuses is skipped with the reason.

    Returns:
        The number of events written and the skipped steps (the importer's and the writer's).
    """
    skipped = list(conversion.skipped)
    written = 0
    last_t = 0.0
    last_type = None
    with TrajectoryWriter(out, conversion.meta, overwrite=True) as writer:
        for position, event in conversion.events:
            try:
                writer.write(event)
            except TrajectoryFormatError as exc:
                reason = f"{exc.field + ': ' if exc.field else ''}{exc.problem}"
                skipped.append(Skipped(position, str(event.get("type")), reason))
                continue
            written += 1
            last_t, last_type = float(event["t"]), event["type"]
        if last_type != "done":
            writer.write({"t": last_t, "type": "done"})
            written += 1
    if written <= 1 and conversion.events:
        span = f"{conversion.events[0][0]} to {conversion.events[-1][0]}"
        raise ImportFormatError(where, None, span, "no step could be converted")
    return written, skipped


def import_one(fmt: str, source: Path, out: Path) -> ImportResult:
    """Import one file; a bad file gives a `rejected` result, never an exception."""
    from officegym.replayer.importers import CONVERTERS

    try:
        conversion = CONVERTERS[fmt](read_source(source), source)
        events, skipped = write_conversion(conversion, out, str(source))
    except ImportFormatError as exc:
        shutil.rmtree(out, ignore_errors=True)  # half a trajectory is not one
        return ImportResult(str(source), "rejected", reason=str(exc), position=exc.position)
    except RecursionError:  # a converter walking a document nested too deeply for it
        shutil.rmtree(out, ignore_errors=True)
        reason = f"{source}: nested too deeply to convert"
        return ImportResult(str(source), "rejected", reason=reason, position="whole file")
    outcome = "partial" if skipped else "imported"
    return ImportResult(str(source), outcome, str(out), events, skipped)
