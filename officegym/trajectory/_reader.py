"""Reading trajectory directories and zips, streaming ``events.jsonl`` line by line.

A recording comes from elsewhere, so the reader trusts none of its sizes or links: every file is
read in chunks up to a limit (a zip of a megabyte can hold gigabytes), and a symbolic link
that leads out of a trajectory folder is refused rather than followed.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import IO, Self

from officegym.errors import TrajectoryFormatError

from ._events import Event, Screenshot, parse_event
from ._io import EVENTS_FILE, META_FILE, StrPath, too_deep_line, validate_meta
from ._models import TrajectoryMeta

# What reading a zip member whose compressed data is damaged raises (a CRC mismatch, a broken
# deflate stream, data that ends early).
BROKEN_ZIP = (zlib.error, zipfile.BadZipFile, EOFError)

# Limits on what one trajectory may hold, each far above any real recording, so that a small
# zip that inflates to gigabytes fails with a clear error instead of filling memory (listed in
# docs/trajectory.md, "Limits"). meta.json is a header of a few kilobytes; 16 MiB leaves room
# for any task params and `extra`.
MAX_META_BYTES = 16 * 1024 * 1024
# Eight hours of pointer moves at 60 per second is about 150 MB of events.jsonl; 2 GiB is over
# ten times that. The events are streamed, so this bounds the time an audit spends, not memory.
MAX_EVENTS_BYTES = 2 * 1024 * 1024 * 1024
# One event per line: a line is read whole before it is parsed, so this bounds memory while
# streaming. A pasted document or an answer of 16 MiB is far beyond any real input.
MAX_LINE_BYTES = 16 * 1024 * 1024
# A PNG of an 8K screen (7680x4320, 32 bits a pixel) stored without any compression is 133 MB.
MAX_FRAME_BYTES = 256 * 1024 * 1024
# Python inflates a bzip2 or LZMA zip member a whole compressed block at a time, however large
# the output: only members it inflates in bounded steps are read (what zip_trajectory and file
# managers write).
_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_CHUNK = 64 * 1024  # bytes read at a time: small enough for flat memory, large enough for speed


class TrajectoryReader:
    """Read a trajectory from a directory or a ``.zip``, streaming the events.

    A zip may hold the files at its root or inside one top-level folder. Files are read up to
    the limits `MAX_META_BYTES`, `MAX_EVENTS_BYTES`, `MAX_LINE_BYTES` and `MAX_FRAME_BYTES`, and
    a link in a folder that leads out of it is refused, never followed.

    Args:
        path: the trajectory directory or zip file.

    Raises:
        TrajectoryFormatError: ``path`` does not exist, is not a zip or directory, or the zip
            holds no ``meta.json``.
    """

    def __init__(self, path: StrPath) -> None:
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        self._meta: TrajectoryMeta | None = None
        # The last frame read: a replay's audit hashes it and its driver compares it, in turn.
        self._last_frame: tuple[str, bytes] | None = None
        # Where links may lead: the folder itself, wherever it is (it may be a link itself).
        self._root = self.path.resolve()
        if self.path.is_dir():
            return
        if not self.path.exists():
            raise TrajectoryFormatError(str(self.path), None, None, "no such file or directory")
        if not zipfile.is_zipfile(self.path):
            raise TrajectoryFormatError(str(self.path), None, None, "not a directory or a zip file")
        self._zip = zipfile.ZipFile(self.path)
        try:
            self._prefix = self._find_prefix(self._zip.namelist())
        except TrajectoryFormatError:
            self._zip.close()
            raise

    def _find_prefix(self, names: list[str]) -> str:
        if META_FILE in names:
            return ""
        tops = sorted({n[: -len(META_FILE)] for n in names if n.endswith("/" + META_FILE)})
        tops = [t for t in tops if t.count("/") == 1 and not t.startswith("__MACOSX/")]
        if len(tops) == 1:
            return tops[0]
        problem = (
            f"{META_FILE} must be at the zip root or inside one top folder; found it in {tops}"
            if tops
            else f"missing: no {META_FILE} at the zip root or inside one top folder"
        )
        raise TrajectoryFormatError(f"{self.path}!{META_FILE}", None, None, problem)

    def _display(self, rel: str) -> str:
        if self._zip is not None:
            return f"{self.path}!{self._prefix}{rel}"
        return str(self.path / rel)

    def _local(self, rel: str) -> Path | None:
        """The file `rel` of a trajectory folder with its links resolved, or None if there is
        none; a link that leads out of the folder is an error, never followed."""
        path = self.path / rel
        if not os.path.lexists(path):
            return None
        try:
            real = path.resolve()
        except (OSError, RuntimeError) as exc:  # a loop of links
            raise TrajectoryFormatError(self._display(rel), None, None, str(exc)) from None
        if real != self._root and real.is_relative_to(self._root):
            return real if real.is_file() else None
        problem = f"a symbolic link to {real}, outside the trajectory: not followed"
        raise TrajectoryFormatError(self._display(rel), None, None, problem)

    def _exists(self, rel: str) -> bool:
        if self._zip is not None:
            try:
                self._zip.getinfo(self._prefix + rel)
            except KeyError:
                return False
            return True
        return self._local(rel) is not None

    def _missing(self, rel: str) -> TrajectoryFormatError:
        problem = f"missing: every trajectory needs {rel}" + (
            " (it may be empty)" if rel == EVENTS_FILE else ""
        )
        return TrajectoryFormatError(self._display(rel), None, None, problem)

    def _too_large(self, rel: str, limit: int, stated: int | None) -> TrajectoryFormatError:
        """The error for a file over its limit: its stated size, or None when it is reading
        it that went past the limit."""
        size = f"{stated:,} bytes, over" if stated is not None else "inflates to more than"
        problem = f"{size} the limit of {_size(limit)} for {_kind(rel)}"
        return TrajectoryFormatError(self._display(rel), None, None, problem)

    def _open(self, rel: str, limit: int) -> IO[bytes]:
        """The file `rel`, once its stated size is known to be within `limit` bytes.

        Raises:
            TrajectoryFormatError: it is missing, a link out of the folder, larger than
                `limit`, or a zip member compressed other than by deflate.
        """
        if self._zip is None:
            local = self._local(rel)
            if local is None:
                raise self._missing(rel)
            size = local.stat().st_size
            if size > limit:
                raise self._too_large(rel, limit, size)
            return open(local, "rb")
        if not self._exists(rel):
            raise self._missing(rel)
        info = self._zip.getinfo(self._prefix + rel)
        if info.compress_type not in _ZIP_METHODS:
            problem = (
                f"compressed with zip method {info.compress_type}; only stored and deflated "
                "members are read (zip it again, e.g. with zip_trajectory)"
            )
            raise TrajectoryFormatError(self._display(rel), None, "zip member", problem)
        if info.file_size > limit:  # what the header says; _read counts what it inflates to
            raise self._too_large(rel, limit, info.file_size)
        return self._zip.open(info)

    def _read(self, rel: str, limit: int) -> bytes:
        """A whole file of the trajectory, up to `limit` bytes; read in chunks and counted, as
        a zip member may inflate to more than its header says."""
        chunks: list[bytes] = []
        size = 0
        with self._open(rel, limit) as f:
            while True:
                try:
                    chunk = f.read(_CHUNK)
                except BROKEN_ZIP as exc:
                    problem = f"broken compressed data in the zip: {exc}"
                    where = self._display(rel)
                    raise TrajectoryFormatError(where, None, "zip member", problem) from None
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > limit:
                    raise self._too_large(rel, limit, None)
                chunks.append(chunk)

    def _lines(self, f: IO[bytes], where: str) -> Iterator[tuple[int, bytes]]:
        """The numbered lines of events.jsonl, each at most MAX_LINE_BYTES and all together at
        most MAX_EVENTS_BYTES; compressed data broken inside names the line being read."""
        line_no, total = 0, 0
        pending: list[bytes] = []  # the start of a line that continues in the next chunk
        pending_size = 0
        while True:
            try:
                chunk = f.read(_CHUNK)
            except BROKEN_ZIP as exc:
                problem = f"broken compressed data in the zip: {exc}"
                raise TrajectoryFormatError(where, line_no + 1, None, problem) from None
            total += len(chunk)
            if total > MAX_EVENTS_BYTES:
                raise self._too_large(EVENTS_FILE, MAX_EVENTS_BYTES, None)
            if not chunk:
                if pending:
                    yield line_no + 1, b"".join(pending)
                return
            *complete, rest = chunk.split(b"\n")
            for part in complete:
                if pending_size + len(part) > MAX_LINE_BYTES:
                    raise _long_line(where, line_no + 1)
                line_no += 1
                yield line_no, b"".join((*pending, part)) if pending else part
                pending, pending_size = [], 0
            if rest:
                pending.append(rest)
                pending_size += len(rest)
                if pending_size > MAX_LINE_BYTES:
                    raise _long_line(where, line_no + 1)

    @property
    def meta(self) -> TrajectoryMeta:
        """The validated header (read on first access).

        Raises:
            TrajectoryFormatError: ``meta.json`` is missing, a link out of the folder, over
                `MAX_META_BYTES`, not JSON, of an unsupported format version, or has a bad
                field.
        """
        if self._meta is None:
            where = self._display(META_FILE)
            if not self._exists(META_FILE):
                raise TrajectoryFormatError(
                    where, None, None, "missing: every trajectory needs a meta.json header"
                )
            raw = self._read(META_FILE, MAX_META_BYTES)
            try:
                data = json.loads(raw.decode("utf-8-sig"))
            except UnicodeDecodeError as exc:
                line = raw[: exc.start].count(b"\n") + 1
                raise TrajectoryFormatError(where, line, None, f"not UTF-8: {exc}") from None
            except json.JSONDecodeError as exc:
                problem = f"invalid JSON: {exc.msg} at column {exc.colno}"
                raise TrajectoryFormatError(where, exc.lineno, None, problem) from None
            except RecursionError:
                line = too_deep_line(raw.decode("utf-8-sig"))
                problem = "nested too deeply to read"
                raise TrajectoryFormatError(where, line, None, problem) from None
            self._meta = validate_meta(data, where)
        return self._meta

    def iter_events(
        self, *, check_frames: bool = False, ordered: bool = True
    ) -> Iterator[tuple[int, Event]]:
        """Stream ``events.jsonl`` one line at a time; memory use does not grow with the file.

        Args:
            check_frames: also check that every screenshot's frame exists and matches its
                ``sha256`` (reads each frame once).
            ordered: reject an event whose ``t`` is before the previous one's (False: yield
                it, for an audit to report).

        Yields:
            ``(line_no, event)`` with 1-based line numbers; blank lines are skipped.

        Raises:
            TrajectoryFormatError: naming the file, line and field of the first bad event:
                invalid JSON, unknown type, bad field, ``t`` going backwards, a line over
                `MAX_LINE_BYTES` or (with ``check_frames``) a missing or corrupt frame; or
                naming the file: missing, a link out of the folder, over `MAX_EVENTS_BYTES`.
        """
        where = self._display(EVENTS_FILE)
        last_t: float | None = None
        with self._open(EVENTS_FILE, MAX_EVENTS_BYTES) as f:
            for line_no, raw in self._lines(f, where):
                try:
                    text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    raise TrajectoryFormatError(where, line_no, None, f"not UTF-8: {exc}") from None
                if not text.strip():
                    continue
                event = parse_event(text, path=where, line=line_no)
                if ordered and last_t is not None and event.t < last_t:
                    raise TrajectoryFormatError(
                        where,
                        line_no,
                        "t",
                        f"t={event.t:g} is before the previous event's t={last_t:g}",
                    )
                last_t = event.t
                if check_frames and isinstance(event, Screenshot):
                    self._check_frame(event, where, line_no)
                yield line_no, event

    def _check_frame(self, event: Screenshot, where: str, line_no: int) -> None:
        if not self.frame_exists(event.frame):
            problem = f"frame {event.frame!r} does not exist ({self._display(event.frame)})"
            raise TrajectoryFormatError(where, line_no, "frame", problem)
        digest = hashlib.sha256(self.read_frame(event.frame)).hexdigest()
        if digest != event.sha256:
            problem = f"frame {event.frame!r} has sha256 {digest}, the event says {event.sha256}"
            raise TrajectoryFormatError(where, line_no, "sha256", problem)

    def events(self) -> list[Event]:
        """Read every event into a list (loads the whole file; prefer `iter_events`).

        Returns:
            The events in file order.

        Raises:
            TrajectoryFormatError: as `iter_events`.
        """
        return [event for _, event in self.iter_events()]

    def _frame_rel(self, relpath: str) -> str:
        rel = PurePosixPath(relpath)
        if rel.is_absolute() or ".." in rel.parts or "\\" in relpath:
            raise TrajectoryFormatError(
                self._display(relpath),
                None,
                "frame",
                "must be a relative path inside the trajectory",
            )
        return rel.as_posix()

    def frame_exists(self, relpath: str) -> bool:
        """Tell whether a frame such as ``"frames/000003.png"`` is stored.

        Args:
            relpath: the ``frame`` of a `Screenshot` event.

        Returns:
            True when the file exists.

        Raises:
            TrajectoryFormatError: the path leaves the trajectory, or is a link out of it.
        """
        return self._exists(self._frame_rel(relpath))

    def read_frame(self, relpath: str) -> bytes:
        """Read one stored frame.

        Args:
            relpath: the ``frame`` of a `Screenshot` event, e.g. ``"frames/000003.png"``.

        Returns:
            The encoded image bytes.

        Raises:
            TrajectoryFormatError: the frame does not exist, the path leaves the trajectory,
                it is a link out of it, or it is over `MAX_FRAME_BYTES`.
        """
        rel = self._frame_rel(relpath)
        if self._last_frame is not None and self._last_frame[0] == rel:
            return self._last_frame[1]
        if not self._exists(rel):
            problem = f"frame {relpath!r} referenced by an event does not exist"
            raise TrajectoryFormatError(self._display(rel), None, "frame", problem)
        data = self._read(rel, MAX_FRAME_BYTES)
        self._last_frame = (rel, data)
        return data

    def close(self) -> None:
        """Close the zip, if one was opened; calling it again does nothing."""
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _kind(rel: str) -> str:
    """What a file of a trajectory is, for the message naming its limit."""
    return {META_FILE: "meta.json", EVENTS_FILE: "events.jsonl"}.get(rel, "a frame")


def _size(limit: int) -> str:
    """A limit in the unit it is defined in: `16 MiB`, `2 GiB`."""
    return f"{limit // 2**30} GiB" if limit % 2**30 == 0 else f"{limit // 2**20} MiB"


def _long_line(where: str, line_no: int) -> TrajectoryFormatError:
    problem = f"a line longer than the limit of {_size(MAX_LINE_BYTES)} for one event"
    return TrajectoryFormatError(where, line_no, None, problem)


def find_trajectories(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Every trajectory under the given paths: folders holding `meta.json`, and `.zip` files.

    A path that is neither (a typo, a stray file) is yielded as is, so it gets its own verdict.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and not (path / "meta.json").exists():
            found = sorted({p.parent for p in path.rglob("meta.json")} | set(path.rglob("*.zip")))
            yield from found
        else:
            yield path
