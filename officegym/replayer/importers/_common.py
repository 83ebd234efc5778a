"""What every importer shares: reading the source, writing trajectory v1, and the report.

An importer turns one source file into a `Conversion`: meta fields, events (each with the place
in the source it came from) and the steps it could not convert, with the reason. It never
guesses: what has no faithful counterpart in the trajectory format is listed, not invented.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import shutil
import sys
import zlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from officegym.errors import TrajectoryFormatError
from officegym.trajectory import META_FILE, TrajectoryWriter, too_deep_line

# A larger file is not a recording of one session (a long rrweb session with its page snapshots
# is tens of MB; a demonstration or a Recorder file, kilobytes). It bounds the text of a source,
# as stored or as it decompresses, since all of it is decoded at once.
MAX_SOURCE_BYTES = 512 * 1024 * 1024
_CHUNK = 1024 * 1024  # bytes of gzip data decompressed at a time while counting its size
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
        ImportFormatError: unreadable; larger than MAX_SOURCE_BYTES, as stored or decompressed;
            not UTF-8; not JSON (with line and column); or holding NaN, Infinity or a number
            too long to read (with the field).
    """
    where = str(path)
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise _too_large(where, f"byte {MAX_SOURCE_BYTES}", "larger")
        with path.open("rb") as f:
            raw = f.read(MAX_SOURCE_BYTES + 1)  # bounded: a device or a pipe states no size
    except OSError as exc:
        raise ImportFormatError(where, None, None, f"cannot be read: {exc.strerror}") from None
    if len(raw) > MAX_SOURCE_BYTES:
        raise _too_large(where, f"byte {MAX_SOURCE_BYTES}", "larger")
    if raw[:2] == b"\x1f\x8b":
        try:
            if inflated_size(raw, MAX_SOURCE_BYTES) > MAX_SOURCE_BYTES:
                at = f"byte {MAX_SOURCE_BYTES} of the decompressed data"
                raise _too_large(where, at, "decompresses to more")
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
        return json_value(text, where)
    except ImportFormatError as first:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        if first.problem.startswith("not JSON: Extra data") and one_value(lines[0][1]):
            return [json_value(line, where, n) for n, line in lines]  # JSON Lines
        raise


def _too_large(where: str, at: str, what: str) -> ImportFormatError:
    problem = f"{what} than {MAX_SOURCE_BYTES // 2**20} MiB: not one recording"
    return ImportFormatError(where, None, at, problem)


def inflated_size(raw: bytes, limit: int) -> int:
    """How many bytes gzip data decompresses to, counted up to just past `limit` and kept
    nowhere: a small file that inflates to gigabytes costs no memory to refuse.

    Raises:
        zlib.error: the data is not gzip or is broken (as `gzip.decompress` would say).
    """
    total, data = 0, raw
    while data:  # one gzip member after another, as gzip.decompress reads them
        stream = zlib.decompressobj(wbits=31)  # with gzip's header and trailer
        while not stream.eof and data:
            total += len(stream.decompress(data, _CHUNK))
            if total > limit:
                return total
            data = stream.unconsumed_tail
        if not stream.eof:
            return total  # cut short: gzip.decompress says so next
        data = stream.unused_data.lstrip(b"\0")  # gzip.decompress skips zeros between members
    return total


class _NotJson:
    """Stands in for what Python's json reads but JSON has not (NaN, Infinity), until the
    decoded value is searched for where it was."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, name: str) -> _NotJson:
        self.names.append(name)
        return self


def json_value(text: str, where: str, line: int | None = None) -> Any:
    """A JSON text (a whole file, or one line of JSON Lines) decoded; errors name the line.

    Raises:
        ImportFormatError: not JSON, nested too deeply, a number too long to read, or NaN or
            Infinity (not JSON, though Python reads them), naming the field.
    """
    constants = _NotJson()
    try:
        value = json.loads(text, parse_constant=constants)
    except json.JSONDecodeError as exc:
        problem = f"not JSON: {exc.msg} at column {exc.colno}"
        at = exc.lineno if line is None else line
        raise ImportFormatError(where, at, None, problem) from None
    except RecursionError:
        at = too_deep_line(text) if line is None else line
        raise ImportFormatError(where, at, None, "nested too deeply to read") from None
    except ValueError:  # an integer of more digits than Python converts
        found = re.search(rf"\d{{{sys.get_int_max_str_digits() + 1},}}", text)
        if found and line is None:
            line = text.count("\n", 0, found.start()) + 1
        problem = "a number too long to read: not one a recording holds"
        raise ImportFormatError(where, line, None, problem) from None
    if constants.names:
        problem = f"{constants.names[0]} is not a JSON number"
        raise ImportFormatError(where, line, _path_to(value, constants), problem)
    return value


def _path_to(value: Any, wanted: object) -> str:
    """Where `wanted` first is in a decoded JSON value, as `states[5].action.keyCode`."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, path = stack.pop()
        if node is wanted:
            return path or "(top level)"
        if isinstance(node, dict):
            stack += [(v, f"{path}.{k}" if path else str(k)) for k, v in reversed(node.items())]
        elif isinstance(node, list):
            stack += [(v, f"{path}[{i}]") for i, v in reversed(list(enumerate(node)))]
    return "(top level)"


