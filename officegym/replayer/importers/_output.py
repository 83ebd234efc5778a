"""Writing an import's trajectory: only inside `--out`, in one go, removed again if it fails.

The trajectory is the format `TrajectoryWriter` writes (meta.json indented, one compact event a
line; no `frames/`, as an import has no screenshots), but written as a batch: events.jsonl as
the events are converted, then meta.json. An import that was cut off is run again (what it left
has events.jsonl, so it is an earlier import, which the new one replaces). So it skips the
writer's fsync of meta.json (most of the time of importing a small file) and its line-by-line
flushes. Files get the mode the umask gives (0644 under the usual 022), like any file a program
creates.
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from officegym.errors import TrajectoryFormatError
from officegym.replayer.importers._common import (
    MAX_NOTES,
    Conversion,
    ImportFormatError,
    Skipped,
)
from officegym.trajectory import EVENTS_FILE, META_FILE, TrajectoryMeta, parse_event

_STEP_CHARS, _REASON_CHARS = 100, 500  # of a skip noted in meta.json (the source names steps)


def inside(root: Path, path: Path, where: str) -> Path:
    """`path` with its links resolved, once it is known to lie inside `root` (the import's
    `--out`) and not be `root` itself. Every path an import writes or removes comes from here.

    Args:
        where: the source file being imported, to name in the error.

    Raises:
        ImportFormatError: `path` leads to `root` or out of it.
    """
    base, full = _real(root.absolute()), path.resolve()
    if full == base or not full.is_relative_to(base):
        problem = f"its trajectory would be written at {full}, not inside {base}: refused"
        raise ImportFormatError(where, None, "output folder", problem)
    return full


@functools.lru_cache(maxsize=16)
def _real(root: Path) -> Path:
    """An absolute `root` with its links resolved, once per process: `--out` is where it was
    when the import began, and a link put in its place later leads nowhere `inside` allows."""
    return root.resolve()


def clear(root: Path, path: Path, where: str) -> Path:
    """`path` checked by `inside`, with an earlier import there removed: what the new one
    replaces. Anything else there (a file, a folder that is not a trajectory) is kept.

    Raises:
        ImportFormatError: `path` leads out of `root`, holds something not a trajectory, or
            the earlier import cannot be removed.
    """
    full = inside(root, path, where)
    try:
        os.lstat(full)
    except FileNotFoundError:
        return full  # the usual case, in one system call: nothing there yet
    except OSError:
        pass  # the checks below say what it is
    try:
        if full.is_dir() and (
            (full / META_FILE).is_file()
            or (full / EVENTS_FILE).is_file()  # an import cut off before its meta.json
            or not any(full.iterdir())
        ):
            shutil.rmtree(full)
        elif full.exists() or full.is_symlink():
            problem = f"{full} already exists and is not a trajectory: not replaced"
            raise ImportFormatError(where, None, "output folder", problem)
    except OSError as exc:
        problem = f"the earlier import at {full} cannot be removed: {exc.strerror}"
        raise ImportFormatError(where, None, "output folder", problem) from None
    return full


def discard(root: Path, path: Path, where: str) -> None:
    """Remove what an import that failed wrote at `path` (half a trajectory is not one), and
    the folders made for it that are left empty; if `path` no longer leads inside `root`,
    nothing."""
    try:
        full = inside(root, path, where)
    except ImportFormatError:
        return
    shutil.rmtree(full, ignore_errors=True)
    base = _real(root.absolute())
    for parent in full.parents:
        if parent == base or not parent.is_relative_to(base):
            break
        try:
            parent.rmdir()  # only if empty: another trajectory may be in it
        except OSError:
            break


def write_conversion(
    conversion: Conversion, out: Path, where: str, root: Path, checked: Path | None = None
) -> tuple[int, list[Skipped]]:
    """Write the trajectory at `out` inside `root`, with `meta.imported` saying where it came
    from; an event the format refuses is skipped with the reason. Events are written as the
    conversion gives them (`Conversion.stream`), so a streamed one is never in memory whole;
    meta.json, which needs all of them (its notes, and the source's members after them), last.

    Args:
        where: the source file as given to the import; `meta.imported.path` is it made
            absolute, to mean the same file wherever the trajectory is read later.
        checked: `out` as `clear` (or `inside`) returned it just before, so as not to resolve
            its links twice.

    Returns:
        The number of events written and the skipped steps (the importer's and the writer's).

    Raises:
        ImportFormatError: `out` leads out of `root`, the header does not validate, or no
            event could be written (what was written is then the caller's to discard).
    """
    dest = checked if checked is not None else inside(root, out, where)
    dest.mkdir(parents=True, exist_ok=True)  # no frames/: an import has no screenshots
    events = _EventLines(conversion, str(out / EVENTS_FILE))
    with (dest / EVENTS_FILE).open("w", encoding="utf-8") as file:
        events.write(file)
    if events.count <= 1 and events.span:  # only the closing `done`
        raise ImportFormatError(where, None, events.span, "no step could be converted")
    imported = _imported(conversion, os.path.abspath(where), events)
    meta = _checked_meta({**conversion.meta, "imported": imported}, where)
    text = meta.model_dump_json(indent=2, exclude_none=True) + "\n"
    (dest / META_FILE).write_text(text, "utf-8")
    return events.count, events.skipped


def _checked_meta(meta: dict[str, Any], where: str) -> TrajectoryMeta:
    try:
        return TrajectoryMeta.model_validate(meta)
    except ValidationError as exc:  # a header field taken from the source
        first = exc.errors(include_url=False)[0]
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
        problem = first["msg"].removeprefix("Value error, ")
        at = f"meta: {field.removeprefix('.')}" if field else "meta"
        raise ImportFormatError(where, None, at, problem) from None


class _EventLines:
    """events.jsonl written an event at a time (a closing `done` added if the source has none),
    with the conversion's notes on events (clock jumps, unknown keys: by the event's index in
    the conversion) moved to the lines they name as the events are read: an importer notes an
    event before it gives it."""

    def __init__(self, conversion: Conversion, path: str) -> None:
        self.conversion, self.path = conversion, path
        self.refused: list[Skipped] = []  # events the format refuses
        self.count = 0  # lines written
        self.jumps: list[dict[str, Any]] = []
        self.keys: list[dict[str, Any]] = []
        self.span = ""  # the source positions of the first and last event, once there is one
        self._pending: list[float] = []  # clock jumps before an event not yet written
        self._next_jump = self._next_key = 0

    def write(self, file: IO[str]) -> None:
        conversion = self.conversion
        last_t, last_type, first = 0.0, None, None
        stream = conversion.stream if conversion.stream is not None else conversion.events
        for i, (position, raw) in enumerate(stream):
            first = position if first is None else first
            self.span = f"{first} to {position}"
            self._take_notes(i)
            try:
                event = parse_event(raw, path=self.path, line=self.count + 1)
                if event.t < last_t:
                    problem = f"t={event.t:g} is before the previous event's t={last_t:g}"
                    raise TrajectoryFormatError(self.path, self.count + 1, "t", problem)
            except TrajectoryFormatError as exc:
                reason = f"{exc.field + ': ' if exc.field else ''}{exc.problem}"
                kind = str(raw.get("type"))  # only a lone pointer move leaves the page as it is
                self.refused.append(Skipped(position, kind, reason, acts=kind != "mouse.move"))
                continue
            self._noted(i)
            file.write(event.model_dump_json(exclude_none=True) + "\n")
            self.count += 1
            last_t, last_type = event.t, event.type
        self._take_notes(math.inf)  # the jumps after the last event
        if last_type != "done":
            file.write(json.dumps({"t": last_t, "type": "done"}) + "\n")
            self.count += 1
        self.jumps += [{"event": self.count - 1, "seconds": s} for s in self._pending]

    @property
    def skipped(self) -> list[Skipped]:
        """The importer's skips, then the writer's refusals (complete once written)."""
        return self.conversion.skipped + self.refused

    def _take_notes(self, index: float) -> None:
        """The clock jumps before event `index` wait for the next event written."""
        jumps = self.conversion.clock_jumps
        while self._next_jump < len(jumps) and jumps[self._next_jump][0] <= index:
            self._pending.append(jumps[self._next_jump][1])
            self._next_jump += 1

    def _noted(self, index: int) -> None:
        """Event `index` is written as line `self.count`: the notes waiting for it name it."""
        if len(self.jumps) < MAX_NOTES:
            self.jumps += [{"event": self.count, "seconds": s} for s in self._pending]
        self._pending.clear()
        keys = self.conversion.unknown_keys
        while self._next_key < len(keys) and keys[self._next_key][0] <= index:
            if keys[self._next_key][0] == index and len(self.keys) < MAX_NOTES:
                self.keys.append({"event": self.count, "code": keys[self._next_key][1]})
            self._next_key += 1


def _imported(conversion: Conversion, path: str, events: _EventLines) -> dict[str, Any]:
    """`meta.imported`: the source, its label, and (the first MAX_NOTES of) the skipped steps,
    clock jumps and unknown keys, by their place in events.jsonl."""
    kept = events.skipped[:MAX_NOTES]
    acting = next((s for s in events.skipped if s.acts), None)
    if acting is not None and acting not in kept:  # the replay's verdict names the first one
        kept[-1] = acting
    notes = [
        {
            "position": s.position,
            "step": s.step[:_STEP_CHARS],
            "reason": s.reason[:_REASON_CHARS],
            "acts": s.acts,
        }
        for s in kept
    ]
    return {
        "path": path,
        "format": conversion.meta["source"].removeprefix("import:"),
        "label": conversion.label,
        "skipped": notes,
        "clock_jumps": events.jumps[:MAX_NOTES],
        "unknown_keys": events.keys[:MAX_NOTES],
    }
