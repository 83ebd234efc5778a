"""Writing trajectory directories (crash-safe, line by line) and zipping them."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from pydantic import ValidationError

from officegym.errors import TrajectoryFormatError

from ._events import Event, parse_event
from ._models import FORMAT, SUPPORTED_FORMATS, TrajectoryMeta, format_validation_error

META_FILE = "meta.json"
EVENTS_FILE = "events.jsonl"
FRAMES_DIR = "frames"
_FRAME_EXTS = ("png", "jpg", "jpeg")

StrPath = str | os.PathLike[str]


def _dump_meta(meta: TrajectoryMeta) -> str:
    # meta.json is tiny and read by people, so it is indented; events.jsonl stays compact.
    data = meta.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _umask_mode() -> int:
    """The mode `open()` gives a new file under this process's umask (0644 under 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


# Read once, at import: os.umask can only be read by setting it, which is not thread-safe.
_FILE_MODE = _umask_mode()


def _write_atomic(path: Path, text: str) -> None:
    # A reader (or a crash) must never see a half-written meta.json.
    fd, tmp = tempfile.mkstemp(prefix=".meta.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            # mkstemp makes it 0600; meta.json is as readable as the events beside it.
            os.fchmod(f.fileno(), _FILE_MODE)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class TrajectoryWriter:
    """Write a trajectory directory incrementally.

    ``meta.json`` is written immediately and each event is flushed as its own line, so a crash
    loses at most the event being written.

    Args:
        path: directory to create (parents included).
        meta: the header, as a model or a dict validated into one.
        overwrite: allow writing into a directory that already holds a trajectory.

    Raises:
        FileExistsError: ``path`` already holds a trajectory and ``overwrite`` is False.
        TrajectoryFormatError: ``meta`` is a dict that does not validate.

    >>> import tempfile, pathlib
    >>> from officegym.trajectory import MouseMove, TrajectoryReader
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "rec"
    >>> meta = {"id": "demo", "source": "synthetic", "recorder": {"name": "doc", "version": "1"},
    ...         "viewport": {"width": 800, "height": 600}, "started_at": "2024-05-01T12:00:00Z"}
    >>> with TrajectoryWriter(d, meta) as w:
    ...     _ = w.write(MouseMove(t=0, x=10, y=20))
    ...     _ = w.write({"t": 15, "type": "done"})
    >>> [e.type for _, e in TrajectoryReader(d).iter_events()]
    ['mouse.move', 'done']
    """

    def __init__(
        self, path: StrPath, meta: TrajectoryMeta | Mapping[str, Any], *, overwrite: bool = False
    ) -> None:
        self.path = Path(path)
        self._meta_path = self.path / META_FILE
        self._events_path = self.path / EVENTS_FILE
        if isinstance(meta, TrajectoryMeta):
            self._meta = meta
        else:
            self._meta = validate_meta(dict(meta), str(self._meta_path), in_file=False)
        if self._meta_path.exists() and not overwrite:
            raise FileExistsError(
                f"{self._meta_path}: a trajectory already exists here; "
                "pick another path or pass overwrite=True"
            )
        (self.path / FRAMES_DIR).mkdir(parents=True, exist_ok=True)
        _write_atomic(self._meta_path, _dump_meta(self._meta))
        self._events: IO[str] | None = open(self._events_path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self._lines = 0
        self._last_t = 0.0
        self._frames = 0

    @property
    def meta(self) -> TrajectoryMeta:
        """The header as last written to ``meta.json``."""
        return self._meta

    def write(self, event: Event | Mapping[str, Any]) -> Event:
        """Validate one event and append it to ``events.jsonl``.

        Args:
            event: an event model or a dict with a ``type`` key.

        Returns:
            The event as written (parsed into its model when a dict was given).

        Raises:
            TrajectoryFormatError: the dict does not validate, or ``t`` is earlier than the
                previous event's.
            ValueError: the writer is closed.
        """
        if self._events is None:
            raise ValueError(f"{self._events_path}: writer is closed")
        line = self._lines + 1
        if isinstance(event, Mapping):
            event = parse_event(event, path=str(self._events_path), line=line)
        if event.t < self._last_t:
            raise TrajectoryFormatError(
                str(self._events_path),
                line,
                "t",
                f"t={event.t:g} is before the previous event's t={self._last_t:g}; "
                "events must be written in time order",
            )
        self._events.write(event.model_dump_json(exclude_none=True) + "\n")
        self._events.flush()
        self._lines, self._last_t = line, event.t
        return event

    def add_frame(self, data: bytes, ext: str = "png") -> tuple[str, str]:
        """Store one screenshot as ``frames/NNNNNN.<ext>``.

        Args:
            data: the encoded PNG or JPEG bytes.
            ext: ``"png"``, ``"jpg"`` or ``"jpeg"``.

        Returns:
            ``(relpath, sha256)`` to put into a `Screenshot` event.

        Raises:
            ValueError: unsupported ``ext``.
        """
        ext = ext.lower().lstrip(".")
        if ext not in _FRAME_EXTS:
            raise ValueError(f"unsupported frame extension {ext!r}; use one of {_FRAME_EXTS}")
        rel = f"{FRAMES_DIR}/{self._frames:06d}.{ext}"
        (self.path / rel).write_bytes(data)
        self._frames += 1
        return rel, hashlib.sha256(data).hexdigest()

    def update_meta(self, **fields: Any) -> TrajectoryMeta:
        """Replace top-level header fields and rewrite ``meta.json`` atomically.

        Args:
            **fields: ``TrajectoryMeta`` fields to set (models or plain dicts).

        Returns:
            The new header.

        Raises:
            TrajectoryFormatError: the result does not validate.
        """
        data = self._meta.model_dump()
        for key, value in fields.items():
            data[key] = value.model_dump() if hasattr(value, "model_dump") else value
        self._meta = validate_meta(data, str(self._meta_path))
        _write_atomic(self._meta_path, _dump_meta(self._meta))
        return self._meta

    def set_outcome(
        self, claimed_success: bool | None = None, answer: str | None = None
    ) -> TrajectoryMeta:
        """Record what the agent claimed at the end (rewrites ``meta.json``).

        Args:
            claimed_success: whether the agent said it succeeded, if it said.
            answer: the agent's final answer, if any.

        Returns:
            The new header.
        """
        return self.update_meta(outcome={"claimed_success": claimed_success, "answer": answer})

    @property
    def closed(self) -> bool:
        return self._events is None

    def close(self) -> None:
        """Close ``events.jsonl``; calling it again does nothing."""
        if self._events is not None:
            self._events.close()
            self._events = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def zip_trajectory(directory: StrPath, dest_zip: StrPath) -> Path:
    """Pack a trajectory directory into a zip with the files at the zip root.

    Args:
        directory: a directory holding ``meta.json``.
        dest_zip: the zip to create (replaced if it exists).

    Returns:
        The path of the zip.

    Raises:
        TrajectoryFormatError: ``directory`` holds no ``meta.json``.
    """
    src, dest = Path(directory), Path(dest_zip)
    if not (src / META_FILE).is_file():
        raise TrajectoryFormatError(str(src / META_FILE), None, None, "missing; not a trajectory")
    with zipfile.ZipFile(dest, "w") as zf:
        for file in sorted(p for p in src.rglob("*") if p.is_file()):
            rel = file.relative_to(src).as_posix()
            if rel.startswith(".meta.") or file.resolve() == dest.resolve():
                continue  # a leftover temp file from an interrupted rewrite, or the zip itself
            # Frames are already compressed; deflating them again only costs time.
            method = (
                zipfile.ZIP_STORED if rel.startswith(f"{FRAMES_DIR}/") else zipfile.ZIP_DEFLATED
            )
            zf.write(file, rel, compress_type=method)
    return dest


def validate_meta(data: Any, path: str, *, in_file: bool = True) -> TrajectoryMeta:
    """Validate decoded ``meta.json`` data, checking the format version first.

    Args:
        data: the decoded JSON.
        path: file to name in errors.
        in_file: True for data read from a file, which must state its ``format``.

    Returns:
        The header model.

    Raises:
        TrajectoryFormatError: missing or unsupported ``format``, or a bad field.
    """
    if not isinstance(data, dict):
        raise TrajectoryFormatError(
            path, None, "top level", f"expected a JSON object, got {type(data).__name__}"
        )
    # Python callers may rely on the default, but a file must say which format it follows.
    fmt = data.get("format", None if in_file else FORMAT)
    if fmt is None:
        raise TrajectoryFormatError(path, None, "format", f"missing; expected {FORMAT!r}")
    if fmt not in SUPPORTED_FORMATS:
        supported = ", ".join(repr(f) for f in SUPPORTED_FORMATS)
        raise TrajectoryFormatError(
            path, None, "format",
            f"unsupported format {fmt!r}; this officegym reads {supported}",
        )  # fmt: skip
    try:
        return TrajectoryMeta.model_validate(data)
    except ValidationError as exc:
        raise format_validation_error(exc, path, None) from None


def too_deep_line(text: str) -> int:
    """The line of JSON text where brackets nest deeper than Python's parser can follow
    (counted outside strings), for errors that name the place.

    >>> too_deep_line('{"a": "[[[",\\n  "b": ' + "[" * 5000)
    2
    """
    depth, line, in_string, escaped = 0, 1, False, False
    limit = sys.getrecursionlimit() // 2
    for ch in text:
        if ch == "\n":
            line += 1
        elif in_string:
            escaped, in_string = (not escaped and ch == "\\"), in_string and (escaped or ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return line
        elif ch in "]}":
            depth -= 1
    return line