def one_value(line: str) -> bool:
    """Whether a line is a JSON value by itself (the first line of JSON Lines is)."""
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


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
    """A JSON number as a finite float; None for anything else (booleans, and numbers such as
    1e400 or a 400-digit integer that no float holds, included)."""
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


def inside(root: Path, path: Path, where: str) -> Path:
    """`path` with its links resolved, once it is known to lie inside `root` (the import's
    `--out`) and not be `root` itself. Every path an import writes or removes comes from here.

    Args:
        where: the source file being imported, to name in the error.

    Raises:
        ImportFormatError: `path` leads to `root` or out of it.
    """
    base, full = root.resolve(), path.resolve()
    if full == base or not full.is_relative_to(base):
        problem = f"its trajectory would be written at {full}, not inside {base}: refused"
        raise ImportFormatError(where, None, "output folder", problem)
    return full


def clear(root: Path, path: Path, where: str) -> Path:
    """`path` checked by `inside`, with an earlier import there removed: what the new one
    replaces. Anything else there (a file, a folder that is not a trajectory) is kept.

    Raises:
        ImportFormatError: `path` leads out of `root`, holds something not a trajectory, or
            the earlier import cannot be removed.
    """
    full = inside(root, path, where)
    try:
        if full.is_dir() and ((full / META_FILE).is_file() or not any(full.iterdir())):
            shutil.rmtree(full)
        elif full.exists() or full.is_symlink():
            problem = f"{full} already exists and is not a trajectory: not replaced"
            raise ImportFormatError(where, None, "output folder", problem)
    except OSError as exc:
        problem = f"the earlier import at {full} cannot be removed: {exc.strerror}"
        raise ImportFormatError(where, None, "output folder", problem) from None
    return full


def discard(root: Path, path: Path, where: str) -> None:
    """Remove what an import that failed wrote at `path` (half a trajectory is not one); if
    `path` no longer leads inside `root`, nothing."""
    try:
        full = inside(root, path, where)
    except ImportFormatError:
        return
    shutil.rmtree(full, ignore_errors=True)


def write_conversion(
    conversion: Conversion, out: Path, where: str, root: Path
) -> tuple[int, list[Skipped]]:
    """Write the trajectory at `out` inside `root`; an event the format refuses is skipped with
    the reason.

    Returns:
        The number of events written and the skipped steps (the importer's and the writer's).

    Raises:
        ImportFormatError: `out` leads out of `root`, the header does not validate, or no
            event could be written.
    """
    skipped = list(conversion.skipped)
    written = 0
    last_t = 0.0
    last_type = None
    try:
        writer = TrajectoryWriter(inside(root, out, where), conversion.meta, overwrite=True)
    except ImportFormatError:
        raise
    except TrajectoryFormatError as exc:  # a header field taken from the source
        field = f"meta: {exc.field}" if exc.field else "meta"
        raise ImportFormatError(where, None, field, exc.problem) from None
    with writer:
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


def import_one(fmt: str, source: Path, out: Path, root: Path | None = None) -> ImportResult:
    """Import one file; a bad file gives a `rejected` result, never an exception.

    Args:
        out: the trajectory folder to write.
        root: the folder every write and removal must stay inside (`--out`); by default the
            parent of `out`.
    """
    from officegym.replayer.importers import CONVERTERS

    root = out.parent if root is None else root
    where = str(source)
    try:
        dest = clear(root, out, where)
    except ImportFormatError as exc:  # nothing was written, so nothing is removed
        return ImportResult(where, "rejected", reason=str(exc), position=exc.position)
    try:
        conversion = CONVERTERS[fmt](read_source(source), source)
        events, skipped = write_conversion(conversion, dest, where, root)
    except ImportFormatError as exc:
        result = ImportResult(where, "rejected", reason=str(exc), position=exc.position)
    except RecursionError:  # a converter walking a document nested too deeply for it
        reason = f"{source}: nested too deeply to convert"
        result = ImportResult(where, "rejected", reason=reason, position="whole file")
    except Exception as exc:
        # The converters check every field they read, and the fuzz tests look for what they
        # miss; but a batch of thousands of files made by other tools must not stop at one
        # shape nobody foresaw. The file is rejected, naming what went wrong, and the rest go on.
        problem = f"could not be converted ({type(exc).__name__}: {exc}); please report this"
        result = ImportResult(where, "rejected", reason=f"{source}: {problem}",
                              position="whole file")  # fmt: skip
    else:
        outcome = "partial" if skipped else "imported"
        return ImportResult(where, outcome, str(out), events, skipped)
    discard(root, dest, where)
    return result
