"""Reading trajectory directories and zips, streaming ``events.jsonl`` line by line."""

from __future__ import annotations

import hashlib
import json
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


class TrajectoryReader:
    """Read a trajectory from a directory or a ``.zip``, streaming the events.

    A zip may hold the files at its root or inside one top-level folder.

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

    def _exists(self, rel: str) -> bool:
        if self._zip is not None:
            try:
                self._zip.getinfo(self._prefix + rel)
            except KeyError:
                return False
            return True
        return (self.path / rel).is_file()

    def _open(self, rel: str) -> IO[bytes]:
        if not self._exists(rel):
            problem = f"missing: every trajectory needs {rel}" + (
                " (it may be empty)" if rel == EVENTS_FILE else ""
            )
            raise TrajectoryFormatError(self._display(rel), None, None, problem)
        if self._zip is not None:
            return self._zip.open(self._prefix + rel)
        return open(self.path / rel, "rb")

    def _read(self, rel: str) -> bytes:
        """A whole file of the trajectory; a zip member broken inside names where."""
        with self._open(rel) as f:
            try:
                return f.read()
            except BROKEN_ZIP as exc:
                problem = f"broken compressed data in the zip: {exc}"
                where = self._display(rel)
                raise TrajectoryFormatError(where, None, "zip member", problem) from None

    @staticmethod
    def _lines(f: IO[bytes], where: str) -> Iterator[tuple[int, bytes]]:
        """The numbered lines of a file; compressed data broken inside names the line."""
        line_no = 0
        while True:
            try:
                raw = f.readline()
            except BROKEN_ZIP as exc:
                problem = f"broken compressed data in the zip: {exc}"
                raise TrajectoryFormatError(where, line_no + 1, None, problem) from None
            if not raw:
                return
            line_no += 1
            yield line_no, raw

    @property
    def meta(self) -> TrajectoryMeta:
        """The validated header (read on first access).

        Raises:
            TrajectoryFormatError: ``meta.json`` is missing, not JSON, of an unsupported
                format version, or has a bad field.
        """
        if self._meta is None:
            where = self._display(META_FILE)
            if not self._exists(META_FILE):
                raise TrajectoryFormatError(
                    where, None, None, "missing: every trajectory needs a meta.json header"
                )
            raw = self._read(META_FILE)
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
                invalid JSON, unknown type, bad field, ``t`` going backwards or (with
                ``check_frames``) a missing or corrupt frame.
        """
        where = self._display(EVENTS_FILE)
        last_t: float | None = None
        with self._open(EVENTS_FILE) as f:
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
        """
        return self._exists(self._frame_rel(relpath))

    def read_frame(self, relpath: str) -> bytes:
        """Read one stored frame.

        Args:
            relpath: the ``frame`` of a `Screenshot` event, e.g. ``"frames/000003.png"``.

        Returns:
            The encoded image bytes.

        Raises:
            TrajectoryFormatError: the frame does not exist or the path leaves the trajectory.
        """
        rel = self._frame_rel(relpath)
        if self._last_frame is not None and self._last_frame[0] == rel:
            return self._last_frame[1]
        if not self._exists(rel):
            problem = f"frame {relpath!r} referenced by an event does not exist"
            raise TrajectoryFormatError(self._display(rel), None, "frame", problem)
        data = self._read(rel)
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
